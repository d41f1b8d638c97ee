package io.asyncreply.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncreply.it.Api.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The intake's limits over real HTTP, on the WAR in embedded Jetty with small ones: one server
 * with a read timeout of 2 s, another with a body limit of 64 KiB and room for two such bodies in
 * memory ({@code asyncreply.intake.max-buffered-bytes}) and the default read timeout (30 s, far
 * longer than the test's idle uploads need).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class IntakeLimitsIT {
    private static final int LIMIT = 64 * 1024;

    private final EmbeddedWar shortReads = new EmbeddedWar();
    private final EmbeddedWar littleMemory = new EmbeddedWar();
    private Api api;
    private Api small;

    @BeforeAll
    void deploy() throws Exception {
        Map<String, String> settings = EmbeddedWar.testSettings();
        settings.put("asyncreply.read.timeout", "2s");
        api = new Api(shortReads.start(settings));

        Map<String, String> memory = EmbeddedWar.testSettings();
        memory.put("asyncreply.body.max-bytes", Integer.toString(LIMIT));
        memory.put("asyncreply.intake.max-buffered-bytes", Integer.toString(2 * LIMIT));
        small = new Api(littleMemory.start(memory));
    }

    @AfterAll
    void undeploy() throws Exception {
        try {
            shortReads.close();
        } finally {
            littleMemory.close();
        }
    }

    /**
     * {@code Prefer: wait=60} once stretched the read timeout to 95 s, and the 408 still said the
     * read timeout: the wait starts when the task is stored, and reading the body is bounded alone.
     */
    @Test
    void preferWaitDoesNotStretchTheReadTimeout() throws IOException {
        String newest = newestTaskId();
        try (RawHttp c = RawHttp.open(api.base())) {
            c.head("POST", "tasks/echo", "Content-Type: text/plain", "Content-Length: 10", "Prefer: wait=60");
            c.write(bytes("abc")); // and then nothing

            RawHttp.Response r = c.response(Duration.ofSeconds(20)); // Jetty's idle timeout is 30 s

            assertThat(r.status()).as("%s", r).isEqualTo(408);
            assertThat(r.text()).contains("within 2 s").contains("nothing was queued");
        }
        assertThat(newestTaskId()).isEqualTo(newest);
    }

    /**
     * Two idle uploads of the largest size hold all the intake's memory: a new upload is refused
     * 503 with Retry-After until one of them ends.
     */
    @Test
    void uploadsBeyondTheIntakesMemoryAre503UntilAnUploadInProgressEnds() throws IOException {
        try (RawHttp first = RawHttp.open(small.base()); RawHttp second = RawHttp.open(small.base())) {
            for (RawHttp c : new RawHttp[] {first, second}) {
                c.head("POST", "tasks/echo", "Content-Type: application/octet-stream", "Content-Length: " + LIMIT);
            }

            Reply refused = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> small.submit("echo", bytes("probe"), "text/plain"), r -> r.status() != 202);
            assertThat(refused.status()).as("%s", refused).isEqualTo(503);
            assertThat(refused.mediaType()).isEqualTo("application/problem+json");
            JsonNode p = refused.json();
            assertThat(p.path("type").asText()).endsWith("intake-busy");
            assertThat(p.path("detail").asText()).contains("nothing was queued");
            assertThat(refused.header("Retry-After")).isPresent();

            first.write(new byte[LIMIT]);
            RawHttp.Response done = first.response(Duration.ofSeconds(10));
            assertThat(done.status()).as("%s", done).isEqualTo(202);

            Reply again = small.submit("echo", bytes("probe"), "text/plain");
            assertThat(again.status()).as("%s", again).isEqualTo(202);
        }
    }

    private String newestTaskId() {
        JsonNode items = api.get("tasks?limit=1").json().path("items");
        return items.isEmpty() ? null : items.get(0).path("id").asText();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
