package io.asyncreply.store.jdbc;

import io.asyncreply.engine.TaskService;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskStatus;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Not a test: measures the dashboard's reads with 1,000,000 tasks in the store, on PostgreSQL (a
 * fresh schema of the test database) and on H2 (a temporary file). docs/dashboard.md reports its
 * output. Run from the repository root after {@code mvn -B -q -pl core test-compile}:
 *
 * <pre>
 * mvn -B -q -pl core dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp core/target/test-classes:core/target/classes:$(cat /tmp/cp.txt) io.asyncreply.store.jdbc.MillionTasksBench [h2|postgresql]...
 * </pre>
 *
 * <p>The tasks are written with one {@code INSERT ... SELECT} over a generated series: submitted
 * 7 ms apart over the last 1.9 hours (so about 510,000 finished within the last hour), in 5 types;
 * 2 % queued, 9 % failed, the rest succeeded; owners alice and bob a third each, the anonymous
 * owner the rest, and dave 10 tasks; every other task with an idempotency key. Each figure is the
 * median of 7 runs after 2 warm-up runs.
 */
public final class MillionTasksBench {
    static final int N = 1_000_000;

    public static void main(String[] args) throws Exception {
        BenchDatabases.each(args, "million", MillionTasksBench::run);
    }

    private static void run(String name, DataSource ds) throws Exception {
        JdbcTaskStore store = JdbcTaskStore.builder(ds).build();
        boolean pg = store.database() == JdbcTaskStore.Database.POSTGRESQL;
        long t0 = System.nanoTime();
        fill(ds, pg, store.tasksTable());
        System.out.printf("%s: inserted %,d tasks in %.1f s%n", name, N, (System.nanoTime() - t0) / 1e9);
        TaskService service = TaskService.builder().store(store).workers(1).build(); // no handlers: claims nothing
        try {
            Map<String, Supplier<Object>> reads = new LinkedHashMap<>();
            reads.put("list, first page of 50, no filter", () -> store.list(new TaskQuery(null, null, null, 50, null)));
            reads.put("list, status FAILED", () -> store.list(new TaskQuery(TaskStatus.FAILED, null, null, 50, null)));
            reads.put("list, type type3", () -> store.list(new TaskQuery(null, "type3", null, 50, null)));
            reads.put("list, owner alice (333,333 tasks)", () -> store.list(new TaskQuery(null, null, "alice", 50, null)));
            reads.put("list, owner dave (10 tasks)", () -> store.list(new TaskQuery(null, null, "dave", 50, null)));
            reads.put("list, owner alice and status QUEUED", () -> store.list(new TaskQuery(TaskStatus.QUEUED, null,
                    "alice", 50, null)));
            reads.put("list, page 100 (cursor)", () -> store.list(new TaskQuery(null, null, null, 50,
                    io.asyncreply.store.SeqCursor.encode(N - 5_000))));
            reads.put("search by id", () -> service.find("bench-777777"));
            reads.put("search by idempotency key", () -> service.findByKey("key-777778", null));
            reads.put("queued and running per type (typeInfos)", service::typeInfos);
            reads.put("health (ping, queued count, nodes)", service::health);
            reads.put("finished per type and minute, whole hour (first overview)", () -> store.finishedCounts(
                    Instant.now().minus(Duration.ofHours(1))));
            reads.put("finished per type and minute, last 2 minutes (later overviews)", () -> store.finishedCounts(
                    Instant.now().minus(Duration.ofMinutes(2))));
            reads.put("overview after the first (typeInfos + health + throughput)", () -> {
                service.typeInfos();
                service.health();
                return service.throughput();
            });
            service.throughput(); // the first, whole-hour read, so that the last line measures later ones
            for (Map.Entry<String, Supplier<Object>> r : reads.entrySet()) {
                System.out.printf("%s | %-66s | %8.1f ms%n", name, r.getKey(), median(r.getValue()));
            }
        } finally {
            service.close();
            store.close();
        }
    }

    private static double median(Supplier<Object> read) throws InterruptedException {
        double[] ms = new double[7];
        for (int i = -2; i < ms.length; i++) {
            Thread.sleep(1_100); // past the throughput's one-second reuse
            long t = System.nanoTime();
            read.get();
            if (i >= 0) {
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }

    static void fill(DataSource ds, boolean pg, String tasks) throws SQLException {
        String g = pg ? "g" : "X";
        String status = "CASE WHEN MOD(" + g + ", 50) = 0 THEN 'QUEUED' WHEN MOD(" + g + ", 11) = 0 THEN 'FAILED' "
                + "ELSE 'SUCCEEDED' END";
        String submitted = pg ? "now() - (" + N + " - g) * interval '7 milliseconds'"
                : "DATEADD(MILLISECOND, -(" + N + " - X) * 7, CURRENT_TIMESTAMP)";
        String finished = pg ? "now() - (" + N + " - g) * interval '7 milliseconds' + interval '5 milliseconds'"
                : "DATEADD(MILLISECOND, -(" + N + " - X) * 7 + 5, CURRENT_TIMESTAMP)";
        String owner = "CASE WHEN MOD(" + g + ", 100000) = 7 THEN 'dave' WHEN MOD(" + g + ", 3) = 0 THEN 'alice' "
                + "WHEN MOD(" + g + ", 3) = 1 THEN 'bob' ELSE '' END";
        String bytes = pg ? "'\\x00'::bytea" : "X'00'";
        String sql = "INSERT INTO " + tasks + " (id, type, status, submitted_at, started_at, finished_at, attempts, run_at, "
                + "payload, payload_type, owner, idempotency_key, payload_digest, error_code, error_message, result, "
                + "result_type, result_size, result_json) SELECT 'bench-' || " + g + ", 'type' || MOD(" + g + ", 5), "
                + status + ", " + submitted + ", CASE WHEN MOD(" + g + ", 50) = 0 THEN NULL ELSE " + submitted + " END, "
                + "CASE WHEN MOD(" + g + ", 50) = 0 THEN NULL ELSE " + finished + " END, "
                + "CASE WHEN MOD(" + g + ", 50) = 0 THEN 0 ELSE 1 END, "
                + "CASE WHEN MOD(" + g + ", 50) = 0 THEN " + submitted + " ELSE NULL END, " + bytes + ", 'text/plain', "
                + owner + ", CASE WHEN MOD(" + g + ", 2) = 0 THEN 'key-' || " + g + " ELSE NULL END, "
                + "CASE WHEN MOD(" + g + ", 2) = 0 THEN " + bytes + " ELSE NULL END, "
                + "CASE WHEN MOD(" + g + ", 50) <> 0 AND MOD(" + g + ", 11) = 0 THEN 'handler-error' ELSE NULL END, "
                + "CASE WHEN MOD(" + g + ", 50) <> 0 AND MOD(" + g + ", 11) = 0 THEN 'boom' ELSE NULL END, "
                + "CASE WHEN MOD(" + g + ", 50) <> 0 AND MOD(" + g + ", 11) <> 0 THEN " + bytes + " ELSE NULL END, "
                + "CASE WHEN MOD(" + g + ", 50) <> 0 AND MOD(" + g + ", 11) <> 0 THEN 'application/json' ELSE NULL END, "
                + "CASE WHEN MOD(" + g + ", 50) <> 0 AND MOD(" + g + ", 11) <> 0 THEN 1 ELSE NULL END, "
                + "MOD(" + g + ", 50) <> 0 AND MOD(" + g + ", 11) <> 0 "
                + (pg ? "FROM generate_series(1, " + N + ") AS g" : "FROM SYSTEM_RANGE(1, " + N + ")");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
            s.execute(pg ? "ANALYZE " + tasks : "ANALYZE");
            if (pg) {
                s.execute("VACUUM " + tasks);
            }
        }
    }
}
