package io.asyncreply.it.multinode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.asyncreply.it.jvm.ServerProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Event stream figures for docs/benchmarks.md ("Server-sent events"); not part of the build (no IT
 * suffix). Run (bench/run.sh, section {@code sse}, does):
 *
 * <pre>
 * CI=true mvn -B -pl web -am verify -Dit.test=SseBenchmark -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dcontainers.skip=true [-Dsse.bench.events=200] [-Dsse.bench.warmup=3000] [-Dsse.bench.streams=10000]
 * </pre>
 *
 * <p>Nodes are separate JVMs ({@link ServerProcess}: embedded Jetty 12, full JIT); results are
 * printed and appended to {@code web/target/multinode/sse-benchmark.txt}.
 *
 * <ul>
 *   <li><b>Event to client.</b> Every worker is held by a long task, so measured tasks stay
 *       {@code QUEUED}. One at a time: submit a task, wait until every stream has its {@code queued}
 *       event, then take the time, {@code DELETE} the task (the {@code cancelled} event is written
 *       while the request runs) and take the time at which each stream's reader has parsed the
 *       {@code cancelled} event. So each figure is from before the change was made to the client
 *       having the event: an upper bound of "event to client". Same node: the stream on the node
 *       that cancels (memory store, and PostgreSQL); across nodes: the stream on another node
 *       sharing the PostgreSQL schema (LISTEN/NOTIFY).</li>
 *   <li><b>Open streams.</b> One node (memory store, {@code -Xmx1g}); {@code streams} clients open
 *       {@code GET /events?type=echo} and read what comes (one NIO selector in this JVM). Before and after:
 *       the node's threads ({@code /proc/PID/status}) and its used heap after a full GC
 *       ({@code jcmd GC.run}, {@code GC.heap_info}); the difference over the streams is the heap per
 *       stream; the class histogram's largest differences say where it goes. Then the fan-out: one
 *       task submitted, the time until every stream has received its event.</li>
 * </ul>
 */
class SseBenchmark {
    private static final int EVENTS = Integer.getInteger("sse.bench.events", 200);
    private static final int STREAMS = Integer.getInteger("sse.bench.streams", 10_000);
    /** Events before the measured ones, enough for both JVMs to compile the path (C2 needs thousands of calls). */
    private static final int WARMUP = Integer.getInteger("sse.bench.warmup", 3_000);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final String LONG = "{\"ms\":3600000}";

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
        toClose.clear();
    }

    private ServerProcess node(String id, Map<String, String> settings, String... jvmArgs) {
        ServerProcess.Builder b = ServerProcess.builder("sse-" + id).nodeId(id).settings(settings)
                .setting("asyncreply.workers", "1")
                .setting("asyncreply.shutdown.grace", "1s")
                .jvmArg("-XX:TieredStopAtLevel=4"); // full JIT: these JVMs are measured
        for (String a : jvmArgs) {
            b.jvmArg(a);
        }
        ServerProcess p = b.build();
        toClose.add(p);
        return p.start();
    }

    // ---------------------------------------------------------------- event to client

    @Test
    void eventToClientOnTheSameNodeAndAcrossNodes() throws Exception {
        ServerProcess memory = node("mem", Map.of("asyncreply.store", "memory"), "-Xmx512m");
        hold(memory);
        latency("same node, memory store", memory, List.of(memory));

        MultiNodeDb db = MultiNodeDb.create();
        toClose.add(db);
        Map<String, String> pg = Map.of("asyncreply.store", "jdbc", "asyncreply.jdbc.url", db.url(),
                "asyncreply.jdbc.pool-size", "8");
        ServerProcess a = node("node-a", pg, "-Xmx512m");
        ServerProcess b = node("node-b", pg, "-Xmx512m");
        hold(a);
        hold(a); // the second long task is claimed by the other node's worker
        await().atMost(Duration.ofSeconds(30)).until(() -> get(a, "health").path("queueDepth").asInt() == 0);
        latency("PostgreSQL, stream on the node that cancels | stream on another node", a, List.of(a, b));
    }

    /** Holds a worker with a long task (it stays RUNNING until the node stops). */
    private static void hold(ServerProcess node) {
        String id = submit(node, "sleep", LONG).path("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> "RUNNING".equals(get(node, "tasks/" + id).path("status")
                .asText()));
    }

    private void latency(String name, ServerProcess actor, List<ServerProcess> watched) throws Exception {
        List<Watch> watches = new ArrayList<>();
        for (ServerProcess n : watched) {
            Watch w = new Watch(n.baseUrl().resolve("events?type=sleep"));
            toClose.add(w);
            watches.add(w);
        }
        int warmup = WARMUP;
        List<List<Double>> perWatch = new ArrayList<>();
        watches.forEach(w -> perWatch.add(new ArrayList<>()));
        List<List<Double>> perWatchSinceChange = new ArrayList<>();
        watches.forEach(w -> perWatchSinceChange.add(new ArrayList<>()));
        List<Double> answered = new ArrayList<>();
        for (int i = 0; i < warmup + EVENTS; i++) {
            String id = submit(actor, "sleep", LONG).path("id").asText();
            for (Watch w : watches) {
                w.await(id, "queued");
            }
            long t0 = System.nanoTime();
            HttpResponse<String> cancel = send(HttpRequest.newBuilder(actor.baseUrl().resolve("tasks/" + id)).DELETE());
            long tAnswer = System.nanoTime();
            assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
            for (int k = 0; k < watches.size(); k++) {
                long t = watches.get(k).await(id, "cancelled");
                if (i >= warmup) {
                    perWatch.get(k).add((t - t0) / 1e6);
                    Double since = watches.get(k).sinceChange.get(id + "/cancelled");
                    if (since != null) {
                        perWatchSinceChange.get(k).add(since);
                    }
                }
            }
            if (i >= warmup) {
                answered.add((tAnswer - t0) / 1e6);
            }
        }
        StringBuilder figure = new StringBuilder("event to client, " + name + ", " + EVENTS + " events after "
                + warmup + " warm-up:");
        for (List<Double> ms : perWatch) {
            figure.append(String.format(java.util.Locale.ROOT, " | p50 %.2f ms, p90 %.2f ms, p99 %.2f ms",
                    pct(ms, 50), pct(ms, 90), pct(ms, 99)));
        }
        figure.append(String.format(java.util.Locale.ROOT, " | (the DELETE answered: p50 %.2f ms, p99 %.2f ms)",
                pct(answered, 50), pct(answered, 99)));
        figure.append(" | from the change's finishedAt to the client:");
        for (List<Double> ms : perWatchSinceChange) {
            figure.append(ms.isEmpty() ? " (no finishedAt)" : String.format(java.util.Locale.ROOT,
                    " | p50 %.2f ms, p90 %.2f ms, p99 %.2f ms (%d)", pct(ms, 50), pct(ms, 90), pct(ms, 99), ms.size()));
        }
        report(figure.toString());
    }

    /** One stream's reader: the time each (task, event) was parsed. */
    private static final class Watch implements AutoCloseable {
        private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
        private static final Pattern FINISHED = Pattern.compile("\"finishedAt\":\"([^\"]+)\"");
        private final Map<String, CompletableFuture<Long>> seen = new ConcurrentHashMap<>();
        /** (task, event) to ms from the task's finishedAt (same machine, same clock) to parsing it. */
        final Map<String, Double> sinceChange = new ConcurrentHashMap<>();
        private final InputStream body;

        Watch(URI uri) throws Exception {
            HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(uri).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            body = r.body();
            Thread t = new Thread(this::read, "sse-bench-watch");
            t.setDaemon(true);
            t.start();
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String event = null;
                for (String line; (line = in.readLine()) != null;) {
                    if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("data: ") && event != null) {
                        long now = System.nanoTime();
                        Instant wall = Instant.now();
                        Matcher m = ID.matcher(line);
                        if (m.find()) {
                            Matcher f = FINISHED.matcher(line);
                            if (f.find()) { // the event's own time, taken by the store as it made the change
                                sinceChange.put(m.group(1) + "/" + event,
                                        Duration.between(Instant.parse(f.group(1)), wall).toNanos() / 1e6);
                            }
                            future(m.group(1), event).complete(now);
                        }
                        event = null;
                    }
                }
            } catch (IOException e) {
                // closed
            }
        }

        private CompletableFuture<Long> future(String id, String event) {
            return seen.computeIfAbsent(id + "/" + event, k -> new CompletableFuture<>());
        }

        long await(String id, String event) throws Exception {
            long t = future(id, event).get(30, TimeUnit.SECONDS);
            return t;
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    // ---------------------------------------------------------------- open streams

    @Test
    void tenThousandOpenStreamsHoldNoThreadAndLittleHeap() throws Exception {
        ServerProcess s = node("streams", Map.of("asyncreply.store", "memory",
                "asyncreply.events.max-streams", Integer.toString(STREAMS * 2),
                "asyncreply.events.heartbeat", "1h"), "-Xms1g", "-Xmx1g");
        submit(s, "echo", "{}"); // the paths are warm
        hold(s); // measured tasks stay QUEUED: one event at each submission, one at each cancel
        long pid = s.pid();
        int threadsBefore = threads(pid);
        long heapBefore = usedHeapKiB(pid);
        Map<String, long[]> histogramBefore = histogram(pid);

        try (Clients clients = new Clients(new InetSocketAddress("127.0.0.1", s.port()), STREAMS)) {
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
                    .until(() -> clients.opened() == STREAMS);
            int threadsOpen = threads(pid);
            long heapOpen = usedHeapKiB(pid);
            Map<String, long[]> histogramOpen = histogram(pid);

            List<Double> fanOut = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int round = clients.mark();
                long t0 = System.nanoTime();
                String id = submit(s, "echo", "{}").path("id").asText(); // its queued event
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(1))
                        .until(() -> clients.reached(round) == STREAMS);
                fanOut.add((clients.lastReachNanos() - t0) / 1e6);
                int again = clients.mark();
                long t1 = System.nanoTime();
                send(HttpRequest.newBuilder(s.baseUrl().resolve("tasks/" + id)).DELETE()); // its cancelled event
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(1))
                        .until(() -> clients.reached(again) == STREAMS);
                fanOut.add((clients.lastReachNanos() - t1) / 1e6);
            }
            int threadsAfterEvents = threads(pid);
            assertThat(clients.failed()).as("streams that did not answer 200").isZero();

            long live = histogramOpen.get(TOTAL)[1] - histogramBefore.get(TOTAL)[1];
            double perStream = live / (double) STREAMS;
            report(String.format(java.util.Locale.ROOT, "%d open streams (GET /events, memory store, -Xmx1g): threads "
                    + "%d before, %d with them open, %d after 10 events to all; live heap (class histogram after a full"
                    + " GC) %d KiB before, %d KiB open: %.0f bytes (%.1f KiB) per stream (used heap after GC.run: %d KiB"
                    + " before, %d KiB open); an event reached all %d streams in p50 %.0f ms (max %.0f ms, 10 events)"
                    + " after the request that made it", STREAMS, threadsBefore, threadsOpen, threadsAfterEvents,
                    histogramBefore.get(TOTAL)[1] / 1024, histogramOpen.get(TOTAL)[1] / 1024, perStream,
                    perStream / 1024, heapBefore, heapOpen, STREAMS, pct(fanOut, 50), pct(fanOut, 100)));
            report("  heap by class, largest growth with the streams open (bytes per stream, instances per stream): "
                    + topGrowth(histogramBefore, histogramOpen, STREAMS, 12));
        }
    }

    /** {@code n} clients of GET /events over NIO, read by one selector thread. */
    private static final class Clients implements AutoCloseable {
        private final Selector selector = Selector.open();
        private final List<SocketChannel> channels = new ArrayList<>();
        private final AtomicInteger opened = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private final AtomicInteger reached = new AtomicInteger();
        private volatile int round;
        private volatile long lastReach;
        private volatile boolean running = true;
        private final Thread reader;

        private static final class Conn {
            boolean headSeen;
            int round = -1;
        }

        Clients(InetSocketAddress server, int n) throws IOException {
            byte[] request = ("GET /events?type=echo HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < n; i++) {
                SocketChannel ch = SocketChannel.open(server);
                ch.write(ByteBuffer.wrap(request));
                ch.configureBlocking(false);
                channels.add(ch);
            }
            for (SocketChannel ch : channels) {
                ch.register(selector, SelectionKey.OP_READ, new Conn());
            }
            reader = new Thread(this::read, "sse-bench-clients");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
            byte[] head = new byte[12];
            try {
                while (running) {
                    selector.select(100);
                    for (SelectionKey k : selector.selectedKeys()) {
                        SocketChannel ch = (SocketChannel) k.channel();
                        Conn c = (Conn) k.attachment();
                        buf.clear();
                        int r;
                        try {
                            r = ch.read(buf);
                        } catch (IOException e) {
                            r = -1;
                        }
                        if (r < 0) {
                            k.cancel();
                            failed.incrementAndGet();
                            continue;
                        }
                        if (!c.headSeen && r >= 12) {
                            c.headSeen = true;
                            buf.flip();
                            buf.get(head);
                            if (new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200")) {
                                opened.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                            }
                            continue;
                        }
                        int now = round;
                        if (c.headSeen && c.round != now && now > 0) {
                            c.round = now;
                            lastReach = System.nanoTime();
                            reached.incrementAndGet();
                        }
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        int opened() {
            return opened.get();
        }

        int failed() {
            return failed.get();
        }

        /** Starts a round: from now, the first bytes each stream receives count for it. */
        int mark() {
            reached.set(0);
            return ++round;
        }

        int reached(int r) {
            return r == round ? reached.get() : 0;
        }

        long lastReachNanos() {
            return lastReach;
        }

        @Override
        public void close() throws IOException {
            running = false;
            try {
                reader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (SocketChannel ch : channels) {
                ch.close();
            }
            selector.close();
        }
    }

    // ---------------------------------------------------------------- the node's JVM

    private static int threads(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring(8).trim());
            }
        }
        throw new IllegalStateException("no thread count for " + pid);
    }

    private static long usedHeapKiB(long pid) throws Exception {
        jcmd(pid, "GC.run");
        jcmd(pid, "GC.run");
        Matcher m = Pattern.compile("total \\d+K, used (\\d+)K").matcher(jcmd(pid, "GC.heap_info"));
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** The histogram's key of its total line. */
    private static final String TOTAL = "(all live objects)";

    /** Class name to {instances, bytes} of live objects (after the full GC the histogram makes). */
    private static Map<String, long[]> histogram(long pid) throws Exception {
        Map<String, long[]> out = new HashMap<>();
        Pattern row = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
        Pattern total = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");
        for (String line : jcmd(pid, "GC.class_histogram").split("\n")) {
            Matcher m = row.matcher(line);
            if (m.find()) {
                out.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
            }
            Matcher t = total.matcher(line.trim());
            if (t.find()) {
                out.put(TOTAL, new long[] {Long.parseLong(t.group(1)), Long.parseLong(t.group(2))});
            }
        }
        return out;
    }

    private static String topGrowth(Map<String, long[]> before, Map<String, long[]> after, int streams, int top) {
        List<Map.Entry<String, Long>> growth = new ArrayList<>();
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            if (e.getKey().equals(TOTAL)) {
                continue;
            }
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            growth.add(Map.entry(e.getKey(), e.getValue()[1] - b[1]));
        }
        growth.sort((x, y) -> Long.compare(y.getValue(), x.getValue()));
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, Long> e : growth.subList(0, Math.min(top, growth.size()))) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            long instances = after.get(e.getKey())[0] - b[0];
            s.append(String.format(java.util.Locale.ROOT, "%s %.0f B %.1f; ", e.getKey(),
                    e.getValue() / (double) streams, instances / (double) streams));
        }
        return s.toString();
    }

    private static String jcmd(long pid, String command) throws Exception {
        Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    // ---------------------------------------------------------------- helpers

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
        System.out.println("SseBenchmark: " + line);
        Path out = Path.of("target", "multinode", "sse-benchmark.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, Instant.now() + " " + line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private static String loadAverage() {
        try {
            return String.join(" ", List.of(Files.readString(Path.of("/proc/loadavg")).split(" ")).subList(0, 3));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static JsonNode submit(ServerProcess node, String type, String body) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(node.baseUrl().resolve("tasks/" + type))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
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
