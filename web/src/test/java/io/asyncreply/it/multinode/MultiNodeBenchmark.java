package io.asyncreply.it.multinode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.asyncreply.it.jvm.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Multi-node figures for docs/benchmarks-multinode.md; not part of the build (no IT suffix). Run:
 *
 * <pre>
 * CI=true mvn -B -pl web -am verify -Dit.test=MultiNodeBenchmark -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dmn.bench.tasks=200] [-Dmn.bench.seconds=10] [-Dmn.bench.warmup=15] [-Dmn.bench.clients=32] [-Dmn.bench.workers=4]
 *     [-Dmn.bench.rounds=3]
 * </pre>
 *
 * <p>Nodes are separate JVMs ({@link ServerProcess}, embedded Jetty, C2 enabled) on one PostgreSQL
 * schema, store {@code jdbc}. Results are printed and appended to
 * {@code web/target/multinode/benchmark.txt}.
 *
 * <ul>
 *   <li><b>Cross-node wake latency.</b> Node B's only worker is kept busy (a one-hour {@code sleep}),
 *       so every measured task runs on node A. One at a time: submit {@code sleep {"ms":100}} to A,
 *       at once long-poll it on B ({@code ?wait=30}) and on A; latency = the client's receipt of
 *       each answer minus the task's {@code finishedAt} (taken by A just before it writes the
 *       outcome; same host, same clock; {@code finishedAt} has millisecond precision, truncated,
 *       so figures are high by up to 1 ms).</li>
 *   <li><b>Throughput of short tasks.</b> {@code clients} closed-loop clients each POST
 *       {@code echo} with {@code Prefer: wait=10} (the answer is 200 with the result once the task
 *       ran: end to end), to one node, then alternately to two nodes; after a warm-up, completed
 *       tasks per second over {@code seconds}; {@code rounds} rounds of (one node, two nodes), the
 *       second node started for and stopped after each two-node figure.</li>
 * </ul>
 */
class MultiNodeBenchmark {
    private static final int TASKS = Integer.getInteger("mn.bench.tasks", 200);
    private static final int SECONDS = Integer.getInteger("mn.bench.seconds", 10);
    private static final int WARMUP = Integer.getInteger("mn.bench.warmup", 15);
    private static final int CLIENTS = Integer.getInteger("mn.bench.clients", 32);
    private static final int WORKERS = Integer.getInteger("mn.bench.workers", 4);
    private static final int ROUNDS = Integer.getInteger("mn.bench.rounds", 3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
        toClose.clear();
    }

    private ServerProcess node(MultiNodeDb db, String id, int workers) {
        ServerProcess p = ServerProcess.builder("bench-" + id).nodeId(id)
                .setting("asyncreply.store", "jdbc")
                .setting("asyncreply.jdbc.url", db.url())
                .setting("asyncreply.workers", Integer.toString(workers))
                .setting("asyncreply.jdbc.pool-size", Integer.toString(workers + 8))
                .setting("asyncreply.wait.max", "60s")
                .setting("asyncreply.shutdown.grace", "1s")
                .jvmArg("-XX:TieredStopAtLevel=4") // full JIT: these JVMs are measured
                .jvmArg("-Xmx512m")
                .build();
        toClose.add(p);
        return p.start();
    }

    @Test
    void crossNodeWakeLatency() throws Exception {
        MultiNodeDb db = MultiNodeDb.create();
        toClose.add(db);
        ServerProcess b = node(db, "node-b", 1);
        String blocker = submit(b, "sleep", "{\"ms\":3600000}", null).path("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> "RUNNING".equals(get(b, "tasks/" + blocker).path("status")
                .asText()));
        ServerProcess a = node(db, "node-a", 2);

        List<Double> remote = new ArrayList<>();
        List<Double> local = new ArrayList<>();
        int warmup = Math.max(20, TASKS / 10);
        for (int i = 0; i < warmup + TASKS; i++) {
            String id = submit(a, "sleep", "{\"ms\":100}", null).path("id").asText();
            CompletableFuture<Double> onB = waitOn(b, id);
            CompletableFuture<Double> onA = waitOn(a, id);
            double r = onB.get(60, TimeUnit.SECONDS);
            double l = onA.get(60, TimeUnit.SECONDS);
            if (i >= warmup) {
                remote.add(r);
                local.add(l);
            }
        }
        report(String.format(Locale.ROOT, "wake latency, %d tasks finished on node A (after %d warm-up): "
                + "long-poll on node B median %.1f ms, p99 %.1f ms, max %.1f ms; on node A itself median %.1f ms, "
                + "p99 %.1f ms", TASKS, warmup, pct(remote, 50), pct(remote, 99), pct(remote, 100), pct(local, 50),
                pct(local, 99)));
    }

    /**
     * Rounds of (one node, two nodes), node B started before and stopped after each two-node
     * figure, so that a change of the machine's load between figures hits both alike.
     */
    @Test
    void throughputOfShortTasksOnOneNodeAndOnTwo() throws Exception {
        MultiNodeDb db = MultiNodeDb.create();
        toClose.add(db);
        ServerProcess a = node(db, "node-a", WORKERS);
        ServerProcess b = null;
        List<Double> one = new ArrayList<>();
        List<Double> two = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            one.add(throughput(List.of(a), round));
            b = b == null ? node(db, "node-b", WORKERS) : b.start();
            two.add(throughput(List.of(a, b), round));
            b.stop();
        }
        report(String.format(Locale.ROOT, "throughput, median of %d rounds: one node %.0f tasks/s, two nodes %.0f "
                + "tasks/s", ROUNDS, pct(one, 50), pct(two, 50)));
    }

    private double throughput(List<ServerProcess> nodes, int round) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP + SECONDS);
        long measureFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP);
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<List<Double>> latencies = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                List<Double> mine = new ArrayList<>();
                latencies.add(mine);
                int first = c;
                running.add(clients.submit(() -> {
                    int n = first;
                    while (System.nanoTime() < end) {
                        ServerProcess node = nodes.get(n++ % nodes.size());
                        long t0 = System.nanoTime();
                        HttpResponse<String> r = send(HttpRequest.newBuilder(node.baseUrl().resolve("tasks/echo"))
                                .header("Content-Type", "text/plain").header("Prefer", "wait=10")
                                .POST(HttpRequest.BodyPublishers.ofString("hello")));
                        long t1 = System.nanoTime();
                        if (t0 >= measureFrom && t1 <= end) {
                            if (r.statusCode() == 200) {
                                done.incrementAndGet();
                                mine.add((t1 - t0) / 1e6);
                            } else {
                                errors.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(WARMUP + SECONDS + 60, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }
        List<Double> all = new ArrayList<>();
        latencies.forEach(all::addAll);
        double perSecond = done.get() / (double) SECONDS;
        report(String.format(Locale.ROOT, "throughput round %d, %d node(s) x %d workers, %d clients, echo with "
                + "Prefer: wait=10, %d s after %d s warm-up: %.0f tasks/s end to end (%d done, %d not 200); request "
                + "latency median %.1f ms, p99 %.1f ms", round, nodes.size(), WORKERS, CLIENTS, SECONDS, WARMUP,
                perSecond, done.get(), errors.get(), pct(all, 50), pct(all, 99)));
        return perSecond;
    }

    // ---------------------------------------------------------------- helpers

    /** Long-polls the task on {@code node}; completes with ms from its finishedAt to the answer's receipt. */
    private static CompletableFuture<Double> waitOn(ServerProcess node, String id) {
        return HTTP.sendAsync(HttpRequest.newBuilder(node.baseUrl().resolve("tasks/" + id + "?wait=30"))
                .timeout(Duration.ofSeconds(40)).GET().build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> {
                    Instant received = Instant.now();
                    JsonNode t = json(r.body());
                    assertThat(t.path("status").asText()).isEqualTo("SUCCEEDED");
                    Instant finished = Instant.parse(t.path("finishedAt").asText());
                    return Duration.between(finished, received).toNanos() / 1e6;
                });
    }

    private static double pct(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static void report(String figure) throws IOException {
        String line = figure + " [load average " + loadAverage() + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs]";
        System.out.println("MultiNodeBenchmark: " + line);
        Path out = Path.of("target", "multinode", "benchmark.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, Instant.now() + " " + line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** The 1-minute load average (Linux), to tell a busy machine's figures from a quiet one's. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static JsonNode submit(ServerProcess node, String type, String body, String prefer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(node.baseUrl().resolve("tasks/" + type))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (prefer != null) {
            b.header("Prefer", prefer);
        }
        HttpResponse<String> r = send(b);
        assertThat(r.statusCode()).as(r.body()).isIn(200, 202);
        return json(r.body());
    }

    private static JsonNode get(ServerProcess node, String path) {
        return json(send(HttpRequest.newBuilder(node.baseUrl().resolve(path)).GET()).body());
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
