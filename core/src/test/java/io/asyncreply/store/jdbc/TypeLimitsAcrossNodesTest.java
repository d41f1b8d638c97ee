package io.asyncreply.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.engine.SubmitRequest;
import io.asyncreply.engine.TaskService;
import io.asyncreply.task.Submission;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.task.TypePolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per-type concurrency and rate limits hold across every node sharing a store: each node runs its
 * own claimer and workers, and only the claim (a locked row per type in the store) keeps them
 * within the limit. A recording handler counts what really runs at once and when each task starts.
 * On H2 (nodes in one JVM sharing a database file) and PostgreSQL (skipped without it unless CI=true).
 */
class TypeLimitsAcrossNodesTest {
    @TempDir
    static Path dir;
    private static JdbcConnectionPool h2;
    @RegisterExtension
    static final PerClassPostgres POSTGRES = new PerClassPostgres();
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    @BeforeAll
    static void openDatabases() {
        h2 = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("tasks").toAbsolutePath(), "sa", "");
        h2.setMaxConnections(32);
    }

    @AfterAll
    static void closeDatabases() throws Exception {
        h2.dispose();
    }

    @AfterEach
    void closeAll() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    private static DataSource pg() {
        return POSTGRES.dataSource();
    }

    /** Counts how many of its tasks run at once, on every node, and when each starts. */
    private static final class Recording implements TaskHandler {
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final ConcurrentLinkedQueue<Long> startedAtNanos = new ConcurrentLinkedQueue<>();
        private final String type;
        private final long workNanos;

        Recording(String type, Duration work) {
            this.type = type;
            this.workNanos = work.toNanos();
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public TaskResult handle(TaskContext context) {
            startedAtNanos.add(System.nanoTime());
            int running = now.incrementAndGet();
            most.accumulateAndGet(running, Math::max);
            try {
                LockSupport.parkNanos(workNanos); // the work: some time with the slot held
                return TaskResult.empty();
            } finally {
                now.decrementAndGet();
            }
        }
    }

    private List<TaskService> nodes(DataSource db, int count, TaskHandler handler, TypePolicy policy) {
        String prefix = "l" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_";
        List<TaskService> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            JdbcTaskStore store = JdbcTaskStore.builder(db).tablePrefix(prefix).build();
            toClose.push(store);
            TaskService s = TaskService.builder().store(store).nodeId("node-" + i).handler(handler)
                    .policy(handler.type(), policy).workers(4).queueCapacity(100_000)
                    .pollInterval(Duration.ofMillis(50)).shutdownGrace(Duration.ofSeconds(5)).build();
            toClose.push(s);
            nodes.add(s);
        }
        return nodes;
    }

    private static void submit(List<TaskService> nodes, String type, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            Submission s = nodes.get(i % nodes.size()).submit(SubmitRequest.of(type, new byte[0]))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(s).isInstanceOf(Submission.Accepted.class);
        }
    }

    private static long succeeded(TaskService s, String type) {
        return s.list(new TaskQuery(TaskStatus.SUCCEEDED, type, null, TaskQuery.MAX_LIMIT, null)).items().size();
    }

    private void concurrencyHolds(DataSource db) throws Exception {
        Recording heavy = new Recording("heavy", Duration.ofMillis(30));
        List<TaskService> nodes = nodes(db, 3, heavy, TypePolicy.DEFAULT.withConcurrency(2));

        submit(nodes, "heavy", 60);

        await().atMost(Duration.ofSeconds(60)).until(() -> succeeded(nodes.get(0), "heavy") == 60);
        assertThat(heavy.most.get()).as("three nodes with four workers each, limit 2").isEqualTo(2);
    }

    @Test
    void concurrencyTwoAcrossThreeNodesNeverRunsAThirdOnH2() throws Exception {
        concurrencyHolds(h2);
    }

    @Test
    void concurrencyTwoAcrossThreeNodesNeverRunsAThirdOnPostgres() throws Exception {
        concurrencyHolds(pg());
    }

    /**
     * 20 starts a second on three nodes, measured over ten seconds after the first start (which takes
     * the full bucket, one second's worth): within 10% of 200.
     */
    @Test
    void aRateLimitHoldsWithinTenPercentOverTenSecondsAcrossThreeNodesOnPostgres() throws Exception {
        Recording metered = new Recording("metered", Duration.ofMillis(1));
        List<TaskService> nodes = nodes(pg(), 3, metered, TypePolicy.DEFAULT.withRate(20));

        submit(nodes, "metered", 400);

        await().atMost(Duration.ofSeconds(30)).until(() -> metered.startedAtNanos.size() >= 250);
        List<Long> starts = new ArrayList<>(metered.startedAtNanos);
        starts.sort(null);
        long first = starts.get(0);
        long from = first + TimeUnit.SECONDS.toNanos(1);
        long to = from + TimeUnit.SECONDS.toNanos(10);
        long inWindow = starts.stream().filter(t -> t >= from && t < to).count();
        System.out.printf("TypeLimitsAcrossNodesTest: %d starts in the 10 s after the first second (rate 20/s)%n",
                inWindow);
        // The limit is the upper bound, held within 10%. The lower bound checks that the limiter does
        // not starve the type; it is looser because a loaded machine delays the claimers themselves
        // (199 on a quiet machine; 176 at a load average of 20 and 149 at 27, with every token available).
        assertThat(inWindow).as("starts in 10 s at 20/s").isLessThanOrEqualTo(220L).isGreaterThanOrEqualTo(120L);
        long firstSecond = starts.stream().filter(t -> t < from).count();
        // Only the upper bound: how many of the first second's tokens the nodes take depends on how
        // soon their claimers run, which a loaded machine delays (17 seen at a load average of 18).
        assertThat(firstSecond).as("the first second: at most the full bucket and its refill").isLessThanOrEqualTo(44L);
    }
}
