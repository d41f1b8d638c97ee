package io.asyncreply.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.asyncreply.store.NewTask;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Task;
import io.asyncreply.webhooks.DeliveryState;
import io.asyncreply.webhooks.delivery.AddressPolicy;
import io.asyncreply.webhooks.delivery.Secrets;
import io.asyncreply.webhooks.delivery.WebhookDispatcher;
import io.asyncreply.webhooks.delivery.WebhookSettings;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.TestAbortedException;

/**
 * Two nodes (two stores on one database, a dispatcher each) send the same outbox at once: every
 * delivery is sent by exactly one of them, once (H2: compare-and-set claims; PostgreSQL: FOR UPDATE
 * SKIP LOCKED; skipped without it unless CI=true).
 */
class WebhookDispatchAcrossNodesTest {
    private static final int N = 300;
    @TempDir
    static Path dir;
    private static JdbcConnectionPool h2;
    private static TestPostgres postgres;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private HttpServer receiver;
    private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();

    @BeforeAll
    static void open() {
        h2 = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("across").toAbsolutePath(), "sa", "");
        h2.setMaxConnections(32);
        try {
            postgres = TestPostgres.freshSchema();
        } catch (TestAbortedException e) {
            System.err.println("WebhookDispatchAcrossNodesTest: " + e.getMessage());
        }
    }

    @AfterAll
    static void close() throws SQLException {
        h2.dispose();
        if (postgres != null) {
            postgres.close();
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        if (receiver != null) {
            receiver.stop(0);
            ((java.util.concurrent.ExecutorService) receiver.getExecutor()).shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void twoNodesSendEveryDeliveryOfOneOutboxExactlyOnce(String kind) throws Exception {
        if (kind.equals("postgresql") && postgres == null) {
            throw new TestAbortedException("PostgreSQL not reachable");
        }
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.setExecutor(Executors.newFixedThreadPool(8));
        receiver.createContext("/", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                in.readAllBytes();
            }
            received.computeIfAbsent(ex.getRequestHeaders().getFirst("webhook-id"), k -> new AtomicInteger())
                    .incrementAndGet();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        String prefix = "x" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_";
        javax.sql.DataSource ds = kind.equals("h2") ? h2 : postgres.dataSource();
        JdbcTaskStore a = JdbcTaskStore.builder(ds).tablePrefix(prefix).build();
        toClose.add(a);
        JdbcTaskStore b = JdbcTaskStore.builder(ds).tablePrefix(prefix).build();
        toClose.add(b);
        Instant t0 = Instant.now();
        for (int i = 0; i < N; i++) {
            Task t = Task.queued(UUID.randomUUID().toString(), "sleep", t0);
            a.insert(new NewTask(t, "{}".getBytes(StandardCharsets.UTF_8), "application/json", null, null, "a", url),
                    10_000).toCompletableFuture().join();
            a.cancel(t.id(), t0, "a");
        }
        WebhookSettings s = WebhookSettings.of(Secrets.generate(), AddressPolicy.parse("127.0.0.1"))
                .withConcurrency(8).withPoll(Duration.ofMillis(50));
        for (JdbcTaskStore node : List.of(a, b)) {
            WebhookDispatcher d = new WebhookDispatcher(node.webhooks(), node, task -> "{}".getBytes(
                    StandardCharsets.UTF_8), s, node == a ? "node-a" : "node-b", Clock.systemUTC(), null);
            toClose.add(d);
        }
        toClose.stream().filter(WebhookDispatcher.class::isInstance).map(WebhookDispatcher.class::cast)
                .forEach(WebhookDispatcher::start);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> received.size() == N);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> a.webhooks().claim("probe",
                Instant.now().plusSeconds(3600), Instant.now().plusSeconds(3601), 1).isEmpty());
        assertThat(received.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
        assertThat(received.keySet()).allSatisfy(id -> assertThat(a.webhooks().delivery(id).orElseThrow().state())
                .isEqualTo(DeliveryState.DELIVERED));
    }
}
