package io.asyncreply.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.InsertResult;
import io.asyncreply.store.NewTask;
import io.asyncreply.store.StoreException;
import io.asyncreply.store.TaskStore;
import io.asyncreply.store.TaskStoreContract;
import io.asyncreply.task.Outcome;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The store contract plus what only the JDBC store does: group commit, key races between nodes,
 * failure and close behaviour, schema migration. A subclass supplies one database per class; each
 * test starts with an empty tasks table.
 */
abstract class JdbcTaskStoreContract extends TaskStoreContract {

    protected abstract DataSource dataSource();

    protected abstract JdbcTaskStore.Database expectedDatabase();

    @Override
    protected boolean startsAtOnce() {
        return true;
    }

    private final List<TaskStore> extraStores = new ArrayList<>();

    @Override
    protected TaskStore createStore() throws Exception {
        JdbcTaskStore s = JdbcTaskStore.builder(dataSource()).build();
        execute("DELETE FROM " + s.tasksTable());
        return s;
    }

    @Override
    protected void closeStore(TaskStore s) throws Exception {
        for (TaskStore x : extraStores) {
            x.close();
        }
        s.close();
    }

    private JdbcTaskStore track(JdbcTaskStore s) {
        extraStores.add(s);
        return s;
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long rows() throws SQLException {
        return count("SELECT COUNT(*) FROM asyncreply_tasks");
    }

    /** Blocks the writer on its first batch until released, and records every batch's size. */
    static final class Gate implements JdbcTaskStore.Hooks {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        private volatile boolean first = true;

        @Override
        public void batchTaken(int size) {
            sizes.add(size);
            if (first) {
                first = false;
                entered.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        void awaitEntered() throws InterruptedException {
            assertThat(entered.await(30, TimeUnit.SECONDS)).as("writer reached the first batch").isTrue();
        }
    }

    private JdbcTaskStore gated(Gate gate) {
        return track(JdbcTaskStore.builder(dataSource()).hooks(gate).build());
    }

    private static Throwable failureOf(CompletableFuture<InsertResult> f) {
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        try {
            f.get();
            throw new AssertionError("not failed");
        } catch (ExecutionException | InterruptedException e) {
            return e.getCause();
        }
    }

    // ---------------------------------------------------------------- detection

    @Test
    void theDatabaseIsDetectedFromTheConnection() {
        assertThat(((JdbcTaskStore) store).database()).isEqualTo(expectedDatabase());
    }

    // ---------------------------------------------------------------- group commit

    @Test
    void manyConcurrentInsertsAllCompleteAndAllRowsAreStored() throws Exception {
        int threads = 8;
        int each = 60;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<InsertResult>>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    go.await();
                    List<CompletableFuture<InsertResult>> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        NewTask n = i % 3 == 0 ? keyed("k-" + thread + "-" + i, "echo", "p", T0)
                                : newTask("echo", "p" + i, T0);
                        mine.add(store.insert(n, NO_LIMIT).toCompletableFuture());
                    }
                    List<InsertResult> out = new ArrayList<>();
                    for (CompletableFuture<InsertResult> f : mine) {
                        out.add(f.get(60, TimeUnit.SECONDS));
                    }
                    return out;
                }));
            }
            go.countDown();
            for (Future<List<InsertResult>> f : work) {
                assertThat(f.get(60, TimeUnit.SECONDS)).hasSize(each)
                        .allSatisfy(r -> assertThat(r).isInstanceOf(InsertResult.Inserted.class));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(rows()).isEqualTo(threads * each);
        assertThat(store.queued()).isEqualTo(threads * each);
    }

    @Test
    void submissionsArrivingWhileTheWriterIsBusyShareOneTransaction() throws Exception {
        Gate gate = new Gate();
        JdbcTaskStore s = gated(gate);
        CompletableFuture<InsertResult> first = s.insert(newTask("echo", "first", T0), NO_LIMIT).toCompletableFuture();
        gate.awaitEntered();
        List<CompletableFuture<InsertResult>> next = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            next.add(s.insert(newTask("echo", "next" + i, T0), NO_LIMIT).toCompletableFuture());
        }
        assertThat(first).isNotDone();

        gate.release.countDown();

        assertThat(await(first)).isInstanceOf(InsertResult.Inserted.class);
        for (CompletableFuture<InsertResult> f : next) {
            assertThat(await(f)).isInstanceOf(InsertResult.Inserted.class);
        }
        assertThat(gate.sizes).containsExactly(1, 5);
        assertThat(rows()).isEqualTo(6);
    }

    @Test
    void submissionsWithOneKeyInOneBatchYieldOneInsertedTheRestDuplicateOrConflict() throws Exception {
        Gate gate = new Gate();
        JdbcTaskStore s = gated(gate);
        CompletableFuture<InsertResult> blocker = s.insert(newTask("echo", "b", T0), NO_LIMIT).toCompletableFuture();
        gate.awaitEntered();
        NewTask a = keyed("batch-key", "echo", "same", T0);
        CompletableFuture<InsertResult> ra = s.insert(a, NO_LIMIT).toCompletableFuture();
        CompletableFuture<InsertResult> rb = s.insert(keyed("batch-key", "echo", "same", T0), NO_LIMIT)
                .toCompletableFuture();
        CompletableFuture<InsertResult> rc = s.insert(keyed("batch-key", "echo", "other", T0), NO_LIMIT)
                .toCompletableFuture();
        CompletableFuture<InsertResult> rd = s.insert(newTask("echo", "unrelated", T0), NO_LIMIT).toCompletableFuture();

        gate.release.countDown();

        await(blocker);
        assertThat(await(ra)).isEqualTo(new InsertResult.Inserted(a.task()));
        assertThat(await(rb)).isInstanceOfSatisfying(InsertResult.Duplicate.class,
                d -> assertThat(d.existing().id()).isEqualTo(a.task().id()));
        assertThat(await(rc)).isEqualTo(new InsertResult.Conflict(a.task().id()));
        assertThat(await(rd)).isInstanceOf(InsertResult.Inserted.class);
        assertThat(gate.sizes).containsExactly(1, 4);
        assertThat(count("SELECT COUNT(*) FROM asyncreply_tasks WHERE idempotency_key = 'batch-key'")).isEqualTo(1);
        assertThat(rows()).isEqualTo(3);
    }

    @Test
    void aKeyTakenByAnotherNodeDuringTheBatchYieldsDuplicateAndTheRestIsStored() throws Exception {
        JdbcTaskStore otherNode = track(JdbcTaskStore.builder(dataSource()).build());
        NewTask theirs = keyed("raced-key", "echo", "same", T0);
        JdbcTaskStore s = track(JdbcTaskStore.builder(dataSource()).hooks(new JdbcTaskStore.Hooks() {
            private boolean done;

            @Override
            public void keysLookedUp(Connection c) {
                if (!done) { // after our look-up found nothing, the other node commits the key
                    done = true;
                    try {
                        assertThat(await(otherNode.insert(theirs, NO_LIMIT))).isInstanceOf(InsertResult.Inserted.class);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }).build());
        NewTask ours = keyed("raced-key", "echo", "same", T0);
        NewTask unrelated = newTask("echo", "x", T0);

        List<CompletableFuture<InsertResult>> both = List.of(s.insert(ours, NO_LIMIT).toCompletableFuture(),
                s.insert(unrelated, NO_LIMIT).toCompletableFuture());

        InsertResult r = await(both.get(0));
        assertThat(r).isInstanceOfSatisfying(InsertResult.Duplicate.class,
                d -> assertThat(d.existing().id()).isEqualTo(theirs.task().id()));
        assertThat(await(both.get(1))).isInstanceOf(InsertResult.Inserted.class);
        assertThat(s.find(ours.task().id())).isEmpty();
        assertThat(s.find(unrelated.task().id())).isPresent();
        assertThat(rows()).isEqualTo(2);
    }

    @Test
    void aPoolThatHandsOutConnectionsWithAutoCommitOffLosesNoClaimAndNoOutcome() throws Exception {
        DataSource manual = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    try {
                        Object r = method.invoke(dataSource(), args);
                        if (r instanceof Connection c) {
                            c.setAutoCommit(false); // as Tomcat's defaultAutoCommit="false" would
                        }
                        return r;
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        JdbcTaskStore s = track(JdbcTaskStore.builder(manual).build());
        NewTask t = newTask("echo", "x", T0);
        assertThat(await(s.insert(t, NO_LIMIT))).isInstanceOf(InsertResult.Inserted.class);

        ClaimedTask claimed = s.claim("n1", T0, T0.plus(LEASE)).orElseThrow();
        assertThat(count("SELECT COUNT(*) FROM asyncreply_tasks WHERE status = 'RUNNING'")).isEqualTo(1);
        assertThat(s.finish(claimed.task().id(), claimed.attempt(), Outcome.succeeded(TaskResult.empty()), T0))
                .isPresent();
        assertThat(count("SELECT COUNT(*) FROM asyncreply_tasks WHERE status = 'SUCCEEDED'")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM asyncreply_events WHERE task_id = '" + t.task().id() + "'"))
                .isEqualTo(3); // queued, started, succeeded
    }

    @Test
    void aTaskStartedAtOnceIsLeasedToItsNodeAndRecoveredWhenTheLeaseExpires() throws Exception {
        NewTask a = startingAtOnce("echo", "node-a", T0);
        NewTask b = startingAtOnce("echo", "node-b", T0);
        assertThat(((InsertResult.Inserted) insert(a, NO_LIMIT)).started()).isTrue();
        assertThat(((InsertResult.Inserted) insert(b, NO_LIMIT)).started()).isTrue();

        assertThat(store.renewLeases("node-a", ms(100_000))).isEqualTo(1);
        List<Task> recovered = store.recoverExpired(T0.plus(LEASE).plusMillis(1), 3);

        assertThat(recovered).singleElement().satisfies(q -> {
            assertThat(q.id()).isEqualTo(b.task().id());
            assertThat(q.status()).isEqualTo(TaskStatus.QUEUED);
            assertThat(q.attempts()).isEqualTo(1);
        });
        assertThat(find(a.task().id()).status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(claim("node-c", T0.plus(LEASE).plusMillis(2)).attempt()).isEqualTo(2);
    }

    @Test
    void aFailedCommitFailsEveryInsertOfTheBatchAndStoresNothing() throws Exception {
        FaultyDataSource faulty = new FaultyDataSource(dataSource());
        Gate gate = new Gate();
        JdbcTaskStore s = track(JdbcTaskStore.builder(faulty).hooks(gate).build());
        CompletableFuture<InsertResult> blocker = s.insert(newTask("echo", "b", T0), NO_LIMIT).toCompletableFuture();
        gate.awaitEntered();
        List<CompletableFuture<InsertResult>> batch = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            batch.add(s.insert(newTask("echo", "secret-payload-" + i, T0), NO_LIMIT).toCompletableFuture());
        }
        faulty.onCommit = new SQLException("Failing row contains (secret-payload-0)", "23514");

        gate.release.countDown();

        for (CompletableFuture<InsertResult> f : batch) {
            Throwable e = failureOf(f);
            assertThat(e).isInstanceOf(StoreException.class);
            assertThat(e.getMessage()).contains("23514").doesNotContain("secret-payload");
            assertThat(e.getCause()).isNull();
        }
        assertThat(failureOf(blocker)).isInstanceOf(StoreException.class);
        assertThat(rows()).isZero();

        faulty.onCommit = null;
        assertThat(await(s.insert(newTask("echo", "later", T0), NO_LIMIT))).isInstanceOf(InsertResult.Inserted.class);
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void anUnreachableDatabaseFailsInsertsAndReadsWithStoreExceptionAndRecovers() throws Exception {
        FaultyDataSource faulty = new FaultyDataSource(dataSource());
        JdbcTaskStore s = track(JdbcTaskStore.builder(faulty).build());
        faulty.onConnect = new SQLException("Connection refused", "08001");

        Throwable e = failureOf(s.insert(newTask("echo", "p", T0), NO_LIMIT).toCompletableFuture());
        assertThat(e).isInstanceOf(StoreException.class).hasMessageContaining("08001")
                .hasMessageContaining("Connection refused");
        assertThatThrownBy(s::ping).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> s.find("x")).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> s.claim("n", T0, T0.plus(LEASE))).isInstanceOf(StoreException.class);

        faulty.onConnect = null;
        s.ping();
        assertThat(await(s.insert(newTask("echo", "p", T0), NO_LIMIT))).isInstanceOf(InsertResult.Inserted.class);
    }

    @Test
    void closeFailsWaitingInsertsAndLetsTheBatchInFlightCommit() throws Exception {
        Gate gate = new Gate();
        JdbcTaskStore s = JdbcTaskStore.builder(dataSource()).hooks(gate).build();
        CompletableFuture<InsertResult> inFlight = s.insert(newTask("echo", "1", T0), NO_LIMIT).toCompletableFuture();
        gate.awaitEntered();
        CompletableFuture<InsertResult> waiting1 = s.insert(newTask("echo", "2", T0), NO_LIMIT).toCompletableFuture();
        CompletableFuture<InsertResult> waiting2 = s.insert(newTask("echo", "3", T0), NO_LIMIT).toCompletableFuture();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(s::close);

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> waiting1.isDone() && waiting2.isDone());
        assertThat(failureOf(waiting1)).isInstanceOf(StoreException.class).hasMessageContaining("closed");
        assertThat(failureOf(waiting2)).isInstanceOf(StoreException.class);
        assertThat(closing).isNotDone();
        gate.release.countDown();
        closing.get(30, TimeUnit.SECONDS);
        assertThat(await(inFlight)).isInstanceOf(InsertResult.Inserted.class);
        assertThat(failureOf(s.insert(newTask("echo", "4", T0), NO_LIMIT).toCompletableFuture()))
                .isInstanceOf(StoreException.class);
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void queueAdmissionIsExactWithinOneBatch() throws Exception {
        submit(T0);
        Gate gate = new Gate();
        JdbcTaskStore s = gated(gate);
        CompletableFuture<InsertResult> blocker = s.insert(newTask("echo", "b", T0), 3).toCompletableFuture();
        gate.awaitEntered();
        List<CompletableFuture<InsertResult>> batch = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            batch.add(s.insert(newTask("echo", "p" + i, T0), 3).toCompletableFuture());
        }

        gate.release.countDown();

        assertThat(await(blocker)).isInstanceOf(InsertResult.Inserted.class);
        assertThat(await(batch.get(0))).isInstanceOf(InsertResult.Inserted.class);
        assertThat(await(batch.get(1))).isEqualTo(new InsertResult.QueueFull(3));
        assertThat(await(batch.get(2))).isEqualTo(new InsertResult.QueueFull(3));
        assertThat(await(batch.get(3))).isEqualTo(new InsertResult.QueueFull(3));
        assertThat(gate.sizes).containsExactly(1, 4);
        assertThat(store.queued()).isEqualTo(3);
        assertThat(rows()).isEqualTo(3);
    }

    @Test
    void aFailureMessageWithCharactersADatabaseCannotHoldIsStoredCleaned() throws Exception {
        Task t = submit(T0);
        ClaimedTask c = claim("node-a", ms(1));

        Optional<Task> done = store.finish(t.id(), c.attempt(),
                io.asyncreply.task.Outcome.failed(new TaskError("nul \u0000 and a lone \uD800 here")), ms(2));

        assertThat(done).isPresent();
        assertThat(find(t.id()).error().message()).isEqualTo("nul \uFFFD and a lone \uFFFD here");
    }

    @Test
    void purgeAndRecoveryWorkThroughManyChunks() throws Exception {
        JdbcTaskStore s = track(JdbcTaskStore.builder(dataSource()).chunk(2).build());
        List<String> running = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            submit(T0.plusMillis(i));
        }
        for (int i = 0; i < 5; i++) {
            running.add(s.claim("dead-node", T0.plusMillis(10), T0.plusMillis(20)).orElseThrow().task().id());
        }

        List<io.asyncreply.task.Task> recovered = s.recoverExpired(T0.plusMillis(21), 1);

        assertThat(ids(recovered)).containsExactlyInAnyOrderElementsOf(running);
        assertThat(recovered).allSatisfy(t -> assertThat(t.status()).isEqualTo(io.asyncreply.task.TaskStatus.FAILED));
        assertThat(s.purge(T0.plusMillis(22), 1)).isEqualTo(5);
        assertThat(rows()).isZero();
    }

    @Test
    void aTaskServiceRunsSubmittedTasksToTheEndOnThisStore() throws Exception {
        try (io.asyncreply.engine.TaskService service = io.asyncreply.engine.TaskService.builder().store(store)
                .handlers(io.asyncreply.handlers.Builtins.all()).workers(2).build()) {
            io.asyncreply.task.Submission sub = service.submit("echo", bytes("round trip"), "text/plain", "svc-key")
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(sub).isInstanceOf(io.asyncreply.task.Submission.Accepted.class);
            String id = ((io.asyncreply.task.Submission.Accepted) sub).task().id();

            java.util.Optional<io.asyncreply.task.Task> done = service.awaitTerminal(id, Duration.ofSeconds(20))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);

            assertThat(done).hasValueSatisfying(t -> {
                assertThat(t.status()).isEqualTo(io.asyncreply.task.TaskStatus.SUCCEEDED);
                assertThat(t.result().bytes()).isEqualTo(bytes("round trip"));
                assertThat(t.attempts()).isEqualTo(1);
            });
            io.asyncreply.task.Submission again = service.submit("echo", bytes("round trip"), "text/plain", "svc-key")
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(again).isInstanceOfSatisfying(io.asyncreply.task.Submission.Accepted.class, a -> {
                assertThat(a.replayed()).isTrue();
                assertThat(a.task().id()).isEqualTo(id);
                assertThat(a.task().status()).isEqualTo(io.asyncreply.task.TaskStatus.SUCCEEDED);
            });
        }
    }

    @Test
    void aServiceRebuiltOnTheSameStoreCanSubscribeAgain() throws Exception {
        for (int i = 0; i < 2; i++) {
            try (io.asyncreply.engine.TaskService service = io.asyncreply.engine.TaskService.builder().store(store)
                    .handlers(io.asyncreply.handlers.Builtins.all()).build()) {
                assertThat(service.health().storeUp()).isTrue();
            }
        }
    }

    // ---------------------------------------------------------------- schema

    @Test
    void severalNodesStartingAtOnceCreateTheSchemaOnce() throws Exception {
        String prefix = "mig" + UUID.randomUUID().toString().substring(0, 8) + "_";
        int nodes = 4;
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        List<JdbcTaskStore> built = Collections.synchronizedList(new ArrayList<>());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> starts = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                starts.add(pool.submit(() -> {
                    go.await();
                    built.add(JdbcTaskStore.builder(dataSource()).tablePrefix(prefix).build());
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : starts) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertThat(count("SELECT COUNT(*) FROM " + prefix + "schema_version")).isEqualTo(Schema.LATEST);
            NewTask t = newTask("echo", "p", T0);
            assertThat(await(built.get(0).insert(t, NO_LIMIT))).isInstanceOf(InsertResult.Inserted.class);
            assertThat(built.get(nodes - 1).find(t.task().id())).isPresent();
            assertThat(store.find(t.task().id())).as("another prefix is another set of tables").isEmpty();
        } finally {
            built.forEach(JdbcTaskStore::close);
            pool.shutdownNow();
            execute("DROP TABLE IF EXISTS " + prefix + "tasks");
            execute("DROP TABLE IF EXISTS " + prefix + "schema_version");
        }
    }

    /**
     * The upgrade to schema version 3 (owners) keeps the tasks of an earlier release and their
     * idempotency keys: a key stored before belongs to the anonymous owner, who still finds it, and
     * another owner may use it again.
     */
    @Test
    void upgradingFromSchemaVersion2KeepsTasksAndMakesTheirKeysTheAnonymousOwners() throws Exception {
        String prefix = "up" + UUID.randomUUID().toString().substring(0, 8) + "_";
        String folder = expectedDatabase() == JdbcTaskStore.Database.H2 ? "h2" : "postgresql";
        String id = newId();
        byte[] payload = bytes("kept");
        try {
            try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE " + prefix + "schema_version (version INTEGER NOT NULL PRIMARY KEY, "
                        + "description VARCHAR(200) NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL)");
                for (int v = 1; v <= 2; v++) {
                    String file = Schema.MIGRATIONS.get(v - 1);
                    String script;
                    try (java.io.InputStream in = Schema.class.getResourceAsStream(folder + "/" + file)) {
                        script = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    }
                    for (String sql : Schema.statements(script, prefix)) {
                        s.execute(sql);
                    }
                    s.execute("INSERT INTO " + prefix + "schema_version (version, description, applied_at) VALUES ("
                            + v + ", '" + file + "', CURRENT_TIMESTAMP)");
                }
                try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO " + prefix + "tasks (id, type, "
                        + "status, submitted_at, run_at, payload, payload_type, idempotency_key, payload_digest) "
                        + "VALUES (?, 'echo', 'QUEUED', ?, ?, ?, 'text/plain', 'order-42', ?)")) {
                    ps.setString(1, id);
                    ps.setObject(2, java.time.OffsetDateTime.ofInstant(T0, java.time.ZoneOffset.UTC));
                    ps.setObject(3, java.time.OffsetDateTime.ofInstant(T0, java.time.ZoneOffset.UTC));
                    ps.setBytes(4, payload);
                    ps.setBytes(5, digest("echo", payload));
                    ps.executeUpdate();
                }
            }

            JdbcTaskStore upgraded = track(JdbcTaskStore.builder(dataSource()).tablePrefix(prefix).build());

            assertThat(count("SELECT MAX(version) FROM " + prefix + "schema_version")).isEqualTo(Schema.LATEST);
            Task kept = upgraded.find(id).orElseThrow();
            assertThat(kept.type()).isEqualTo("echo");
            assertThat(kept.status()).isEqualTo(io.asyncreply.task.TaskStatus.QUEUED);
            assertThat(kept.owner()).as("the anonymous owner").isNull();
            assertThat(upgraded.findWithPayload(id, null).orElseThrow().payload()).isEqualTo(payload);

            InsertResult again = await(upgraded.insert(new NewTask(Task.queued(newId(), "echo", ms(1)), payload,
                    "text/plain", "order-42", digest("echo", payload)), NO_LIMIT));
            assertThat(again).as("the anonymous owner's key, kept").isInstanceOf(InsertResult.Duplicate.class);
            assertThat(((InsertResult.Duplicate) again).existing().id()).isEqualTo(id);

            Task alices = Task.queued(newId(), "echo", ms(2)).toBuilder().owner("alice").build();
            assertThat(await(upgraded.insert(new NewTask(alices, payload, "text/plain", "order-42",
                    digest("echo", payload)), NO_LIMIT))).as("another owner, the same key")
                    .isInstanceOf(InsertResult.Inserted.class);
        } finally {
            for (String table : new String[] {"events", "types", "nodes", "tasks", "schema_version"}) {
                execute("DROP TABLE IF EXISTS " + prefix + table);
            }
        }
    }

    @Test
    void tablesWithANewerSchemaVersionAreRefused() throws Exception {
        String prefix = "new" + UUID.randomUUID().toString().substring(0, 8) + "_";
        try {
            JdbcTaskStore.builder(dataSource()).tablePrefix(prefix).build().close();
            execute("INSERT INTO " + prefix + "schema_version (version, description, applied_at) "
                    + "VALUES (99, 'from the future', CURRENT_TIMESTAMP)");

            assertThatThrownBy(() -> JdbcTaskStore.builder(dataSource()).tablePrefix(prefix).build())
                    .isInstanceOf(StoreException.class).hasMessageContaining("newer");
        } finally {
            execute("DROP TABLE IF EXISTS " + prefix + "tasks");
            execute("DROP TABLE IF EXISTS " + prefix + "schema_version");
        }
    }

    @Test
    void aBadTablePrefixIsRefused() {
        assertThatThrownBy(() -> JdbcTaskStore.builder(dataSource()).tablePrefix("x; DROP TABLE y; --"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
