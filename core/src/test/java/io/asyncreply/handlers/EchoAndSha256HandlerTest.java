package io.asyncreply.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.task.InputFormat;
import io.asyncreply.task.TaskResult;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EchoAndSha256HandlerTest {

    @Test
    void echo_returns_the_same_bytes_with_the_same_content_type() throws Exception {
        byte[] payload = {0, 1, 2, (byte) 0xFF, 'a'};
        TaskResult r = new EchoHandler().handle(new FakeContext(payload, "image/png"));
        assertThat(r.bytes()).containsExactly(payload);
        assertThat(r.contentType()).isEqualTo("image/png");
    }

    @Test
    void echo_without_a_content_type_answers_octet_stream() throws Exception {
        TaskResult r = new EchoHandler().handle(new FakeContext("hi".getBytes(StandardCharsets.UTF_8), null));
        assertThat(r.bytes()).containsExactly('h', 'i');
        assertThat(r.contentType()).isEqualTo("application/octet-stream");
    }

    @Test
    void echo_and_sha256_take_any_bytes() {
        assertThat(new EchoHandler().input()).isEqualTo(InputFormat.BYTES);
        assertThat(new Sha256Handler().input()).isEqualTo(InputFormat.BYTES);
    }

    @Test
    void sha256_answers_the_lowercase_hex_digest_as_json() throws Exception {
        TaskResult abc = new Sha256Handler().handle(new FakeContext("abc".getBytes(StandardCharsets.US_ASCII), null));
        assertThat(new String(abc.bytes(), StandardCharsets.UTF_8))
                .isEqualTo("{\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}");
        assertThat(abc.contentType()).isEqualTo("application/json");
        assertThat(abc.isJson()).isTrue();

        TaskResult empty = new Sha256Handler().handle(new FakeContext(new byte[0], "text/plain"));
        assertThat(new String(empty.bytes(), StandardCharsets.UTF_8))
                .isEqualTo("{\"sha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}");
    }

    @Test
    void the_builtins_are_echo_sleep_and_sha256() {
        assertThat(Builtins.all()).extracting(h -> h.type()).containsExactly("echo", "sleep", "sha256");
        assertThat(Builtins.all().get(0)).isNotSameAs(Builtins.all().get(0));
    }
}
