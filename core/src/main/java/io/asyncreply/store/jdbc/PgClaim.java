package io.asyncreply.store.jdbc;

import io.asyncreply.store.ClaimRequest;
import io.asyncreply.store.ClaimedTask;
import io.asyncreply.task.Task;
import io.asyncreply.task.Transitions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * PostgreSQL: a claim of types without limits in one round trip and one implicit transaction: the
 * planner settings of {@link Dialect#orderedIndexOnly}, then one statement that picks the ready rows
 * ({@code FOR UPDATE SKIP LOCKED}), writes them RUNNING with this node's lease, inserts their
 * {@code started} events, notifies the other nodes when they listen, and lets the transaction commit
 * without waiting for its WAL flush (why that is safe for a claim: {@link PgApply}). The read-decide-
 * write claim of {@link Claims} takes three round trips (the read, the write, the commit); a worker
 * waiting for a task waits for all three, so this is what bounds pickup latency and how fast 8
 * workers drain a queue of short tasks.
 *
 * <p>The statement's {@code SET} says in SQL what {@link Transitions#claim} decides: status RUNNING,
 * one attempt more, started now, and finish, progress, result, cancel request and run time cleared,
 * the last error kept. The snapshot handed to the worker is still {@link Transitions#claim}'s, decided
 * here on the row as it was before the statement (the {@code p} part returns it); {@code
 * PgClaimTest} holds the row the statement wrote equal to that snapshot, so that the two cannot drift
 * apart unnoticed. Limited types (concurrency, rate) and H2 keep the read-decide-write claim.
 *
 * <p>Hazard: the planner settings must reach the statement's planning, so they go in the same
 * implicit transaction (one Sync of the extended protocol), not on an earlier round trip.
 */
final class PgClaim {
    private static final int TX_ATTEMPTS = 3;
    /** Instants travel as microseconds since the epoch both ways (see {@link Sql#getMicros}). */
    private static final String TS = "(TIMESTAMPTZ 'epoch' + CAST(? AS bigint) * INTERVAL '1 microsecond')";
    /**
     * {@link Dialect#SNAPSHOT}, its instants as microseconds. Exact: the CAST rounds to the nearest
     * microsecond, and EXTRACT is numeric from PostgreSQL 14 (on 13 a double, off by under 0.25 µs today).
     */
    static final String SNAPSHOT_MICROS = micros(Dialect.SNAPSHOT);
    /** The order the rows were picked in (the ready index's), so that workers start them in it. */
    private static final Comparator<Picked> READY_ORDER = Comparator.comparingInt((Picked p) -> -p.before().priority())
            .thenComparing(p -> p.before().runAt()).thenComparingLong(Picked::seq);

    private final DataSource dataSource;
    private final ChangeFeed feed;
    /** By {@code exclude} (types to leave out, or to take), then whether it notifies. */
    private final String[] sql = new String[4];

    PgClaim(DataSource dataSource, Dialect dialect, ChangeFeed feed) {
        this.dataSource = dataSource;
        this.feed = feed;
        for (int i = 0; i < 4; i++) {
            sql[i] = dialect.orderedIndexOnly + "; " + build(dialect, (i & 1) != 0, (i & 2) != 0);
        }
    }

    static String micros(String columns) {
        String out = columns;
        for (String c : new String[] {"submitted_at", "started_at", "finished_at", "run_at", "expires_at", "lease_until"}) {
            out = out.replaceFirst("\\b" + c + "\\b", "CAST(EXTRACT(EPOCH FROM " + c + ") * 1000000 AS bigint) AS " + c);
        }
        return out;
    }

    /**
     * Parameters: 1 now (run_at), 2 now (expiry), 3 types, 4 limit, 5 now (started), 6 owner, 7 lease
     * until, 8 now (event), 9 node, [10 channel].
     */
    private static String build(Dialect d, boolean exclude, boolean notify) {
        return "WITH p AS (SELECT " + SNAPSHOT_MICROS + ", payload, payload_type FROM " + d.tasks + " t "
                + "WHERE status = 'QUEUED' AND run_at <= " + TS + " AND (expires_at IS NULL OR expires_at > " + TS + ") "
                + (exclude ? "AND NOT (type = ANY(?)) " : "AND type = ANY(?) ")
                + "AND NOT EXISTS (SELECT 1 FROM " + d.types + " x WHERE x.type = t.type AND x.paused) "
                + "ORDER BY t.priority DESC, t.run_at, t.seq LIMIT ? FOR UPDATE OF t SKIP LOCKED), " // t.: not the output columns
                + "u AS (UPDATE " + d.tasks + " t SET status = 'RUNNING', attempts = t.attempts + 1, started_at = " + TS + ", "
                + "finished_at = NULL, progress = NULL, result = NULL, result_type = NULL, result_size = NULL, "
                + "result_json = FALSE, cancel_requested = FALSE, run_at = NULL, lease_owner = ?, lease_until = " + TS + " "
                + "FROM p WHERE t.id = p.id RETURNING t.id, t.status, t.attempts, t.progress, t.started_at, "
                + "t.finished_at, t.run_at, t.error_code, t.error_message, t.cancel_requested), "
                + "e AS (INSERT INTO " + d.events + " (task_id, kind, made_at, node, status, attempts, progress, "
                + "started_at, finished_at, run_at, error_code, error_message, cancel_requested) "
                + "SELECT u.id, 'started', " + TS + ", ?, u.status, u.attempts, u.progress, u.started_at, u.finished_at, "
                + "u.run_at, u.error_code, u.error_message, u.cancel_requested FROM u) "
                + "SELECT p.*, set_config('synchronous_commit', 'off', true)" + (notify ? ", pg_notify(?, '')" : "")
                + " FROM p JOIN u ON u.id = p.id"; // no ORDER BY: it would need a sort, which the settings forbid
    }

    /**
     * Claims up to {@code r.max()} ready tasks of {@code types} ({@code exclude}: of every type but
     * those), none of them of a limited type.
     */
    List<ClaimedTask> claim(ClaimRequest r, Collection<String> types, boolean exclude) {
        SQLException last = null;
        for (int attempt = 1; attempt <= TX_ATTEMPTS; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                return claimOnce(c, r, types, exclude); // auto-commit: one implicit transaction
            } catch (SQLException e) {
                if (!Sql.isRetryable(e)) {
                    throw Sql.failure("could not claim a task", e);
                }
                last = e;
            }
        }
        throw Sql.failure("could not claim a task", last);
    }

    private List<ClaimedTask> claimOnce(Connection c, ClaimRequest r, Collection<String> types, boolean exclude)
            throws SQLException {
        String channel = feed.eventsChannel();
        List<ClaimedTask> out = new ArrayList<>(r.max());
        try (PreparedStatement ps = c.prepareStatement(sql[(exclude ? 1 : 0) | (channel != null ? 2 : 0)])) {
            int i = 1;
            long now = PgApply.micros(r.now());
            ps.setLong(i++, now);
            ps.setLong(i++, now);
            ps.setArray(i++, c.createArrayOf("VARCHAR", types.toArray(new String[0])));
            ps.setInt(i++, r.max());
            ps.setLong(i++, now);
            ps.setString(i++, r.owner());
            ps.setLong(i++, PgApply.micros(r.leaseUntil()));
            ps.setLong(i++, now);
            ps.setString(i++, r.owner());
            if (channel != null) {
                ps.setString(i, channel);
            }
            ps.execute(); // the settings' row
            if (!ps.getMoreResults()) {
                return out;
            }
            List<Picked> picked = new ArrayList<>(r.max());
            try (ResultSet rs = ps.getResultSet()) {
                while (rs.next()) {
                    picked.add(new Picked(Rows.seq(rs), Rows.task(rs, Sql::getMicros), rs.getBytes(Rows.EXTRA_1),
                            rs.getString(Rows.EXTRA_2)));
                }
            }
            picked.sort(READY_ORDER);
            for (Picked p : picked) {
                out.add(claimed(p.before(), r.now(), p.payload(), p.payloadType()));
            }
        }
        return out;
    }

    /** A row picked, as it was before the statement changed it. */
    private record Picked(long seq, Task before, byte[] payload, String payloadType) {
    }

    /** The snapshot {@link Transitions#claim} decides on the row as it was; the statement wrote the same. */
    private static ClaimedTask claimed(Task before, Instant now, byte[] payload, String payloadType) {
        Optional<Transitions.Change> ch = Transitions.claim(before, now);
        if (ch.isEmpty()) { // the statement's WHERE is Transitions' readiness: cannot happen unless they drift
            throw new IllegalStateException("claimed a task that Transitions.claim refuses: " + before.id());
        }
        return new ClaimedTask(ch.get().after(), payload, payloadType, before.runAt());
    }
}
