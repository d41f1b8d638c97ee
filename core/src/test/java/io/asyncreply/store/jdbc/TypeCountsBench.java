package io.asyncreply.store.jdbc;

import io.asyncreply.engine.TaskService;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Not a test: the count of queued and running tasks per type behind {@code TaskService.typeInfos()}
 * (the dashboard's overview), with the 1,000,000 tasks of {@link MillionTasksBench} (20,000 queued),
 * every 500th queued one set running: the store's query and an alternative, each with its plan, the
 * store's query with an extra index on {@code (status, type)} (created for the measurement, then
 * dropped), and the store's and the service's reads around it. docs/benchmarks.md reports its
 * output. Run from the repository root after {@code mvn -B -q -pl core test-compile}:
 *
 * <pre>
 * mvn -B -q -pl core dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp core/target/test-classes:core/target/classes:$(cat /tmp/cp.txt) io.asyncreply.store.jdbc.TypeCountsBench [h2|postgresql]...
 * </pre>
 */
public final class TypeCountsBench {
    public static void main(String[] args) throws Exception {
        BenchDatabases.each(args, "typecounts", TypeCountsBench::run);
    }

    private static void run(String name, DataSource ds) throws Exception {
        JdbcTaskStore store = JdbcTaskStore.builder(ds).build();
        try {
            boolean pg = store.database() == JdbcTaskStore.Database.POSTGRESQL;
            String tasks = store.tasksTable();
            long t0 = System.nanoTime();
            MillionTasksBench.fill(ds, pg, tasks);
            System.out.printf("%s: inserted %,d tasks in %.1f s%n", name, MillionTasksBench.N, (System.nanoTime() - t0) / 1e9);
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) { // some running ones too
                s.executeUpdate("UPDATE " + tasks + " SET status = 'RUNNING' WHERE status = 'QUEUED' AND MOD(CAST(SUBSTRING(id, 7) AS INT), 500) = 0");
                s.execute(pg ? "ANALYZE " + tasks : "ANALYZE");
            }
            Map<String, String> queries = new LinkedHashMap<>();
            queries.put("IN, grouped by type and status (the store's until now)", "SELECT type, status, COUNT(*) FROM "
                    + tasks + " WHERE status IN ('QUEUED', 'RUNNING') GROUP BY type, status");
            queries.put("one grouped count per status (UNION ALL)", "SELECT type, 'QUEUED', COUNT(*) FROM " + tasks
                    + " WHERE status = 'QUEUED' GROUP BY type UNION ALL SELECT type, 'RUNNING', COUNT(*) FROM " + tasks
                    + " WHERE status = 'RUNNING' GROUP BY type");
            for (Map.Entry<String, String> q : queries.entrySet()) {
                System.out.printf("%s | %-50s | %8.1f ms%n", name, q.getKey(), median(ds, q.getValue()));
                plan(ds, q.getValue());
            }
            String in = queries.values().iterator().next();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) { // a covering index, tried
                s.execute("CREATE INDEX bench_status_type_ix ON " + tasks + " (status, type)");
                s.execute(pg ? "VACUUM ANALYZE " + tasks : "ANALYZE");
            }
            System.out.printf("%s | %-50s | %8.1f ms%n", name, "IN, with an index on (status, type)", median(ds, in));
            plan(ds, in);
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP INDEX bench_status_type_ix");
                s.execute(pg ? "ANALYZE " + tasks : "ANALYZE");
            }
            TaskService service = TaskService.builder().store(store).workers(1).build(); // no handlers: claims nothing
            try {
                System.out.printf("%s | %-50s | %8.1f ms%n", name, "store.typeStates() (counts + paused types)",
                        median(() -> store.typeStates().size()));
                System.out.printf("%s | %-50s | %8.1f ms%n", name, "store.nodes()", median(() -> store.nodes().size()));
                System.out.printf("%s | %-50s | %8.1f ms%n", name, "TaskService.typeInfos()",
                        median(() -> service.typeInfos().size()));
            } finally {
                service.close();
            }
        } finally {
            store.close();
        }
    }

    private static void plan(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("EXPLAIN " + sql)) {
            while (rs.next()) {
                System.out.println("    " + rs.getString(1).replace("\n", "\n    "));
            }
        }
    }

    private static double median(java.util.function.IntSupplier read) {
        double[] ms = new double[7];
        for (int i = -2; i < ms.length; i++) {
            long t = System.nanoTime();
            if (read.getAsInt() == 0) {
                throw new AssertionError("read nothing");
            }
            if (i >= 0) {
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }

    private static double median(DataSource ds, String sql) throws SQLException {
        double[] ms = new double[7];
        long rows = 0;
        for (int i = -2; i < ms.length; i++) {
            long t = System.nanoTime();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    rows += rs.getLong(3);
                }
            }
            if (i >= 0) {
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        if (rows == 0) {
            throw new AssertionError("counted nothing: " + sql);
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }
}
