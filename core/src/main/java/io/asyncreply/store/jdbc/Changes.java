package io.asyncreply.store.jdbc;

import io.asyncreply.store.Completion;
import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Task;
import io.asyncreply.task.Transitions;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The state changes other than claims and inserts: completions (finish or requeue, many in one
 * transaction), progress, cancel, expiry and recovery, each decided by {@link Transitions} and
 * written by {@link Transactions}.
 */
final class Changes {
    private static final System.Logger LOG = System.getLogger(Changes.class.getName());

    private final DataSource dataSource;
    private final Dialect dialect;
    private final Transactions tx;

    Changes(DataSource dataSource, Dialect dialect, Transactions tx) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.tx = tx;
    }

    /**
     * Completions whose worker says how it believes the task stands ({@link Completion#assumed()})
     * are decided on that and written at once (one statement on PostgreSQL); those whose row turns
     * out to have changed (a cancel was requested meanwhile), and those without, are read and
     * decided again in one transaction.
     */
    List<Optional<Task>> complete(List<Completion> completions) {
        int n = completions.size();
        List<Optional<Task>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Optional.empty());
        }
        List<Integer> slow = new ArrayList<>();
        List<ChangeWriter.Planned> planned = new ArrayList<>(n);
        List<Integer> index = new ArrayList<>(n);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Completion c = completions.get(i);
            Optional<Transitions.Change> ch = c.assumed() == null || !seen.add(c.id()) ? Optional.empty()
                    : c.decide(c.assumed());
            if (ch.isEmpty()) {
                slow.add(i);
            } else {
                planned.add(ChangeWriter.Planned.keepingLease(c.assumed(), ch.get(), c.node(), c.now()));
                index.add(i);
            }
        }
        if (!planned.isEmpty()) {
            boolean[] applied = tx.writeOnce("could not record the outcome of a task", planned);
            for (int j = 0; j < applied.length; j++) {
                if (applied[j]) {
                    out.set(index.get(j), Optional.of(planned.get(j).change().after()));
                } else {
                    slow.add(index.get(j));
                }
            }
        }
        if (slow.isEmpty()) {
            return out;
        }
        slow.sort(null);
        List<String> ids = new ArrayList<>(slow.size());
        List<Transactions.Decide> decide = new ArrayList<>(slow.size());
        List<String> nodes = new ArrayList<>(slow.size());
        List<Instant> ats = new ArrayList<>(slow.size());
        for (int i : slow) {
            Completion c = completions.get(i);
            ids.add(c.id());
            decide.add(row -> c.decide(row.task()));
            nodes.add(c.node());
            ats.add(c.now());
        }
        List<Optional<Task>> again = tx.run("could not record the outcome of a task",
                w -> tx.change(w, ids, decide, nodes, ats));
        for (int j = 0; j < slow.size(); j++) {
            out.set(slow.get(j), again.get(j));
        }
        return out;
    }

    boolean progress(String id, int attempt, int percent, Instant now, String node) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("progress must be 0 to 100: " + percent);
        }
        return tx.run("could not record progress", w -> tx.change(w, List.of(id),
                List.of(row -> Transitions.progress(row.task(), attempt, percent)), nodeList(node), List.of(now))
                .get(0).isPresent());
    }

    private static List<String> nodeList(String node) {
        List<String> l = new ArrayList<>(1);
        l.add(node);
        return l;
    }

    CancelResult cancel(String id, Instant now, String node, String owner) {
        CancelResult[] result = new CancelResult[1];
        tx.run("could not cancel a task", w -> tx.change(w, List.of(id), List.of(row -> {
            Transitions.CancelDecision d = Transitions.cancel(row.task(), now);
            result[0] = new CancelResult(d.outcome(), d.change() == null ? row.task() : d.change().after());
            return Optional.ofNullable(d.change());
        }), nodeList(node), List.of(now), owner));
        if (result[0] == null) {
            return new CancelResult(CancelResult.Outcome.NOT_FOUND, null);
        }
        if (result[0].outcome() == CancelResult.Outcome.CANCELLED) {
            flushQuietly();
        }
        return result[0];
    }

    List<Task> recoverExpired(Instant now, int maxAttempts, String node) {
        return tx.changeChunks("could not recover tasks with expired leases", dialect.selectExpired, now, Integer.MAX_VALUE,
                node, true, row -> row.leaseUntil() != null && row.leaseUntil().isBefore(now)
                        ? Transitions.recover(row.task(), now, maxAttempts) : Optional.empty());
    }

    /** Cancels queued tasks of {@code type} (null: any) of {@code owner} (null: any), oldest first. */
    int cancelQueued(String type, String owner, Instant now, String node, int max) {
        return tx.changeChunks("could not cancel tasks", dialect.selectQueued(type != null, owner != null), (ps, limit) -> {
            int i = 1;
            if (type != null) {
                ps.setString(i++, type);
            }
            if (owner != null) {
                ps.setString(i++, owner);
            }
            ps.setInt(i, limit);
        }, now, max, node, false, row -> Optional.ofNullable(Transitions.cancel(row.task(), now).change())).size();
    }

    List<Task> expire(Instant now, int max, String node) {
        return tx.changeChunks("could not expire tasks", dialect.selectExpiring, now, max, node,
                false, row -> Transitions.expire(row.task(), now));
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
}
