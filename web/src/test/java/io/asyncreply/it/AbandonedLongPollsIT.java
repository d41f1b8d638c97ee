package io.asyncreply.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Held long-polls are bounded, and those of clients that went away free their places at the
 * latest when their (capped) wait ends; see {@link AbandonedLongPolls} for what the containers
 * report.
 */
@Timeout(90)
class AbandonedLongPollsIT {

    @Test
    void heldLongPollsOfClosedConnectionsAreFreedAtTheLatestWhenTheirWaitEnds() throws Exception {
        try (EmbeddedWar server = new EmbeddedWar()) {
            URI base = server.start(AbandonedLongPolls.settings());

            Duration recovery = AbandonedLongPolls.abandonAndTimeTheRecovery(base, Duration.ofSeconds(30));

            System.out.printf("[embedded Jetty 12] held long-polls freed %d ms after their clients closed%n",
                    recovery.toMillis());
            assertThat(recovery).isLessThan(Duration.ofSeconds(8));
        }
    }
}
