package io.asyncreply.web.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.asyncreply.engine.SubmitRequest;
import io.asyncreply.it.SseClient;
import io.asyncreply.task.Submission;
import io.asyncreply.task.TaskStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Streams show what the caller may see ({@link io.asyncreply.web.auth.Caller#readScope()}): a user
 * its own tasks (another owner's task stream is 404, as an unknown one), viewers and admins every
 * owner's. Over real HTTP; the caller comes from test headers, as the authentication filter will
 * set it from credentials.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventStreamOwnersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private SseServer server;
    private final List<SseClient> open = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        server = SseServer.start(Map.of("asyncreply.workers", "2", "asyncreply.queue.capacity", "100"));
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
    }

    @AfterEach
    void dropStreams() {
        open.forEach(SseClient::close);
        open.clear();
    }

    private SseClient stream(String path, String owner, String role) {
        SseClient c = owner == null ? SseClient.open(server.uri(path))
                : role == null ? SseClient.open(server.uri(path), "X-Test-Owner", owner)
                : SseClient.open(server.uri(path), "X-Test-Owner", owner, "X-Test-Role", role);
        open.add(c);
        return c;
    }

    private String submit(String owner) {
        Submission s = server.apps.service().submit(SubmitRequest.of("echo", "x".getBytes(StandardCharsets.UTF_8))
                .contentType("text/plain").owner(owner)).toCompletableFuture().join();
        return ((Submission.Accepted) s).task().id();
    }

    @Test
    void aUserFollowsItsOwnTaskAndAnotherOwnersTaskIsNotFound() {
        String alices = submit("alice");
        server.apps.awaitStatus(alices, TaskStatus.SUCCEEDED);

        SseClient alice = stream("tasks/" + alices + "/events", "alice", null);
        SseClient bob = stream("tasks/" + alices + "/events", "bob", null);
        SseClient viewer = stream("tasks/" + alices + "/events", "carol", "VIEWER");
        SseClient admin = stream("tasks/" + alices + "/events", null, null);

        assertThat(alice.status()).isEqualTo(200);
        assertThat(alice.eventsUntilEnd(WAIT)).extracting(SseClient.Event::event).containsExactly("succeeded");
        assertThat(bob.status()).isEqualTo(404);
        assertThat(bob.mediaType()).isEqualTo("application/problem+json");
        assertThat(new String(bob.errorBody(), StandardCharsets.UTF_8)).doesNotContain("alice");
        assertThat(viewer.eventsUntilEnd(WAIT)).extracting(SseClient.Event::event).containsExactly("succeeded");
        assertThat(admin.eventsUntilEnd(WAIT)).extracting(SseClient.Event::event).containsExactly("succeeded");
    }

    @Test
    void theEventsStreamOfAUserHoldsItsOwnTasksOnlyAndAViewerSeesEveryOwners() {
        SseClient bob = stream("events", "bob", null);
        SseClient viewer = stream("events", "carol", "VIEWER");
        assertThat(bob.status()).isEqualTo(200);
        assertThat(viewer.status()).isEqualTo(200);

        String alices = submit("alice");
        String bobs = submit("bob");
        server.apps.awaitStatus(alices, TaskStatus.SUCCEEDED);
        server.apps.awaitStatus(bobs, TaskStatus.SUCCEEDED);

        List<String> seenByViewer = taskIdsUntil(viewer, Set.of(alices, bobs));
        assertThat(seenByViewer).contains(alices, bobs);
        List<String> seenByBob = taskIdsUntil(bob, Set.of(bobs));
        assertThat(seenByBob).containsOnly(bobs);
        // nothing of alice's came to bob meanwhile, nor comes now (her task ended before his)
        SseClient.Item next = bob.next(Duration.ofMillis(300));
        assertThat(next instanceof SseClient.Event).as("%s", next).isFalse();
    }

    /** Task ids of the stream's events until each of {@code until} had its terminal event. */
    private static List<String> taskIdsUntil(SseClient s, Set<String> until) {
        List<String> ids = new ArrayList<>();
        java.util.Set<String> waiting = new java.util.HashSet<>(until);
        while (!waiting.isEmpty()) {
            SseClient.Event e = s.nextEvent(WAIT);
            assertThat(e).as("events until %s; got %s", waiting, ids).isNotNull();
            String id = json(e.data()).path("id").asText();
            ids.add(id);
            if (e.event().equals("succeeded")) {
                waiting.remove(id);
            }
        }
        return ids;
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
