package io.asyncreply.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncreply.task.InputFormat;
import io.asyncreply.task.InvalidPayloadException;
import io.asyncreply.task.TaskResult;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The sleep handler on its own: what it validates and what it does. */
class SleepHandlerTest {
    private final SleepHandler sleep = new SleepHandler();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void assertRefused(String payload, String message) {
        assertThatThrownBy(() -> sleep.validate(utf8(payload))).as(payload)
                .isInstanceOf(InvalidPayloadException.class).hasMessage(message);
    }

    @Test
    void sleep_takes_json() {
        assertThat(sleep.type()).isEqualTo("sleep");
        assertThat(sleep.input()).isEqualTo(InputFormat.JSON);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"ms\":0}", "{\"ms\":1}", "{\"ms\":86400000}", "{\"ms\":60000}",
            "{\"ms\":10,\"fail\":\"boom\"}", "{\"ms\":1e3}", "{\"ms\":1.0}", "{\"ms\":-0}",
            "{\"ms\":5,\"other\":[1,2]}"})
    void good_payloads_are_accepted(String payload) {
        assertThatCode(() -> sleep.validate(utf8(payload))).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"fail\":\"x\"}", "{\"MS\":5}"})
    void a_payload_without_ms_is_refused_saying_ms_is_missing(String payload) {
        assertRefused(payload, "\"ms\" is missing: the payload must be {\"ms\": N}.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"ms\":-1}", "{\"ms\":-86400000}", "{\"ms\":-0.5}"})
    void a_negative_ms_is_refused(String payload) {
        assertRefused(payload, "\"ms\" must be between 0 and 86400000.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"ms\":86400001}", "{\"ms\":9223372036854775808}", "{\"ms\":1e30}",
            "{\"ms\":1e999999999}", "{\"ms\":86400000.5}"})
    void a_too_large_ms_is_refused_saying_so(String payload) {
        assertRefused(payload, "\"ms\" must be between 0 and 86400000.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"ms\":1.5}", "{\"ms\":0.001}", "{\"ms\":1e-3}", "{\"ms\":\"100\"}",
            "{\"ms\":null}", "{\"ms\":true}", "{\"ms\":[100]}", "{\"ms\":{\"v\":1}}"})
    void a_ms_that_is_not_a_whole_number_is_refused(String payload) {
        assertRefused(payload, "\"ms\" must be a whole number of milliseconds.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"ms\":1,\"fail\":42}", "{\"ms\":1,\"fail\":true}", "{\"ms\":1,\"fail\":{}}",
            "{\"ms\":1,\"fail\":null}", "{\"ms\":1,\"fail\":\"\"}", "{\"ms\":1,\"fail\":\"  \"}"})
    void a_fail_that_is_not_a_non_empty_string_is_refused(String payload) {
        assertRefused(payload, "\"fail\" must be a non-empty string.");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"[1]", "5", "\"ms\"", "null"})
    void a_payload_that_is_not_an_object_is_refused(String payload) {
        assertRefused(payload, "The payload must be a JSON object {\"ms\": N}.");
    }

    @Test
    void a_malformed_payload_is_refused() {
        assertThatThrownBy(() -> sleep.validate(utf8("{\"ms\":")))
                .isInstanceOf(InvalidPayloadException.class).hasMessageContaining("cannot be read as JSON");
    }

    @Test
    void a_number_of_a_million_digits_is_refused_without_costing_a_minute_of_cpu() {
        // turning 10^6 digits into a BigDecimal takes about a minute; the call must just return
        String fraction = "1." + "0".repeat(1 << 20) + "1";
        assertThatThrownBy(() -> sleep.validate(utf8("{\"ms\":" + fraction + "}")))
                .isInstanceOf(InvalidPayloadException.class).hasMessageContaining("number longer than 1000");
        String whole = "1" + "0".repeat(1 << 20);
        assertThatThrownBy(() -> sleep.validate(utf8("{\"ms\":" + whole + "}")))
                .isInstanceOf(InvalidPayloadException.class).hasMessageContaining("number longer than 1000");
        String longButSmall = "0." + "0".repeat(990) + "1";
        assertRefused("{\"ms\":" + longButSmall + "}", "\"ms\" must be a whole number of milliseconds.");
    }

    @Test
    void it_sleeps_then_answers_slept_ms_and_reports_progress_up_to_100() throws Exception {
        FakeContext ctx = new FakeContext(utf8("{\"ms\":60}"), "application/json");
        TaskResult r = sleep.handle(ctx);
        assertThat(new String(r.bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"sleptMs\":60}");
        assertThat(r.contentType()).isEqualTo("application/json");
        assertThat(ctx.progress).isSorted().endsWith(100);
        assertThat(ctx.progress).allSatisfy(p -> assertThat(p).isBetween(0, 100));
    }

    @Test
    void zero_ms_answers_at_once() throws Exception {
        TaskResult r = sleep.handle(new FakeContext(utf8("{\"ms\":0}"), null));
        assertThat(new String(r.bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"sleptMs\":0}");
    }

    @Test
    void with_fail_it_sleeps_then_throws_that_message() {
        assertThatThrownBy(() -> sleep.handle(new FakeContext(utf8("{\"ms\":5,\"fail\":\"disk on fire\"}"), null)))
                .hasMessage("disk on fire");
    }

    @Test
    void an_interrupt_stops_the_sleep_early() throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                sleep.handle(new FakeContext(utf8("{\"ms\":60000}"), null));
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        }, "test-sleeper");
        t.start();
        t.interrupt();
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        t.join(10_000);
    }
}
