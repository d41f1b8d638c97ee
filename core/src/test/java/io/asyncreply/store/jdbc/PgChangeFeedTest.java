package io.asyncreply.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.engine.TaskService;
import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Cross-node events on PostgreSQL (LISTEN/NOTIFY): two stores, each with its own service ("node"),
 * on one schema. Every service polls only once a minute and every waiter waits a minute, so what
 * happens within the tests' few seconds can only come from a notification. Skipped without
 * PostgreSQL unless CI=true (see {@link TestPostgres}). Each test uses its own table prefix.
 */
class PgChangeFeedTest {
    private static final Duration SLOW_POLL = Duration.ofSeconds(60);
    private static final Duration LONG_WAIT = Duration.ofSeconds(60);
    private static final long TIMEOUT_SECONDS = 10;

    @RegisterExtension
    static final PerClassPostgres POSTGRES = new PerClassPostgres();

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final Shared shared = new Shared();
    private String prefix;

    @BeforeEach
    void freshTables() {
        prefix = "f" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_";
    }

    @AfterEach
    void closeAll() throws Exception {
        shared.gate.countDown();
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    private DataSource db() {
        return POSTGRES.dataSource();
    }

    private JdbcTaskStore store(DataSource ds) {
        JdbcTaskStore s = JdbcTaskStore.builder(ds).tablePrefix(prefix).build();
        toClose.push(s);
        return s;
    }

    private TaskService node(JdbcTaskStore store, String name) {
        TaskService s = TaskService.builder().store(store).handler(new Blocking(name, shared)).workers(1)
                .pollInterval(SLOW_POLL).shutdownGrace(Duration.ZERO).nodeId(name).build();
        toClose.push(s);
        return s;
    }

    private static String submit(TaskService node) throws Exception {
        Submission s = node.submit(Blocking.TYPE, new byte[0], null, null).toCompletableFuture()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(s).isInstanceOf(Submission.Accepted.class);
        return ((Submission.Accepted) s).task().id();
    }

    /** Node A runs a task that blocks; node B starts only then, so it is idle. */
    private record TwoNodes(TaskService a, TaskService b, String blockedOnA) {
    }

    private TwoNodes aBusyAndBIdle(DataSource forB) throws Exception {
        TaskService a = node(store(db()), "A");
        String t1 = submit(a);
        assertThat(shared.awaitStart()).isEqualTo(new Start(t1, "A"));
        JdbcTaskStore storeB = store(forB);
        TaskService b = node(storeB, "B");
        PgChangeFeed feedB = (PgChangeFeed) storeB.changeFeed();
        await().atMost(Duration.ofSeconds(TIMEOUT_SECONDS)).until(() -> feedB.listenerPid() != 0);
        return new TwoNodes(a, b, t1);
    }

    @Test
    void aTaskFinishedOnOneNodeAnswersAWaiterOnAnotherAtOnce() throws Exception {
        TwoNodes n = aBusyAndBIdle(db());
        CompletableFuture<Optional<Task>> waiter = n.b().awaitTerminal(n.blockedOnA(), LONG_WAIT)
                .toCompletableFuture();
        assertThat(waiter).isNotDone();

        long opened = System.nanoTime();
        shared.gate.countDown();
        Optional<Task> answer = waiter.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        long micros = (System.nanoTime() - opened) / 1000;

        assertThat(answer).map(Task::status).contains(TaskStatus.SUCCEEDED);
        System.out.println("PgChangeFeedTest: waiter on B answered " + micros + " us after the handler on A "
                + "was released");
    }

    @Test
    void aCancelThroughOneNodeInterruptsTheHandlerRunningOnAnother() throws Exception {
        TwoNodes n = aBusyAndBIdle(db());

        CancelResult r = n.b().cancel(n.blockedOnA());

        assertThat(r.outcome()).isEqualTo(CancelResult.Outcome.CANCEL_REQUESTED);
        assertThat(shared.interrupted.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .isEqualTo(new Start(n.blockedOnA(), "A"));
        Optional<Task> end = n.b().awaitTerminal(n.blockedOnA(), LONG_WAIT).toCompletableFuture()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(end).map(Task::status).contains(TaskStatus.CANCELLED);
    }

    @Test
    void aTaskQueuedOnABusyNodeIsTakenAtOnceByAnIdleWorkerOfAnother() throws Exception {
        TwoNodes n = aBusyAndBIdle(db());

        String t2 = submit(n.a());

        assertThat(shared.awaitStart()).isEqualTo(new Start(t2, "B"));
    }

    @Test
    void aKilledListenerReconnectsAndThenLooksForWhatItMissed() throws Exception {
        // Unpooled for B: the test pool (H2's JdbcConnectionPool) would lend the killed connection out again.
        db();
        PGSimpleDataSource unpooled = new PGSimpleDataSource();
        unpooled.setURL(TestPostgres.url());
        unpooled.setCurrentSchema(POSTGRES.schema());
        FaultyDataSource forB = new FaultyDataSource(unpooled);
        TwoNodes n = aBusyAndBIdle(forB);
        JdbcTaskStore storeB = (JdbcTaskStore) n.b().store();
        PgChangeFeed feedB = (PgChangeFeed) storeB.changeFeed();
        int pid = feedB.listenerPid();
        long connects = feedB.connects();

        forB.onConnect = new SQLException("test: the database is unreachable", "08001");
        terminate(pid);
        await().atMost(Duration.ofSeconds(TIMEOUT_SECONDS)).until(() -> feedB.listenerPid() == 0);
        String missed = submit(n.a()); // B's listener is down: B cannot hear of it
        forB.onConnect = null;

        assertThat(shared.awaitStart()).as("the task queued while B was not listening").isEqualTo(new Start(missed, "B"));
        assertThat(feedB.connects()).isEqualTo(connects + 1);
        assertThat(feedB.listenerPid()).isNotIn(0, pid);

        CompletableFuture<Optional<Task>> waiter = n.b().awaitTerminal(n.blockedOnA(), LONG_WAIT)
                .toCompletableFuture();
        shared.gate.countDown();
        assertThat(waiter.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).map(Task::status).contains(TaskStatus.SUCCEEDED);
    }

    @Test
    void closingTheStoreStopsTheListener() throws Exception {
        JdbcTaskStore s = JdbcTaskStore.builder(db()).tablePrefix(prefix).build();
        PgChangeFeed feed = (PgChangeFeed) s.changeFeed();
        TaskService service = TaskService.builder().store(s).handler(new Blocking("A", shared)).build();
        await().atMost(Duration.ofSeconds(TIMEOUT_SECONDS)).until(() -> feed.listenerPid() != 0);

        service.close();
        s.close();

        assertThat(feed.isListening()).isFalse();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
                t -> t.getName().equals(PgChangeFeed.THREAD_NAME) && t.isAlive());
    }

    @Test
    void theFeedIsOffWhenTurnedOffAndAlwaysOnH2() throws Exception {
        try (JdbcTaskStore off = JdbcTaskStore.builder(db()).tablePrefix(prefix).listenNotify(false).build()) {
            assertThat(off.changeFeed()).isSameAs(ChangeFeed.NONE);
        }
        JdbcConnectionPool h2 = JdbcConnectionPool.create("jdbc:h2:mem:feed" + prefix + ";DB_CLOSE_DELAY=-1", "sa", "");
        try (JdbcTaskStore s = JdbcTaskStore.builder(h2).build()) {
            assertThat(s.changeFeed()).isSameAs(ChangeFeed.NONE);
        } finally {
            h2.dispose();
        }
    }

    @Test
    void channelsAreNamedPerSchemaAndPrefix() {
        assertThat(PgChangeFeed.channelBase("s1", "p_")).isNotEqualTo(PgChangeFeed.channelBase("s2", "p_"))
                .isNotEqualTo(PgChangeFeed.channelBase("s1", "q_")).matches("asyncreply_[0-9a-f]{8}");
    }

    private static void terminate(int pid) throws SQLException {
        try (Connection c = POSTGRES.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
            ps.setInt(1, pid);
            ps.execute();
        }
    }

    // ---------------------------------------------------------------- the handler

    record Start(String taskId, String node) {
    }

    /** What all nodes' handlers share in one test: one gate, and what started and was interrupted where. */
    static final class Shared {
        final CountDownLatch gate = new CountDownLatch(1);
        final BlockingQueue<Start> started = new LinkedBlockingQueue<>();
        final BlockingQueue<Start> interrupted = new LinkedBlockingQueue<>();

        Start awaitStart() throws InterruptedException {
            Start s = started.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(s).as("a task started within " + TIMEOUT_SECONDS + " s").isNotNull();
            return s;
        }
    }

    /** Blocks until the test opens the gate; records where each task started and was interrupted. */
    static final class Blocking implements TaskHandler {
        static final String TYPE = "block";
        private final String node;
        private final Shared shared;

        Blocking(String node, Shared shared) {
            this.node = node;
            this.shared = shared;
        }

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public TaskResult handle(TaskContext context) throws Exception {
            Start me = new Start(context.taskId(), node);
            shared.started.add(me);
            try {
                if (!shared.gate.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the gate never opened");
                }
            } catch (InterruptedException e) {
                shared.interrupted.add(me);
                throw e;
            }
            return TaskResult.of("ok".getBytes(StandardCharsets.UTF_8), "text/plain");
        }
    }
}
