package io.asyncreply.web.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncreply.engine.SubmitRequest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SubmitOptionsTest {

    @Test
    void noQueryIsNoOptions() {
        assertThat(SubmitOptions.parse(null)).isEqualTo(SubmitOptions.NONE);
        assertThat(SubmitOptions.parse("")).isEqualTo(SubmitOptions.NONE);
        assertThat(SubmitOptions.parse("unrelated=1&x")).isEqualTo(SubmitOptions.NONE);
    }

    @Test
    void everyOptionIsReadAndHandedToTheEngine() {
        SubmitOptions o = SubmitOptions.parse("priority=-3&delay=90s&ttl=PT2H&callback="
                + "https%3A%2F%2Fhooks.example.com%2Fdone%3Fa%3D1");

        SubmitRequest r = o.request("echo", new byte[] {1}, "text/plain", "k", "alice",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertThat(r.priority()).isEqualTo(-3);
        assertThat(r.delay()).isEqualTo(Duration.ofSeconds(90));
        assertThat(r.ttl()).isEqualTo(Duration.ofHours(2));
        assertThat(r.callback()).isEqualTo("https://hooks.example.com/done?a=1");
        assertThat(r.owner()).isEqualTo("alice");
        assertThat(r.idempotencyKey()).isEqualTo("k");
        assertThat(r.traceparent()).startsWith("00-0af7");
        assertThat(r.runAt()).isNull();
        assertThat(r.retryOf()).isNull();
    }

    @ParameterizedTest
    @CsvSource({"250ms,PT0.25S", "30s,PT30S", "5m,PT5M", "2h,PT2H", "PT1M30S,PT1M30S", "pt10s,PT10S", "0s,PT0S"})
    void delaysAreWholeNumbersWithAUnitOrIso8601(String given, String expected) {
        assertThat(SubmitOptions.parse("delay=" + given).delay()).isEqualTo(Duration.parse(expected));
    }

    @Test
    void runAtIsRfc3339WithAnOffset() {
        assertThat(SubmitOptions.parse("runAt=2030-01-02T03:04:05.678Z").runAt())
                .isEqualTo(Instant.parse("2030-01-02T03:04:05.678Z"));
        assertThat(SubmitOptions.parse("runAt=2030-01-02T05:04:05%2B02:00").runAt())
                .isEqualTo(Instant.parse("2030-01-02T03:04:05Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"priority=11", "priority=-11", "priority=high", "priority=", "priority=1.5",
        "delay=30", "delay=30d", "delay=-5s", "delay=PT-5S", "delay=3651h00", "delay=87601h", "delay=soon",
        "ttl=0s", "ttl=PT0S", "ttl=1w", "runAt=tomorrow", "runAt=2030-01-02T03:04:05", "runAt=+10000-01-01T00:00:00Z",
        "callback=ftp://x.example/", "callback=/relative", "callback=https://user:pw@x.example/",
        "callback=https://x.example/#frag", "callback=https:///nohost", "callback=not%20a%20url"})
    void aBadValueIsRefusedNamingItsParameter(String query) {
        String name = query.substring(0, query.indexOf('='));
        assertThatThrownBy(() -> SubmitOptions.parse(query)).isInstanceOf(SubmitOptions.InvalidOption.class)
                .hasMessageContaining("'" + name + "'");
    }

    @Test
    void delayAndRunAtTogetherOrAnOptionTwiceAreRefused() {
        assertThatThrownBy(() -> SubmitOptions.parse("delay=1s&runAt=2030-01-01T00:00:00Z"))
                .hasMessageContaining("delay").hasMessageContaining("runAt");
        assertThatThrownBy(() -> SubmitOptions.parse("priority=1&priority=2")).hasMessageContaining("'priority'");
        assertThatThrownBy(() -> SubmitOptions.parse("priority=%ZZ")).hasMessageContaining("percent");
    }
}
