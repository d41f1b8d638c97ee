package io.asyncreply.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void theDefaultWaitsGrowThreefoldFromFiveSecondsUpToSixHours() {
        Backoff b = Backoff.defaults();
        assertThat(b.nominal(1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(b.nominal(2)).isEqualTo(Duration.ofSeconds(15));
        assertThat(b.nominal(3)).isEqualTo(Duration.ofSeconds(45));
        assertThat(b.nominal(8)).isEqualTo(Duration.ofSeconds(10935));
        assertThat(b.nominal(9)).isEqualTo(Duration.ofHours(6));
        assertThat(b.nominal(11)).isEqualTo(Duration.ofHours(6));
    }

    @Test
    void theDefaultScheduleRetriesForAboutADayThenGivesUp() {
        Backoff b = Backoff.defaults();
        assertThat(b.total()).isBetween(Duration.ofHours(20), Duration.ofHours(26));
        assertThat(b.retries(11)).isTrue();
        assertThat(b.retries(12)).isFalse();
    }

    @Test
    void eachWaitIsDrawnWithinTwentyPercentOfItsNominalValueAndTheyDiffer() {
        Backoff b = Backoff.defaults();
        Random r = new Random(42);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 1000; i++) {
            long ms = b.delay(2, r).toMillis();
            min = Math.min(min, ms);
            max = Math.max(max, ms);
        }
        assertThat(min).isGreaterThanOrEqualTo(12_000);
        assertThat(max).isLessThanOrEqualTo(18_000);
        assertThat(max - min).as("jitter spreads the retries").isGreaterThan(4_000);
    }
}
