package io.asyncreply.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * The SQL of one database for one table prefix, built once. Every state change is one conditional
 * UPDATE whose WHERE clause is the compare-and-set (current status and, for a running task, the
 * attempt number, which is the fencing token); the new row comes back from the same statement
 * ({@code RETURNING} on PostgreSQL, a {@code FINAL TABLE} data-change delta table on H2).
 *
 * <p>Hazards: the table prefix is pasted into SQL, so it is checked against
 * {@link #PREFIX} here and nowhere else; no other caller-supplied text is ever pasted into SQL.
 * Parameter positions are documented beside each statement and must match {@code JdbcTaskStore}.
 * Every {@code ?} inside a CASE is CAST, because PostgreSQL cannot infer its type there.
 */
final class Dialect {
    /** Allowed table name prefixes: unquoted identifiers, so that every database folds them alike. */
    static final Pattern PREFIX = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,29}");

    /** The row snapshot columns, in the order {@link Rows#task} reads them. */
    static final String SNAPSHOT = "seq, id, type, status, submitted_at, started_at, finished_at, attempts, progress, "
            + "result, result_type, error_message, cancel_requested, run_at";
    private static final String TS = "TIMESTAMP WITH TIME ZONE";

    final JdbcTaskStore.Database database;
    final String prefix;
    final String tasks;
    final String versions;
    final String nodes;
    private final String binary;

    final String insert;
    final String find;
    final String claim;
    final String claimReady;
    final String claimSeq;
    final String renewLeases;
    final String finish;
    final String requeue;
    final String progress;
    final String cancel;
    final String recoverExpired;
    final String countQueued;
    final String purgeBefore;
    final String purgeBoundary;
    final String purgeUpTo;
    final String heartbeat;
    final String listNodes;
    final String forgetNodes;

    Dialect(JdbcTaskStore.Database database, String prefix) {
        if (!prefix.isEmpty() && !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("table prefix must match " + PREFIX.pattern() + ": '" + prefix + "'");
        }
        this.database = database;
        this.prefix = prefix;
        this.tasks = prefix + "tasks";
        this.versions = prefix + "schema_version";
        this.nodes = prefix + "nodes";
        this.binary = database == JdbcTaskStore.Database.POSTGRESQL ? "BYTEA" : "BINARY VARYING";

        // 1 id, 2 type, 3 status, 4 submitted_at, 5 attempts, 6 run_at, 7 payload, 8 payload_type,
        // 9 idempotency_key, 10 payload_digest
        String ins = "INSERT INTO " + tasks + " (id, type, status, submitted_at, attempts, run_at, payload, "
                + "payload_type, idempotency_key, payload_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        // PostgreSQL: a key taken meanwhile (another node) gives update count 0 instead of an error that
        // would abort the whole transaction. H2 has no such clause: a violation is caught and retried.
        this.insert = database == JdbcTaskStore.Database.POSTGRESQL ? ins + " ON CONFLICT (idempotency_key) DO NOTHING"
                : ins;

        // 1 id
        this.find = "SELECT " + SNAPSHOT + " FROM " + tasks + " WHERE id = ?";

        boolean pg = database == JdbcTaskStore.Database.POSTGRESQL;
        String claimSet = "UPDATE " + tasks + " SET status = 'RUNNING', attempts = attempts + 1, started_at = ?, "
                + "run_at = NULL, finished_at = NULL, result = NULL, result_type = NULL, cancel_requested = FALSE, "
                + "lease_owner = ?, lease_until = ? ";
        // "ORDER BY status, ..." although status is fixed: H2 2.5 only reads tasks_claim_ix in order when
        // the ORDER BY names its leading column too; without it, it sorted every queued row on each claim
        // (measured: 40-550 ms per claim with 60,000 queued, against 0.6 ms). PostgreSQL plans both alike.
        String ready = "SELECT seq FROM " + tasks + " WHERE status = 'QUEUED' AND run_at <= ? "
                + "ORDER BY status, run_at, seq LIMIT 1";
        // PostgreSQL, one statement: 1 started_at, 2 lease_owner, 3 lease_until, 4 now. SKIP LOCKED lets
        // concurrent claimers on every node pass each other; the outer status check is the CAS.
        // H2, two statements run under an in-process lock (see JdbcTaskStore#claim): H2 2.5 applies
        // LIMIT before skipping locked rows, so a SKIP LOCKED claim comes back empty whenever the
        // oldest ready row is locked; measured: 8 threads claimed 15 of 1,000 ready tasks.
        // claimReady: 1 now; claimSeq: 1 started_at, 2 lease_owner, 3 lease_until, 4 seq.
        this.claim = pg ? returning(claimSet + "WHERE seq = (" + ready + " FOR UPDATE SKIP LOCKED) AND status = 'QUEUED'",
                SNAPSHOT + ", payload, payload_type") : null;
        this.claimReady = pg ? null : ready;
        this.claimSeq = pg ? null : returning(claimSet + "WHERE seq = ? AND status = 'QUEUED'",
                SNAPSHOT + ", payload, payload_type");

        // 1 lease_until, 2 owner
        this.renewLeases = "UPDATE " + tasks + " SET lease_until = ? WHERE status = 'RUNNING' AND lease_owner = ?";

        // 1 status, 2 finished_at, 3 result, 4 result_type, 5 error_message, 6 id, 7 attempt
        this.finish = returning("UPDATE " + tasks + " SET "
                + "status = CASE WHEN cancel_requested THEN 'CANCELLED' ELSE CAST(? AS VARCHAR(16)) END, "
                + "finished_at = ?, "
                + "result = CASE WHEN cancel_requested THEN NULL ELSE CAST(? AS " + binary + ") END, "
                + "result_type = CASE WHEN cancel_requested THEN NULL ELSE CAST(? AS VARCHAR) END, "
                + "error_message = CASE WHEN cancel_requested THEN NULL ELSE CAST(? AS VARCHAR) END, "
                + "run_at = NULL, lease_owner = NULL, lease_until = NULL "
                + "WHERE id = ? AND status = 'RUNNING' AND attempts = ?", SNAPSHOT);

        // 1 run_at, 2 finished_at (if cancelled), 3 error_message, 4 id, 5 attempt
        this.requeue = returning("UPDATE " + tasks + " SET "
                + "status = CASE WHEN cancel_requested THEN 'CANCELLED' ELSE 'QUEUED' END, "
                + "run_at = CASE WHEN cancel_requested THEN NULL ELSE CAST(? AS " + TS + ") END, "
                + "finished_at = CASE WHEN cancel_requested THEN CAST(? AS " + TS + ") ELSE NULL END, "
                + "error_message = CASE WHEN cancel_requested THEN NULL ELSE CAST(? AS VARCHAR) END, "
                + "result = NULL, result_type = NULL, lease_owner = NULL, lease_until = NULL "
                + "WHERE id = ? AND status = 'RUNNING' AND attempts = ?", SNAPSHOT);

        // 1 progress, 2 id, 3 attempt
        this.progress = "UPDATE " + tasks + " SET progress = ? WHERE id = ? AND status = 'RUNNING' AND attempts = ?";

        // 1 finished_at, 2 id. QUEUED -> CANCELLED; RUNNING -> cancel requested. The new status tells which.
        this.cancel = returning("UPDATE " + tasks + " SET "
                + "finished_at = CASE WHEN status = 'QUEUED' THEN CAST(? AS " + TS + ") ELSE finished_at END, "
                + "run_at = CASE WHEN status = 'QUEUED' THEN NULL ELSE run_at END, "
                + "error_message = CASE WHEN status = 'QUEUED' THEN NULL ELSE error_message END, "
                + "cancel_requested = CASE WHEN status = 'RUNNING' THEN TRUE ELSE cancel_requested END, "
                + "status = CASE WHEN status = 'QUEUED' THEN 'CANCELLED' ELSE status END "
                + "WHERE id = ? AND status IN ('QUEUED', 'RUNNING')", SNAPSHOT);

        // 1 maxAttempts, 2 maxAttempts, 3 now (finished_at), 4 maxAttempts, 5 now (run_at), 6 maxAttempts,
        // 7 now (expiry, subquery), 8 limit, 9 now (expiry, re-checked on the locked row)
        this.recoverExpired = returning("UPDATE " + tasks + " SET "
                + "status = CASE WHEN cancel_requested THEN 'CANCELLED' WHEN attempts >= CAST(? AS INTEGER) "
                + "THEN 'FAILED' ELSE 'QUEUED' END, "
                + "finished_at = CASE WHEN cancel_requested OR attempts >= CAST(? AS INTEGER) "
                + "THEN CAST(? AS " + TS + ") ELSE NULL END, "
                + "run_at = CASE WHEN cancel_requested OR attempts >= CAST(? AS INTEGER) THEN NULL "
                + "ELSE CAST(? AS " + TS + ") END, "
                + "error_message = CASE WHEN cancel_requested THEN NULL "
                + "WHEN attempts >= CAST(? AS INTEGER) THEN 'Abandoned after ' || CAST(attempts AS VARCHAR(11)) "
                + "|| ' attempts whose workers stopped without finishing.' "
                + "ELSE 'Attempt ' || CAST(attempts AS VARCHAR(11)) "
                + "|| ' stopped without finishing (its worker''s lease expired).' END, "
                + "result = NULL, result_type = NULL, lease_owner = NULL, lease_until = NULL "
                + "WHERE seq IN (SELECT seq FROM " + tasks + " WHERE status = 'RUNNING' AND lease_until < ? "
                + "ORDER BY lease_until LIMIT ?" + (pg ? " FOR UPDATE SKIP LOCKED" : "") + ") "
                + "AND status = 'RUNNING' AND lease_until < ?", SNAPSHOT);

        // Chunked statements (recovery above, purges below) pick their rows with "seq IN (SELECT ...
        // LIMIT ?)". H2 2.5 may re-evaluate that subquery while the statement changes rows and so
        // change more rows than the LIMIT (seen: 3 with LIMIT 2). Harmless, because each predicate
        // (expired lease; finished before the cutoff; beyond the newest keepAtMost) stays true of the
        // rows it selects as rows are changed, but callers loop while n >= LIMIT, not n == LIMIT.
        this.countQueued = "SELECT COUNT(*) FROM " + tasks + " WHERE status = 'QUEUED'";

        // 1 cutoff, 2 batch
        // H2 re-evaluates a "seq IN (SELECT ... LIMIT ?)" subquery for every row it deletes, so the
        // chunked deletes cost O(chunk^2) index reads there (measured: 8.3 s for a chunk of 1,000,
        // against 0.1-0.4 s): H2 deletes with its own "FETCH FIRST ? ROWS ONLY" instead, which
        // PostgreSQL does not have.
        this.purgeBefore = pg ? "DELETE FROM " + tasks + " WHERE seq IN (SELECT seq FROM " + tasks
                + " WHERE finished_at < ? ORDER BY finished_at, seq LIMIT ?)"
                : "DELETE FROM " + tasks + " WHERE finished_at < ? FETCH FIRST ? ROWS ONLY";
        // Beyond the newest keepAtMost, in two steps. purgeBoundary (1 keepAtMost) reads the newest
        // finished row that is one too many: one index walk of keepAtMost entries per purge. (The former
        // single "DELETE ... IN (... OFFSET keepAtMost)" made H2 walk them again for every chunk, and
        // took 29% of the CPU of an H2 intake benchmark.) purgeUpTo (1 finished_at, 2 finished_at,
        // 3 seq, 4 batch) then deletes that row and every older one, oldest first. Rows only ever
        // join the newest, so the boundary stays beyond keepAtMost, and nodes purging at once never
        // delete more than the surplus.
        this.purgeBoundary = "SELECT finished_at, seq FROM " + tasks + " WHERE finished_at IS NOT NULL "
                + "ORDER BY finished_at DESC, seq DESC LIMIT 1 OFFSET ?";
        String upTo = "finished_at <= ? AND (finished_at < ? OR seq <= ?)";
        this.purgeUpTo = pg ? "DELETE FROM " + tasks + " WHERE seq IN (SELECT seq FROM " + tasks + " WHERE " + upTo
                + " ORDER BY finished_at, seq LIMIT ?)" : "DELETE FROM " + tasks + " WHERE " + upTo + " FETCH FIRST ? ROWS ONLY";

        // node registry. heartbeat: 1 node_id, 2 started_at, 3 last_heartbeat, 4 running (an upsert)
        String cols = " (node_id, started_at, last_heartbeat, running) ";
        this.heartbeat = pg ? "INSERT INTO " + nodes + cols + "VALUES (?, ?, ?, ?) ON CONFLICT (node_id) DO UPDATE "
                + "SET started_at = EXCLUDED.started_at, last_heartbeat = EXCLUDED.last_heartbeat, "
                + "running = EXCLUDED.running"
                : "MERGE INTO " + nodes + cols + "KEY (node_id) VALUES (?, ?, ?, ?)";
        // 1 limit
        this.listNodes = "SELECT node_id, started_at, last_heartbeat, running FROM " + nodes
                + " ORDER BY node_id LIMIT ?";
        // 1 silent since
        this.forgetNodes = "DELETE FROM " + nodes + " WHERE last_heartbeat < ?";
    }

    /** An UPDATE that yields the changed rows' {@code columns} when run with executeQuery. */
    private String returning(String update, String columns) {
        return database == JdbcTaskStore.Database.POSTGRESQL ? update + " RETURNING " + columns
                : "SELECT " + columns + " FROM FINAL TABLE (" + update + ")";
    }

    /** The snapshot plus key columns of tasks holding any of {@code n} idempotency keys. */
    String findKeys(int n) {
        StringBuilder sb = new StringBuilder("SELECT ").append(SNAPSHOT)
                .append(", idempotency_key, payload_digest FROM ").append(tasks).append(" WHERE idempotency_key IN (");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "?" : ", ?");
        }
        return sb.append(')').toString();
    }

    /**
     * A page of the list: {@code status}, {@code type} and {@code before} say which filters are
     * bound, in that order, then the limit.
     */
    String list(boolean status, boolean type, boolean before) {
        StringBuilder sb = new StringBuilder("SELECT ").append(SNAPSHOT).append(" FROM ").append(tasks)
                .append(" WHERE 1 = 1");
        if (status) {
            sb.append(" AND status = ?");
        }
        if (type) {
            sb.append(" AND type = ?");
        }
        if (before) {
            sb.append(" AND seq < ?");
        }
        // Name the filtered column first (see "ready" above): H2 then reads tasks_status_seq_ix or
        // tasks_type_seq_ix in order and stops after LIMIT rows instead of sorting every match.
        sb.append(" ORDER BY ");
        if (status) {
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
        if (database != JdbcTaskStore.Database.H2) {
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
        if (database != JdbcTaskStore.Database.POSTGRESQL) {
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
        return database == JdbcTaskStore.Database.POSTGRESQL ? "postgresql" : "h2";
    }
}
