package io.asyncreply.bench.peers;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.asyncreply.engine.TaskService;
import io.asyncreply.store.jdbc.JdbcTaskStore;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Where an idle node's pickup goes, step by step, on PostgreSQL: one node (8 workers, a no-op
 * handler) over a HikariCP pool of 10, {@code warmup} submissions one after another (so that the
 * JIT has compiled the path), then {@code n} submissions 25 to 75 ms apart (fixed seed). For each:
 * submit to durable (the stage completes: the group commit committed), durable to the handler's
 * start, and the whole. Prints p50, p90 and p99 of each. Used for the A/B figures of the changes
 * that shortened the pickup (docs/benchmarks.md, "Peers"), where the peer harness's pickup figure
 * alone was too coarse to show a round trip.
 */
final class PickupProbe {
    private static final String SCHEMA = "peers_probe";

    private PickupProbe() {
    }

    static void run(String pgUrl, int n, int warmup) throws Exception {
        try (Connection c = DriverManager.getConnection(pgUrl); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
            s.execute("CREATE SCHEMA " + SCHEMA);
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(pgUrl + (pgUrl.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA + "&reWriteBatchedInserts=true");
        hc.setMaximumPoolSize(10);
        long[] submitted = new long[n];
        AtomicLongArray durable = new AtomicLongArray(n); // written by the store's writer thread
        AtomicLongArray started = new AtomicLongArray(n); // written by the workers
        try (HikariDataSource ds = new HikariDataSource(hc); JdbcTaskStore store = JdbcTaskStore.builder(ds).build()) {
            TaskService node = TaskService.builder().store(store).workers(8).handler(new TaskHandler() {
                @Override
                public String type() {
                    return "noop";
                }

                @Override
                public TaskResult handle(TaskContext context) {
                    int i = ByteBuffer.wrap(context.payload()).getInt();
                    if (i >= 0) {
                        started.set(i, System.nanoTime());
                    }
                    return TaskResult.empty();
                }
            }).build();
            try {
                for (int i = 0; i < warmup; i++) {
                    node.submit("noop", payload(-1), "application/octet-stream", null).toCompletableFuture()
                            .get(30, TimeUnit.SECONDS);
                }
                Thread.sleep(1_000); // let the node settle into idle
                Random random = new Random(42);
                for (int i = 0; i < n; i++) {
                    int k = i;
                    submitted[k] = System.nanoTime();
                    node.submit("noop", payload(k), "application/octet-stream", null)
                            .whenComplete((r, e) -> durable.set(k, System.nanoTime()));
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(25 + random.nextInt(51)));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (started.get(n - 1) == 0 && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
            } finally {
                node.shutdown(Duration.ofSeconds(5));
            }
        } finally {
            try (Connection c = DriverManager.getConnection(pgUrl); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
            }
        }
        long[] d = new long[n];
        long[] st = new long[n];
        for (int i = 0; i < n; i++) {
            d[i] = durable.get(i);
            st[i] = started.get(i);
        }
        print("submit to durable", submitted, d);
        print("durable to start", d, st);
        print("submit to start", submitted, st);
    }

    private static byte[] payload(int i) {
        return ByteBuffer.allocate(4).putInt(i).array();
    }

    private static void print(String what, long[] from, long[] to) {
        double[] ms = new double[from.length];
        int got = 0;
        for (int i = 0; i < from.length; i++) {
            if (from[i] != 0 && to[i] != 0) {
                ms[got++] = (to[i] - from[i]) / 1e6;
            }
        }
        double[] sorted = Arrays.copyOf(ms, got);
        Arrays.sort(sorted);
        if (got == 0) {
            System.out.println(what + ": no samples");
            return;
        }
        System.out.printf("%-18s p50 %.3f ms, p90 %.3f ms, p99 %.3f ms (%d of %d)%n", what, sorted[got / 2],
                sorted[got * 9 / 10], sorted[Math.min(got - 1, got * 99 / 100)], got, from.length);
    }
}
