package io.asyncreply.store.jdbc;

import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Reads rows selected with {@link Dialect#SNAPSHOT} (columns 1 to 23) into tasks, and rows
 * selected with {@link Dialect#EVENT} into events; binds tasks and events into
 * {@link Dialect#update} and {@link Dialect#insertEvent}.
 *
 * <p>Hazard: positions, not names, so that H2's upper-case labels and PostgreSQL's lower-case ones
 * need no care; a change of {@link Dialect#SNAPSHOT} or {@link Dialect#EVENT} must change this class.
 */
final class Rows {
    /**
     * Columns after the snapshot: payload and its type (claim), key and digest (key look-up),
     * payload, its type and the callback (read for a retry).
     */
    static final int EXTRA_1 = 24;
    static final int EXTRA_2 = 25;
    static final int EXTRA_3 = 26;
    private static final int LEASE_OWNER = 22;
    private static final int LEASE_UNTIL = 23;

    private Rows() {
    }

    /** A task snapshot and its lease, as read. */
    record Leased(Task task, String leaseOwner, Instant leaseUntil) {
    }

    static long seq(ResultSet rs) throws SQLException {
        return rs.getLong(1);
    }

    /** How an instant column is read: as a timestamp ({@link Sql#getInstant}) or as microseconds ({@link Sql#getMicros}). */
    interface Instants {
        Instant at(ResultSet rs, int index) throws SQLException;
    }

    static Task task(ResultSet rs) throws SQLException {
        return task(rs, Sql::getInstant);
    }

    /** A snapshot whose instant columns are read by {@code in}. */
    static Task task(ResultSet rs, Instants in) throws SQLException {
        String id = rs.getString(2);
        String type = rs.getString(3);
        TaskStatus status = TaskStatus.valueOf(rs.getString(4));
        int attempts = rs.getInt(8);
        int p = rs.getInt(9);
        Integer progress = rs.wasNull() ? null : p;
        byte[] resultBytes = rs.getBytes(10);
        String resultType = rs.getString(11);
        long resultSize = rs.getLong(21);
        TaskResult result = result(status, resultBytes, resultType, resultSize);
        String message = rs.getString(12);
        String code = rs.getString(15);
        return new Task(id, type, status, in.at(rs, 5), in.at(rs, 6), in.at(rs, 7),
                attempts, progress, result, error(code, message), rs.getBoolean(13), in.at(rs, 14),
                owner(rs.getString(16)), rs.getInt(17), in.at(rs, 18), rs.getString(19), rs.getString(20));
    }

    static Leased leased(ResultSet rs) throws SQLException {
        return new Leased(task(rs), rs.getString(LEASE_OWNER), Sql.getInstant(rs, LEASE_UNTIL));
    }

    private static TaskResult result(TaskStatus status, byte[] bytes, String type, long size) {
        if (status != TaskStatus.SUCCEEDED) {
            return null;
        }
        String contentType = type == null ? "application/octet-stream" : type;
        if (bytes != null) {
            return TaskResult.of(bytes, contentType);
        }
        return type == null ? null : TaskResult.summary(contentType, size);
    }

    private static TaskError error(String code, String message) {
        return message == null ? null : new TaskError(code == null ? TaskError.HANDLER_ERROR : code, message);
    }

    /** The anonymous owner is stored as '' (so that it takes part in the unique key) and read as null. */
    static String owner(String stored) {
        return stored == null || stored.isEmpty() ? null : stored;
    }

    static String storedOwner(Task t) {
        return t.owner() == null ? "" : t.owner();
    }

    /** An event row at columns {@code from} to {@code from + 22} (see {@link Dialect#EVENT}). */
    static TaskEvent event(ResultSet rs, int from) throws SQLException {
        int o = from - 1;
        long seq = rs.getLong(o + 1);
        TaskEvent.Kind kind = TaskEvent.Kind.ofWireName(rs.getString(o + 2));
        Instant at = Sql.getInstant(rs, o + 3);
        String node = rs.getString(o + 4);
        TaskStatus status = TaskStatus.valueOf(rs.getString(o + 5));
        int attempts = rs.getInt(o + 6);
        int p = rs.getInt(o + 7);
        Integer progress = rs.wasNull() ? null : p;
        Instant startedAt = Sql.getInstant(rs, o + 8);
        Instant finishedAt = Sql.getInstant(rs, o + 9);
        Instant runAt = Sql.getInstant(rs, o + 10);
        TaskError error = error(rs.getString(o + 11), rs.getString(o + 12));
        boolean cancelRequested = rs.getBoolean(o + 13);
        String id = rs.getString(o + 14);
        String type = rs.getString(o + 15);
        Instant submittedAt = Sql.getInstant(rs, o + 16);
        String owner = owner(rs.getString(o + 17));
        int priority = rs.getInt(o + 18);
        Instant expiresAt = Sql.getInstant(rs, o + 19);
        String retryOf = rs.getString(o + 20);
        String traceparent = rs.getString(o + 21);
        TaskResult result = result(status, null, rs.getString(o + 22), rs.getLong(o + 23));
        if (kind == null) {
            throw new SQLException("unknown event kind in the event log, event " + seq, "22000");
        }
        Task task = new Task(id, type, status, submittedAt, startedAt, finishedAt, attempts, progress, result, error,
                cancelRequested, runAt, owner, priority, expiresAt, retryOf, traceparent);
        return TaskEvent.of(kind, seq, task, node, at);
    }

    /** Binds {@link Dialect#update} for {@code p}. */
    static void bindUpdate(PreparedStatement ps, ChangeWriter.Planned p) throws SQLException {
        Task before = p.before();
        Task after = p.change().after();
        TaskResult r = after.result();
        boolean ok = after.status() == TaskStatus.SUCCEEDED && r != null;
        ps.setString(1, after.status().name());
        Sql.setInstant(ps, 2, after.startedAt());
        Sql.setInstant(ps, 3, after.finishedAt());
        ps.setInt(4, after.attempts());
        setProgress(ps, 5, after.progress());
        Sql.setBytes(ps, 6, ok ? r.bytes() : null);
        Sql.setString(ps, 7, ok ? r.contentType() : null);
        if (ok) {
            ps.setLong(8, r.size());
        } else {
            ps.setNull(8, java.sql.Types.BIGINT);
        }
        ps.setBoolean(9, ok && r.isJson());
        TaskError e = after.error();
        Sql.setString(ps, 10, e == null ? null : e.code());
        Sql.setString(ps, 11, e == null ? null : e.message());
        ps.setBoolean(12, after.cancelRequested());
        Sql.setInstant(ps, 13, after.runAt());
        ps.setBoolean(14, p.setLease());
        Sql.setString(ps, 15, p.leaseOwner());
        ps.setBoolean(16, p.setLease());
        Sql.setInstant(ps, 17, p.leaseUntil());
        ps.setString(18, before.id());
        ps.setString(19, before.status().name());
        ps.setInt(20, before.attempts());
        ps.setBoolean(21, before.cancelRequested());
        setProgress(ps, 22, before.progress());
        ps.setBoolean(23, p.checkLease());
        Sql.setInstant(ps, 24, p.expectedLeaseUntil());
    }

    private static void setProgress(PreparedStatement ps, int index, Integer progress) throws SQLException {
        if (progress == null) {
            ps.setNull(index, java.sql.Types.SMALLINT);
        } else {
            ps.setShort(index, progress.shortValue());
        }
    }

    /** Binds {@link Dialect#insertEvent} for {@code event} of {@code task}; {@code seq} is bound only when positive (H2). */
    static void bindEvent(PreparedStatement ps, TaskEvent.Kind kind, Task task, String node, Instant at, long seq)
            throws SQLException {
        ps.setString(1, task.id());
        ps.setString(2, kind.wireName());
        Sql.setInstant(ps, 3, at);
        Sql.setString(ps, 4, node);
        ps.setString(5, task.status().name());
        ps.setInt(6, task.attempts());
        setProgress(ps, 7, task.progress());
        Sql.setInstant(ps, 8, task.startedAt());
        Sql.setInstant(ps, 9, task.finishedAt());
        Sql.setInstant(ps, 10, task.runAt());
        TaskError e = task.error();
        Sql.setString(ps, 11, e == null ? null : e.code());
        Sql.setString(ps, 12, e == null ? null : e.message());
        ps.setBoolean(13, task.cancelRequested());
        if (seq > 0) {
            ps.setLong(14, seq);
        }
    }
}
