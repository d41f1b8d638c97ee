package io.asyncreply.bench.load;

import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.asyncreply.engine.SubmitRequest;
import io.asyncreply.engine.TaskService;
import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.store.TaskStore;
import io.asyncreply.store.jdbc.JdbcTaskStore;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import io.asyncreply.webhooks.delivery.AddressPolicy;
import io.asyncreply.webhooks.delivery.Secrets;
import io.asyncreply.webhooks.delivery.WebhookDispatcher;
import io.asyncreply.webhooks.delivery.WebhookSettings;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * Webhook delivery latency after commit: a task service on the chosen store with a webhook
 * dispatcher, and a receiver (the JDK's HTTP server on 127.0.0.1) in the same JVM. One task at a
 * time is submitted with {@code callback=} the receiver; the receiver takes the time at which it has
 * read the whole request minus the body's {@code timestamp} (the event's time, taken when the
 * outcome was decided, just before its transaction commits; same clock): so each figure also holds
 * the commit, and is an upper bound of the time from commit to delivery. The next task is submitted
 * once the previous one's webhook arrived; the first {@code warmup} are not counted.
 *
 * <p>Usage: {@code webhook STORE TASKS WARMUP} with STORE {@code memory}, {@code h2} (a fresh file in
 * a temporary directory) or a PostgreSQL JDBC URL (schema {@code asyncreply_webhook_bench}, made afresh and
 * dropped at the end); prints
 * {@code key=value} lines (milliseconds).
 */
final class WebhookLatency {
    private static final Pattern TIMESTAMP = Pattern.compile("\"timestamp\":\"([^\"]+)\"");

    private WebhookLatency() {
    }

    static void main(String[] args) throws Exception {
        String storeArg = args[0];
        int tasks = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        SynchronousQueue<Double> arrivals = new SynchronousQueue<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.setExecutor(Executors.newFixedThreadPool(4));
        receiver.createContext("/", ex -> {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            Instant now = Instant.now();
            ex.sendResponseHeaders(204, -1);
            ex.close();
            Matcher m = TIMESTAMP.matcher(new String(body, StandardCharsets.UTF_8));
            if (m.find()) {
                Duration d = Duration.between(Instant.parse(m.group(1)), now);
                try {
                    arrivals.put(d.toNanos() / 1e6);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        receiver.start();
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";

        TaskStore store = store(storeArg);
        TaskService service = TaskService.builder().store(store).workers(2).handler(new TaskHandler() {
            @Override
            public String type() {
                return "noop";
            }

            @Override
            public TaskResult handle(TaskContext context) {
                return TaskResult.json("{\"ok\":true}");
            }
        }).build();
        WebhookSettings settings = WebhookSettings.of(Secrets.generate(), AddressPolicy.parse("127.0.0.1"));
        WebhookDispatcher dispatcher = new WebhookDispatcher(store.webhooks(), store,
                t -> ("{\"id\":\"" + t.id() + "\",\"status\":\"" + t.status() + "\"}").getBytes(StandardCharsets.UTF_8),
                settings, service.nodeId(), Clock.systemUTC(), null);
        AutoCloseable listening = service.listen(dispatcher.listener());
        dispatcher.start();
        List<Double> ms = new ArrayList<>(tasks);
        try {
            for (int i = 0; i < warmup + tasks; i++) {
                service.submit(SubmitRequest.of("noop", "{}".getBytes(StandardCharsets.UTF_8))
                        .contentType("application/json").callback(url)).toCompletableFuture().get(10, TimeUnit.SECONDS);
                Double d = arrivals.poll(30, TimeUnit.SECONDS);
                if (d == null) {
                    throw new IllegalStateException("webhook " + i + " did not arrive within 30 s");
                }
                if (i >= warmup) {
                    ms.add(d);
                }
            }
        } finally {
            listening.close();
            dispatcher.close();
            service.close();
            receiver.stop(0);
            ((java.util.concurrent.ExecutorService) receiver.getExecutor()).shutdownNow();
            store.close();
            if (storeArg.startsWith("jdbc:")) {
                dropSchema(storeArg);
            }
        }
        Collections.sort(ms);
        System.out.printf(Locale.ROOT, "store=%s%ntasks=%d%np50_ms=%.2f%np90_ms=%.2f%np99_ms=%.2f%nmax_ms=%.2f%n",
                storeArg.startsWith("jdbc:") ? "postgresql" : storeArg, ms.size(), pct(ms, 50), pct(ms, 90),
                pct(ms, 99), ms.get(ms.size() - 1));
    }

    private static double pct(List<Double> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100 * sorted.size()) - 1));
    }

    /** The PostgreSQL schema of a run, made afresh at its start and dropped at its end. */
    private static final String PG_SCHEMA = "asyncreply_webhook_bench";

    private static void dropSchema(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + PG_SCHEMA + " CASCADE");
        }
    }

    private static TaskStore store(String s) throws Exception {
        if (s.equals("memory")) {
            return new MemoryTaskStore();
        }
        DataSource ds;
        if (s.equals("h2")) {
            ds = JdbcConnectionPool.create("jdbc:h2:file:" + Files.createTempDirectory("webhook-bench-")
                    .resolve("tasks").toAbsolutePath(), "sa", "");
            return JdbcTaskStore.builder(ds).build();
        }
        try (Connection c = DriverManager.getConnection(s); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + PG_SCHEMA + " CASCADE");
            st.execute("CREATE SCHEMA " + PG_SCHEMA);
        }
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(s);
        c.setSchema(PG_SCHEMA);
        c.setMaximumPoolSize(8);
        ds = new HikariDataSource(c); // pooled, as the product's jdbc store is
        return JdbcTaskStore.builder(ds).build();
    }
}
