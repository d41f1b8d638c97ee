package io.asyncreply.web.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.it.SseClient;
import io.asyncreply.task.Submission;
import io.asyncreply.task.TaskStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The bounds of event streams over real HTTP: how many may be open, how much a slow client may
 * make the server hold, that no thread waits for a stream, and that every stream is ended when
 * the application stops.
 */
class EventStreamBoundsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void beyondTheMostOpenStreamsTheAnswerIs503WithRetryAfterUntilOneCloses() throws Exception {
        // a client that goes away is noticed at the next write: a heartbeat at the latest
        try (SseServer s = SseServer.start(Map.of("asyncreply.events.max-streams", "3",
                "asyncreply.events.heartbeat", "200ms"))) {
            List<SseClient> open = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                open.add(SseClient.open(s.uri("events")));
                assertThat(open.get(i).status()).isEqualTo(200);
            }
            String id = s.apps.submit("echo", "x", "text/plain");

            SseClient refused = SseClient.open(s.uri("tasks/" + id + "/events"));
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.mediaType()).isEqualTo("application/problem+json");
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(new String(refused.errorBody(), StandardCharsets.UTF_8)).contains("too-many-streams");

            open.get(0).close();
            await().atMost(WAIT).until(() -> s.streams().openStreams() == 2);
            try (SseClient again = SseClient.open(s.uri("tasks/" + id + "/events"))) {
                assertThat(again.status()).isEqualTo(200);
            }
            open.forEach(SseClient::close);
        }
    }

    /**
     * A client that does not read while many events pass: once the connection holds all it can,
     * its stream buffers at most the bound, then is dropped (its buffer let go); when it reads, it
     * gets what the connection held, a comment saying it was dropped, and the end.
     */
    @Test
    void aClientThatDoesNotReadIsDroppedWithAClearEndAndTheServerHoldsNoMoreThanTheBound() throws Exception {
        long bound = 256 * 1024; // more than a burst of the dispatcher: the drop comes from the full connection
        try (SseServer s = SseServer.start(Map.of("asyncreply.events.buffer-bytes", Long.toString(bound),
                "asyncreply.events.heartbeat", "500ms", "asyncreply.queue.capacity", "50000",
                "asyncreply.workers", "2"))) {
            try (Socket slow = new Socket()) {
                slow.setReceiveBufferSize(4096);
                slow.connect(new InetSocketAddress("127.0.0.1", s.base.getPort()), 5000);
                OutputStream out = slow.getOutputStream();
                out.write(("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                await().atMost(WAIT).until(() -> s.streams().hub().size() == 1);
                AtomicLong most = new AtomicLong();
                AtomicBoolean sampling = new AtomicBoolean(true);
                CompletableFuture<Void> sampler = CompletableFuture.runAsync(() -> {
                    while (sampling.get()) {
                        most.accumulateAndGet(s.streams().bufferedBytes(), Math::max);
                        Thread.onSpinWait();
                    }
                });
                for (int i = 0; i < 40_000 && s.streams().hub().size() == 1; i++) {
                    // up to 120,000 events of about 400 bytes: far more than the sockets between us hold
                    s.apps.service().submit("echo", new byte[] {'x'}, "text/plain", null).toCompletableFuture().join();
                }

                await().atMost(WAIT).until(() -> s.streams().hub().size() == 0); // dropped
                sampling.set(false);
                sampler.join();
                assertThat(most.get()).as("bytes held for the slow client, at most").isLessThanOrEqualTo(bound);
                assertThat(s.streams().bufferedBytes()).isZero();

                String text = readChunkedUntilTheEnd(slow.getInputStream());
                assertThat(text.length()).as("what the connection held when the stream was dropped")
                        .isGreaterThan(1 << 20);
                assertThat(text).startsWith(": asyncreply event stream\n\n").contains("\nevent: queued\nid: ");
                assertThat(text.substring(text.lastIndexOf("\n\n: ") + 2)).startsWith(": dropped:")
                        .contains("reconnect with Last-Event-ID").endsWith("\n\n");
                await().atMost(WAIT).until(() -> s.streams().openStreams() == 0);
            }
        }
    }

    @Test
    void openStreamsHoldNoThread() throws Exception {
        try (SseServer s = SseServer.start(Map.of("asyncreply.events.heartbeat", "200ms",
                "asyncreply.queue.capacity", "100"))) {
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 300; i++) {
                    Socket c = new Socket("127.0.0.1", s.base.getPort());
                    c.getOutputStream().write((i % 2 == 0 ? "GET /events" : "GET /events?type=echo")
                            .concat(" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    clients.add(c);
                }
                await().atMost(WAIT).until(() -> s.streams().openStreams() == 300);
                for (int i = 0; i < 20; i++) {
                    s.apps.submit("echo", "x", "text/plain");
                }

                // every stream had events and heartbeats; afterwards no container thread is busy with any
                await().atMost(WAIT).until(() -> s.threads.getBusyThreads() <= 2);
                assertThat(s.streams().openStreams()).isEqualTo(300);
                assertThat(s.threads.getThreads()).as("container threads for 300 streams").isLessThan(60);
            } finally {
                for (Socket c : clients) {
                    c.close();
                }
            }
        }
    }

    @Test
    void whenTheApplicationStopsEveryStreamIsToldAndEndedAndNoneIsOpenedAnyMore() throws Exception {
        try (SseServer s = SseServer.start(Map.of("asyncreply.events.heartbeat", "200ms"))) {
            String id = s.apps.submit("gate", "", null);
            s.apps.awaitStatus(id, TaskStatus.RUNNING);
            SseClient one = SseClient.open(s.uri("tasks/" + id + "/events"));
            SseClient all = SseClient.open(s.uri("events"));
            assertThat(one.nextEvent(WAIT)).isNotNull();

            s.streams().close();

            for (SseClient c : List.of(one, all)) {
                List<SseClient.Item> items = c.until(i -> i instanceof SseClient.Eof, WAIT);
                assertThat(items.get(items.size() - 1)).isEqualTo(new SseClient.Eof(null));
                assertThat(items.get(items.size() - 2)).isInstanceOf(SseClient.Comment.class)
                        .extracting(i -> ((SseClient.Comment) i).text()).asString().contains("stopping")
                        .contains("Last-Event-ID");
            }
            assertThat(s.streams().openStreams()).isZero();
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                    .doesNotContain(EventStreams.THREAD);
            SseClient late = SseClient.open(s.uri("events"));
            assertThat(late.status()).isEqualTo(503);
            assertThat(new String(late.errorBody(), StandardCharsets.UTF_8)).contains("shutting-down");
        }
    }

    @Test
    void aTaskStreamWhenTheStoreCannotBeReadIs503() throws Exception {
        try (SseServer s = SseServer.start(Map.of())) {
            String id = s.apps.submit("echo", "x", "text/plain");
            s.apps.store.down = true;
            try (SseClient c = SseClient.open(s.uri("tasks/" + id + "/events"))) {
                assertThat(c.status()).isEqualTo(503);
                assertThat(new String(c.errorBody(), StandardCharsets.UTF_8)).contains("store-unavailable");
            }
            s.apps.store.down = false;
            assertThat(s.streams().openStreams()).isZero();
        }
    }

    /** The body of a chunked response up to its last chunk, as text. */
    private static String readChunkedUntilTheEnd(InputStream raw) throws IOException {
        InputStream in = new java.io.BufferedInputStream(raw);
        String statusAndHeaders = readUntil(in, "\r\n\r\n");
        assertThat(statusAndHeaders).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = readUntil(in, "\r\n").trim();
            int n = Integer.parseInt(size.split(";")[0], 16);
            if (n == 0) {
                readUntil(in, "\r\n");
                return body.toString(StandardCharsets.UTF_8);
            }
            body.write(in.readNBytes(n));
            readUntil(in, "\r\n");
        }
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith(end)) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("the connection ended before " + end.replace("\r\n", "CRLF") + ": " + b);
            }
            b.append((char) c);
        }
        return b.substring(0, b.length() - end.length());
    }
}
