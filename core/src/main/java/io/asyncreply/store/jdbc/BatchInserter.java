package io.asyncreply.store.jdbc;

import io.asyncreply.store.InsertResult;
import io.asyncreply.store.NewTask;
import io.asyncreply.store.StoreException;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.Transitions;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Writes one group-commit batch in one transaction: resolves idempotency keys, admits against the
 * queue capacity, inserts with one JDBC batch, commits. Runs on the writer thread only, so its
 * admission counter needs no lock.
 *
 * <p>Idempotency keys: the keys of the batch are looked up first (one SELECT); a key already
 * stored, or used by an earlier submission of the same batch, yields {@code Duplicate} (same type
 * and payload digest) or {@code Conflict}. A key stored by another node between that SELECT and
 * the INSERT is caught by the UNIQUE constraint: PostgreSQL's {@code ON CONFLICT DO NOTHING} gives
 * that row an update count of 0, H2 raises a unique violation; either way the transaction is
 * rolled back and the whole batch resolved again (the SELECT now sees the other node's committed
 * row), at most {@value #ATTEMPTS} times. The other submissions of the batch are unaffected.
 *
 * <p>Admission ({@code queueLimit}): a COUNT of queued rows, cached for at most
 * {@code countMaxAge}, plus the rows this store admitted since. That estimate only errs high
 * (claims since the count are not subtracted), and a submission is refused only after a fresh
 * COUNT in the batch's own transaction, so within one batch and one node admission is exact.
 * Across nodes it is approximate: rows other nodes admitted since the last COUNT, or in
 * transactions not yet committed, are not seen, so the queue can exceed its limit by about what
 * the other nodes admit in one batch.
 */
final class BatchInserter implements GroupCommitter.Batch {
    private static final System.Logger LOG = System.getLogger(BatchInserter.class.getName());
    static final int ATTEMPTS = 3;
    private static final int KEYS_PER_SELECT = 100;

    private final DataSource ds;
    private final Dialect dialect;
    private final long countMaxAgeNanos;
    private final JdbcTaskStore.Hooks hooks;
    private final ChangeFeed feed;
    private final EventLog log;

    // admission estimate; writer thread only
    private boolean countValid;
    private long countedQueued;
    private long countedAtNanos;
    private long admittedSinceCount;
    private boolean flushRefused;

    BatchInserter(DataSource ds, Dialect dialect, long countMaxAgeNanos, JdbcTaskStore.Hooks hooks, ChangeFeed feed,
            EventLog log) {
        this.ds = ds;
        this.dialect = dialect;
        this.countMaxAgeNanos = countMaxAgeNanos;
        this.hooks = hooks;
        this.feed = feed;
        this.log = log;
    }

    /** What a key is known as: the task holding it and its payload digest. */
    private record Known(Task task, byte[] digest) {
    }

    /** One attempt's decisions; {@code results == null} when a key race was lost and it must be redone. */
    private record Attempt(InsertResult[] results, int admitted, boolean counted) {
    }

    @Override
    public List<InsertResult> write(List<GroupCommitter.Request> batch) {
        hooks.batchTaken(batch.size());
        SQLException lastRace = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try (Connection c = ds.getConnection()) {
                Attempt a;
                ChangeWriter w = new ChangeWriter(c, dialect, log, feed, null, false);
                boolean oneStatement = dialect.pg && !hasKeys(batch);
                if (!oneStatement) {
                    c.setAutoCommit(false);
                }
                try {
                    a = once(w, batch, attempt == 1);
                    if (a.results() == null) {
                        Sql.rollbackQuietly(c);
                        countValid = false;
                        continue;
                    }
                    w.finish(); // the queued events, and the announcement, in the same transaction
                    if (!oneStatement) {
                        c.commit();
                    }
                } catch (SQLException | RuntimeException e) {
                    Sql.rollbackQuietly(c);
                    countValid = false;
                    if (e instanceof SQLException se && Sql.isUniqueViolation(se)) {
                        lastRace = se;
                        continue; // H2: a key stored meanwhile by someone else
                    }
                    throw e;
                } finally {
                    w.end();
                    Sql.autoCommitQuietly(c);
                }
                afterCommit(c, a);
                return Arrays.asList(a.results());
            } catch (SQLException e) {
                throw Sql.failure("could not store " + batch.size() + " tasks", e);
            }
        }
        if (lastRace != null) {
            throw Sql.failure("could not store " + batch.size() + " tasks: their idempotency keys kept being taken "
                    + "concurrently", lastRace);
        }
        throw new StoreException("could not store " + batch.size() + " tasks: their idempotency keys kept being "
                + "taken concurrently");
    }

    /**
     * Whether a submission of the batch has an idempotency key. A batch without keys on PostgreSQL
     * is written by one statement in auto-commit, which is its own transaction (the rows, their
     * events and the notification; a count of the queue, when one is due, is read before it): one
     * round trip to a durable commit instead of two.
     */
    private static boolean hasKeys(List<GroupCommitter.Request> batch) {
        for (GroupCommitter.Request r : batch) {
            if (r.task().idempotencyKey() != null) {
                return true;
            }
        }
        return false;
    }

    private void afterCommit(Connection c, Attempt a) {
        if (a.counted()) {
            admittedSinceCount = a.admitted();
        } else {
            admittedSinceCount += a.admitted();
        }
        if (a.admitted() == 0) {
            return;
        }
        if (!flushRefused) {
            try {
                if (!dialect.flushAfterCommit(c)) {
                    flushRefused = true;
                    LOG.log(Level.WARNING, "H2 refused CHECKPOINT (the user lacks admin rights): accepted tasks "
                            + "are written to disk by H2's background writer, up to about a second after commit, "
                            + "and may be lost if the process is killed meanwhile");
                }
            } catch (SQLException e) {
                // committed, but not yet known to be on disk: the rows exist, so report success
                LOG.log(Level.WARNING, "could not flush committed tasks to disk: SQLState {0}", e.getSQLState());
            }
        }
    }

    private Attempt once(ChangeWriter w, List<GroupCommitter.Request> batch, boolean first) throws SQLException {
        Connection c = w.connection();
        Map<OwnedKey, Known> known = lookUpKeys(c, batch);
        if (first) {
            hooks.keysLookedUp(c);
        }
        boolean counted = false;
        long base;
        if (!countValid || System.nanoTime() - countedAtNanos > countMaxAgeNanos) {
            base = count(c);
            counted = true;
        } else {
            base = countedQueued + admittedSinceCount;
        }
        InsertResult[] results = new InsertResult[batch.size()];
        List<Integer> rows = new ArrayList<>();
        int admitted = 0;
        for (int i = 0; i < batch.size(); i++) {
            GroupCommitter.Request r = batch.get(i);
            NewTask t = r.task();
            OwnedKey key = OwnedKey.of(t);
            Known k = key == null ? null : known.get(key);
            if (k != null) {
                results[i] = Arrays.equals(k.digest(), t.payloadDigest()) ? new InsertResult.Duplicate(k.task())
                        : new InsertResult.Conflict(k.task().id());
                continue;
            }
            if (base + admitted >= r.queueLimit() && !counted) { // refuse only on a fresh count
                base = count(c);
                counted = true;
            }
            if (base + admitted >= r.queueLimit()) {
                results[i] = new InsertResult.QueueFull(base + admitted);
                continue;
            }
            results[i] = new InsertResult.Inserted(t.task());
            rows.add(i);
            admitted++;
            if (key != null) {
                known.put(key, new Known(t.task(), t.payloadDigest()));
            }
        }
        if (!rows.isEmpty()) {
            Set<String> started;
            if (dialect.pg) {
                started = insertPg(c, batch, rows);
                if (started == null) {
                    return new Attempt(null, 0, counted);
                }
            } else {
                started = startable(c, batch, rows);
                if (!insert(c, batch, rows, started)) {
                    return new Attempt(null, 0, counted);
                }
                for (int i : rows) {
                    NewTask t = batch.get(i).task();
                    w.event(TaskEvent.Kind.QUEUED, t.task(), t.node(), t.task().submittedAt());
                    if (started.contains(t.task().id())) {
                        w.event(TaskEvent.Kind.STARTED, startedSnapshot(t.task()), t.node(), t.task().submittedAt());
                    }
                }
            }
            if (!started.isEmpty()) {
                for (int i : rows) {
                    Task t = batch.get(i).task().task();
                    results[i] = new InsertResult.Inserted(t, started.contains(t.id()));
                }
            }
            w.queuedInserted();
        }
        return new Attempt(results, admitted, counted);
    }

    private long count(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(dialect.countQueued)) {
            rs.next();
            countedQueued = rs.getLong(1);
        }
        countedAtNanos = System.nanoTime();
        countValid = true;
        admittedSinceCount = 0;
        return countedQueued;
    }

    /** An idempotency key with its owner ('' for the anonymous owner): keys are unique per owner. */
    private record OwnedKey(String owner, String key) {
        static OwnedKey of(NewTask t) {
            return t.idempotencyKey() == null ? null : new OwnedKey(Rows.storedOwner(t.task()), t.idempotencyKey());
        }
    }

    private Map<OwnedKey, Known> lookUpKeys(Connection c, List<GroupCommitter.Request> batch) throws SQLException {
        Set<OwnedKey> keys = new LinkedHashSet<>();
        for (GroupCommitter.Request r : batch) {
            OwnedKey k = OwnedKey.of(r.task());
            if (k != null) {
                keys.add(k);
            }
        }
        Map<OwnedKey, Known> known = new HashMap<>();
        List<OwnedKey> all = new ArrayList<>(keys);
        for (int from = 0; from < all.size(); from += KEYS_PER_SELECT) {
            List<OwnedKey> chunk = all.subList(from, Math.min(all.size(), from + KEYS_PER_SELECT));
            try (PreparedStatement ps = c.prepareStatement(dialect.findKeys(chunk.size()))) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(2 * i + 1, chunk.get(i).owner());
                    ps.setString(2 * i + 2, chunk.get(i).key());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Task t = Rows.task(rs);
                        known.put(new OwnedKey(Rows.storedOwner(t), rs.getString(Rows.EXTRA_1)),
                                new Known(t, rs.getBytes(Rows.EXTRA_2)));
                    }
                }
            }
        }
        return known;
    }

    /**
     * H2: the ids of the admitted rows that asked to be started at once and whose type is not
     * paused (PostgreSQL decides this in its insert statement).
     */
    private Set<String> startable(Connection c, List<GroupCommitter.Request> batch, List<Integer> rows)
            throws SQLException {
        Set<String> asked = new HashSet<>();
        for (int i : rows) {
            NewTask t = batch.get(i).task();
            if (t.leaseUntil() != null) {
                asked.add(t.task().id());
            }
        }
        if (asked.isEmpty()) {
            return asked;
        }
        Set<String> paused = new HashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(dialect.pausedTypes)) {
            while (rs.next()) {
                paused.add(rs.getString(1));
            }
        }
        if (!paused.isEmpty()) {
            for (int i : rows) {
                Task t = batch.get(i).task().task();
                if (paused.contains(t.type())) {
                    asked.remove(t.id());
                }
            }
        }
        return asked;
    }

    /** A task started at once: {@link Transitions#claim} at its submission, which the insert writes. */
    static Task startedSnapshot(Task queued) {
        return Transitions.claim(queued, queued.submittedAt()).orElseThrow(() -> new IllegalArgumentException(
                "a task started at once must be ready at submission: " + queued.id())).after();
    }

    /** Inserts the admitted rows; false when a key was taken meanwhile (PostgreSQL: update count 0). */
    private boolean insert(Connection c, List<GroupCommitter.Request> batch, List<Integer> rows, Set<String> started)
            throws SQLException {
        int[] counts;
        try (PreparedStatement ps = c.prepareStatement(dialect.insert)) {
            for (int i : rows) {
                NewTask n = batch.get(i).task();
                boolean start = started.contains(n.task().id());
                Task t = start ? startedSnapshot(n.task()) : n.task();
                ps.setString(1, t.id());
                ps.setString(2, t.type());
                ps.setString(3, t.status().name());
                Sql.setInstant(ps, 4, t.submittedAt());
                ps.setInt(5, t.attempts());
                Sql.setInstant(ps, 6, start ? null : t.runAt() != null ? t.runAt() : t.submittedAt());
                ps.setBytes(7, n.payload());
                Sql.setString(ps, 8, n.contentType());
                Sql.setString(ps, 9, n.idempotencyKey());
                Sql.setBytes(ps, 10, n.payloadDigest());
                ps.setString(11, Rows.storedOwner(t));
                ps.setInt(12, t.priority());
                Sql.setInstant(ps, 13, t.expiresAt());
                Sql.setString(ps, 14, t.retryOf());
                Sql.setString(ps, 15, t.traceparent());
                Sql.setString(ps, 16, n.callback());
                Sql.setInstant(ps, 17, t.startedAt());
                Sql.setString(ps, 18, start ? n.node() : null);
                Sql.setInstant(ps, 19, start ? n.leaseUntil() : null);
                ps.addBatch();
            }
            counts = ps.executeBatch();
        }
        boolean unsure = false;
        for (int j = 0; j < rows.size(); j++) {
            if (counts[j] == 1) {
                continue;
            }
            if (counts[j] == 0) {
                return false; // ON CONFLICT DO NOTHING: the key was taken after our look-up
            }
            unsure = true; // SUCCESS_NO_INFO, e.g. pgjdbc with reWriteBatchedInserts
        }
        return !unsure || keysAreOurs(c, batch, rows);
    }

    /**
     * PostgreSQL: the admitted rows and their {@code queued} events in one statement (see
     * {@link Dialect#insertWithEvents}); false when a key was taken meanwhile (its row is not among
     * those returned).
     */
    private Set<String> insertPg(Connection c, List<GroupCommitter.Request> batch, List<Integer> rows)
            throws SQLException {
        int n = rows.size();
        String[] id = new String[n];
        String[] type = new String[n];
        Long[] submittedAt = new Long[n];
        Long[] runAt = new Long[n];
        byte[][] payload = new byte[n][];
        String[] payloadType = new String[n];
        String[] key = new String[n];
        byte[][] digest = new byte[n][];
        String[] owner = new String[n];
        Short[] priority = new Short[n];
        Long[] expiresAt = new Long[n];
        String[] retryOf = new String[n];
        String[] traceparent = new String[n];
        String[] node = new String[n];
        String[] callback = new String[n];
        Long[] leaseUntil = new Long[n];
        for (int j = 0; j < n; j++) {
            NewTask nt = batch.get(rows.get(j)).task();
            Task t = nt.task();
            id[j] = t.id();
            type[j] = t.type();
            submittedAt[j] = PgApply.micros(t.submittedAt());
            runAt[j] = PgApply.micros(t.runAt() != null ? t.runAt() : t.submittedAt());
            payload[j] = nt.payload();
            payloadType[j] = nt.contentType();
            key[j] = nt.idempotencyKey();
            digest[j] = nt.payloadDigest();
            owner[j] = Rows.storedOwner(t);
            priority[j] = (short) t.priority();
            expiresAt[j] = PgApply.micros(t.expiresAt());
            retryOf[j] = t.retryOf();
            traceparent[j] = t.traceparent();
            node[j] = nt.node();
            callback[j] = nt.callback();
            leaseUntil[j] = PgApply.micros(nt.leaseUntil());
        }
        String channel = feed.eventsChannel();
        int inserted = 0;
        Set<String> started = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(dialect.insertWithEvents(channel != null))) {
            int p = 1;
            ps.setArray(p++, c.createArrayOf("varchar", id));
            ps.setArray(p++, c.createArrayOf("varchar", type));
            ps.setArray(p++, c.createArrayOf("int8", submittedAt));
            ps.setArray(p++, c.createArrayOf("int8", runAt));
            ps.setArray(p++, c.createArrayOf("bytea", payload));
            ps.setArray(p++, c.createArrayOf("text", payloadType));
            ps.setArray(p++, c.createArrayOf("varchar", key));
            ps.setArray(p++, c.createArrayOf("bytea", digest));
            ps.setArray(p++, c.createArrayOf("varchar", owner));
            ps.setArray(p++, c.createArrayOf("int2", priority));
            ps.setArray(p++, c.createArrayOf("int8", expiresAt));
            ps.setArray(p++, c.createArrayOf("varchar", retryOf));
            ps.setArray(p++, c.createArrayOf("varchar", traceparent));
            ps.setArray(p++, c.createArrayOf("text", node));
            ps.setArray(p++, c.createArrayOf("text", callback));
            ps.setArray(p++, c.createArrayOf("int8", leaseUntil));
            if (channel != null) {
                ps.setString(p++, channel);
                ps.setString(p, PgChangeFeed.QUEUED);
            }
            ps.execute(); // the setting's row (see Dialect#insertWithEvents)
            if (!ps.getMoreResults()) {
                throw new SQLException("the insert returned no rows");
            }
            try (ResultSet rs = ps.getResultSet()) {
                while (rs.next()) {
                    inserted++;
                    if ("RUNNING".equals(rs.getString(2))) {
                        started.add(rs.getString(1));
                    }
                }
            }
        }
        return inserted == n ? started : null; // ON CONFLICT DO NOTHING left one out: its key was taken after our look-up
    }

    /** Whether every keyed row of ours holds its key (when the driver did not say per row). */
    private boolean keysAreOurs(Connection c, List<GroupCommitter.Request> batch, List<Integer> rows)
            throws SQLException {
        List<GroupCommitter.Request> keyed = new ArrayList<>();
        for (int i : rows) {
            if (batch.get(i).task().idempotencyKey() != null) {
                keyed.add(batch.get(i));
            }
        }
        Map<OwnedKey, Known> holders = lookUpKeys(c, keyed);
        for (GroupCommitter.Request r : keyed) {
            Known k = holders.get(OwnedKey.of(r.task()));
            if (k == null || !k.task().id().equals(r.task().task().id())) {
                return false;
            }
        }
        return true;
    }
}
