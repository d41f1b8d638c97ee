package io.asyncreply.store.jdbc;

import io.asyncreply.store.ClaimRequest;
import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.Completion;
import io.asyncreply.store.EventCursor;
import io.asyncreply.store.EventPage;
import io.asyncreply.store.FinishedCount;
import io.asyncreply.store.InsertResult;
import io.asyncreply.store.NewTask;
import io.asyncreply.store.NodeInfo;
import io.asyncreply.store.SeqCursor;
import io.asyncreply.store.StoreEvents;
import io.asyncreply.store.StoreException;
import io.asyncreply.store.TaskStore;
import io.asyncreply.store.TypeState;
import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Limits;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskObserver;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.task.Transitions;
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
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * <p>Schema: {@link Builder#build()} creates and upgrades its own tables ({@code <prefix>tasks},
 * {@code <prefix>events}, {@code <prefix>nodes}, {@code <prefix>schema_version}) with plain SQL
 * per database, safely when several nodes start at once.
 *
 * <p>Every state change is one transaction: read the rows it may apply to, decide with
 * {@link Transitions}, write each decided snapshot as a compare-and-set UPDATE on the state read,
 * append the events of the applied changes, announce them to the other nodes, commit (see
 * {@link ChangeWriter}). A compare-and-set that finds the row changed reads it again and decides
 * again. On PostgreSQL claims pick ready rows with {@code FOR UPDATE SKIP LOCKED}, so concurrent
 * claimers on any node never wait for each other nor take the same task; on H2 (embedded, one
 * process) claims are serialized in the JVM. Inserts are group-committed by one writer thread
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
    /** Rows changed per transaction by recovery, expiry and purge, by default. */
    static final int CHUNK = 1000;
    /** Most nodes {@link #nodes()} returns. */
    static final int MAX_NODES = Nodes.MAX_NODES;

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
    private final EventLog log;
    private final GroupCommitter committer;
    private final Transactions tx;
    private final Claims claims;
    private final Changes changes;
    private final Purge purge;
    private final Nodes nodes;
    private final TableCare care;
    private final JdbcWebhookStore webhooks;
    private volatile boolean closed;

    private JdbcTaskStore(Builder b, Dialect dialect, ChangeFeed feed, EventLog log) {
        this.dataSource = b.dataSource;
        this.dialect = dialect;
        this.feed = feed;
        this.log = log;
        this.tx = new Transactions(dataSource, dialect, feed, log, b.chunk);
        this.claims = new Claims(dialect, tx);
        this.changes = new Changes(dataSource, dialect, tx);
        this.purge = new Purge(dataSource, dialect, tx, b.chunk);
        this.nodes = new Nodes(dataSource, dialect);
        this.care = new TableCare(dataSource, dialect);
        this.webhooks = new JdbcWebhookStore(dataSource, dialect);
        BatchInserter inserter = new BatchInserter(dataSource, dialect, b.countMaxAge.toNanos(), b.hooks, feed, log);
        this.committer = new GroupCommitter(inserter, b.maxBatchSize, b.maxWaitingInserts, b.closeWait.toMillis());
    }

    /** A builder for a store on {@code dataSource}. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** The webhook subscriptions and outbox, in this store's database. */
    @Override
    public JdbcWebhookStore webhooks() {
        return webhooks;
    }

    /** The database this store speaks, detected or configured. */
    public Database database() {
        return dialect.database;
    }

    /** The name of the tasks table (prefix included), for operators and tests. */
    public String tasksTable() {
        return dialect.tasks;
    }

    /** The name of the events table (prefix included), for operators and tests. */
    public String eventsTable() {
        return dialect.events;
    }

    // ---------------------------------------------------------------- transactions

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
                : t.id().length() > Limits.MAX_ID_LENGTH ? "task id longer than " + Limits.MAX_ID_LENGTH + " characters"
                : t.type().length() > Limits.MAX_TYPE_LENGTH
                        ? "task type longer than " + Limits.MAX_TYPE_LENGTH + " characters"
                : task.idempotencyKey() != null && task.idempotencyKey().length() > Limits.MAX_IDEMPOTENCY_KEY_LENGTH
                        ? "idempotency key longer than " + Limits.MAX_IDEMPOTENCY_KEY_LENGTH + " characters"
                : t.owner() != null && t.owner().length() > Limits.MAX_OWNER_LENGTH
                        ? "owner longer than " + Limits.MAX_OWNER_LENGTH + " characters"
                : t.traceparent() != null && t.traceparent().length() > Limits.MAX_TRACEPARENT_LENGTH
                        ? "traceparent longer than " + Limits.MAX_TRACEPARENT_LENGTH + " characters"
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
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Rows.task(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw Sql.failure("could not read a task", e);
        }
    }

    @Override
    public Optional<Task> find(String id, String owner) {
        if (owner == null) {
            return find(id);
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.findOwned)) {
            ps.setString(1, id);
            ps.setString(2, owner);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Rows.task(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw Sql.failure("could not read a task", e);
        }
    }

    @Override
    public Optional<ClaimedTask> findWithPayload(String id, String owner) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(owner == null ? dialect.findPayload : dialect.findPayloadOwned)) {
            ps.setString(1, id);
            if (owner != null) {
                ps.setString(2, owner);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new ClaimedTask(Rows.task(rs), rs.getBytes(Rows.EXTRA_1),
                        rs.getString(Rows.EXTRA_2))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw Sql.failure("could not read a task", e);
        }
    }

    @Override
    public Optional<Task> findByKey(String key, String owner) {
        if (key == null) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.findByKey)) {
            ps.setString(1, owner == null ? "" : owner);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Rows.task(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw Sql.failure("could not look up an idempotency key", e);
        }
    }

    @Override
    public OptionalLong payloadSize(String id, String owner) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(owner == null ? dialect.payloadSize : dialect.payloadSizeOwned)) {
            ps.setString(1, id);
            if (owner != null) {
                ps.setString(2, owner);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return OptionalLong.empty();
                }
                long n = rs.getLong(1);
                return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(n);
            }
        } catch (SQLException e) {
            throw Sql.failure("could not read a task", e);
        }
    }

    /** One grouped range read of the finish-time index; see {@link TaskStore#finishedCounts}. */
    @Override
    public List<FinishedCount> finishedCounts(Instant since) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.finishedCounts)) {
            Sql.setInstant(ps, 1, since);
            List<FinishedCount> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TaskStatus status = TaskStatus.valueOf(rs.getString(2));
                    if (status.isTerminal()) { // always, since only terminal tasks have a finish time
                        out.add(new FinishedCount(rs.getString(1), status, rs.getLong(3), rs.getLong(4)));
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw Sql.failure("could not count finished tasks", e);
        }
    }

    @Override
    public TaskPage list(TaskQuery query) {
        Long before = query.cursor() == null ? null : SeqCursor.decode(query.cursor());
        String sql = dialect.list(query.status() != null, query.type() != null, query.owner() != null,
                query.owner() != null && !query.owner().isEmpty(), before != null);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (query.status() != null) {
                ps.setString(i++, query.status().name());
            }
            if (query.type() != null) {
                ps.setString(i++, query.type());
            }
            if (query.owner() != null) {
                ps.setString(i++, query.owner());
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

    /** PostgreSQL: statistics and, when autovacuum is off, dead rows of the store's tables (see {@link TableCare}). */
    @Override
    public void maintain() {
        care.run();
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

    /** One query: the least of each priority's first entry in the ready index. */
    @Override
    public Optional<Instant> oldestQueuedRunAt() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(dialect.oldestQueuedRunAt)) {
            return rs.next() ? Optional.ofNullable(Sql.getInstant(rs, 1)) : Optional.empty();
        } catch (SQLException e) {
            throw Sql.failure("could not read the oldest queued task", e);
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

    @Override
    public List<ClaimedTask> claim(ClaimRequest request) {
        return claims.claim(request);
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
    public List<Optional<Task>> complete(List<Completion> completions) {
        return changes.complete(completions);
    }

    @Override
    public boolean progress(String id, int attempt, int percent, Instant now, String node) {
        return changes.progress(id, attempt, percent, now, node);
    }

    @Override
    public CancelResult cancel(String id, Instant now, String node) {
        return changes.cancel(id, now, node, null);
    }

    @Override
    public CancelResult cancel(String id, Instant now, String node, String owner) {
        return changes.cancel(id, now, node, owner);
    }

    @Override
    public int cancelQueued(String type, String owner, Instant now, String node, int max) {
        return changes.cancelQueued(type, owner, now, node, max);
    }

    @Override
    public List<Task> recoverExpired(Instant now, int maxAttempts, String node) {
        return changes.recoverExpired(now, maxAttempts, node);
    }

    @Override
    public List<Task> expire(Instant now, int max, String node) {
        return changes.expire(now, max, node);
    }

    @Override
    public int purge(Instant cutoff, long keepAtMost) {
        return purge.purge(cutoff, keepAtMost);
    }

    // ---------------------------------------------------------------- the event log

    @Override
    public EventCursor eventHead() {
        try (Connection c = dataSource.getConnection()) {
            return log.head(c);
        } catch (SQLException e) {
            throw Sql.failure("could not read the event log", e);
        }
    }

    @Override
    public EventPage readEvents(EventCursor cursor, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        try (Connection c = dataSource.getConnection()) {
            return log.read(c, cursor, limit);
        } catch (SQLException e) {
            throw Sql.failure("could not read the event log", e);
        }
    }

    @Override
    public List<TaskEvent> taskEvents(String taskId, long afterId, int limit, String owner) {
        if (owner == null) {
            return taskEvents(taskId, afterId, limit);
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(dialect.taskEventsOwned)) {
            ps.setString(1, taskId);
            ps.setString(2, owner);
            ps.setLong(3, afterId);
            ps.setInt(4, limit);
            List<TaskEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Rows.event(rs, 1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw Sql.failure("could not read the events of a task", e);
        }
    }

    @Override
    public List<TaskEvent> taskEvents(String taskId, long afterId, int limit) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.taskEvents)) {
            ps.setString(1, taskId);
            ps.setLong(2, afterId);
            ps.setInt(3, limit);
            List<TaskEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Rows.event(rs, 1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw Sql.failure("could not read the events of a task", e);
        }
    }

    // ---------------------------------------------------------------- node registry

    /** Upserts the node's row in {@code <prefix>nodes}. */
    @Override
    public void heartbeat(String nodeId, Instant startedAt, int running, Instant now) {
        heartbeat(nodeId, startedAt, running, now, java.util.Set.of());
    }

    @Override
    public void heartbeat(String nodeId, Instant startedAt, int running, Instant now, java.util.Set<String> served) {
        nodes.heartbeat(nodeId, startedAt, running, now, served);
        long asked = System.nanoTime();
        feed.otherNodes(nodes.othersExist(nodeId), asked); // notify only while someone else may listen
    }

    /** At most 1,000 nodes, by id. */
    @Override
    public List<NodeInfo> nodes() {
        return nodes.nodes();
    }

    @Override
    public int forgetNodes(Instant silentSince) {
        return nodes.forgetNodes(silentSince);
    }

    @Override
    public boolean forgetNode(String nodeId) {
        return nodes.forgetNode(nodeId);
    }

    // ---------------------------------------------------------------- types

    @Override
    public void pause(String type, boolean paused) {
        nodes.pause(type, paused);
    }

    @Override
    public List<TypeState> typeStates() {
        return nodes.typeStates();
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

    /** Tells {@code observer} of each group commit of submissions: its size and how long it took. */
    @Override
    public void observe(TaskObserver observer) {
        committer.observe(observer);
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
         * Prefix of the table names ({@code <prefix>tasks}, {@code <prefix>events},
         * {@code <prefix>nodes}, {@code <prefix>schema_version}): a letter, then up to 29 letters,
         * digits or underscores. Default {@code asyncreply_}; may be empty.
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
         * PostgreSQL only: tell other nodes of new events, ready tasks and cancel requests at once
         * with {@code LISTEN}/{@code NOTIFY} (one listener thread and one pooled connection per
         * store; see {@link PgChangeFeed}). Off, other nodes find queued work and new events by
         * polling (1 s), and a cancel through another node stops the task only when it ends.
         * Default on; never used on H2.
         */
        public Builder listenNotify(boolean enabled) {
            this.listenNotify = enabled;
            return this;
        }

        /** Rows per transaction of recovery, expiry and purge (tests make it small to exercise the loops). */
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
            Opening.Opened o = Opening.open(dataSource, database, tablePrefix, listenNotify);
            JdbcTaskStore store = new JdbcTaskStore(this, o.dialect(), o.feed(), o.log());
            store.care.run(); // tables never analyzed get statistics before the first claim
            store.committer.start();
            return store;
        }
    }
}
