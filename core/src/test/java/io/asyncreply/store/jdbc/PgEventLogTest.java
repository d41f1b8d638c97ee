package io.asyncreply.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.engine.TaskService;
import io.asyncreply.handlers.Builtins;
import io.asyncreply.store.EventCursor;
import io.asyncreply.store.EventPage;
import io.asyncreply.store.InsertResult;
import io.asyncreply.store.NewTask;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The event log shared by nodes on PostgreSQL: a reader never passes an event whose transaction is
 * still open (the race {@link PgEventLog} exists for), and a listener on one node gets the events
 * of tasks that run on another, also when that node never notified. Skipped without PostgreSQL
 * unless CI=true (see {@link TestPostgres}). Each test uses its own table prefix.
 */
class PgEventLogTest {
    @RegisterExtension
    static final PerClassPostgres POSTGRES = new PerClassPostgres();
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private String prefix;

    @BeforeEach
    void freshTables() {
        prefix = "e" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_";
    }

    @AfterEach
    void closeAll() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    private DataSource db() {
        return POSTGRES.dataSource();
    }

    private JdbcTaskStore store(boolean notify) {
        JdbcTaskStore s = JdbcTaskStore.builder(db()).tablePrefix(prefix).listenNotify(notify).build();
        toClose.push(s);
        return s;
    }

    private static Task submit(JdbcTaskStore s) throws Exception {
        Task t = Task.queued(UUID.randomUUID().toString(), "echo", Instant.now());
        InsertResult r = s.insert(new NewTask(t, new byte[0], null, null, null), Long.MAX_VALUE).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertThat(r).isInstanceOf(InsertResult.Inserted.class);
        return t;
    }

    /** Opens a transaction that changes {@code task}'s row and appends an event for it, and leaves it open. */
    private Connection openTransactionWithAnEvent(JdbcTaskStore s, Task task) throws SQLException {
        Connection c = db().getConnection();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + s.tasksTable() + " SET progress = 1 WHERE id = ?")) {
            ps.setString(1, task.id());
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s.eventsTable() + " (task_id, kind, made_at, "
                + "status, attempts, progress, cancel_requested) VALUES (?, 'progress', now(), 'QUEUED', 0, 1, false)")) {
            ps.setString(1, task.id());
            ps.executeUpdate();
        }
        return c;
    }

    private static List<TaskEvent> readAll(JdbcTaskStore s, EventCursor[] cursor) {
        List<TaskEvent> out = new ArrayList<>();
        EventPage p;
        do {
            p = s.readEvents(cursor[0], 100);
            out.addAll(p.events());
            cursor[0] = p.next();
        } while (p.events().size() == 100);
        return out;
    }

    @Test
    void aReaderWaitsForAnEarlierEventWhoseTransactionIsStillOpenAndThenHandsOutBothInOrder() throws Exception {
        JdbcTaskStore s = store(false);
        Task x = submit(s);
        Task y = submit(s);
        EventCursor[] cursor = {s.eventHead()};

        try (Connection open = openTransactionWithAnEvent(s, x)) {
            assertThat(s.cancel(y.id(), Instant.now()).task().isTerminal()).isTrue(); // a later id, committed

            EventPage held = s.readEvents(cursor[0], 100);
            assertThat(held.events()).as("the later event waits for the earlier, uncommitted one").isEmpty();
            assertThat(held.pending()).isTrue();
            cursor[0] = held.next();

            open.commit();
        }
        List<TaskEvent> got = readAll(s, cursor);
        assertThat(got).extracting(TaskEvent::taskId).containsExactly(x.id(), y.id());
        assertThat(got).extracting(TaskEvent::kind).containsExactly(TaskEvent.Kind.PROGRESS,
                TaskEvent.Kind.CANCELLED);
    }

    /**
     * The race PostgreSQL's snapshot bounds hide: W got its transaction id first, T got a later one
     * and took the earlier event id, W took the later event id and committed. Now no transaction
     * newer than T has completed, so a snapshot's xmax (one past the newest <em>completed</em>
     * transaction) is T's id itself, T is not among its in-progress ids, and its xmin is T's id too:
     * a rule "final once xmin reaches the gap's xmax" takes T's event for rolled back while T runs.
     */
    @Test
    void anEarlierEventOfATransactionNewerThanEveryCompletedOneIsWaitedFor() throws Exception {
        JdbcTaskStore s = store(false);
        Task x = submit(s);
        Task y = submit(s);
        EventCursor[] cursor = {s.eventHead()};

        try (Connection w = db().getConnection()) {
            w.setAutoCommit(false);
            try (PreparedStatement ps = w.prepareStatement("UPDATE " + s.tasksTable() + " SET progress = 2 WHERE id = ?")) {
                ps.setString(1, y.id()); // W has its transaction id now
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            try (Connection t = openTransactionWithAnEvent(s, x)) { // T: a newer transaction id, the earlier event id
                try (PreparedStatement ps = w.prepareStatement("INSERT INTO " + s.eventsTable() + " (task_id, kind, "
                        + "made_at, status, attempts, progress, cancel_requested) VALUES (?, 'progress', now(), "
                        + "'QUEUED', 0, 2, false)")) {
                    ps.setString(1, y.id());
                    ps.executeUpdate();
                }
                w.commit();

                for (int i = 0; i < 3; i++) {
                    EventPage held = s.readEvents(cursor[0], 100);
                    assertThat(held.events()).as("read %d: W's event waits for T's earlier one", i).isEmpty();
                    assertThat(held.pending()).isTrue();
                    cursor[0] = held.next();
                }
                t.commit();
            }
        }
        List<TaskEvent> got = readAll(s, cursor);
        assertThat(got).extracting(TaskEvent::taskId).containsExactly(x.id(), y.id());
    }

    @Test
    void anIdTakenByATransactionThatRolledBackIsPassedOnceOlderTransactionsHaveEnded() throws Exception {
        JdbcTaskStore s = store(false);
        Task x = submit(s);
        Task y = submit(s);
        EventCursor[] cursor = {s.eventHead()};

        try (Connection open = openTransactionWithAnEvent(s, x)) {
            s.cancel(y.id(), Instant.now());
            assertThat(s.readEvents(cursor[0], 100).events()).isEmpty();
            open.rollback();
        }
        List<TaskEvent> got = Collections.synchronizedList(new ArrayList<>());
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            got.addAll(readAll(s, cursor));
            return !got.isEmpty();
        });
        assertThat(got).extracting(TaskEvent::taskId).containsExactly(y.id());
    }

    @Test
    void aListenerOnOneNodeGetsEveryEventOfTasksThatRanOnAnotherInOrder() throws Exception {
        TaskService a = service(store(true), "A", Duration.ofSeconds(60));
        TaskService b = observer(store(true), "B", Duration.ofSeconds(60)); // runs no echo tasks
        List<TaskEvent> heard = Collections.synchronizedList(new ArrayList<>());
        toClose.push(b.listen(heard::add));
        toClose.push(a.listen(e -> { })); // A delivers locally too; B must not depend on it

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(submitEcho(a));
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String id : ids) {
                assertThat(kindsOf(heard, id)).containsExactly(TaskEvent.Kind.QUEUED, TaskEvent.Kind.STARTED,
                        TaskEvent.Kind.SUCCEEDED);
            }
        });
        assertThat(heard).extracting(TaskEvent::node).containsOnly("A");
        assertThat(heard).extracting(TaskEvent::id).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void anEventOfANodeThatStoppedRightAfterItsCommitWithoutNotifyingStillReachesTheOtherNodes() throws Exception {
        TaskService b = observer(store(true), "B", Duration.ofMillis(200));
        List<TaskEvent> heard = Collections.synchronizedList(new ArrayList<>());
        toClose.push(b.listen(heard::add));
        // A never notifies (as if it died between its commit and its NOTIFY) and is stopped at once.
        TaskService a = service(store(false), "A", Duration.ofSeconds(60));
        String id = submitEcho(a);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.find(id).map(Task::isTerminal).orElse(false));
        a.shutdown(Duration.ZERO);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(kindsOf(heard, id))
                .containsExactly(TaskEvent.Kind.QUEUED, TaskEvent.Kind.STARTED, TaskEvent.Kind.SUCCEEDED));
    }

    @Test
    void aWaiterOnOneNodeIsAnsweredWhenItsTaskEndsOnAnother() throws Exception {
        TaskService a = service(store(true), "A", Duration.ofSeconds(60));
        TaskService b = observer(store(true), "B", Duration.ofSeconds(60));
        String id = ((Submission.Accepted) a.submit("sleep", "{\"ms\":300}".getBytes(StandardCharsets.UTF_8),
                "application/json", null).toCompletableFuture().get(10, TimeUnit.SECONDS)).task().id();

        Task done = b.awaitTerminal(id, Duration.ofSeconds(60)).toCompletableFuture().get(10, TimeUnit.SECONDS)
                .orElseThrow();

        assertThat(done.isTerminal()).isTrue();
        assertThat(done.result().bytes()).as("the waiter gets the result, not a summary").isNotEmpty();
    }

    private TaskService service(JdbcTaskStore s, String node, Duration poll) {
        TaskService svc = TaskService.builder().store(s).handlers(Builtins.all()).workers(2).nodeId(node)
                .pollInterval(poll).shutdownGrace(Duration.ZERO).build();
        toClose.push(svc);
        return svc;
    }

    /** A node that serves a type nobody submits here: it runs none of the tests' tasks. */
    private TaskService observer(JdbcTaskStore s, String node, Duration poll) {
        TaskService svc = TaskService.builder().store(s).handler(new io.asyncreply.task.TaskHandler() {
            @Override
            public String type() {
                return "other";
            }

            @Override
            public io.asyncreply.task.TaskResult handle(io.asyncreply.task.TaskContext context) {
                return io.asyncreply.task.TaskResult.empty();
            }
        }).workers(1).nodeId(node).pollInterval(poll).shutdownGrace(Duration.ZERO).build();
        toClose.push(svc);
        return svc;
    }

    private static String submitEcho(TaskService node) throws Exception {
        Submission s = node.submit("echo", "hi".getBytes(StandardCharsets.UTF_8), "text/plain", null)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        return ((Submission.Accepted) s).task().id();
    }

    private static List<TaskEvent.Kind> kindsOf(List<TaskEvent> events, String id) {
        synchronized (events) {
            return events.stream().filter(e -> e.taskId().equals(id)).map(TaskEvent::kind).toList();
        }
    }
}
