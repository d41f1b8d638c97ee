package io.asyncreply.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncreply.it.Api.Reply;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Slow uploads never hold a container thread: the WAR runs in embedded Jetty with a deliberately
 * small thread pool, clients trickle bodies over raw sockets, and another client's submission
 * must be answered while every trickle is still being sent. Assertions are relative (the fast
 * answer arrives before any trickle has finished), never absolute times.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowClientsIT {
    /** Far fewer threads than concurrent uploads: a blocking read per upload would exhaust them. */
    private static final int CONTAINER_THREADS = 16;

    private final EmbeddedWar server = new EmbeddedWar().maxThreads(CONTAINER_THREADS);
    private URI base;
    private Api api;

    @BeforeAll
    void deploy() throws Exception {
        Map<String, String> settings = EmbeddedWar.testSettings();
        settings.put("asyncreply.queue.capacity", "1000");
        base = server.start(settings);
        api = new Api(base);
    }

    @AfterAll
    void undeploy() throws Exception {
        server.close();
    }

    @Test
    void clientsTricklingOneMebibyteBodiesDoNotDelayAnotherClientsAcceptance() throws Exception {
        int uploads = CONTAINER_THREADS + 8; // more than the container has threads
        int size = 1 << 20; // the default limit: accepted whole
        List<Trickle> trickles = new ArrayList<>();
        CountDownLatch allSending = new CountDownLatch(uploads);
        // Each trickle stops mid-body until the fast client has its answer, however slow this machine.
        CountDownLatch fastAnswered = new CountDownLatch(1);
        for (int i = 0; i < uploads; i++) {
            trickles.add(Trickle.start(base, i, size, 4 * 1024, Duration.ofMillis(15), i % 2 == 1, allSending,
                    fastAnswered));
        }
        try {
            assertThat(allSending.await(30, TimeUnit.SECONDS)).as("all uploads under way").isTrue();

            Reply fast = new Api(base).submit("echo", bytes("fast"), "text/plain"); // a new client
            List<Boolean> stillSending = trickles.stream().map(t -> !t.done()).toList();
            fastAnswered.countDown();

            assertThat(fast.status()).as("%s", fast).isEqualTo(202);
            assertThat(stillSending).as("trickles still sending when the fast client had its 202 after %s",
                    fast.elapsed()).containsOnly(true);

            for (Trickle t : trickles) {
                RawHttp.Response r = t.awaitResponse();
                assertThat(r.status()).as("trickled upload %s: %s", t.index, r).isEqualTo(202);
                assertThat(t.sendingTook()).as("a trickle takes far longer than the fast round trip")
                        .isGreaterThan(fast.elapsed());
            }
            // the slow body arrived whole
            String id = Api.JSON.readTree(trickles.get(0).awaitResponse().body()).path("id").asText();
            JsonNode done = api.get("tasks/" + id + "?wait=20").json();
            assertThat(done.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(api.get("tasks/" + id + "/result").body()).isEqualTo(Trickle.payload(0, size));
        } finally {
            fastAnswered.countDown(); // also when the fast client failed: no trickle waits its 60 s
            for (Trickle t : trickles) {
                t.close();
            }
        }
    }

    @Test
    void twoHundredConcurrentTricklingUploadsDoNotBlockAFastClient() throws Exception {
        int uploads = 200;
        int rounds = 150;
        int chunk = 1024;
        List<RawHttp> conns = new ArrayList<>();
        try {
            for (int i = 0; i < uploads; i++) {
                RawHttp c = RawHttp.open(base);
                conns.add(c);
                if (i % 2 == 0) {
                    c.head("POST", "tasks/echo", "Content-Type: application/octet-stream",
                            "Content-Length: " + rounds * chunk);
                } else {
                    c.head("POST", "tasks/echo", "Content-Type: application/octet-stream",
                            "Transfer-Encoding: chunked");
                }
            }
            CompletableFuture<Reply> fast = new CompletableFuture<>();
            byte[] data = new byte[chunk];
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < uploads; i++) {
                    if (i % 2 == 0) {
                        conns.get(i).write(data);
                    } else {
                        conns.get(i).chunk(data);
                    }
                }
                if (round == 1) { // every upload has started and none is complete
                    Thread fastClient = new Thread(() -> {
                        try {
                            fast.complete(new Api(base).submit("echo", bytes("fast"), "text/plain"));
                        } catch (RuntimeException e) {
                            fast.completeExceptionally(e);
                        }
                    }, "fast-client");
                    fastClient.setDaemon(true);
                    fastClient.start();
                    // The uploads hold here, mid-body, until the fast client has its answer: with a
                    // thread per blocked upload (16 threads, 200 uploads) it would never come.
                    Reply quick = fast.get(30, TimeUnit.SECONDS);
                    assertThat(quick.status()).as("%s", quick).isEqualTo(202);
                }
                Thread.sleep(20); // the trickle's pace (a client-side pause, not a wait for the server)
            }

            for (int i = 0; i < uploads; i++) {
                if (i % 2 == 1) {
                    conns.get(i).chunk(new byte[0]);
                }
            }
            for (int i = 0; i < uploads; i++) {
                RawHttp.Response r = conns.get(i).response(Duration.ofSeconds(60));
                assertThat(r.status()).as("upload %d: %s", i, r).isEqualTo(202);
            }
        } finally {
            for (RawHttp c : conns) {
                c.close();
            }
        }
    }

    @Test
    void uploadThatStallsIsAnswered408AfterTheReadTimeoutAndQueuesNothing() throws Exception {
        Map<String, String> settings = EmbeddedWar.testSettings();
        settings.put("asyncreply.read.timeout", "1s");
        try (EmbeddedWar impatient = new EmbeddedWar()) {
            URI url = impatient.start(settings);
            Api client = new Api(url);
            try (RawHttp c = RawHttp.open(url)) {
                long t0 = System.nanoTime(); // before the head: the server's timeout starts when it has it
                c.head("POST", "tasks/echo", "Content-Type: text/plain", "Content-Length: 1000");
                c.write(bytes("only the first bytes"));
                RawHttp.Response r = c.response(Duration.ofSeconds(30));

                assertThat(r.status()).as("%s", r).isEqualTo(408);
                assertThat(r.header("Content-Type")).startsWith("application/problem+json");
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("waited for the body")
                        .isGreaterThan(Duration.ofMillis(800));
                assertThat(c.closedByServerWithin(Duration.ofSeconds(10))).as("connection closed").isTrue();
            }
            assertThat(client.get("tasks").json().path("items")).as("nothing queued").isEmpty();
            assertThat(client.submit("echo", bytes("next"), "text/plain").status()).isEqualTo(202);
        }
    }

    /**
     * The container's idle timeout (Jetty 30 s by default, the same as asyncreply.read.timeout)
     * can end a stalled upload before the read timeout does: the client must still get a 408, not
     * the empty 200 it once got.
     */
    @Test
    void uploadThatStallsPastTheContainersIdleTimeoutIsAnswered408AndQueuesNothing() throws Exception {
        Map<String, String> settings = EmbeddedWar.testSettings();
        settings.put("asyncreply.read.timeout", "60s");
        try (EmbeddedWar impatient = new EmbeddedWar().idleTimeout(Duration.ofSeconds(1))) {
            URI url = impatient.start(settings);
            Api client = new Api(url);
            try (RawHttp c = RawHttp.open(url)) {
                c.head("POST", "tasks/echo", "Content-Type: text/plain", "Content-Length: 1000");
                c.write(bytes("only the first bytes"));
                RawHttp.Response r = c.response(Duration.ofSeconds(30));

                assertThat(r.status()).as("%s", r).isEqualTo(408);
                assertThat(r.header("Content-Type")).startsWith("application/problem+json");
            }
            assertThat(client.get("tasks").json().path("items")).as("nothing queued").isEmpty();
            assertThat(client.submit("echo", bytes("next"), "text/plain").status()).isEqualTo(202);
        }
    }

    @Test
    void clientThatDisconnectsMidUploadQueuesNothingAndTheServerCarriesOn() throws Exception {
        String newest = newestTaskId();
        for (int i = 0; i < 20; i++) {
            try (RawHttp c = RawHttp.open(base)) {
                c.head("POST", "tasks/echo", "Content-Type: application/octet-stream", "Content-Length: 100000");
                c.write(new byte[5000]);
            } // closed with the body unfinished
        }
        Reply after = api.submit("echo", bytes("after the disconnects"), "text/plain");
        assertThat(after.status()).isEqualTo(202);
        JsonNode items = api.get("tasks?limit=2").json().path("items");
        assertThat(items.get(0).path("id").asText()).isEqualTo(after.json().path("id").asText());
        if (newest != null) {
            assertThat(items.get(1).path("id").asText()).as("nothing queued between").isEqualTo(newest);
        } else {
            assertThat(items).hasSize(1);
        }
        assertThat(api.get("health").json().path("status").asText()).isEqualTo("UP");
    }

    private String newestTaskId() {
        JsonNode items = api.get("tasks?limit=1").json().path("items");
        return items.isEmpty() ? null : items.get(0).path("id").asText();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** One client sending a body a few KiB at a time, on its own thread. */
    private static final class Trickle implements AutoCloseable {
        private final int index;
        private final RawHttp conn;
        private final Thread thread;
        private final CountDownLatch sent = new CountDownLatch(1);
        private volatile RawHttp.Response response;
        private volatile Throwable failure;
        private volatile long startNanos;
        private volatile long endNanos;

        private Trickle(int index, RawHttp conn, Thread thread) {
            this.index = index;
            this.conn = conn;
            this.thread = thread;
        }

        static byte[] payload(int index, int size) {
            byte[] b = new byte[size];
            new Random(index).nextBytes(b);
            return b;
        }

        /**
         * Sends {@code size} bytes in {@code chunk}s with a {@code pause} between them; once 64 KiB are
         * sent it counts down {@code underWay} and holds until {@code resume} opens (at most 60 s).
         */
        static Trickle start(URI base, int index, int size, int chunk, Duration pause, boolean chunked,
                CountDownLatch underWay, CountDownLatch resume) throws IOException {
            RawHttp conn = RawHttp.open(base);
            Trickle[] self = new Trickle[1];
            Thread t = new Thread(() -> self[0].run(size, chunk, pause, chunked, underWay, resume),
                    "trickle-" + index);
            self[0] = new Trickle(index, conn, t);
            t.start();
            return self[0];
        }

        private void run(int size, int chunk, Duration pause, boolean chunked, CountDownLatch underWay,
                CountDownLatch resume) {
            byte[] body = payload(index, size);
            boolean counted = false;
            try {
                startNanos = System.nanoTime();
                if (chunked) {
                    conn.head("POST", "tasks/echo", "Content-Type: application/octet-stream",
                            "Transfer-Encoding: chunked");
                } else {
                    conn.head("POST", "tasks/echo", "Content-Type: application/octet-stream",
                            "Content-Length: " + size);
                }
                for (int off = 0; off < size; off += chunk) {
                    byte[] part = java.util.Arrays.copyOfRange(body, off, Math.min(size, off + chunk));
                    if (chunked) {
                        conn.chunk(part);
                    } else {
                        conn.write(part);
                    }
                    if (!counted && off >= 16 * chunk) { // 64 KiB sent: under way, far from done
                        underWay.countDown();
                        counted = true;
                        if (!resume.await(60, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("not resumed within 60 s");
                        }
                    }
                    Thread.sleep(pause.toMillis());
                }
                if (chunked) {
                    conn.chunk(new byte[0]);
                }
                endNanos = System.nanoTime();
                sent.countDown();
                response = conn.response(Duration.ofSeconds(60));
            } catch (Throwable e) {
                failure = e;
                sent.countDown();
            }
        }

        boolean done() {
            return sent.getCount() == 0;
        }

        Duration sendingTook() {
            return Duration.ofNanos(endNanos - startNanos);
        }

        RawHttp.Response awaitResponse() throws InterruptedException {
            thread.join(90_000);
            if (failure != null) {
                throw new AssertionError("trickle " + index + " failed", failure);
            }
            assertThat(response).as("trickle %s answered", index).isNotNull();
            return response;
        }

        @Override
        public void close() throws Exception {
            conn.close();
            thread.join(10_000);
        }
    }
}
