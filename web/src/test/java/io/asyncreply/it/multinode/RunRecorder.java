package io.asyncreply.it.multinode;

import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Test-only task type {@value #TYPE}, deployed into the nodes' WAR by {@link MultiNodeWar}: sleeps
 * for the payload's number of milliseconds (ASCII digits, at most 10 minutes) and records each
 * attempt in PostgreSQL, table {@value #RUNS} in the schema of {@code asyncreply.jdbc.url}: one row
 * (task id, attempt, node, start, end) per attempt, with PRIMARY KEY (task_id, attempt). An attempt
 * that finds its (task, attempt) already recorded (the same attempt running twice) is written to
 * {@value #DUPLICATES} and fails. Times come from the database's clock ({@code clock_timestamp()}),
 * one clock for all nodes. The result is the node's id.
 *
 * <p>Runs in the nodes' JVMs, inside the web application: it uses only the JDK, core and the
 * PostgreSQL driver of the WAR, and opens one unpooled connection per write.
 */
public final class RunRecorder implements TaskHandler {
    public static final String TYPE = "mn-record";
    public static final String RUNS = "mn_runs";
    public static final String DUPLICATES = "mn_duplicates";
    private static final long MAX_MILLIS = 600_000;

    /** The tables' DDL, run by the test before the nodes start. */
    public static final String[] DDL = {
        "CREATE TABLE " + RUNS + " (task_id TEXT NOT NULL, attempt INTEGER NOT NULL, node TEXT NOT NULL, "
                + "started_at TIMESTAMPTZ NOT NULL, ended_at TIMESTAMPTZ, ended_how TEXT, "
                + "PRIMARY KEY (task_id, attempt))",
        "CREATE TABLE " + DUPLICATES + " (task_id TEXT NOT NULL, attempt INTEGER NOT NULL, node TEXT NOT NULL, "
                + "at TIMESTAMPTZ NOT NULL)",
    };

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public TaskResult handle(TaskContext context) throws Exception {
        long millis = Math.min(MAX_MILLIS, Long.parseLong(new String(context.payload(), StandardCharsets.US_ASCII).trim()));
        String node = System.getProperty("asyncreply.node-id", "unnamed");
        String id = context.taskId();
        int attempt = context.attempt();
        try {
            write("INSERT INTO " + RUNS + " (task_id, attempt, node, started_at) VALUES (?, ?, ?, clock_timestamp())",
                    id, attempt, node);
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                write("INSERT INTO " + DUPLICATES + " (task_id, attempt, node, at) VALUES (?, ?, ?, clock_timestamp())",
                        id, attempt, node);
            }
            throw e;
        }
        String how = "interrupted";
        try {
            Thread.sleep(millis);
            how = "returned";
        } finally {
            write("UPDATE " + RUNS + " SET ended_at = clock_timestamp(), ended_how = '" + how
                    + "' WHERE task_id = ? AND attempt = ? AND node = ?", id, attempt, node);
        }
        return TaskResult.of(node.getBytes(StandardCharsets.UTF_8), "text/plain");
    }

    private static void write(String sql, String id, int attempt, String node) throws SQLException {
        String url = System.getProperty("asyncreply.jdbc.url");
        try (Connection c = new org.postgresql.Driver().connect(url, new Properties());
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            ps.setInt(2, attempt);
            ps.setString(3, node);
            ps.executeUpdate();
        }
    }
}
