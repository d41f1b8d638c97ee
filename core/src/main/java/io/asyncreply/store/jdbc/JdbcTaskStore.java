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
import io.asyncreply.store.StoreEvents;
import io.asyncreply.store.StoreException;
import io.asyncreply.store.TaskStore;
import io.asyncreply.store.TypeState;
import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskObserver;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.Transitions;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
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
    private final TaskReads reads;
    private final EventReads eventReads;
    private final JdbcWebhookStore webhooks;
    private volatile boolean closed;

    private JdbcTaskStore(JdbcSettings settings, Dialect dialect, ChangeFeed feed, EventLog log) {
        this.dataSource = settings.dataSource;
        this.dialect = dialect;
        this.feed = feed;
        this.log = log;
        this.tx = new Transactions(dataSource, dialect, feed, log, settings.chunk);
        this.claims = new Claims(dialect, tx, dialect.pg ? new PgClaim(dataSource, dialect, feed) : null);
        this.changes = new Changes(dataSource, dialect, tx);
        this.purge = new Purge(dataSource, dialect, tx, settings.chunk);
        this.nodes = new Nodes(dataSource, dialect);
        this.care = new TableCare(dataSource, dialect);
        this.reads = new TaskReads(dataSource, dialect);
        this.eventReads = new EventReads(dataSource, dialect, log);
        this.webhooks = new JdbcWebhookStore(dataSource, dialect);
        BatchInserter inserter = new BatchInserter(dataSource, dialect, settings.countMaxAge.toNanos(), settings.hooks, feed, log);
        this.committer = new GroupCommitter(inserter, settings.maxBatchSize, settings.maxWaitingInserts, settings.closeWait.toMillis());
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

    // ---------------------------------------------------------------- insert

    /**
     * Queues the task for the writer thread, which stores it with others in one transaction.
     * Admission against {@code queueLimit} is exact within one batch and approximate across
     * nodes; see {@link BatchInserter}.
     */
    @Override
    public CompletionStage<InsertResult> insert(NewTask task, long queueLimit) {
        String invalid = ColumnLimits.problem(task);
        if (invalid != null) {
            return CompletableFuture.failedFuture(new StoreException("cannot store this task: " + invalid));
        }
        return committer.submit(task, queueLimit);
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Optional<Task> find(String id) {
        return reads.find(id);
    }

    @Override
    public Optional<Task> find(String id, String owner) {
        return reads.find(id, owner);
    }

    @Override
    public Optional<ClaimedTask> findWithPayload(String id, String owner) {
        return reads.findWithPayload(id, owner);
    }

    @Override
    public Optional<Task> findByKey(String key, String owner) {
        return reads.findByKey(key, owner);
    }

    @Override
    public OptionalLong payloadSize(String id, String owner) {
        return reads.payloadSize(id, owner);
    }

    /** One grouped range read of the finish-time index; see {@link TaskStore#finishedCounts}. */
    @Override
    public List<FinishedCount> finishedCounts(Instant since) {
        return reads.finishedCounts(since);
    }

    @Override
    public TaskPage list(TaskQuery query) {
        return reads.list(query);
    }

    /** PostgreSQL: statistics and, when autovacuum is off, dead rows of the store's tables (see {@link TableCare}). */
    @Override
    public void maintain() {
        care.run();
    }

    /** Counts queued tasks with one query (a partial-index scan on PostgreSQL). */
    @Override
    public long queued() {
        return reads.queued();
    }

    /** One query: the least of each priority's first entry in the ready index. */
    @Override
    public Optional<Instant> oldestQueuedRunAt() {
        return reads.oldestQueuedRunAt();
    }

    @Override
    public void ping() {
        reads.ping();
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
        return eventReads.eventHead();
    }

    @Override
    public EventPage readEvents(EventCursor cursor, int limit) {
        return eventReads.readEvents(cursor, limit);
    }

    @Override
    public List<TaskEvent> taskEvents(String taskId, long afterId, int limit, String owner) {
        return eventReads.taskEvents(taskId, afterId, limit, owner);
    }

    @Override
    public List<TaskEvent> taskEvents(String taskId, long afterId, int limit) {
        return eventReads.taskEvents(taskId, afterId, limit, null);
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
        private final JdbcSettings settings;

        private Builder(DataSource dataSource) {
            this.settings = new JdbcSettings(dataSource);
        }

        /** The database, instead of detecting it from the connection's metadata. */
        public Builder database(Database database) {
            settings.database(database);
            return this;
        }

        /**
         * Prefix of the table names ({@code <prefix>tasks}, {@code <prefix>events},
         * {@code <prefix>nodes}, {@code <prefix>schema_version}): a letter, then up to 29 letters,
         * digits or underscores. Default {@code asyncreply_}; may be empty.
         */
        public Builder tablePrefix(String prefix) {
            settings.tablePrefix(prefix);
            return this;
        }

        /** Most submissions written in one transaction. Default 256. */
        public Builder maxBatchSize(int size) {
            settings.maxBatchSize(size);
            return this;
        }

        /** Most submissions waiting for the writer; beyond it inserts fail at once. Default 10,000. */
        public Builder maxWaitingInserts(int max) {
            settings.maxWaitingInserts(max);
            return this;
        }

        /**
         * How old the cached count of queued tasks may be when admitting a submission (a refusal
         * always counts afresh). Default 150 ms.
         */
        public Builder queueCountMaxAge(Duration age) {
            settings.queueCountMaxAge(age);
            return this;
        }

        /** How long {@link JdbcTaskStore#close()} waits for the batch being written. Default 10 s. */
        public Builder closeWait(Duration wait) {
            settings.closeWait(wait);
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
            settings.listenNotify(enabled);
            return this;
        }

        /** Rows per transaction of recovery, expiry and purge (tests make it small to exercise the loops). */
        Builder chunk(int rows) {
            settings.chunk(rows);
            return this;
        }

        Builder hooks(Hooks hooks) {
            settings.hooks(hooks);
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
            Opening.Opened o = Opening.open(settings.dataSource, settings.database, settings.tablePrefix,
                    settings.listenNotify);
            JdbcTaskStore store = new JdbcTaskStore(settings, o.dialect(), o.feed(), o.log());
            store.care.run(); // tables never analyzed get statistics before the first claim
            store.committer.start();
            return store;
        }
    }
}
