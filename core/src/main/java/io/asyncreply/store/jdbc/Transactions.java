package io.asyncreply.store.jdbc;

import io.asyncreply.store.StoreException;
import io.asyncreply.task.Task;
import io.asyncreply.task.Transitions;
import java.lang.System.Logger.Level;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The store's transactions: runs a body in one transaction with a {@link ChangeWriter} (events and
 * announcement last, then commit; run again after a deadlock or serialization failure), and the
 * read-decide-write loop every state change goes through: read the rows, decide each with
 * {@link Transitions}, write them as compare-and-sets, and read again and decide again those whose
 * row changed meanwhile.
 */
final class Transactions {
    private static final System.Logger LOG = System.getLogger(Transactions.class.getName());
    /** Compare-and-set rounds before a change that keeps finding its row changed gives up. */
    private static final int CAS_ROUNDS = 8;
    /** Transactions tried again after a deadlock or serialization failure. */
    private static final int TX_ATTEMPTS = 3;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final ChangeFeed feed;
    private final EventLog log;
    private final PgApply pg;
    private final int chunk;
    private final Outbox outbox;

    Transactions(DataSource dataSource, Dialect dialect, ChangeFeed feed, EventLog log, int chunk) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.feed = feed;
        this.log = log;
        this.pg = dialect.pg ? new PgApply(dialect) : null;
        this.chunk = chunk;
        this.outbox = new Outbox(dialect);
    }

    <T> T run(String what, Body<T> body) {
        return run(what, false, body);
    }

    /** The body of a transaction; it may run more than once (after a deadlock), so it only reads and writes the database. */
    interface Body<T> {
        T run(ChangeWriter w) throws SQLException;
    }

    /**
     * Runs {@code body} in one transaction and commits; the writer's events and announcement go in
     * last. Tried again after a deadlock or a serialization failure (the database rolled back).
     */
    /** {@code async}: the transaction may commit without waiting for its WAL flush (claims; see {@link PgApply}). */
    <T> T run(String what, boolean async, Body<T> body) {
        SQLException last = null;
        for (int attempt = 1; attempt <= TX_ATTEMPTS; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                ChangeWriter w = new ChangeWriter(c, dialect, log, feed, pg, async, outbox);
                c.setAutoCommit(false);
                try {
                    T result = body.run(w);
                    w.finish();
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

    /**
     * Writes {@code planned} (distinct tasks) at once: on PostgreSQL as one statement in auto-commit
     * (the UPDATEs, their events and the notification in one round trip, committed synchronously);
     * on H2 in one transaction. Returns which were applied.
     */
    boolean[] writeOnce(String what, List<ChangeWriter.Planned> planned) {
        if (pg == null) {
            return run(what, w -> {
                boolean[] applied = w.write(planned);
                return applied;
            });
        }
        SQLException last = null;
        for (int attempt = 1; attempt <= TX_ATTEMPTS; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                ChangeWriter w = new ChangeWriter(c, dialect, log, feed, pg, false);
                return w.write(planned); // auto-commit: the one statement is the transaction
            } catch (SQLException e) {
                if (!Sql.isRetryable(e)) {
                    throw Sql.failure(what, e);
                }
                last = e;
            }
        }
        throw Sql.failure(what, last);
    }

    Array ids(Connection c, Collection<String> ids) throws SQLException {
        return c.createArrayOf(dialect.idArrayType(), ids.toArray(new String[0]));
    }

    Map<String, Rows.Leased> read(Connection c, Collection<String> ids) throws SQLException {
        return read(c, ids, null);
    }

    /** The rows of {@code ids} of {@code owner} (null: any owner): the owner is a condition of the read. */
    Map<String, Rows.Leased> read(Connection c, Collection<String> ids, String owner) throws SQLException {
        Map<String, Rows.Leased> found = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(owner == null ? dialect.findMany : dialect.findManyOwned)) {
            ps.setArray(1, ids(c, ids));
            if (owner != null) {
                ps.setString(2, owner);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Rows.Leased l = Rows.leased(rs);
                    found.put(l.task().id(), l);
                }
            }
        }
        return found;
    }

    static List<Rows.Leased> readAll(PreparedStatement ps) throws SQLException {
        List<Rows.Leased> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(Rows.leased(rs));
            }
        }
        return out;
    }

    /** A change decided on the row read; {@code null} when the row was refused (or is unknown). */
    interface Decide {
        Optional<Transitions.Change> on(Rows.Leased current);
    }

    /**
     * Decides and writes one change per id, in one transaction: reads the rows, decides each with
     * {@code decide}, writes them as compare-and-sets, and for those whose row changed meanwhile
     * reads again and decides again (at most {@link #CAS_ROUNDS} rounds). Returns each id's new
     * snapshot, or empty when refused or unknown.
     */
    List<Optional<Task>> change(ChangeWriter w, List<String> ids, List<Decide> decide, List<String> nodes,
            List<Instant> ats) throws SQLException {
        return change(w, ids, decide, nodes, ats, null);
    }

    /** {@link #change} of the tasks of {@code owner} only (null: any owner). */
    List<Optional<Task>> change(ChangeWriter w, List<String> ids, List<Decide> decide, List<String> nodes,
            List<Instant> ats, String owner) throws SQLException {
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
            Map<String, Rows.Leased> current = read(w.connection(), new LinkedHashSet<>(pick(ids, todo)), owner);
            List<ChangeWriter.Planned> planned = new ArrayList<>(todo.size());
            List<Integer> index = new ArrayList<>(todo.size());
            Set<String> inThisRound = new HashSet<>();
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
                    planned.add(ChangeWriter.Planned.keepingLease(row.task(), ch.get(), nodes.get(i), ats.get(i)));
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

    /**
     * Selects rows with {@code select} (1 now, 2 limit), decides each with {@code decide}, writes
     * them, a chunk per transaction, until a chunk comes back short or {@code max} are changed. A
     * row that changed between the read and the write is left for the next run. {@code recovery}:
     * the writes also check the lease expiry read, so that a lease renewed meanwhile is left alone.
     */
    List<Task> changeChunks(String what, String select, Instant now, int max, String node, boolean recovery,
            Decide decide) {
        return changeChunks(what, select, (ps, limit) -> {
            Sql.setInstant(ps, 1, now);
            ps.setInt(2, limit);
        }, now, max, node, recovery, decide);
    }

    /** Binds a chunk's select: its conditions, then {@code limit}. */
    interface ChunkBinder {
        void bind(PreparedStatement ps, int limit) throws SQLException;
    }

    /** {@link #changeChunks(String, String, Instant, int, String, boolean, Decide)} with any select. */
    List<Task> changeChunks(String what, String select, ChunkBinder binder, Instant now, int max, String node,
            boolean recovery, Decide decide) {
        List<Task> changed = new ArrayList<>();
        while (changed.size() < max) {
            int limit = Math.min(chunk, max - changed.size());
            int[] selected = new int[1];
            List<Task> got;
            try {
                got = run(what, w -> {
                    List<Rows.Leased> rows;
                    if (dialect.orderedIndexOnly != null) {
                        try (PreparedStatement ps = w.connection().prepareStatement(dialect.orderedIndexOnly)) {
                            ps.execute();
                        }
                    }
                    try (PreparedStatement ps = w.connection().prepareStatement(select)) {
                        binder.bind(ps, limit);
                        rows = readAll(ps);
                    }
                    selected[0] = rows.size();
                    List<ChangeWriter.Planned> planned = new ArrayList<>(rows.size());
                    for (Rows.Leased row : rows) {
                        decide.on(row).ifPresent(ch -> planned.add(recovery
                                ? ChangeWriter.Planned.recovering(row, ch, node, now)
                                : ChangeWriter.Planned.keepingLease(row.task(), ch, node, now)));
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

}
