package io.asyncreply.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.store.ClaimRequest;
import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.EventCursor;
import io.asyncreply.store.InsertResult;
import io.asyncreply.store.NewTask;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.Transitions;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The one-statement claim of PostgreSQL ({@link PgClaim}) says in SQL what {@link Transitions#claim}
 * decides: the row it writes, read back, and the {@code started} event it records equal the snapshot
 * that {@link Transitions#claim} makes of the row as it was, for rows whose every column a claim
 * touches holds something to clear. Skipped without PostgreSQL unless CI=true ({@link TestPostgres}).
 */
class PgClaimTest {
    @RegisterExtension
    static final PerClassPostgres POSTGRES = new PerClassPostgres();
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    @AfterEach
    void closeAll() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    private JdbcTaskStore store() {
        String prefix = "c" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_";
        JdbcTaskStore s = JdbcTaskStore.builder(POSTGRES.dataSource()).tablePrefix(prefix).build();
        toClose.push(s);
        return s;
    }

    private static Task submit(JdbcTaskStore s, String type, Instant at) throws Exception {
        Task t = Task.queued(UUID.randomUUID().toString(), type, at);
        InsertResult r = s.insert(new NewTask(t, "in".getBytes(StandardCharsets.UTF_8), "text/plain", null, null),
                Long.MAX_VALUE).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(r).isInstanceOf(InsertResult.Inserted.class);
        return t;
    }

    @Test
    void theRowAndTheStartedEventAClaimWritesAreWhatTransitionsClaimDecidesOnTheRowAsItWas() throws Exception {
        JdbcTaskStore s = store();
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Task retried = submit(s, "echo", t0);
        Task odd = submit(s, "echo", t0);
        // a task that ran once, reported progress and failed: queued again with its last error
        ClaimedTask first = s.claim(new ClaimRequest("node-a", Set.of("echo"), 1, t0, t0.plusSeconds(60))).get(0);
        assertThat(first.task().id()).isEqualTo(retried.id());
        assertThat(s.progress(retried.id(), 1, 40, t0, "node-a")).isTrue();
        assertThat(s.requeue(retried.id(), 1, new TaskError("handler-error", "boom"), t0.plusMillis(5), t0)).isPresent();
        // a queued row holding, in every column a claim clears, something to clear (no engine path makes it)
        try (Connection c = POSTGRES.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE " + s.tasksTable() + " SET progress = 30, cancel_requested = TRUE, finished_at = ?, "
                        + "started_at = ?, result = ?, result_type = 'text/plain', result_size = 3, result_json = TRUE, "
                        + "error_code = 'timeout', error_message = 'slow', attempts = 2 WHERE id = ?")) {
            ps.setObject(1, java.time.OffsetDateTime.parse("2026-01-01T00:00:00Z"));
            ps.setObject(2, java.time.OffsetDateTime.parse("2025-12-31T23:59:00Z"));
            ps.setBytes(3, "old".getBytes(StandardCharsets.UTF_8));
            ps.setString(4, odd.id());
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        Task retriedBefore = s.find(retried.id()).orElseThrow();
        Task oddBefore = s.find(odd.id()).orElseThrow();
        assertThat(retriedBefore.error()).isNotNull();
        assertThat(oddBefore.progress()).isEqualTo(30);
        EventCursor head = s.eventHead();

        Instant now = t0.plusMillis(10);
        List<ClaimedTask> got = s.claim(new ClaimRequest("node-b", null, 5, now, now.plusSeconds(60), Map.of()));

        assertThat(got).extracting(c -> c.task().id()).containsExactlyInAnyOrder(retried.id(), odd.id());
        for (ClaimedTask c : got) {
            Task before = c.task().id().equals(odd.id()) ? oddBefore : retriedBefore;
            Task decided = Transitions.claim(before, now).orElseThrow().after();
            assertThat(c.task()).isEqualTo(decided);
            assertThat(s.find(c.task().id())).contains(decided);
            assertThat(c.payload()).isEqualTo("in".getBytes(StandardCharsets.UTF_8));
            assertThat(c.contentType()).isEqualTo("text/plain");
        }
        List<TaskEvent> events = s.readEvents(head, 10).events();
        assertThat(events).hasSize(2).allSatisfy(e -> {
            assertThat(e.kind()).isEqualTo(TaskEvent.Kind.STARTED);
            assertThat(e.node()).isEqualTo("node-b");
            assertThat(e.at()).isEqualTo(now);
            Task claimed = got.stream().filter(c -> c.task().id().equals(e.task().id())).findFirst().orElseThrow().task();
            assertThat(e.task().status()).isEqualTo(claimed.status());
            assertThat(e.task().attempts()).isEqualTo(claimed.attempts());
            assertThat(e.task().progress()).isEqualTo(claimed.progress());
            assertThat(e.task().startedAt()).isEqualTo(claimed.startedAt());
            assertThat(e.task().finishedAt()).isEqualTo(claimed.finishedAt());
            assertThat(e.task().runAt()).isEqualTo(claimed.runAt());
            assertThat(e.task().error()).isEqualTo(claimed.error());
            assertThat(e.task().cancelRequested()).isEqualTo(claimed.cancelRequested());
        });
    }
}
