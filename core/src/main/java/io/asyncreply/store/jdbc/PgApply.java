package io.asyncreply.store.jdbc;

import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.webhooks.WebhookEvents;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * PostgreSQL: writes a batch of decided changes in one statement: the compare-and-set UPDATE of
 * every row from arrays ({@code unnest}), the events of the rows it changed ({@code INSERT ...
 * SELECT} from the UPDATE's {@code RETURNING}, so an event exists exactly when its row changed, and
 * takes its id after the row is locked), the webhook deliveries of its terminal events (the outbox,
 * see {@link Outbox}), optionally the notification to other nodes and, for
 * claims, {@code synchronous_commit = off} for the rest of the transaction. One round trip and one
 * statement whatever the batch size.
 *
 * <p>Why a claim may commit asynchronously: a claim lost to a database crash only puts the task back
 * in the queue as it was; the worker's outcome is then refused (its attempt number is no longer
 * current) and the task runs again, which at-least-once delivery allows. Submissions and outcomes
 * always commit synchronously. Hazard: until the WAL is flushed (at most {@code wal_writer_delay}
 * times three) another node may read the claim's {@code started} event, which a crash of the
 * database then takes back.
 *
 * <p>Instants travel as microseconds since the epoch ({@code bigint[]}), turned into
 * {@code timestamptz} by exact interval arithmetic, so no driver's array encoding of times matters.
 */
final class PgApply {
    private static final String TS = "(TIMESTAMPTZ 'epoch' + v.%s * INTERVAL '1 microsecond')";

    private final String[] sql = new String[8];

    PgApply(Dialect d) {
        for (int i = 0; i < 8; i++) {
            sql[i] = build(d, (i & 1) != 0, (i & 2) != 0, (i & 4) != 0);
        }
    }

    private static String ts(String column) {
        return String.format(TS, column);
    }

    /**
     * {@code outbox}: some rows record a terminal event, so the statement also inserts their webhook
     * deliveries ({@link Outbox#pgCte}); without, the statement (claims, progress) skips that part.
     */
    private static String build(Dialect d, boolean notify, boolean async, boolean outbox) {
        return "WITH v AS (SELECT * FROM unnest(CAST(? AS varchar[]), CAST(? AS varchar[]), CAST(? AS int[]), "
                + "CAST(? AS boolean[]), CAST(? AS smallint[]), CAST(? AS boolean[]), CAST(? AS bigint[]), "
                + "CAST(? AS varchar[]), CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS int[]), CAST(? AS smallint[]), "
                + "CAST(? AS bytea[]), CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS boolean[]), CAST(? AS varchar[]), "
                + "CAST(? AS text[]), CAST(? AS boolean[]), CAST(? AS bigint[]), CAST(? AS boolean[]), CAST(? AS text[]), "
                + "CAST(? AS bigint[]), CAST(? AS varchar[]), CAST(? AS text[]), CAST(? AS bigint[])) "
                + "AS v(id, x_status, x_attempts, x_cancel, x_progress, x_check_lease, x_lease_until, "
                + "status, started_at, finished_at, attempts, progress, result, result_type, result_size, result_json, "
                + "error_code, error_message, cancel_requested, run_at, set_lease, lease_owner, lease_until, "
                + "kind, node, made_at)), "
                + "u AS (UPDATE " + d.tasks + " t SET status = v.status, started_at = " + ts("started_at")
                + ", finished_at = " + ts("finished_at") + ", attempts = v.attempts, progress = v.progress, "
                + "result = v.result, result_type = v.result_type, result_size = v.result_size, "
                + "result_json = v.result_json, error_code = v.error_code, error_message = v.error_message, "
                + "cancel_requested = v.cancel_requested, run_at = " + ts("run_at") + ", "
                + "lease_owner = CASE WHEN v.set_lease THEN v.lease_owner ELSE t.lease_owner END, "
                + "lease_until = CASE WHEN v.set_lease THEN " + ts("lease_until") + " ELSE t.lease_until END "
                + "FROM v WHERE t.id = v.id AND t.status = v.x_status AND t.attempts = v.x_attempts "
                + "AND t.cancel_requested = v.x_cancel AND t.progress IS NOT DISTINCT FROM v.x_progress "
                + "AND (NOT v.x_check_lease OR t.lease_until IS NOT DISTINCT FROM " + ts("x_lease_until") + ") "
                + "RETURNING t.id, t.status, t.attempts, t.progress, t.started_at, t.finished_at, t.run_at, "
                + "t.error_code, t.error_message, t.cancel_requested, t.type, t.owner, t.traceparent, t.callback_url), "
                + "e AS (INSERT INTO " + d.events + " (task_id, kind, made_at, node, status, attempts, progress, "
                + "started_at, finished_at, run_at, error_code, error_message, cancel_requested) "
                + "SELECT u.id, v.kind, " + ts("made_at") + ", v.node, u.status, u.attempts, u.progress, u.started_at, "
                + "u.finished_at, u.run_at, u.error_code, u.error_message, u.cancel_requested "
                + "FROM u JOIN v ON v.id = u.id WHERE v.kind IS NOT NULL" + (outbox ? " RETURNING seq, task_id), "
                        + Outbox.pgCte(d, ts("made_at")) : ")") + " "
                + "SELECT u.id" + (notify ? ", pg_notify(?, ?)" : "")
                + (async ? ", set_config('synchronous_commit', 'off', true)" : "") + " FROM u";
    }

    /** One row to write: {@code after} if the row still holds {@code before} (and, when checked, its lease expiry). */
    record Row(Task before, boolean checkLease, Instant expectedLeaseUntil, Task after, boolean setLease,
            String leaseOwner, Instant leaseUntil, TaskEvent.Kind event, String node, Instant at) {
    }

    /**
     * Writes {@code rows} (ids distinct); returns the ids whose rows were changed. {@code channel}:
     * notify it with {@code payload} (null: no notification); {@code async}: let this transaction
     * commit without waiting for its WAL flush (claims only).
     */
    Set<String> apply(Connection c, List<Row> rows, String channel, String payload, boolean async) throws SQLException {
        int n = rows.size();
        String[] id = new String[n];
        String[] xStatus = new String[n];
        Integer[] xAttempts = new Integer[n];
        Boolean[] xCancel = new Boolean[n];
        Short[] xProgress = new Short[n];
        Boolean[] xCheckLease = new Boolean[n];
        Long[] xLeaseUntil = new Long[n];
        String[] status = new String[n];
        Long[] startedAt = new Long[n];
        Long[] finishedAt = new Long[n];
        Integer[] attempts = new Integer[n];
        Short[] progress = new Short[n];
        byte[][] result = new byte[n][];
        String[] resultType = new String[n];
        Long[] resultSize = new Long[n];
        Boolean[] resultJson = new Boolean[n];
        String[] errorCode = new String[n];
        String[] errorMessage = new String[n];
        Boolean[] cancel = new Boolean[n];
        Long[] runAt = new Long[n];
        Boolean[] setLease = new Boolean[n];
        String[] leaseOwner = new String[n];
        Long[] leaseUntil = new Long[n];
        String[] kind = new String[n];
        String[] node = new String[n];
        Long[] madeAt = new Long[n];
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            Task b = r.before();
            Task a = r.after();
            id[i] = b.id();
            xStatus[i] = b.status().name();
            xAttempts[i] = b.attempts();
            xCancel[i] = b.cancelRequested();
            xProgress[i] = b.progress() == null ? null : b.progress().shortValue();
            xCheckLease[i] = r.checkLease();
            xLeaseUntil[i] = micros(r.expectedLeaseUntil());
            status[i] = a.status().name();
            startedAt[i] = micros(a.startedAt());
            finishedAt[i] = micros(a.finishedAt());
            attempts[i] = a.attempts();
            progress[i] = a.progress() == null ? null : a.progress().shortValue();
            TaskResult res = a.status() == TaskStatus.SUCCEEDED ? a.result() : null;
            result[i] = res == null ? null : res.bytes();
            resultType[i] = res == null ? null : res.contentType();
            resultSize[i] = res == null ? null : res.size();
            resultJson[i] = res != null && res.isJson();
            TaskError e = a.error();
            errorCode[i] = e == null ? null : e.code();
            errorMessage[i] = e == null ? null : e.message();
            cancel[i] = a.cancelRequested();
            runAt[i] = micros(a.runAt());
            setLease[i] = r.setLease();
            leaseOwner[i] = r.leaseOwner();
            leaseUntil[i] = micros(r.leaseUntil());
            kind[i] = r.event() == null ? null : r.event().wireName();
            node[i] = r.node();
            madeAt[i] = micros(r.at());
        }
        boolean outbox = false;
        for (Row r : rows) {
            outbox |= r.event() != null && WebhookEvents.delivered(r.event());
        }
        String s = sql[(channel != null ? 1 : 0) | (async ? 2 : 0) | (outbox ? 4 : 0)];
        Set<String> changed = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(s)) {
            int p = 1;
            ps.setArray(p++, array(c, "varchar", id));
            ps.setArray(p++, array(c, "varchar", xStatus));
            ps.setArray(p++, array(c, "int4", xAttempts));
            ps.setArray(p++, array(c, "bool", xCancel));
            ps.setArray(p++, array(c, "int2", xProgress));
            ps.setArray(p++, array(c, "bool", xCheckLease));
            ps.setArray(p++, array(c, "int8", xLeaseUntil));
            ps.setArray(p++, array(c, "varchar", status));
            ps.setArray(p++, array(c, "int8", startedAt));
            ps.setArray(p++, array(c, "int8", finishedAt));
            ps.setArray(p++, array(c, "int4", attempts));
            ps.setArray(p++, array(c, "int2", progress));
            ps.setArray(p++, c.createArrayOf("bytea", result));
            ps.setArray(p++, array(c, "text", resultType));
            ps.setArray(p++, array(c, "int8", resultSize));
            ps.setArray(p++, array(c, "bool", resultJson));
            ps.setArray(p++, array(c, "varchar", errorCode));
            ps.setArray(p++, array(c, "text", errorMessage));
            ps.setArray(p++, array(c, "bool", cancel));
            ps.setArray(p++, array(c, "int8", runAt));
            ps.setArray(p++, array(c, "bool", setLease));
            ps.setArray(p++, array(c, "text", leaseOwner));
            ps.setArray(p++, array(c, "int8", leaseUntil));
            ps.setArray(p++, array(c, "varchar", kind));
            ps.setArray(p++, array(c, "text", node));
            ps.setArray(p++, array(c, "int8", madeAt));
            if (channel != null) {
                ps.setString(p++, channel);
                ps.setString(p, payload);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    changed.add(rs.getString(1));
                }
            }
        }
        return changed;
    }

    private static Array array(Connection c, String type, Object[] values) throws SQLException {
        return c.createArrayOf(type, values);
    }

    static Long micros(Instant t) {
        return t == null ? null : t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }
}
