package io.asyncreply.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.it.Api.Reply;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.util.Callback;

/**
 * What a server does with long-polls whose clients went away, seen from outside: a server with
 * {@link #HELD} as {@code asyncreply.wait.max-held} holds that many {@code ?wait=60} requests
 * (capped at {@link #WAIT_CAP}), refuses one more with 503, and after the clients give up frees
 * the places either at once (the container reported the clients gone, and the application dropped
 * their requests) or when the waits end.
 *
 * <p>Two ways to give up. Over HTTP/1.1 the client closes its connection: measured on Jetty 12.1.8
 * (embedded and standalone) and Tomcat 10.1.59 and 11.0.24, no container reports a connection
 * closed while a request is suspended and nothing is read or written, so the places come back when
 * the waits end. Over HTTP/2 the client resets its stream ({@code RST_STREAM}), which the
 * container receives at once and reports to the suspended request ({@code AsyncListener.onError}):
 * there the application must free the place at once.
 *
 * <p>No bound here is a constant: whether the places came back before the waits ended is judged
 * from when the long-polls were sent and {@link #WAIT_CAP}, whatever its value.
 */
public final class AbandonedLongPolls {
    /** The bound the server under test is configured with. */
    public static final int HELD = 4;
    /** The server's wait cap: what an abandoned long-poll costs at most. */
    public static final Duration WAIT_CAP = Duration.ofSeconds(10);
    /** Each probe for a free place is itself a long-poll of this many seconds (one that is admitted is held so long). */
    private static final int PROBE_WAIT_SECONDS = 1;

    private AbandonedLongPolls() {
    }

    /** Settings for the server under test: the memory store, the bound {@link #HELD}, the cap {@link #WAIT_CAP}. */
    public static Map<String, String> settings() {
        return Map.of("asyncreply.store", "memory", "asyncreply.workers", "1", "asyncreply.queue.capacity", "64",
                "asyncreply.wait.max-held", Integer.toString(HELD), "asyncreply.wait.max", WAIT_CAP.toSeconds() + "s");
    }

    /**
     * When the places of abandoned long-polls came back.
     *
     * @param afterGivingUp from the moment the clients gave up to the answer of the first probe that was admitted
     *     (null: none was within the patience)
     * @param beforeTheWaitsEnded whether that probe was admitted before the abandoned long-polls' waits could
     *     have ended: the container reported the clients gone and the application freed their places
     */
    public record Recovery(Duration afterGivingUp, boolean beforeTheWaitsEnded) {
        public boolean freed() {
            return afterGivingUp != null;
        }
    }

    /** {@link #abandonAndTimeTheRecovery} with clients that close their HTTP/1.1 connections. */
    public static Recovery closingHttp1Connections(URI base) throws Exception {
        try (Http1Polls polls = new Http1Polls(base)) {
            return abandonAndTimeTheRecovery(base, polls);
        }
    }

    /** {@link #abandonAndTimeTheRecovery} with clients that reset their HTTP/2 streams (h2c, prior knowledge). */
    public static Recovery resettingHttp2Streams(URI base) throws Exception {
        try (Http2Polls polls = new Http2Polls(base)) {
            return abandonAndTimeTheRecovery(base, polls);
        }
    }

    /**
     * Fills the bound with long-polls on a running task ({@link #HELD} + 1 of them: the one the
     * server refuses, with 503, shows that the others are held), gives the held ones up and times
     * how long it took until a long-poll was admitted again. Patience: the waits' end, and as long
     * again.
     */
    private static Recovery abandonAndTimeTheRecovery(URI base, LongPolls polls) throws Exception {
        Api api = new Api(base);
        Reply submitted = api.submit("sleep", "{\"ms\": 120000}".getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(submitted.status()).as("%s", submitted).isEqualTo(202);
        String id = submitted.json().path("id").asText();
        try {
            // The server starts each wait when it receives the long-poll, so after this moment.
            long sent = System.nanoTime();
            for (int i = 0; i <= HELD; i++) {
                polls.open("tasks/" + id + "?wait=60");
            }
            // Only these long-polls use the server's places: the one answered is the one beyond the bound.
            await().atMost(WAIT_CAP).pollInterval(Duration.ofMillis(20)).until(() -> polls.answered().size() >= 1);
            List<Integer> answers = polls.answered();
            assertThat(answers).as("the long-poll beyond the bound, at once").containsExactly(503);
            long gaveUp = System.nanoTime();
            polls.abandonAll();
            long waitsEnd = sent + WAIT_CAP.toNanos();
            long deadline = waitsEnd + WAIT_CAP.toNanos();
            while (System.nanoTime() < deadline) {
                Reply r = api.get("tasks/" + id + "?wait=" + PROBE_WAIT_SECONDS);
                long answered = System.nanoTime();
                if (r.status() == 200) {
                    // Admitted at the latest when its own wait began: the answer came when that wait ended.
                    long admittedBy = answered - TimeUnit.SECONDS.toNanos(PROBE_WAIT_SECONDS);
                    return new Recovery(Duration.ofNanos(answered - gaveUp), admittedBy < waitsEnd);
                }
                assertThat(r.status()).as("%s", r).isEqualTo(503);
                assertThat(r.header("Retry-After")).as("%s", r).isPresent();
                assertThat(r.json().path("type").asText()).as("%s", r).endsWith("too-many-waiting");
                Thread.sleep(100); // a poll of the server's state from outside, not a wait for an event
            }
            return new Recovery(null, false);
        } finally {
            api.delete("tasks/" + id);
        }
    }

    /** Long-polls a client sends and then abandons. */
    private interface LongPolls extends AutoCloseable {
        void open(String path) throws Exception;

        /** The statuses of the long-polls answered so far (a refused one is answered at once). */
        List<Integer> answered() throws Exception;

        /** Gives up every long-poll not answered. */
        void abandonAll() throws Exception;
    }

    /** One HTTP/1.1 connection per long-poll; giving up closes the connections. */
    private static final class Http1Polls implements LongPolls {
        private final URI base;
        private final List<RawHttp> clients = new ArrayList<>();
        private final List<Integer> answers = new ArrayList<>();
        private final List<RawHttp> answered = new ArrayList<>();

        Http1Polls(URI base) {
            this.base = base;
        }

        @Override
        public void open(String path) throws Exception {
            RawHttp c = RawHttp.open(base);
            clients.add(c);
            c.head("GET", path);
        }

        @Override
        public List<Integer> answered() throws Exception {
            for (RawHttp c : clients) {
                if (!answered.contains(c) && c.answerArrived()) {
                    RawHttp.Response r = c.response(Duration.ofSeconds(10));
                    if (r.status() == 503) {
                        assertThat(r.header("Retry-After")).as("%s", r).isNotNull();
                        assertThat(r.text()).as("%s", r).contains("too-many-waiting");
                    }
                    answered.add(c);
                    answers.add(r.status());
                }
            }
            return List.copyOf(answers);
        }

        @Override
        public void abandonAll() throws Exception {
            for (RawHttp c : clients) {
                c.close();
            }
        }

        @Override
        public void close() throws Exception {
            abandonAll();
        }
    }

    /** One HTTP/2 connection (h2c by prior knowledge), a stream per long-poll; giving up resets the streams. */
    private static final class Http2Polls implements LongPolls {
        private final URI base;
        private final HTTP2Client client = new HTTP2Client();
        private final Session session;
        private final List<Stream> streams = new ArrayList<>();
        private final Map<Integer, Integer> answers = new ConcurrentHashMap<>();

        Http2Polls(URI base) throws Exception {
            this.base = base;
            client.start();
            try {
                session = client.connect(new InetSocketAddress(base.getHost(), base.getPort()), new Session.Listener() {
                }).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                client.stop();
                throw e;
            }
        }

        @Override
        public void open(String path) throws Exception {
            MetaData.Request get = new MetaData.Request("GET", HttpURI.from(base.resolve(path).toString()),
                    HttpVersion.HTTP_2, HttpFields.EMPTY);
            streams.add(session.newStream(new HeadersFrame(get, null, true), new Stream.Listener() {
                @Override
                public void onHeaders(Stream stream, HeadersFrame frame) {
                    if (frame.getMetaData() instanceof MetaData.Response r) {
                        if (r.getStatus() == 503) {
                            assertThat(r.getHttpFields().get("Retry-After")).as("%s", r).isNotNull();
                        }
                        answers.put(stream.getId(), r.getStatus());
                    }
                }
            }).get(10, TimeUnit.SECONDS));
        }

        @Override
        public List<Integer> answered() {
            return List.copyOf(answers.values());
        }

        @Override
        public void abandonAll() throws Exception {
            for (Stream s : streams) {
                if (!answers.containsKey(s.getId())) {
                    s.reset(new ResetFrame(s.getId(), ErrorCode.CANCEL_STREAM_ERROR.code)).get(10, TimeUnit.SECONDS);
                }
            }
        }

        @Override
        public void close() throws Exception {
            try {
                session.close(ErrorCode.NO_ERROR.code, "done", Callback.NOOP);
            } finally {
                client.stop();
            }
        }
    }
}
