package io.asyncreply.store.jdbc;

import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.InsertResult;
import io.asyncreply.store.NewTask;
import io.asyncreply.store.NodeInfo;
import io.asyncreply.task.Outcome;
import io.asyncreply.store.SeqCursor;
import io.asyncreply.store.StoreEvents;
import io.asyncreply.store.StoreException;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskStatus;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * A durable {@link TaskStore} on a relational database reached through a {@link DataSource}:
 * H2 2.x (embedded) or PostgreSQL 13 or newer, shared by any number of nodes.
 *
 * <pre>{@code
 * JdbcTaskStore store = JdbcTaskStore.builder(dataSource)   // a pooled DataSource
 *         .tablePrefix("asyncreply_")                        // optional; the default
 *         .build();                                          // detects, migrates, starts the writer
 * }</pre>
 *
 * <p>Schema: {@link #build()} creates and upgrades its own tables ({@code <prefix>tasks},
 * {@code <prefix>schema_version}, and the node registry {@code <prefix>nodes}) with plain SQL per database, safely when several nodes start at
 * once. Every state change is one conditional UPDATE on the task's current status and, for a
 * running task, its attempt number (the fencing token), returning the new row. On PostgreSQL,
 * claims take the oldest ready row with {@code FOR UPDATE SKIP LOCKED}, so concurrent claimers on
 * any node never wait for each other nor take the same task; on H2 (embedded, one process) claims
 * are serialized in the JVM (see {@link #claim}). Inserts are group-committed by one writer thread
 * (see {@link GroupCommitter}); an insert's stage completes after COMMIT (on H2, after the commit
 * was also written to the database file).
 *
 * <p>Hazards:
 * <ul>
 *   <li>Give it a pooled DataSource: every call takes a connection and closes it at once. The
 *       store never closes the DataSource; close the store first, then the pool.</li>
 *   <li>Connections must run in READ COMMITTED (both databases' default) and auto-commit mode,
 *       as pools hand them out by default.</li>
 *   <li>Instants are stored with microsecond precision; finer ones are truncated.</li>
 *   <li>Insert stages complete on the writer thread: chain only short, non-blocking work onto
 *       them, or use the {@code *Async} variants.</li>
 *   <li>{@link #close()} stops the writer and fails waiting inserts; the other methods keep
 *       working as long as the DataSource does.</li>
 * </ul>
 */
public final class JdbcTaskStore implements TaskStore {
    private static final System.Logger LOG = System.getLogger(JdbcTaskStore.class.getName());
    /** Rows changed per statement by recovery and purge, by default. */
    static final int CHUNK = 1000;
    private static final int MAX_TYPE_LENGTH = 100;
    private static final int MAX_KEY_LENGTH = 255;
    private static final int MAX_ID_LENGTH = 64;
    /** Most nodes {@link #nodes()} returns. */
    static final int MAX_NODES = 1000;

    /** The databases this store speaks. */
    public enum Database {
        /** H2 2.x, embedded (file or memory) or server. */
        H2,
        /** PostgreSQL 13 or newer. */
        POSTGRESQL;

        /** The database of a JDBC product name as {@link DatabaseMetaData} reports it; empty when unsupported. */
        public static Optional<Database> ofProductName(String productName) {
            String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
            if (p.equals("h2")) {
                return Optional.of(H2);
            }
            if (p.equals("postgresql")) {
                return Optional.of(POSTGRESQL);
            }
            return Optional.empty();
        }
    }

    private final DataSource dataSource;
    private final Dialect dialect;
    private final ChangeFeed feed;
    private final GroupCommitter committer;
    private final int chunk;
    /** H2 only: serializes claims within this JVM (see {@link #claim}). */
    private final ReentrantLock claimLock = new ReentrantLock();
    private volatile boolean closed;

    private JdbcTaskStore(Builder b, Dialect dialect, ChangeFeed feed) {
        this.dataSource = b.dataSource;
        this.dialect = dialect;
        this.feed = feed;
        this.chunk = b.chunk;
        BatchInserter inserter = new BatchInserter(dataSource, dialect, b.countMaxAge.toNanos(), b.hooks, feed);
        this.committer = new GroupCommitter(inserter, b.maxBatchSize, b.maxWaitingInserts, b.closeWait.toMillis());
    }

    /** A builder for a store on {@code dataSource}. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** The database this store speaks, detected or configured. */
    public Database database() {
        return dialect.database;
    }

    /** The name of the tasks table (prefix included), for operators and tests. */
    public String tasksTable() {
        return dialect.tasks;
    }

    // ---------------------------------------------------------------- insert

    /**
     * Queues the task for the writer thread, which stores it with others in one transaction.
     * Admission against {@code queueLimit} is exact within one batch and approximate across
     * nodes; see {@link BatchInserter}.
     */
    @Override
    public CompletionStage<InsertResult> insert(NewTask task, long queueLimit) {
        Task t = task.task();
        String invalid = t.status() != TaskStatus.QUEUED ? "a new task must be QUEUED"
                : t.id().length() > MAX_ID_LENGTH ? "task id longer than " + MAX_ID_LENGTH + " characters"
                : t.type().length() > MAX_TYPE_LENGTH ? "task type longer than " + MAX_TYPE_LENGTH + " characters"
                : task.idempotencyKey() != null && task.idempotencyKey().length() > MAX_KEY_LENGTH
                        ? "idempotency key longer than " + MAX_KEY_LENGTH + " characters"
                        : null;
        if (invalid != null) {
            return CompletableFuture.failedFuture(new StoreException("cannot store this task: " + invalid));
        }
        return committer.submit(task, queueLimit);
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Optional<Task> find(String id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.find)) {
            ps.setString(1, id);
            return one(ps);
        } catch (SQLException e) {
            throw Sql.failure("could not read a task", e);
        }
    }

    @Override
    public TaskPage list(TaskQuery query) {
        Long before = query.cursor() == null ? null : SeqCursor.decode(query.cursor());
        String sql = dialect.list(query.status() != null, query.type() != null, before != null);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (query.status() != null) {
                ps.setString(i++, query.status().name());
            }
            if (query.type() != null) {
                ps.setString(i++, query.type());
            }
            if (before != null) {
                ps.setLong(i++, before);
            }
            ps.setInt(i, query.limit() + 1); // one more tells whether there is a next page
            List<Task> items = new ArrayList<>(Math.min(query.limit(), 64));
            long lastSeq = -1;
            boolean more = false;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (items.size() == query.limit()) {
                        more = true;
                        break;
                    }
                    items.add(Rows.task(rs));
                    lastSeq = Rows.seq(rs);
                }
            }
            return new TaskPage(items, more ? SeqCursor.encode(lastSeq) : null);
        } catch (SQLException e) {
            throw Sql.failure("could not list tasks", e);
        }
    }

    /** Counts queued tasks with one query (a partial-index scan on PostgreSQL). */
    @Override
    public long queued() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(dialect.countQueued)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw Sql.failure("could not count queued tasks", e);
        }
    }

    @Override
    public void ping() {
        try (Connection c = dataSource.getConnection()) {
            if (!c.isValid(5)) {
                throw new StoreException("the task database did not answer within 5 s");
            }
        } catch (SQLException e) {
            throw Sql.failure("the task database is unreachable", e);
        }
    }

    // ---------------------------------------------------------------- state changes

    /**
     * PostgreSQL: one UPDATE whose subquery picks the oldest ready row {@code FOR UPDATE SKIP LOCKED}.
     * H2: under an in-process lock (H2 is embedded, so its claimers share this JVM), pick the oldest
     * ready row, then claim it by compare-and-set; a row cancelled in between is passed over.
     */
    @Override
    public Optional<ClaimedTask> claim(String owner, Instant now, Instant leaseUntil) {
        try (Connection c = dataSource.getConnection()) {
            if (dialect.claim != null) {
                try (PreparedStatement ps = c.prepareStatement(dialect.claim)) {
                    Sql.setInstant(ps, 1, now);
                    ps.setString(2, owner);
                    Sql.setInstant(ps, 3, leaseUntil);
                    Sql.setInstant(ps, 4, now);
                    return claimed(ps);
                }
            }
            claimLock.lock();
            try (PreparedStatement pick = c.prepareStatement(dialect.claimReady);
                    PreparedStatement take = c.prepareStatement(dialect.claimSeq)) {
                for (int i = 0; i < 100; i++) {
                    Sql.setInstant(pick, 1, now);
                    long seq;
                    try (ResultSet rs = pick.executeQuery()) {
                        if (!rs.next()) {
                            return Optional.empty();
                        }
                        seq = rs.getLong(1);
                    }
                    Sql.setInstant(take, 1, now);
                    take.setString(2, owner);
                    Sql.setInstant(take, 3, leaseUntil);
                    take.setLong(4, seq);
                    Optional<ClaimedTask> t = claimed(take);
                    if (t.isPresent()) {
                        return t;
                    }
                }
                return Optional.empty();
            } finally {
                claimLock.unlock();
            }
        } catch (SQLException e) {
            throw Sql.failure("could not claim a task", e);
        }
    }

    private static Optional<ClaimedTask> claimed(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new ClaimedTask(Rows.task(rs), rs.getBytes(Rows.EXTRA_1), rs.getString(Rows.EXTRA_2)));
        }
    }

    @Override
    public int renewLeases(String owner, Instant leaseUntil) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(dialect.renewLeases)) {
            Sql.setInstant(ps, 1, leaseUntil);
            ps.setString(2, owner);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw Sql.failure("could not renew leases", e);
        }
    }

    @Override
    public Optional<Task> finish(String id, int attempt, Outcome outcome, Instant now) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.finish)) {
            ps.setString(1, outcome.status().name());
            Sql.setInstant(ps, 2, now);
            boolean ok = outcome.status() == TaskStatus.SUCCEEDED;
            Sql.setBytes(ps, 3, ok ? outcome.result().bytes() : null);
            Sql.setString(ps, 4, ok ? outcome.result().contentType() : null);
            Sql.setString(ps, 5, outcome.status() == TaskStatus.FAILED ? outcome.error().message() : null);
            ps.setString(6, id);
            ps.setInt(7, attempt);
            Optional<Task> t = one(ps);
            t.ifPresent(x -> announce(c, x));
            return t;
        } catch (SQLException e) {
            throw Sql.failure("could not record the outcome of a task", e);
        }
    }

    @Override
    public Optional<Task> requeue(String id, int attempt, TaskError lastError, Instant runAt, Instant now) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.requeue)) {
            Sql.setInstant(ps, 1, runAt);
            Sql.setInstant(ps, 2, now);
            Sql.setString(ps, 3, lastError == null ? null : lastError.message());
            ps.setString(4, id);
            ps.setInt(5, attempt);
            Optional<Task> t = one(ps);
            t.ifPresent(x -> announce(c, x));
            return t;
        } catch (SQLException e) {
            throw Sql.failure("could not queue a task again", e);
        }
    }

    @Override
    public boolean progress(String id, int attempt, int percent) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(dialect.progress)) {
            ps.setInt(1, percent);
            ps.setString(2, id);
            ps.setInt(3, attempt);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw Sql.failure("could not record progress", e);
        }
    }

    @Override
    public CancelResult cancel(String id, Instant now) {
        try (Connection c = dataSource.getConnection()) {
            Optional<Task> changed;
            try (PreparedStatement ps = c.prepareStatement(dialect.cancel)) {
                Sql.setInstant(ps, 1, now);
                ps.setString(2, id);
                changed = one(ps);
            }
            if (changed.isPresent()) {
                Task t = changed.get();
                if (t.status() == TaskStatus.CANCELLED) {
                    flushQuietly(c);
                    announce(c, t);
                    return new CancelResult(CancelResult.Outcome.CANCELLED, t);
                }
                try {
                    feed.cancelRequested(c, id);
                } catch (SQLException | RuntimeException e) {
                    LOG.log(Level.DEBUG, "could not announce a cancel request: {0}", e.getMessage());
                }
                return new CancelResult(CancelResult.Outcome.CANCEL_REQUESTED, t);
            }
            // nothing changed: unknown, or terminal (terminal rows never change again)
            try (PreparedStatement ps = c.prepareStatement(dialect.find)) {
                ps.setString(1, id);
                return one(ps).map(t -> new CancelResult(CancelResult.Outcome.ALREADY_FINISHED, t))
                        .orElseGet(() -> new CancelResult(CancelResult.Outcome.NOT_FOUND, null));
            }
        } catch (SQLException e) {
            throw Sql.failure("could not cancel a task", e);
        }
    }

    @Override
    public List<Task> recoverExpired(Instant now, int maxAttempts) {
        List<Task> changed = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(dialect.recoverExpired)) {
            int n;
            do {
                ps.setInt(1, maxAttempts);
                ps.setInt(2, maxAttempts);
                Sql.setInstant(ps, 3, now);
                ps.setInt(4, maxAttempts);
                Sql.setInstant(ps, 5, now);
                ps.setInt(6, maxAttempts);
                Sql.setInstant(ps, 7, now);
                ps.setInt(8, chunk);
                Sql.setInstant(ps, 9, now);
                n = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        changed.add(Rows.task(rs));
                        n++;
                    }
                }
            } while (n >= chunk); // H2 may change more than the LIMIT: see Dialect
            announceAll(c, changed);
        } catch (SQLException e) {
            if (!changed.isEmpty()) { // those are committed; the next run takes the rest
                LOG.log(Level.WARNING, "recovery stopped after {0} tasks: {1}", changed.size(),
                        Sql.failure("recovery", e).getMessage());
                return changed;
            }
            throw Sql.failure("could not recover tasks with expired leases", e);
        }
        return changed;
    }

    @Override
    public int purge(Instant cutoff, long keepAtMost) {
        if (keepAtMost < 0) {
            throw new IllegalArgumentException("keepAtMost must not be negative");
        }
        int deleted = 0;
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(dialect.purgeBefore)) {
                int n;
                do {
                    Sql.setInstant(ps, 1, cutoff);
                    ps.setInt(2, chunk);
                    n = ps.executeUpdate();
                    deleted += n;
                } while (n >= chunk); // H2 may change more than the LIMIT: see Dialect
            }
            Instant boundaryAt = null;
            long boundarySeq = 0;
            try (PreparedStatement ps = c.prepareStatement(dialect.purgeBoundary)) {
                ps.setLong(1, keepAtMost);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        boundaryAt = Sql.getInstant(rs, 1);
                        boundarySeq = rs.getLong(2);
                    }
                }
            }
            if (boundaryAt == null) {
                return deleted; // no more than keepAtMost finished tasks
            }
            try (PreparedStatement ps = c.prepareStatement(dialect.purgeUpTo)) {
                int n;
                do {
                    Sql.setInstant(ps, 1, boundaryAt);
                    Sql.setInstant(ps, 2, boundaryAt);
                    ps.setLong(3, boundarySeq);
                    ps.setInt(4, chunk);
                    n = ps.executeUpdate();
                    deleted += n;
                } while (n >= chunk); // H2 may change more than the LIMIT: see Dialect
            }
            return deleted;
        } catch (SQLException e) {
            if (deleted > 0) {
                return deleted; // committed chunk by chunk; the next run goes on
            }
            throw Sql.failure("could not purge finished tasks", e);
        }
    }

    // ---------------------------------------------------------------- node registry

    /** Upserts the node's row in {@code <prefix>nodes}. */
    @Override
    public void heartbeat(String nodeId, Instant startedAt, int running, Instant now) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.heartbeat)) {
            ps.setString(1, nodeId);
            Sql.setInstant(ps, 2, startedAt);
            Sql.setInstant(ps, 3, now);
            ps.setInt(4, running);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw Sql.failure("could not record this node's heartbeat", e);
        }
    }

    /** At most {@value #MAX_NODES} nodes, by id. */
    @Override
    public List<NodeInfo> nodes() {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.listNodes)) {
            ps.setInt(1, MAX_NODES);
            List<NodeInfo> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new NodeInfo(rs.getString(1), Sql.getInstant(rs, 2), Sql.getInstant(rs, 3), rs.getInt(4)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw Sql.failure("could not read the node registry", e);
        }
    }

    @Override
    public int forgetNodes(Instant silentSince) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(dialect.forgetNodes)) {
            Sql.setInstant(ps, 1, silentSince);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw Sql.failure("could not remove silent nodes from the registry", e);
        }
    }

    // ---------------------------------------------------------------- events, life cycle

    /**
     * Subscribes to changes other nodes make; a later call replaces the subscriber (a service
     * rebuilt on the same store). On PostgreSQL (unless {@link Builder#listenNotify(boolean)} turned
     * it off) the first call starts the listener thread, {@value PgChangeFeed#THREAD_NAME}, which
     * holds one connection of the pool (see {@link PgChangeFeed}); on H2 nothing is ever delivered
     * (H2 is embedded: there are no other nodes).
     */
    @Override
    public void listen(StoreEvents events) {
        feed.start(Objects.requireNonNull(events, "events"));
    }

    /**
     * Fails inserts still waiting for the writer, lets the batch being written finish, stops the
     * writer thread, then stops the PostgreSQL listener thread and gives its connection back.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        committer.close();
        feed.close();
    }

    /** The change feed (tests look at the PostgreSQL listener through it). */
    ChangeFeed changeFeed() {
        return feed;
    }

    @Override
    public String toString() {
        return "JdbcTaskStore[" + dialect.database + ", " + dialect.tasks + (closed ? ", closed" : "") + "]";
    }

    private static Optional<Task> one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(Rows.task(rs)) : Optional.empty();
        }
    }

    private void announce(Connection c, Task t) {
        try {
            if (t.isTerminal()) {
                feed.finished(c, t.id());
            } else if (t.status() == TaskStatus.QUEUED) {
                feed.queued(c);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.DEBUG, "could not announce a change of task {0}: {1}", t.id(), e.getMessage());
        }
    }

    /** Announces every finished task, and the queued ones with one notification. */
    private void announceAll(Connection c, List<Task> changed) {
        boolean queued = false;
        for (Task t : changed) {
            if (t.isTerminal()) {
                announce(c, t);
            } else {
                queued |= t.status() == TaskStatus.QUEUED;
            }
        }
        if (queued) {
            try {
                feed.queued(c);
            } catch (SQLException | RuntimeException e) {
                LOG.log(Level.DEBUG, "could not announce recovered tasks: {0}", e.getMessage());
            }
        }
    }

    private void flushQuietly(Connection c) {
        try {
            dialect.flushAfterCommit(c);
        } catch (SQLException e) {
            LOG.log(Level.DEBUG, "could not flush a cancel to disk: SQLState {0}", e.getSQLState());
        }
    }

    // ---------------------------------------------------------------- builder

    /** Test seams: called on the writer thread. */
    interface Hooks {
        Hooks NONE = new Hooks() {
        };

        /** A batch of {@code size} submissions was taken from the queue and is about to be written. */
        default void batchTaken(int size) {
        }

        /** The batch's idempotency keys were looked up, in its transaction, before its rows are inserted. */
        default void keysLookedUp(Connection c) throws SQLException {
        }
    }

    /** Configures a {@link JdbcTaskStore}. */
    public static final class Builder {
        private final DataSource dataSource;
        private Database database;
        private String tablePrefix = "asyncreply_";
        private int maxBatchSize = 256;
        private int maxWaitingInserts = 10_000;
        private Duration countMaxAge = Duration.ofMillis(150);
        private Duration closeWait = Duration.ofSeconds(10);
        private Hooks hooks = Hooks.NONE;
        private int chunk = CHUNK;
        private boolean listenNotify = true;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** The database, instead of detecting it from the connection's metadata. */
        public Builder database(Database database) {
            this.database = Objects.requireNonNull(database, "database");
            return this;
        }

        /**
         * Prefix of the table names ({@code <prefix>tasks}, {@code <prefix>schema_version},
     * {@code <prefix>nodes}): a letter,
         * then up to 29 letters, digits or underscores. Default {@code asyncreply_}; may be empty.
         */
        public Builder tablePrefix(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            if (!prefix.isEmpty() && !Dialect.PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException("table prefix must match " + Dialect.PREFIX.pattern() + ": '"
                        + prefix + "'");
            }
            this.tablePrefix = prefix;
            return this;
        }

        /** Most submissions written in one transaction. Default 256. */
        public Builder maxBatchSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("maxBatchSize must be at least 1");
            }
            this.maxBatchSize = size;
            return this;
        }

        /** Most submissions waiting for the writer; beyond it inserts fail at once. Default 10,000. */
        public Builder maxWaitingInserts(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxWaitingInserts must be at least 1");
            }
            this.maxWaitingInserts = max;
            return this;
        }

        /**
         * How old the cached count of queued tasks may be when admitting a submission (a refusal
         * always counts afresh). Default 150 ms.
         */
        public Builder queueCountMaxAge(Duration age) {
            if (age == null || age.isNegative()) {
                throw new IllegalArgumentException("queueCountMaxAge must not be negative");
            }
            this.countMaxAge = age;
            return this;
        }

        /** How long {@link JdbcTaskStore#close()} waits for the batch being written. Default 10 s. */
        public Builder closeWait(Duration wait) {
            if (wait == null || wait.isNegative()) {
                throw new IllegalArgumentException("closeWait must not be negative");
            }
            this.closeWait = wait;
            return this;
        }

        /**
         * PostgreSQL only: tell other nodes of queued, finished and cancelled tasks at once with
         * {@code LISTEN}/{@code NOTIFY} (one listener thread and one pooled connection per store; see
         * {@link PgChangeFeed}). Off, other nodes find queued work by polling (1 s), waiters on
         * other nodes are answered at their timeout, and a cancel through another node stops the
         * task only when it ends. Default on; never used on H2.
         */
        public Builder listenNotify(boolean enabled) {
            this.listenNotify = enabled;
            return this;
        }

        /** Rows per statement of recovery and purge (tests make it small to exercise the loops). */
        Builder chunk(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("chunk must be at least 1");
            }
            this.chunk = rows;
            return this;
        }

        Builder hooks(Hooks hooks) {
            this.hooks = Objects.requireNonNull(hooks);
            return this;
        }

        /**
         * Detects the database (unless set), creates or upgrades the tables, and starts the writer
         * thread.
         *
         * @throws StoreException when the database cannot be reached, is not supported, or its
         *     tables cannot be created or upgraded
         */
        public JdbcTaskStore build() {
            Database db = database != null ? database : detect();
            Dialect dialect = new Dialect(db, tablePrefix);
            Schema.migrate(dataSource, dialect);
            ChangeFeed feed = ChangeFeed.NONE;
            if (db == Database.POSTGRESQL && listenNotify) {
                try {
                    feed = PgChangeFeed.create(dataSource, dialect);
                } catch (SQLException e) {
                    throw Sql.failure("could not reach the task database", e);
                }
            }
            JdbcTaskStore store = new JdbcTaskStore(this, dialect, feed);
            store.committer.start();
            return store;
        }

        private Database detect() {
            try (Connection c = dataSource.getConnection()) {
                DatabaseMetaData md = c.getMetaData();
                String name = md.getDatabaseProductName();
                int major = md.getDatabaseMajorVersion();
                Database db = Database.ofProductName(name).orElseThrow(() -> new StoreException(
                        "unsupported database '" + name + "': asyncreply speaks H2 2.x and PostgreSQL 13 or newer"));
                int min = db == Database.H2 ? 2 : 13;
                if (major < min) {
                    throw new StoreException("unsupported " + name + " version " + md.getDatabaseProductVersion()
                            + ": asyncreply needs " + name + " " + min + " or newer");
                }
                return db;
            } catch (SQLException e) {
                throw Sql.failure("could not reach the task database", e);
            }
        }
    }
}
