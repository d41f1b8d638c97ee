package io.asyncreply.store.jdbc;

import io.asyncreply.store.ClaimRequest;
import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.Completion;
import io.asyncreply.store.EventCursor;
import io.asyncreply.store.EventPage;
import io.asyncreply.store.InsertResult;
import io.asyncreply.store.NewTask;
import io.asyncreply.store.NodeInfo;
import io.asyncreply.store.SeqCursor;
import io.asyncreply.store.StoreEvents;
import io.asyncreply.store.StoreException;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Limits;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.task.Transitions;
import java.lang.System.Logger.Level;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
    static final int MAX_NODES = 1000;
    /** Compare-and-set rounds before a change that keeps finding its row changed gives up. */
    private static final int CAS_ROUNDS = 8;
    /** Transactions tried again after a deadlock or serialization failure. */
    private static final int TX_ATTEMPTS = 3;

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
    private final int chunk;
    /** H2 only: serializes claims within this JVM (see {@link #claim}). */
    private final ReentrantLock claimLock = new ReentrantLock();
    private volatile boolean closed;

    private JdbcTaskStore(Builder b, Dialect dialect, ChangeFeed feed, EventLog log) {
        this.dataSource = b.dataSource;
        this.dialect = dialect;
        this.feed = feed;
        this.log = log;
        this.chunk = b.chunk;
        BatchInserter inserter = new BatchInserter(dataSource, dialect, b.countMaxAge.toNanos(), b.hooks, feed, log);
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

    /** The name of the events table (prefix included), for operators and tests. */
    public String eventsTable() {
        return dialect.events;
    }

    // ---------------------------------------------------------------- transactions

    /** The body of a transaction; it may run more than once (after a deadlock), so it only reads and writes the database. */
    private interface Body<T> {
        T run(ChangeWriter w) throws SQLException;
    }

    /**
     * Runs {@code body} in one transaction and commits; the writer's events and announcement go in
     * last. Tried again after a deadlock or a serialization failure (the database rolled back).
     */
    private <T> T inTransaction(String what, Body<T> body) {
        SQLException last = null;
        for (int attempt = 1; attempt <= TX_ATTEMPTS; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                ChangeWriter w = new ChangeWriter(c, dialect, log);
                c.setAutoCommit(false);
                try {
                    T result = body.run(w);
                    w.finish(feed);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    Sql.rollbackQuietly(c);
                    throw e;
                } finally {
                    w.end();
                    Sql.autoCommitQuietly(c);
                }
            } catch (SQLException e) {
                if (!Sql.isRetryable(e)) {
                    throw Sql.failure(what, e);
                }
                last = e;
            }
        }
        throw Sql.failure(what, last);
    }

    private Array ids(Connection c, Collection<String> ids) throws SQLException {
        return c.createArrayOf(dialect.idArrayType(), ids.toArray(new String[0]));
    }

    private Map<String, Rows.Leased> read(Connection c, Collection<String> ids) throws SQLException {
        Map<String, Rows.Leased> found = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(dialect.findMany)) {
            ps.setArray(1, ids(c, ids));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Rows.Leased l = Rows.leased(rs);
                    found.put(l.task().id(), l);
                }
            }
        }
        return found;
    }

    private static List<Rows.Leased> readAll(PreparedStatement ps) throws SQLException {
        List<Rows.Leased> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(Rows.leased(rs));
            }
        }
        return out;
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
    public TaskPage list(TaskQuery query) {
        Long before = query.cursor() == null ? null : SeqCursor.decode(query.cursor());
        String sql = dialect.list(query.status() != null, query.type() != null, query.owner() != null, before != null);
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
     * PostgreSQL: the ready rows are picked {@code FOR UPDATE SKIP LOCKED}, so claimers on every node
     * pass each other. H2: under an in-process lock (H2 is embedded, so its claimers share this JVM;
     * H2 2.5 applies LIMIT before skipping locked rows, so SKIP LOCKED came back empty whenever the
     * oldest ready row was locked), a plain read; a row cancelled in between fails its
     * compare-and-set and is passed over.
     */
    @Override
    public List<ClaimedTask> claim(ClaimRequest request) {
        if (dialect.pg) {
            return claimNow(request);
        }
        claimLock.lock();
        try {
            return claimNow(request);
        } finally {
            claimLock.unlock();
        }
    }

    private List<ClaimedTask> claimNow(ClaimRequest r) {
        return inTransaction("could not claim a task", w -> {
            Connection c = w.connection();
            List<Rows.Leased> rows = new ArrayList<>();
            List<byte[]> payloads = new ArrayList<>();
            List<String> payloadTypes = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(dialect.selectReady(r.types() != null))) {
                int i = 1;
                Sql.setInstant(ps, i++, r.now());
                Sql.setInstant(ps, i++, r.now());
                if (r.types() != null) {
                    ps.setArray(i++, c.createArrayOf("VARCHAR", r.types().toArray(new String[0])));
                }
                ps.setInt(i, r.max());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(Rows.leased(rs));
                        payloads.add(rs.getBytes(Rows.EXTRA_1));
                        payloadTypes.add(rs.getString(Rows.EXTRA_2));
                    }
                }
            }
            List<ChangeWriter.Planned> planned = new ArrayList<>(rows.size());
            List<Integer> from = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                Optional<Transitions.Change> ch = Transitions.claim(rows.get(i).task(), r.now());
                if (ch.isPresent()) {
                    planned.add(new ChangeWriter.Planned(rows.get(i), ch.get(), r.owner(), r.leaseUntil(), r.owner(),
                            r.now()));
                    from.add(i);
                }
            }
            boolean[] applied = w.write(planned);
            List<ClaimedTask> out = new ArrayList<>(planned.size());
            for (int j = 0; j < planned.size(); j++) {
                if (applied[j]) {
                    int i = from.get(j);
                    out.add(new ClaimedTask(planned.get(j).change().after(), payloads.get(i), payloadTypes.get(i)));
                }
            }
            return out;
        });
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

    /** A change decided on the row read; {@code null} when the row was refused (or is unknown). */
    private interface Decide {
        Optional<Transitions.Change> on(Rows.Leased current);
    }

    /**
     * Decides and writes one change per id, in one transaction: reads the rows, decides each with
     * {@code decide}, writes them as compare-and-sets, and for those whose row changed meanwhile
     * reads again and decides again (at most {@link #CAS_ROUNDS} rounds). Returns each id's new
     * snapshot, or empty when refused or unknown.
     */
    private List<Optional<Task>> change(ChangeWriter w, List<String> ids, List<Decide> decide, List<String> nodes,
            List<Instant> ats) throws SQLException {
        int n = ids.size();
        List<Optional<Task>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Optional.empty());
        }
        List<Integer> todo = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            todo.add(i);
        }
        for (int round = 1; !todo.isEmpty(); round++) {
            if (round > CAS_ROUNDS) {
                throw new SQLException("tasks kept changing while their change was written", "40001");
            }
            Map<String, Rows.Leased> current = read(w.connection(), new LinkedHashSet<>(pick(ids, todo)));
            List<ChangeWriter.Planned> planned = new ArrayList<>(todo.size());
            List<Integer> index = new ArrayList<>(todo.size());
            java.util.Set<String> inThisRound = new java.util.HashSet<>();
            List<Integer> later = new ArrayList<>();
            for (int i : todo) {
                Rows.Leased row = current.get(ids.get(i));
                if (row == null) {
                    continue; // unknown or purged
                }
                if (!inThisRound.add(ids.get(i))) {
                    later.add(i); // the same task twice: decide on the first one's result next round
                    continue;
                }
                Optional<Transitions.Change> ch = decide.get(i).on(row);
                if (ch.isPresent()) {
                    planned.add(ChangeWriter.Planned.keepingLease(row, ch.get(), nodes.get(i), ats.get(i)));
                    index.add(i);
                }
            }
            boolean[] applied = w.write(planned);
            List<Integer> again = new ArrayList<>(later);
            for (int j = 0; j < planned.size(); j++) {
                if (applied[j]) {
                    out.set(index.get(j), Optional.of(planned.get(j).change().after()));
                } else {
                    again.add(index.get(j));
                }
            }
            again.sort(null);
            todo = again;
        }
        return out;
    }

    private static List<String> pick(List<String> ids, List<Integer> which) {
        List<String> out = new ArrayList<>(which.size());
        for (int i : which) {
            out.add(ids.get(i));
        }
        return out;
    }

    @Override
    public List<Optional<Task>> complete(List<Completion> completions) {
        if (completions.isEmpty()) {
            return List.of();
        }
        List<String> ids = new ArrayList<>(completions.size());
        List<Decide> decide = new ArrayList<>(completions.size());
        List<String> nodes = new ArrayList<>(completions.size());
        List<Instant> ats = new ArrayList<>(completions.size());
        for (Completion c : completions) {
            ids.add(c.id());
            decide.add(row -> c.isRequeue()
                    ? Transitions.requeue(row.task(), c.attempt(), c.lastError(), c.runAt(), c.now())
                    : Transitions.finish(row.task(), c.attempt(), c.outcome(), c.now()));
            nodes.add(c.node());
            ats.add(c.now());
        }
        return inTransaction("could not record the outcome of a task", w -> change(w, ids, decide, nodes, ats));
    }

    @Override
    public boolean progress(String id, int attempt, int percent, Instant now, String node) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("progress must be 0 to 100: " + percent);
        }
        return inTransaction("could not record progress", w -> change(w, List.of(id),
                List.of(row -> Transitions.progress(row.task(), attempt, percent)), nodeList(node), List.of(now))
                .get(0).isPresent());
    }

    private static List<String> nodeList(String node) {
        List<String> l = new ArrayList<>(1);
        l.add(node);
        return l;
    }

    @Override
    public CancelResult cancel(String id, Instant now, String node) {
        CancelResult[] result = new CancelResult[1];
        inTransaction("could not cancel a task", w -> change(w, List.of(id), List.of(row -> {
            Transitions.CancelDecision d = Transitions.cancel(row.task(), now);
            result[0] = new CancelResult(d.outcome(), d.change() == null ? row.task() : d.change().after());
            return Optional.ofNullable(d.change());
        }), nodeList(node), List.of(now)));
        if (result[0] == null) {
            return new CancelResult(CancelResult.Outcome.NOT_FOUND, null);
        }
        if (result[0].outcome() == CancelResult.Outcome.CANCELLED) {
            flushQuietly();
        }
        return result[0];
    }

    @Override
    public List<Task> recoverExpired(Instant now, int maxAttempts, String node) {
        return changeChunks("could not recover tasks with expired leases", dialect.selectExpired, now, Integer.MAX_VALUE,
                node, row -> row.leaseUntil() != null && row.leaseUntil().isBefore(now)
                        ? Transitions.recover(row.task(), now, maxAttempts) : Optional.empty());
    }

    @Override
    public List<Task> expire(Instant now, int max, String node) {
        return changeChunks("could not expire tasks", dialect.selectExpiring, now, max, node,
                row -> Transitions.expire(row.task(), now));
    }

    /**
     * Selects rows with {@code select} (1 now, 2 limit), decides each with {@code decide}, writes
     * them, a chunk per transaction, until a chunk comes back short or {@code max} are changed. A
     * row that changed between the read and the write is left for the next run.
     */
    private List<Task> changeChunks(String what, String select, Instant now, int max, String node, Decide decide) {
        List<Task> changed = new ArrayList<>();
        while (changed.size() < max) {
            int limit = Math.min(chunk, max - changed.size());
            int[] selected = new int[1];
            List<Task> got;
            try {
                got = inTransaction(what, w -> {
                    List<Rows.Leased> rows;
                    try (PreparedStatement ps = w.connection().prepareStatement(select)) {
                        Sql.setInstant(ps, 1, now);
                        ps.setInt(2, limit);
                        rows = readAll(ps);
                    }
                    selected[0] = rows.size();
                    List<ChangeWriter.Planned> planned = new ArrayList<>(rows.size());
                    for (Rows.Leased row : rows) {
                        decide.on(row).ifPresent(ch -> planned.add(ChangeWriter.Planned.keepingLease(row, ch, node,
                                now)));
                    }
                    boolean[] applied = w.write(planned);
                    List<Task> done = new ArrayList<>();
                    for (int j = 0; j < planned.size(); j++) {
                        if (applied[j]) {
                            done.add(planned.get(j).change().after());
                        }
                    }
                    return done;
                });
            } catch (StoreException e) {
                if (!changed.isEmpty()) { // those are committed; the next run takes the rest
                    LOG.log(Level.WARNING, "stopped after {0} tasks: {1}", changed.size(), e.getMessage());
                    return changed;
                }
                throw e;
            }
            changed.addAll(got);
            if (selected[0] < limit) {
                break;
            }
        }
        return changed;
    }

    @Override
    public int purge(Instant cutoff, long keepAtMost) {
        if (keepAtMost < 0) {
            throw new IllegalArgumentException("keepAtMost must not be negative");
        }
        int[] deleted = new int[1];
        try {
            while (deleteChunk(dialect.purgeBefore, ps -> {
                Sql.setInstant(ps, 1, cutoff);
                ps.setInt(2, chunk);
            }, deleted)) {
                // one chunk per transaction
            }
            Instant boundaryAt = null;
            long boundarySeq = 0;
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps = c.prepareStatement(dialect.purgeBoundary)) {
                ps.setLong(1, keepAtMost);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        boundaryAt = Sql.getInstant(rs, 1);
                        boundarySeq = rs.getLong(2);
                    }
                }
            }
            if (boundaryAt == null) {
                return deleted[0]; // no more than keepAtMost finished tasks
            }
            Instant at = boundaryAt;
            long seq = boundarySeq;
            while (deleteChunk(dialect.purgeUpTo, ps -> {
                Sql.setInstant(ps, 1, at);
                Sql.setInstant(ps, 2, at);
                ps.setLong(3, seq);
                ps.setInt(4, chunk);
            }, deleted)) {
                // one chunk per transaction
            }
            return deleted[0];
        } catch (SQLException e) {
            if (deleted[0] > 0) {
                return deleted[0]; // committed chunk by chunk; the next run goes on
            }
            throw Sql.failure("could not purge finished tasks", e);
        }
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /**
     * Picks up to a chunk of terminal tasks with {@code select}, then deletes their events and them,
     * in one transaction; adds the tasks deleted to {@code deleted[0]}. Returns whether a whole
     * chunk was picked (there may be more).
     */
    private boolean deleteChunk(String select, Binder binder, int[] deleted) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<String> ids = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(select)) {
                    binder.bind(ps);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getString(1));
                        }
                    }
                }
                int n = 0;
                if (!ids.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement(dialect.deleteEvents)) {
                        ps.setArray(1, ids(c, ids));
                        ps.executeUpdate();
                    }
                    try (PreparedStatement ps = c.prepareStatement(dialect.deleteTasks)) {
                        ps.setArray(1, ids(c, ids));
                        n = ps.executeUpdate();
                    }
                }
                c.commit();
                deleted[0] += n;
                return ids.size() >= chunk;
            } catch (SQLException | RuntimeException e) {
                Sql.rollbackQuietly(c);
                throw e;
            } finally {
                Sql.autoCommitQuietly(c);
            }
        }
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

    @Override
    public boolean forgetNode(String nodeId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.forgetNode)) {
            ps.setString(1, nodeId);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw Sql.failure("could not remove a node from the registry", e);
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

    private void flushQuietly() {
        if (dialect.pg) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
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
            Database db = database != null ? database : detect();
            Dialect dialect = new Dialect(db, tablePrefix);
            Schema.migrate(dataSource, dialect);
            ChangeFeed feed = ChangeFeed.NONE;
            EventLog log;
            try {
                if (db == Database.POSTGRESQL) {
                    log = new PgEventLog(dialect);
                    if (listenNotify) {
                        feed = PgChangeFeed.create(dataSource, dialect);
                    }
                } else {
                    try (Connection c = dataSource.getConnection()) {
                        log = H2EventLog.open(c, dialect);
                    }
                }
            } catch (SQLException e) {
                throw Sql.failure("could not reach the task database", e);
            }
            JdbcTaskStore store = new JdbcTaskStore(this, dialect, feed, log);
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
