package io.asyncreply.web.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TaskJsonTimeTest {
    private static final DateTimeFormatter REFERENCE = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    @Test
    void writes_utc_with_milliseconds_truncated() {
        assertThat(TaskJson.time(Instant.parse("2026-11-25T10:15:30.123999Z"))).isEqualTo("2026-11-25T10:15:30.123Z");
        assertThat(TaskJson.time(Instant.parse("2026-01-02T03:04:05Z"))).isEqualTo("2026-01-02T03:04:05.000Z");
    }

    @Test
    void pads_every_field_with_zeros() {
        assertThat(TaskJson.time(Instant.parse("0009-01-01T00:00:00.007Z"))).isEqualTo("0009-01-01T00:00:00.007Z");
    }

    @Test
    void agrees_with_the_formatter_across_the_years_it_writes_by_hand() {
        SplittableRandom random = new SplittableRandom(42);
        long min = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 100_000; i++) {
            Instant at = Instant.ofEpochSecond(random.nextLong(min, max + 1), random.nextInt(1_000_000_000));
            assertThat(TaskJson.time(at)).isEqualTo(REFERENCE.format(at));
        }
    }

    @Test
    void falls_back_to_the_formatter_beyond_year_9999() {
        Instant at = Instant.parse("+10000-01-01T00:00:00Z");
        assertThat(TaskJson.time(at)).isEqualTo(REFERENCE.format(at));
    }
}
