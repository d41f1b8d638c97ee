package io.asyncreply.it.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncreply.it.Api;
import io.asyncreply.it.Api.Reply;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/** The few API calls the shutdown and redeploy tests make, over real HTTP ({@link Api}). */
final class TaskClient {

    static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

    private final Api api;

    TaskClient(URI base) {
        this.api = new Api(base);
    }

    Api api() {
        return api;
    }

    /** POST /tasks/sleep {"ms": N}; must be 202; returns the id. */
    String submitSleep(long ms) {
        Reply r = api.submit("sleep", ("{\"ms\": " + ms + "}").getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(r.status()).as("%s", r).isEqualTo(202);
        return r.json().path("id").asText();
    }

    JsonNode task(String id) {
        Reply r = api.get("tasks/" + id);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.json();
    }

    void awaitRunning(String id) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> task(id).path("status").asText(), "RUNNING"::equals);
    }

    /** Until the task has left the queue: RUNNING, or already terminal (a short task on a slow machine). */
    void awaitStarted(String id) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> task(id).path("status").asText(), status -> !"QUEUED".equals(status));
    }

    /** Long-polls ({@code ?wait=10}) until the task is terminal, at most {@code timeout}. */
    JsonNode awaitTerminal(String id, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Reply r = api.get("tasks/" + id + "?wait=10");
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            if (TERMINAL.contains(r.json().path("status").asText())) {
                return r.json();
            }
            if (Instant.now().isAfter(deadline)) {
                return fail("task %s not terminal within %s: %s", id, timeout, r);
            }
        }
    }

    static Instant time(JsonNode task, String field) {
        return Instant.parse(task.path(field).asText());
    }
}
