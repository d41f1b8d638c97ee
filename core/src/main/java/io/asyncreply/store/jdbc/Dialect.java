package io.asyncreply.store.jdbc;

import io.asyncreply.task.Limits;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * The SQL of one database for one table prefix, built once. No statement here decides a state
 * change: reads select the rows a change may apply to, {@link #update} writes a snapshot that
 * {@link io.asyncreply.task.Transitions} decided, as a compare-and-set on every column the decision
 * read (status, attempts, cancel request, progress, lease expiry).
 *
 * <p>Hazards: the table prefix is pasted into SQL, so it is checked against {@link #PREFIX} here
 * and nowhere else; no other caller-supplied text is ever pasted into SQL. Parameter positions are
 * documented beside each statement and must match their callers. A {@code ?} whose type
 * PostgreSQL cannot infer is CAST.
 */
final class Dialect {
    /** Allowed table name prefixes: unquoted identifiers, so that every database folds them alike. */
    static final Pattern PREFIX = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,29}");

    /**
     * The task snapshot columns, in the order {@link Rows#task} reads them (1 to 23). Column 10 is
     * the result: every result in {@link #SNAPSHOT}, only small JSON ones in {@link #pageSnapshot}.
     */
    private static final String SNAPSHOT_HEAD = "seq, id, type, status, submitted_at, started_at, finished_at, "
            + "attempts, progress, ";
    private static final String SNAPSHOT_TAIL = ", result_type, error_message, cancel_requested, run_at, error_code, "
            + "owner, priority, expires_at, retry_of, traceparent, result_size, lease_owner, lease_until";
    static final String SNAPSHOT = SNAPSHOT_HEAD + "result" + SNAPSHOT_TAIL;
    /** The event columns, in the order {@link Rows#event} reads them (1 to 23). */
    static final String EVENT = "e.seq, e.kind, e.made_at, e.node, e.status, e.attempts, e.progress, e.started_at, "
            + "e.finished_at, e.run_at, e.error_code, e.error_message, e.cancel_requested, t.id, t.type, "
            + "t.submitted_at, t.owner, t.priority, t.expires_at, t.retry_of, t.traceparent, t.result_type, "
            + "t.result_size";
    private static final String TS = "TIMESTAMP WITH TIME ZONE";

    final JdbcTaskStore.Database database;
    final boolean pg;
    final String prefix;
    final String tasks;
    final String events;
    final String versions;
    final String nodes;
    final String types;
    final String webhooks;
    final String deliveries;
    /** A page's snapshot columns: results are read only when they would be inlined. */
    final String pageSnapshot;

    final String insert;
    final String insertEvent;
    final String find;
    final String findMany;
    final String findOwned;
    final String findPayload;
    final String findPayloadOwned;
    final String findManyOwned;
    final String findByKey;
    final String payloadSize;
    final String payloadSizeOwned;
    final String finishedCounts;
    final String taskEventsOwned;
    final String setPaused;
    final String pausedTypes;
    final String typeCounts;
    final String ensureType;
    final String lockType;
    final String countRunning;
    final String setTokens;
    final String update;
    final String renewLeases;
    final String countQueued;
    /** The earliest run time of a queued task: one look into the ready index per priority. */
    final String oldestQueuedRunAt;
    final String maxEventSeq;
    final String selectExpired;
    final String selectExpiring;
    final String purgeBefore;
    final String purgeBoundary;
    final String purgeUpTo;
    final String deleteEvents;
    final String deleteTasks;
    final String taskEvents;
    final String readEvents;
    final String heartbeat;
    final String listNodes;
    final String forgetNodes;
    final String forgetNode;
    final String countOtherNodes;
    final String notify;
    final String orderedIndexOnly;

    Dialect(JdbcTaskStore.Database database, String prefix) {
        if (!prefix.isEmpty() && !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("table prefix must match " + PREFIX.pattern() + ": '" + prefix + "'");
        }
        this.database = database;
        this.pg = database == JdbcTaskStore.Database.POSTGRESQL;
        this.prefix = prefix;
        this.tasks = prefix + "tasks";
        this.events = prefix + "events";
        this.versions = prefix + "schema_version";
        this.nodes = prefix + "nodes";
        this.types = prefix + "types";
        this.webhooks = prefix + "webhooks";
        this.deliveries = prefix + "webhook_deliveries";
        this.pageSnapshot = SNAPSHOT_HEAD + "CASE WHEN result_json AND result_size <= " + Limits.MAX_INLINE_RESULT_BYTES
                + " THEN result ELSE NULL END" + SNAPSHOT_TAIL;

        // 1 id, 2 type, 3 status, 4 submitted_at, 5 attempts, 6 run_at, 7 payload, 8 payload_type,
        // 9 idempotency_key, 10 payload_digest, 11 owner, 12 priority, 13 expires_at, 14 retry_of, 15 traceparent,
        // 16 callback_url, 17 started_at, 18 lease_owner, 19 lease_until (the last three: a task started at once)
        String ins = "INSERT INTO " + tasks + " (id, type, status, submitted_at, attempts, run_at, payload, "
                + "payload_type, idempotency_key, payload_digest, owner, priority, expires_at, retry_of, traceparent, "
                + "callback_url, started_at, lease_owner, lease_until) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        // PostgreSQL: a key taken meanwhile (another node) gives update count 0 instead of an error that
        // would abort the whole transaction. H2 has no such clause: a violation is caught and retried.
        this.insert = pg ? ins + " ON CONFLICT (owner, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING"
                : ins;

        // 1 task_id, 2 kind, 3 made_at, 4 node, 5 status, 6 attempts, 7 progress, 8 started_at, 9 finished_at,
        // 10 run_at, 11 error_code, 12 error_message, 13 cancel_requested [, 14 seq (H2)]
        String evCols = "task_id, kind, made_at, node, status, attempts, progress, started_at, finished_at, run_at, "
                + "error_code, error_message, cancel_requested";
        this.insertEvent = pg
                ? "INSERT INTO " + events + " (" + evCols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                : "INSERT INTO " + events + " (" + evCols + ", seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

        // 1 id
        this.find = "SELECT " + SNAPSHOT + " FROM " + tasks + " WHERE id = ?";
        // 1 array of ids
        this.findMany = "SELECT " + SNAPSHOT + " FROM " + tasks + " WHERE id = ANY(?) ORDER BY seq";
        // 1 array of ids, 2 owner
        this.findManyOwned = "SELECT " + SNAPSHOT + " FROM " + tasks + " WHERE id = ANY(?) AND owner = ? ORDER BY seq";
        // 1 id, 2 owner
        this.findOwned = "SELECT " + SNAPSHOT + " FROM " + tasks + " WHERE id = ? AND owner = ?";
        // 1 owner ('' for the anonymous one), 2 idempotency key: the unique (owner, idempotency_key) index
        this.findByKey = "SELECT " + SNAPSHOT + " FROM " + tasks + " WHERE owner = ? AND idempotency_key = ?";
        // 1 id [, 2 owner]: the payload's length, without reading the payload (PostgreSQL reads a
        // TOASTed value's size from its header)
        this.payloadSize = "SELECT OCTET_LENGTH(payload) FROM " + tasks + " WHERE id = ?";
        this.payloadSizeOwned = payloadSize + " AND owner = ?";
        // 1 since: tasks that finished since then, counted by type, state and minute. The range is read
        // on the finish-time index (tasks_finished_ix, also the purge's), so the cost follows the
        // tasks that finished in the range, never the table.
        // Only terminal tasks have a finish time, so the range alone is the condition: with a condition on
        // status too, H2 2.5 read the status index (every finished task) instead of the range. H2's
        // EXTRACT(EPOCH ...) computes a NUMERIC per row, about three times slower than DATEDIFF.
        String minute = pg ? "CAST(FLOOR(EXTRACT(EPOCH FROM finished_at) / 60) AS BIGINT)"
                : "DATEDIFF(MINUTE, TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00', finished_at)";
        this.finishedCounts = "SELECT type, status, " + minute + " AS m, COUNT(*) FROM " + tasks
                + " WHERE finished_at >= ? GROUP BY type, status, " + minute;
        // 1 id [, 2 owner]: with the payload
        this.findPayload = "SELECT " + SNAPSHOT + ", payload, payload_type, callback_url FROM " + tasks
                + " WHERE id = ?";
        this.findPayloadOwned = findPayload + " AND owner = ?";

        // The compare-and-set write of a decided snapshot (H2; PostgreSQL writes batches with PgApply).
        // 1 status, 2 started_at, 3 finished_at, 4 attempts, 5 progress, 6 result, 7 result_type, 8 result_size,
        // 9 result_json, 10 error_code, 11 error_message, 12 cancel_requested, 13 run_at, 14 set lease?,
        // 15 lease_owner, 16 set lease?, 17 lease_until; expected: 18 id, 19 status, 20 attempts,
        // 21 cancel_requested, 22 progress, 23 check lease?, 24 lease_until
        this.update = "UPDATE " + tasks + " SET status = ?, started_at = ?, finished_at = ?, attempts = ?, progress = ?, "
                + "result = ?, result_type = ?, result_size = ?, result_json = ?, error_code = ?, error_message = ?, "
                + "cancel_requested = ?, run_at = ?, lease_owner = CASE WHEN ? THEN CAST(? AS VARCHAR) ELSE lease_owner END, "
                + "lease_until = CASE WHEN ? THEN CAST(? AS " + TS + ") ELSE lease_until END "
                + "WHERE id = ? AND status = ? AND attempts = ? AND cancel_requested = ? "
                + "AND progress IS NOT DISTINCT FROM CAST(? AS SMALLINT) "
                + "AND (NOT ? OR lease_until IS NOT DISTINCT FROM CAST(? AS " + TS + "))";

        // 1 lease_until, 2 owner
        this.renewLeases = "UPDATE " + tasks + " SET lease_until = ? WHERE status = 'RUNNING' AND lease_owner = ?";

        this.countQueued = "SELECT COUNT(*) FROM " + tasks + " WHERE status = 'QUEUED'";
        // The ready index orders by priority first, so the earliest run time of all is the least of
        // each priority's first entry: 21 index look-ups rather than a scan of every queued row.
        StringBuilder oldest = new StringBuilder("SELECT MIN(r) FROM (");
        for (int p = io.asyncreply.task.Task.MAX_PRIORITY; p >= io.asyncreply.task.Task.MIN_PRIORITY; p--) {
            oldest.append(p == io.asyncreply.task.Task.MAX_PRIORITY ? "" : " UNION ALL ")
                    .append("(SELECT run_at AS r FROM ").append(tasks).append(" WHERE status = 'QUEUED' AND priority = ")
                    .append(p).append(" ORDER BY ").append(pg ? "" : "status, ").append("priority DESC, run_at LIMIT 1)");
        }
        this.oldestQueuedRunAt = oldest.append(") x").toString();
        this.maxEventSeq = "SELECT COALESCE(MAX(seq), 0) FROM " + events;

        // Rows a recovery may change: 1 now, 2 limit. SKIP LOCKED: nodes recovering at once pass each other.
        this.selectExpired = "SELECT " + SNAPSHOT + " FROM " + tasks + " WHERE status = 'RUNNING' AND lease_until < ? "
                + "ORDER BY lease_until LIMIT ?" + (pg ? " FOR UPDATE SKIP LOCKED" : "");
        // Queued rows past their expiry: 1 now, 2 limit
        this.selectExpiring = "SELECT " + SNAPSHOT + " FROM " + tasks + " WHERE status = 'QUEUED' AND expires_at <= ? "
                + "ORDER BY " + (pg ? "" : "status, ") + "expires_at LIMIT ?" + (pg ? " FOR UPDATE SKIP LOCKED" : "");

        // Purge picks ids, then deletes their events and them (see JdbcTaskStore#purge).
        // purgeBefore: 1 cutoff, 2 limit
        this.purgeBefore = "SELECT id FROM " + tasks + " WHERE finished_at < ? ORDER BY finished_at, seq LIMIT ?";
        // Beyond the newest keepAtMost, in two steps. purgeBoundary (1 keepAtMost) reads the newest finished
        // row that is one too many: one index walk of keepAtMost entries per purge. purgeUpTo (1 finished_at,
        // 2 finished_at, 3 seq, 4 limit) then picks that row and older ones, oldest first. Rows only ever
        // join the newest, so the boundary stays beyond keepAtMost, and nodes purging at once never delete
        // more than the surplus.
        this.purgeBoundary = "SELECT finished_at, seq FROM " + tasks + " WHERE finished_at IS NOT NULL "
                + "ORDER BY finished_at DESC, seq DESC LIMIT 1 OFFSET ?";
        this.purgeUpTo = "SELECT id FROM " + tasks + " WHERE finished_at <= ? AND (finished_at < ? OR seq <= ?) "
                + "ORDER BY finished_at, seq LIMIT ?";
        // 1 array of ids. Only terminal tasks are deleted: a row that is not terminal any more cannot be
        // (terminal rows never change), so the condition only guards against a caller's mistake.
        this.deleteEvents = "DELETE FROM " + events + " WHERE task_id = ANY(?)";
        this.deleteTasks = "DELETE FROM " + tasks + " WHERE id = ANY(?) AND finished_at IS NOT NULL";

        // 1 task id, 2 after seq, 3 limit
        this.taskEvents = "SELECT " + EVENT + " FROM " + events + " e JOIN " + tasks + " t ON t.id = e.task_id "
                + "WHERE e.task_id = ? AND e.seq > ? ORDER BY e.seq LIMIT ?";
        // 1 task id, 2 owner, 3 after seq, 4 limit
        this.taskEventsOwned = "SELECT " + EVENT + " FROM " + events + " e JOIN " + tasks + " t ON t.id = e.task_id "
                + "WHERE e.task_id = ? AND t.owner = ? AND e.seq > ? ORDER BY e.seq LIMIT ?";
        // PostgreSQL: 1 after seq, 2 limit; with the statement snapshot's xmin (xid8, as a number) in
        // column 1, then EVENT from column 2 (see PgEventLog). H2: 1 after seq, 2 up to seq, 3 limit.
        this.readEvents = pg
                ? "SELECT CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT), "
                        + "x.* FROM (SELECT 1) one "
                        + "LEFT JOIN LATERAL (SELECT " + EVENT + " FROM " + events + " e JOIN " + tasks
                        + " t ON t.id = e.task_id WHERE e.seq > ? ORDER BY e.seq LIMIT ?) x ON TRUE ORDER BY 2"
                : "SELECT " + EVENT + " FROM " + events + " e JOIN " + tasks + " t ON t.id = e.task_id "
                        + "WHERE e.seq > ? AND e.seq <= ? ORDER BY e.seq LIMIT ?";

        // node registry. heartbeat: 1 node_id, 2 started_at, 3 last_heartbeat, 4 running, 5 types (an upsert)
        String cols = " (node_id, started_at, last_heartbeat, running, types) ";
        this.heartbeat = pg ? "INSERT INTO " + nodes + cols + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (node_id) DO UPDATE "
                + "SET started_at = EXCLUDED.started_at, last_heartbeat = EXCLUDED.last_heartbeat, "
                + "running = EXCLUDED.running, types = EXCLUDED.types"
                : "MERGE INTO " + nodes + cols + "KEY (node_id) VALUES (?, ?, ?, ?, ?)";
        // 1 limit
        this.listNodes = "SELECT node_id, started_at, last_heartbeat, running, types FROM " + nodes
                + " ORDER BY node_id LIMIT ?";
        // 1 silent since
        this.forgetNodes = "DELETE FROM " + nodes + " WHERE last_heartbeat < ?";
        // 1 node id
        this.forgetNode = "DELETE FROM " + nodes + " WHERE node_id = ?";
        // 1 node id
        this.countOtherNodes = "SELECT COUNT(*) FROM " + nodes + " WHERE node_id <> ?";
        // PostgreSQL: 1 channel, 2 payload
        this.notify = "SELECT pg_notify(?, ?)";
        // types. setPaused: 1 type, 2 paused (an upsert)
        this.setPaused = pg ? "INSERT INTO " + types + " (type, paused) VALUES (?, ?) ON CONFLICT (type) DO UPDATE "
                + "SET paused = EXCLUDED.paused" : "MERGE INTO " + types + " (type, paused) KEY (type) VALUES (?, ?)";
        this.pausedTypes = "SELECT type FROM " + types + " WHERE paused";
        this.typeCounts = "SELECT type, status, COUNT(*) FROM " + tasks + " WHERE status IN ('QUEUED', 'RUNNING') "
                + "GROUP BY type, status";
        // 1 type: the row a claim of a limited type locks, made if missing
        this.ensureType = pg ? "INSERT INTO " + types + " (type) VALUES (?) ON CONFLICT (type) DO NOTHING"
                : "MERGE INTO " + types + " (type) KEY (type) VALUES (?)";
        // 1 type
        this.lockType = "SELECT paused, tokens, tokens_at FROM " + types + " WHERE type = ? FOR UPDATE";
        // 1 type: what runs of it on every node (the running rows are few: the lease index holds them)
        this.countRunning = "SELECT COUNT(*) FROM " + tasks + " WHERE status = 'RUNNING' AND type = ?";
        // 1 tokens, 2 tokens_at, 3 type
        this.setTokens = "UPDATE " + types + " SET tokens = ?, tokens_at = ? WHERE type = ?";
        // PostgreSQL, for the rest of the transaction: read queue rows through the index that orders them.
        // Without statistics (a new table; autovacuum off) the planner takes the table for nearly empty and
        // picked a bitmap scan of every queued row plus a sort for each claim (6.1 ms with 20,000 queued,
        // against 0.04 ms through the ready index). The queries that pick rows by an ordered index never
        // want a bitmap scan, a sequential scan or a sort. JIT off too: a plan that needs a sort anyway
        // (one the statement's own ORDER BY makes) is then costed above jit_above_cost, and compiling it
        // took 400 ms per claim.
        this.orderedIndexOnly = pg ? "SELECT set_config('enable_bitmapscan', 'off', true), "
                + "set_config('enable_seqscan', 'off', true), set_config('enable_sort', 'off', true), "
                + "set_config('jit', 'off', true)" : null;
    }

    /**
     * Ready tasks to claim. PostgreSQL: {@code FOR UPDATE SKIP LOCKED}, so concurrent claimers on
     * every node pass each other. H2 (embedded, its claimers share this JVM and take turns, see
     * {@link JdbcTaskStore#claim}): a plain read; the write's compare-and-set refuses a row that
     * changed since. Parameters: 1 now (run_at), 2 now (expiry), [3 array of types], then limit.
     */
    String selectReady(boolean byType) {
        return selectReady(byType ? " AND type = ANY(?)" : "", true);
    }

    /**
     * Ready tasks of the types a claim takes without limits: 1 now, 2 now, 3 array of types (or of
     * the limited types to leave out, when {@code exclude}), 4 limit. Paused types are left out.
     */
    String selectReadyUnlimited(boolean exclude) {
        return selectReady(exclude ? " AND NOT (type = ANY(?))" : " AND type = ANY(?)", true);
    }

    /** Ready tasks of one limited type (its row is locked, so it is not paused): 1 now, 2 now, 3 type, 4 limit. */
    String selectReadyOfType() {
        return selectReady(" AND type = ?", false);
    }

    private String selectReady(String typeCondition, boolean notPaused) {
        // "ORDER BY status, ..." on H2 although status is fixed: H2 2.5 only reads tasks_ready_ix in order
        // when the ORDER BY names its leading column too; without it, it sorted every queued row on each claim.
        return "SELECT " + SNAPSHOT + ", payload, payload_type FROM " + tasks + " t WHERE status = 'QUEUED' "
                + "AND run_at <= ? AND (expires_at IS NULL OR expires_at > ?)" + typeCondition
                + (notPaused ? " AND NOT EXISTS (SELECT 1 FROM " + types + " p WHERE p.type = t.type AND p.paused)" : "")
                + " ORDER BY " + (pg ? "" : "status, ") + "priority DESC, run_at, seq LIMIT ?"
                + (pg ? " FOR UPDATE OF t SKIP LOCKED" : "");
    }

    /**
     * Queued tasks to cancel in bulk, oldest first: [1 type] [2 owner] then limit; PostgreSQL skips
     * rows other transactions hold.
     */
    String selectQueued(boolean byType, boolean byOwner) {
        return "SELECT " + SNAPSHOT + " FROM " + tasks + " WHERE status = 'QUEUED'" + (byType ? " AND type = ?" : "")
                + (byOwner ? " AND owner = ?" : "") + " ORDER BY " + (pg ? "" : "status, ") + "seq LIMIT ?"
                + (pg ? " FOR UPDATE SKIP LOCKED" : "");
    }

    /**
     * PostgreSQL: inserts a group commit's admitted tasks from arrays and their {@code queued} events
     * from the insert's {@code RETURNING}, in one statement; optionally notifies (1 channel,
     * 2 the payload for ready tasks, after the arrays). A task with a {@code lease_until} whose type
     * is not paused is inserted started (see {@link io.asyncreply.store.NewTask#leaseUntil()}): RUNNING,
     * attempt 1, started at its submission, no run time, leased to its node, with a {@code started}
     * event after its {@code queued} one. Returns the ids inserted with their status: a task whose
     * key was taken after the look-up is left out ({@code ON CONFLICT DO NOTHING}). Arrays: 1 id,
     * 2 type, 3 submitted_at, 4 run_at (microseconds since the epoch), 5 payload, 6 payload_type,
     * 7 idempotency_key, 8 payload_digest, 9 owner, 10 priority, 11 expires_at (microseconds),
     * 12 retry_of, 13 traceparent, 14 node, 15 callback_url, 16 lease_until (microseconds, or null).
     * Two statements: a setting (one row), then the insert.
     */
    String insertWithEvents(boolean notify) {
        String ts = "(TIMESTAMPTZ 'epoch' + v.%s * INTERVAL '1 microsecond')";
        // A generic plan: left to choose, PostgreSQL plans this statement anew for every batch (custom
        // plans look cheaper to it), about 0.6 ms each. The setting goes in the same round trip.
        return "SELECT set_config('plan_cache_mode', 'force_generic_plan', true); WITH v AS (SELECT * FROM unnest(CAST(? AS varchar[]), CAST(? AS varchar[]), CAST(? AS bigint[]), "
                + "CAST(? AS bigint[]), CAST(? AS bytea[]), CAST(? AS text[]), CAST(? AS varchar[]), CAST(? AS bytea[]), "
                + "CAST(? AS varchar[]), CAST(? AS smallint[]), CAST(? AS bigint[]), CAST(? AS varchar[]), "
                + "CAST(? AS varchar[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS bigint[])) AS v(id, type, "
                + "submitted_at, run_at, payload, payload_type, idempotency_key, payload_digest, owner, priority, "
                + "expires_at, retry_of, traceparent, node, callback_url, lease_until)), "
                // go: started at once (asked for, and its type is not paused), as Transitions.claim at submission
                + "s AS (SELECT v.*, v.lease_until IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + types + " x "
                + "WHERE x.type = v.type AND x.paused) AS go FROM v), "
                + "t AS (INSERT INTO " + tasks + " (id, type, status, submitted_at, attempts, started_at, run_at, "
                + "payload, payload_type, idempotency_key, payload_digest, owner, priority, expires_at, retry_of, "
                + "traceparent, callback_url, lease_owner, lease_until) SELECT v.id, v.type, "
                + "CASE WHEN v.go THEN 'RUNNING' ELSE 'QUEUED' END, " + String.format(ts, "submitted_at") + ", "
                + "CASE WHEN v.go THEN 1 ELSE 0 END, CASE WHEN v.go THEN " + String.format(ts, "submitted_at") + " END, "
                + "CASE WHEN v.go THEN NULL ELSE " + String.format(ts, "run_at") + " END, v.payload, v.payload_type, "
                + "v.idempotency_key, v.payload_digest, v.owner, v.priority, " + String.format(ts, "expires_at") + ", "
                + "v.retry_of, v.traceparent, v.callback_url, CASE WHEN v.go THEN v.node END, "
                + "CASE WHEN v.go THEN " + String.format(ts, "lease_until") + " END FROM s v "
                + "ON CONFLICT (owner, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING "
                + "RETURNING id, status, submitted_at, started_at), "
                // queued events first, then started ones: each task's events in the order of its changes
                + "e AS (INSERT INTO " + events + " (task_id, kind, made_at, node, status, attempts, started_at, "
                + "run_at, cancel_requested) SELECT x.id, x.kind, x.made_at, x.node, x.status, x.attempts, "
                + "x.started_at, x.run_at, false FROM (SELECT t.id, 'queued' AS kind, t.submitted_at AS made_at, "
                + "v.node, 'QUEUED' AS status, 0 AS attempts, CAST(NULL AS timestamptz) AS started_at, "
                + String.format(ts, "run_at") + " AS run_at, 0 AS k FROM t JOIN v ON v.id = t.id "
                + "UNION ALL SELECT t.id, 'started', t.submitted_at, v.node, 'RUNNING', 1, t.started_at, NULL, 1 "
                + "FROM t JOIN v ON v.id = t.id WHERE t.status = 'RUNNING') x ORDER BY x.k) "
                + "SELECT t.id, t.status" + (notify ? ", pg_notify(?, CASE WHEN t.status = 'QUEUED' THEN ? ELSE '' END)"
                : "") + " FROM t";
    }

    /** The snapshot plus key columns of tasks holding any of {@code n} (owner, idempotency key) pairs. */
    String findKeys(int n) {
        StringBuilder sb = new StringBuilder("SELECT ").append(SNAPSHOT)
                .append(", idempotency_key, payload_digest FROM ").append(tasks)
                .append(" WHERE (owner, idempotency_key) IN (");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "(?, ?)" : ", (?, ?)");
        }
        return sb.append(')').toString();
    }

    /**
     * A page of the list: {@code status}, {@code type}, {@code owner} and {@code before} say which
     * filters are bound, in that order, then the limit. {@code namedOwner}: the owner bound is not
     * the anonymous one ({@code ''}).
     */
    String list(boolean status, boolean type, boolean owner, boolean namedOwner, boolean before) {
        StringBuilder sb = new StringBuilder("SELECT ").append(pageSnapshot).append(" FROM ").append(tasks)
                .append(" WHERE 1 = 1");
        if (status) {
            sb.append(" AND status = ?");
        }
        if (type) {
            sb.append(" AND type = ?");
        }
        if (owner) {
            // The second condition is the predicate of the partial owner index (tasks_owner_seq_ix,
            // PostgreSQL): stated, it lets a generic plan of this statement use that index, whose
            // predicate a bound parameter alone cannot be proven to imply.
            sb.append(" AND owner = ?").append(pg && namedOwner ? " AND owner <> ''" : "");
        }
        if (before) {
            sb.append(" AND seq < ?");
        }
        // Name the filtered column first (see selectReady): H2 then reads tasks_status_seq_ix or
        // tasks_type_seq_ix in order and stops after LIMIT rows instead of sorting every match.
        sb.append(" ORDER BY ");
        if (owner && !pg) {
            sb.append("owner DESC, ");
        } else if (status) {
            sb.append("status DESC, ");
        } else if (type) {
            sb.append("type DESC, ");
        }
        return sb.append("seq DESC LIMIT ?").toString();
    }

    /**
     * Makes a committed transaction durable against a killed process, where the database does not
     * by itself: H2's MVStore writes committed changes from a background thread up to a second
     * later, so after a group commit the store asks it to write now ({@code CHECKPOINT}, which in
     * H2 2.x is a store commit without compaction; a no-op for in-memory databases). PostgreSQL
     * has flushed its WAL at COMMIT.
     *
     * @return false when the database refused (H2: the user lacks admin rights)
     */
    boolean flushAfterCommit(Connection c) throws SQLException {
        if (pg) {
            return true;
        }
        try (Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
            return true;
        } catch (SQLException e) {
            if ("90040".equals(e.getSQLState())) { // admin rights are required
                return false;
            }
            throw e;
        }
    }

    /**
     * Serializes schema migrations across nodes for the rest of {@code c}'s transaction. PostgreSQL:
     * a transaction-scoped advisory lock keyed by schema and prefix, released at commit or rollback.
     * H2 has no such lock and commits DDL at once; {@link Schema} serializes within the JVM instead.
     */
    void lockForMigration(Connection c) throws SQLException {
        if (!pg) {
            return;
        }
        String schema = c.getSchema();
        int key = ("asyncreply:" + schema + ":" + prefix).hashCode();
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
            ps.setInt(1, 0x61727279); // "arry": this library's advisory lock class
            ps.setInt(2, key);
            ps.execute();
        }
    }

    /** The migration scripts' folder on the class path. */
    String scriptFolder() {
        return pg ? "postgresql" : "h2";
    }

    /** The SQL array element type for task ids. */
    String idArrayType() {
        return "VARCHAR";
    }
}
