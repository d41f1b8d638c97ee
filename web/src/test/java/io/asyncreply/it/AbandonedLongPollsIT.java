package io.asyncreply.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.it.AbandonedLongPolls.Recovery;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Held long-polls are bounded, and those of clients that went away free their places: at once
 * where the container reports it (a reset HTTP/2 stream), at the latest when their (capped) wait
 * ends where it does not (a closed HTTP/1.1 connection); see {@link AbandonedLongPolls}. On the WAR
 * in embedded Jetty 12 serving HTTP/1.1 and h2c on one port.
 */
@Timeout(120)
class AbandonedLongPollsIT {

    @Test
    void heldLongPollsOfClosedConnectionsAreFreedAtTheLatestWhenTheirWaitEnds() throws Exception {
        try (EmbeddedWar server = new EmbeddedWar()) {
            URI base = server.start(AbandonedLongPolls.settings());

            Recovery recovery = AbandonedLongPolls.closingHttp1Connections(base);

            System.out.printf("[embedded Jetty 12, HTTP/1.1] held long-polls freed %s after their clients closed "
                    + "(before their waits ended: %s)%n", recovery.afterGivingUp(), recovery.beforeTheWaitsEnded());
            assertThat(recovery.freed()).as("freed at the latest when the waits ended").isTrue();
        }
    }

    @Test
    void heldLongPollsOfResetHttp2StreamsAreFreedAtOnce() throws Exception {
        try (EmbeddedWar server = new EmbeddedWar().http2c()) {
            URI base = server.start(AbandonedLongPolls.settings());

            Recovery recovery = AbandonedLongPolls.resettingHttp2Streams(base);

            System.out.printf("[embedded Jetty 12, h2c] held long-polls freed %s after their streams were reset%n",
                    recovery.afterGivingUp());
            assertThat(recovery.beforeTheWaitsEnded()).as("freed before their waits ended: %s", recovery).isTrue();
        }
    }
}
