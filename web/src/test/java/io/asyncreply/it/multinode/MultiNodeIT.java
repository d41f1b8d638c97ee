package io.asyncreply.it.multinode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.asyncreply.it.SseClient;
import io.asyncreply.it.jvm.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three nodes, each its own JVM serving the WAR with embedded Jetty on its own port
 * ({@link ServerProcess}), on one PostgreSQL schema, with a 6 s lease. The test handler
 * {@link RunRecorder} records every attempt (task, attempt, node, start, end) in the database.
 *
 * <p>Every step that must cross nodes does: once a task runs on node X, the long-poll goes to
 * another node and the cancel through the third. Long-polls wait up to 50 s and cancelled handlers
 * would sleep a minute, so answers within seconds can only come from cross-node events. The node
 * kill runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiNodeIT {
    /** Renewed every third of it: a node stalled for 4 s (a loaded CI machine) still keeps its leases. */
    private static final Duration LEASE = Duration.ofSeconds(6);
    private static final int WORKERS = 2;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static MultiNodeDb db;
    private static final Map<String, ServerProcess> NODES = new LinkedHashMap<>();

    @BeforeAll
    static void startNodes() throws Exception {
        db = MultiNodeDb.create(RunRecorder.DDL);
        for (String id : List.of("node-a", "node-b", "node-c")) {
            NODES.put(id, ServerProcess.builder("mn-" + id).war(MultiNodeWar.get()).nodeId(id)
                    .setting("asyncreply.store", "jdbc")
                    .setting("asyncreply.jdbc.url", db.url())
                    .setting("asyncreply.jdbc.pool-size", "8")
                    .setting("asyncreply.workers", Integer.toString(WORKERS))
                    .setting("asyncreply.lease", LEASE.toMillis() + "ms")
                    .setting("asyncreply.wait.max", "60s")
                    .setting("asyncreply.shutdown.grace", "1s")
                    .build());
        }
        ExecutorService starter = Executors.newFixedThreadPool(NODES.size());
        try {
            List<Future<ServerProcess>> started = new ArrayList<>();
            for (ServerProcess p : NODES.values()) {
                started.add(starter.submit(p::start));
            }
            for (Future<ServerProcess> f : started) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            starter.shutdownNow();
        }
    }

    @AfterAll
    static void stopNodes() throws Exception {
        for (ServerProcess p : NODES.values()) {
            p.close();
        }
        if (db != null) {
            db.close();
        }
    }

    // ---------------------------------------------------------------- tests

    @Test
    @Order(1)
    void aTaskFinishingOnOneNodeAnswersALongPollHeldByAnother() throws Exception {
        String id = submit(node("node-a"), 1500);
        String runner = awaitRunning(id);
        ServerProcess waiter = others(runner).get(0);

        CompletableFuture<HttpResponse<String>> poll = longPoll(waiter, id, 50);
        HttpResponse<String> answer = poll.get(20, TimeUnit.SECONDS);
        Instant received = Instant.now();

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode task = JSON.readTree(answer.body());
        assertThat(task.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(result(waiter, id)).isEqualTo(runner);
        System.out.println("MultiNodeIT: task finished on " + runner + " at " + task.path("finishedAt").asText()
                + ", long-poll on " + waiter.nodeId() + " answered " + Duration.between(
                        Instant.parse(task.path("finishedAt").asText()), received).toMillis() + " ms later");
    }

    @Test
    @Order(2)
    void aTaskSubmittedToOneNodeIsLongPolledOnASecondAndCancelledThroughTheThird() throws Exception {
        String id = submit(node("node-a"), 60_000);
        String runner = awaitRunning(id);
        ServerProcess waiter = others(runner).get(0);
        ServerProcess canceller = others(runner).get(1);
        CompletableFuture<HttpResponse<String>> poll = longPoll(waiter, id, 50);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !poll.isDone());

        HttpResponse<String> cancel = send(canceller, HttpRequest.newBuilder(uri(canceller, "tasks/" + id)).DELETE());

        assertThat(cancel.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(cancel.body()).path("cancelRequested").asBoolean()).isTrue();
        HttpResponse<String> answer = poll.get(20, TimeUnit.SECONDS);
        assertThat(JSON.readTree(answer.body()).path("status").asText()).isEqualTo("CANCELLED");
        List<Run> runs = runs(id);
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).node()).isEqualTo(runner);
        assertThat(runs.get(0).endedHow()).as("the handler on " + runner + " was interrupted").isEqualTo("interrupted");
    }

    /**
     * Event streams on every node tell the changes of a task that runs on one of them, in the same
     * order with the same ids (one log, read by each node), and a stream dropped on one node resumes
     * on another with Last-Event-ID without loss or repeats.
     */
    @Test
    @Order(3)
    void theEventsOfATaskRunOnOneNodeStreamFromEveryNodeAndResumeOnAnother() throws Exception {
        Map<String, SseClient> everyTask = new LinkedHashMap<>();
        for (ServerProcess n : NODES.values()) {
            everyTask.put(n.nodeId(), SseClient.open(uri(n, "events?type=" + RunRecorder.TYPE)));
            assertThat(everyTask.get(n.nodeId()).status()).isEqualTo(200);
        }
        try {
            String id = submit(node("node-a"), 1500);
            String runner = awaitRunning(id);
            ServerProcess watcher = others(runner).get(0);
            ServerProcess resumer = others(runner).get(1);
            List<SseClient.Event> oneTask;
            String firstId;
            try (SseClient s = SseClient.open(uri(watcher, "tasks/" + id + "/events"))) {
                SseClient.Event first = s.nextEvent(Duration.ofSeconds(20));
                assertThat(first).as("the current state, on a node that does not run the task").isNotNull();
                firstId = first.id();
                assertThat(first.event()).isEqualTo("started");
            }
            try (SseClient s = SseClient.open(uri(resumer, "tasks/" + id + "/events"), "Last-Event-ID", firstId)) {
                oneTask = s.eventsUntilEnd(Duration.ofSeconds(30));
            }
            Instant received = Instant.now();

            assertThat(oneTask).extracting(SseClient.Event::event).containsExactly("succeeded");
            JsonNode done = JSON.readTree(oneTask.get(0).data());
            assertThat(done.path("status").asText()).isEqualTo("SUCCEEDED");
            List<List<String>> seen = new ArrayList<>();
            for (Map.Entry<String, SseClient> e : everyTask.entrySet()) {
                List<String> ids = new ArrayList<>();
                List<String> kinds = new ArrayList<>();
                while (!kinds.contains("succeeded")) {
                    SseClient.Event ev = e.getValue().nextEvent(Duration.ofSeconds(30));
                    assertThat(ev).as("events on %s: %s", e.getKey(), kinds).isNotNull();
                    if (JSON.readTree(ev.data()).path("id").asText().equals(id)) {
                        ids.add(ev.id());
                        kinds.add(ev.event());
                    }
                }
                assertThat(kinds).as("on %s", e.getKey()).containsExactly("queued", "started", "succeeded");
                seen.add(ids);
            }
            assertThat(seen).as("the same event ids on every node").allSatisfy(ids -> assertThat(ids)
                    .isEqualTo(seen.get(0)));
            assertThat(seen.get(0).get(1)).isEqualTo(firstId);
            System.out.println("MultiNodeIT: task finished on " + runner + " at " + done.path("finishedAt").asText()
                    + ", its succeeded event read on " + resumer.nodeId() + " by " + Duration.between(
                            Instant.parse(done.path("finishedAt").asText()), received).toMillis() + " ms later");
        } finally {
            everyTask.values().forEach(SseClient::close);
        }
    }

    @Test
    @Order(4)
    void killingANodeWhileItRunsTasksLosesNoneAndNoAttemptRunsTwice() throws Exception {
        int tasks = NODES.size() * WORKERS; // one per worker: every node runs two
        long taskMillis = 8000; // longer than the lease: node-c's tasks still run when it is killed
        List<String> ids = new ArrayList<>();
        List<ServerProcess> all = List.copyOf(NODES.values());
        for (int i = 0; i < tasks; i++) {
            ids.add(submit(all.get(i % all.size()), taskMillis));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream().allMatch(id -> !runs(id).isEmpty()));
        ServerProcess victim = node("node-c");
        // read just before the kill: tasks node-c is running at that moment
        List<String> onVictim = ids.stream().filter(id -> {
            Run first = runs(id).get(0);
            return first.node().equals("node-c") && first.ended() == null;
        }).toList();
        assertThat(onVictim).as("node-c runs tasks when it is killed").isNotEmpty();

        victim.kill();
        Instant killedAt = Instant.now();

        ServerProcess survivor = node("node-a");
        // A dead node shows as stale from one lease after its last heartbeat until it is removed
        // from the registry (5 leases): look while it is certainly still listed.
        await().atMost(LEASE.multipliedBy(4)).until(() -> isStale(survivor, "node-c"));
        await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream()
                .allMatch(id -> "SUCCEEDED".equals(status(survivor, id))));
        // The survivors' workers are busy with their own tasks until the first of those ends.
        Instant workerFree = ids.stream().map(id -> runs(id).get(0)).filter(r -> !r.node().equals("node-c"))
                .map(Run::ended).min(Instant::compareTo).orElseThrow();
        Instant takeoverFrom = workerFree.isAfter(killedAt) ? workerFree : killedAt;
        for (String id : onVictim) {
            List<Run> runs = runs(id);
            assertThat(runs).extracting(Run::attempt).containsExactly(1, 2);
            Run takeover = runs.get(1);
            assertThat(takeover.node()).isNotEqualTo("node-c");
            Duration after = Duration.between(killedAt, takeover.started());
            System.out.println("MultiNodeIT: task " + id + " of node-c restarted on " + takeover.node() + " "
                    + after.toMillis() + " ms after the kill (lease " + LEASE.toMillis() + " ms)");
            assertThat(Duration.between(takeoverFrom, takeover.started()))
                    .as("taken over within about the lease once a worker was free").isLessThan(LEASE.plusSeconds(4));
            assertThat(result(survivor, id)).isEqualTo(takeover.node());
        }
        assertNoAttemptRanTwice(ids, killedAt);
    }

    // ---------------------------------------------------------------- checks

    record Run(String taskId, int attempt, String node, Instant started, Instant ended, String endedHow) {
    }

    /** No duplicate (task, attempt) was ever tried, and no two attempts of a task overlap in time. */
    private static void assertNoAttemptRanTwice(List<String> ids, Instant killedAt) throws SQLException {
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT task_id, attempt, node FROM " + RunRecorder.DUPLICATES)) {
            assertThat(rs.next()).as("an attempt started twice").isFalse();
        }
        for (String id : ids) {
            List<Run> runs = runs(id);
            for (int i = 0; i < runs.size(); i++) {
                Run r = runs.get(i);
                assertThat(r.attempt()).isEqualTo(i + 1);
                // an attempt killed with its node ended when the node died
                Instant end = r.ended() != null ? r.ended() : r.node().equals("node-c") ? killedAt : null;
                assertThat(end).as("attempt %d of %s on %s ended", r.attempt(), id, r.node()).isNotNull();
                if (i + 1 < runs.size()) {
                    assertThat(runs.get(i + 1).started()).as("attempt %d of %s starts after attempt %d ends",
                            i + 2, id, i + 1).isAfterOrEqualTo(end);
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static ServerProcess node(String id) {
        return NODES.get(id);
    }

    /** The two nodes other than {@code nodeId}, in order. */
    private static List<ServerProcess> others(String nodeId) {
        return NODES.entrySet().stream().filter(e -> !e.getKey().equals(nodeId)).map(Map.Entry::getValue).toList();
    }

    private static String awaitRunning(String id) {
        await().atMost(Duration.ofSeconds(20)).until(() -> !runs(id).isEmpty());
        return runs(id).get(0).node();
    }

    static List<Run> runs(String id) {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT task_id, attempt, node, "
                + "started_at, ended_at, ended_how FROM " + RunRecorder.RUNS + " WHERE task_id = ? ORDER BY attempt")) {
            ps.setString(1, id);
            List<Run> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp ended = rs.getTimestamp(5);
                    out.add(new Run(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                            ended == null ? null : ended.toInstant(), rs.getString(6)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String submit(ServerProcess node, long millis) throws IOException {
        HttpResponse<String> r = send(node, HttpRequest.newBuilder(uri(node, "tasks/" + RunRecorder.TYPE))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(Long.toString(millis))));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return JSON.readTree(r.body()).path("id").asText();
    }

    private static CompletableFuture<HttpResponse<String>> longPoll(ServerProcess node, String id, int seconds) {
        return HTTP.sendAsync(HttpRequest.newBuilder(uri(node, "tasks/" + id + "?wait=" + seconds))
                .timeout(Duration.ofSeconds(seconds + 10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String status(ServerProcess node, String id) {
        try {
            return JSON.readTree(send(node, HttpRequest.newBuilder(uri(node, "tasks/" + id)).GET()).body())
                    .path("status").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String result(ServerProcess node, String id) {
        return send(node, HttpRequest.newBuilder(uri(node, "tasks/" + id + "/result")).GET()).body();
    }

    private static boolean isStale(ServerProcess node, String nodeId) throws IOException {
        for (JsonNode n : JSON.readTree(send(node, HttpRequest.newBuilder(uri(node, "health")).GET()).body())
                .path("nodes")) {
            if (n.path("id").asText().equals(nodeId)) {
                return n.path("stale").asBoolean();
            }
        }
        return false;
    }

    private static URI uri(ServerProcess node, String path) {
        return node.baseUrl().resolve(path);
    }

    private static HttpResponse<String> send(ServerProcess node, HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(node.name() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
