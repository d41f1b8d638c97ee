package io.asyncreply.store.jdbc;

import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Reads rows selected with {@link Dialect#SNAPSHOT} (columns 1 to 14, by position) into tasks.
 *
 * <p>Hazard: positions, not names, so that H2's upper-case delta-table labels and PostgreSQL's
 * lower-case ones need no care; a change of {@link Dialect#SNAPSHOT} must change this class.
 */
final class Rows {
    /** Columns after the snapshot: payload and its type (claim), key and digest (key lookup). */
    static final int EXTRA_1 = 15;
    static final int EXTRA_2 = 16;

    private Rows() {
    }

    static long seq(ResultSet rs) throws SQLException {
        return rs.getLong(1);
    }

    static Task task(ResultSet rs) throws SQLException {
        String id = rs.getString(2);
        String type = rs.getString(3);
        TaskStatus status = TaskStatus.valueOf(rs.getString(4));
        int attempts = rs.getInt(8);
        int p = rs.getInt(9);
        Integer progress = rs.wasNull() ? null : p;
        byte[] resultBytes = rs.getBytes(10);
        String resultType = rs.getString(11);
        TaskResult result = resultBytes == null || status != TaskStatus.SUCCEEDED ? null
                : TaskResult.of(resultBytes, resultType == null ? "application/octet-stream" : resultType);
        String message = rs.getString(12);
        return new Task(id, type, status, Sql.getInstant(rs, 5), Sql.getInstant(rs, 6), Sql.getInstant(rs, 7),
                attempts, progress, result, message == null ? null : new TaskError(message), rs.getBoolean(13),
                Sql.getInstant(rs, 14));
    }
}
