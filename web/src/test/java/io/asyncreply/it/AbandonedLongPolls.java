package io.asyncreply.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.it.Api.Reply;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a server does with long-polls whose clients went away, seen from outside: a server with
 * {@link #HELD} as {@code asyncreply.wait.max-held} holds that many {@code ?wait=60} requests
 * (capped at {@link #WAIT_CAP}), refuses one more with 503, and after the clients close their
 * connections frees the slots either at once (the container reported the closed connections) or
 * when the waits end. Measured on Jetty 12.1.8 (embedded and standalone) and Tomcat 10.1.59 and
 * 11.0.24 over HTTP/1.1: none reports a connection closed while a request is suspended and nothing
 * is read or written, so the slots come back when the waits end.
 */
public final class AbandonedLongPolls {
    /** The bound the server under test is configured with. */
    public static final int HELD = 4;
    /** The server's wait cap: what an abandoned long-poll costs at most. */
    public static final Duration WAIT_CAP = Duration.ofSeconds(5);

    private AbandonedLongPolls() {
    }

    /** Settings for the server under test: the memory store, the bound {@link #HELD}. */
    public static Map<String, String> settings() {
        return Map.of("asyncreply.store", "memory", "asyncreply.workers", "1", "asyncreply.queue.capacity", "64",
                "asyncreply.wait.max-held", Integer.toString(HELD), "asyncreply.wait.max", WAIT_CAP.toSeconds() + "s");
    }

    /**
     * Fills the bound with long-polls on a running task, checks the refusal beyond it, closes the
     * clients' connections and returns how long it took until a long-poll was admitted again (or
     * {@code patience} when it was not within that).
     */
    public static Duration abandonAndTimeTheRecovery(URI base, Duration patience) throws Exception {
        Api api = new Api(base);
        Reply submitted = api.submit("sleep", "{\"ms\": 120000}".getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(submitted.status()).as("%s", submitted).isEqualTo(202);
        String id = submitted.json().path("id").asText();
        try {
            List<RawHttp> clients = new ArrayList<>();
            for (int i = 0; i < HELD; i++) {
                RawHttp c = RawHttp.open(base);
                c.head("GET", "tasks/" + id + "?wait=60");
                clients.add(c);
            }
            await().atMost(WAIT_CAP.minusSeconds(1)).pollInterval(Duration.ofMillis(50)).until(() -> refused(api, id));
            long closed = System.nanoTime();
            for (RawHttp c : clients) {
                c.close();
            }
            long deadline = closed + patience.toNanos();
            while (System.nanoTime() < deadline) {
                Reply r = api.get("tasks/" + id + "?wait=1");
                if (r.status() == 200) {
                    return Duration.ofNanos(System.nanoTime() - closed);
                }
                assertThat(r.status()).as("%s", r).isEqualTo(503);
                Thread.sleep(100); // a poll of the server's state from outside, not a wait for an event
            }
            return patience;
        } finally {
            api.delete("tasks/" + id);
        }
    }

    /** Whether one more long-poll is refused with 503 and Retry-After (the bound is reached). */
    private static boolean refused(Api api, String id) {
        Reply r = api.get("tasks/" + id + "?wait=1");
        return r.status() == 503 && r.header("Retry-After").isPresent()
                && r.json().path("type").asText().endsWith("too-many-waiting");
    }
}
