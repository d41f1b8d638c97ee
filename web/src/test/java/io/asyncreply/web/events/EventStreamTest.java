package io.asyncreply.web.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.events.EventFilter;
import io.asyncreply.events.Start;
import io.asyncreply.events.Subscription;
import io.asyncreply.web.testing.TestApps;
import io.asyncreply.web.testing.WriteRace;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The state machine of one stream, driven by the test as a container would drive it (callbacks on
 * whatever thread, at the worst moments), over a fake response.
 */
class EventStreamTest {
    private TestApps apps;
    private EventStreams streams;
    private final Output out = new Output();
    private final AtomicInteger completions = new AtomicInteger();
    private final List<AsyncListener> listeners = new ArrayList<>();
    private AsyncContext async;

    @BeforeEach
    void start() {
        apps = TestApps.start(Map.of());
        streams = apps.app.events();
        ServletResponse response = (ServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServletResponse.class}, (p, m, a) -> switch (m.getName()) {
                    case "getOutputStream" -> out;
                    case "isCommitted" -> true;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        async = (AsyncContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {AsyncContext.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getResponse" -> response;
                    case "start" -> {
                        ((Runnable) a[0]).run(); // a container thread, at once
                        yield null;
                    }
                    case "complete" -> {
                        completions.incrementAndGet();
                        yield null;
                    }
                    case "addListener" -> {
                        listeners.add((AsyncListener) a[0]);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    @AfterEach
    void stop() {
        apps.close();
    }

    /** A stream registered and subscribed to every task, started on the fake exchange. */
    private EventStream open() throws IOException {
        EventStream s = new EventStream(streams, SseFrames.OPEN);
        assertThat(streams.add(s)).isTrue();
        Start start = streams.hub().all(EventFilter.ALL, OptionalLong.empty(), s);
        Subscription sub = ((Start.Opened) start).subscription();
        s.start(async, sub);
        assertThat(out.listener).isSameAs(s);
        return s;
    }

    @Test
    void theFirstOnWritePossibleWritesAndFlushesAndTheStreamRests() throws IOException {
        EventStream s = open();
        assertThat(s.state()).isEqualTo(EventStream.State.BLOCKED);

        s.onWritePossible();

        assertThat(out.text()).isEqualTo(": asyncreply event stream\n\n");
        assertThat(out.flushes).isEqualTo(1);
        assertThat(s.state()).isEqualTo(EventStream.State.IDLE);
    }

    /**
     * The container says "ready again" on another thread in the very moment the writer learns the
     * output is not ready: the writer must not block with nobody left to wake it.
     */
    @Test
    void aReadinessNotificationThatComesWhileTheWriterFindsTheOutputBusyIsNotLost() throws IOException {
        EventStream s = open();
        out.ready = false;
        out.whenNotReady = () -> { // the pending write completes: the container calls back at once
            out.ready = true;
            s.onWritePossible();
        };

        s.onWritePossible();

        assertThat(out.text()).isEqualTo(": asyncreply event stream\n\n");
        assertThat(s.state()).isEqualTo(EventStream.State.IDLE);
    }

    @Test
    void whenTheOutputIsBusyTheStreamWaitsForTheContainerAndGoesOnWhenCalled() throws IOException {
        EventStream s = open();
        out.ready = false;

        s.onWritePossible();
        assertThat(s.state()).isEqualTo(EventStream.State.BLOCKED);
        assertThat(out.text()).isEmpty();
        s.heartbeat(0); // a wake-up while blocked waits for the container too
        assertThat(s.state()).isEqualTo(EventStream.State.BLOCKED);

        out.ready = true;
        s.onWritePossible();
        assertThat(out.text()).isEqualTo(": asyncreply event stream\n\n: heartbeat\n\n");
        assertThat(s.state()).isEqualTo(EventStream.State.IDLE);
    }

    /** Work that arrives while the writer flushes (its wake-up finds WRITING) is taken before it rests. */
    @Test
    void aHeartbeatDueWhileTheWriterFlushesIsWrittenBeforeItRests() throws IOException {
        EventStream s = open();
        out.whenFlushed = () -> s.heartbeat(0);

        s.onWritePossible();

        assertThat(out.text()).isEqualTo(": asyncreply event stream\n\n: heartbeat\n\n");
        assertThat(s.state()).isEqualTo(EventStream.State.IDLE);
    }

    @Test
    void aWakeUpOfARestingStreamWritesOnAContainerThread() throws IOException {
        EventStream s = open();
        s.onWritePossible();

        s.heartbeat(0);

        assertThat(out.text()).endsWith(": heartbeat\n\n");
        assertThat(out.flushes).isEqualTo(2);
        assertThat(s.state()).isEqualTo(EventStream.State.IDLE);
    }

    @Test
    void aWriteThatFailsEndsTheStreamClosesItsSubscriptionAndCompletesOnce() throws IOException {
        EventStream s = open();
        out.fail = true;

        s.onWritePossible();
        for (AsyncListener l : listeners) {
            l.onComplete(null); // the container reports the end too
        }

        assertThat(s.state()).isEqualTo(EventStream.State.ENDED);
        assertThat(completions.get()).isEqualTo(1);
        assertThat(streams.openStreams()).isZero();
        assertThat(streams.hub().size()).isZero();
    }

    /**
     * Tomcat reports a failed flush to a container thread from inside the flush, and recycles the
     * response for the next connection once {@code onError} returns: {@code onError} must wait
     * for the write under way, and nothing may touch the output after it.
     */
    @Test
    void anErrorReportedWhileAWriteIsUnderWayReturnsOnlyOnceTheWriteIsOver() throws Exception {
        EventStream s = open();
        s.onWritePossible();
        WriteRace race = new WriteRace();
        out.whenFlushed = race.inTheWrite();

        List<String> order = race.run(() -> s.heartbeat(0), () -> s.onError(new IOException("broken pipe (test)")));

        assertThat(order).containsExactly(WriteRace.WRITE_OVER, WriteRace.CALLBACK_RETURNED);
        int flushes = out.flushes;
        s.heartbeat(0);
        s.onWritePossible();
        assertThat(out.flushes).isEqualTo(flushes);
        assertThat(s.state()).isEqualTo(EventStream.State.ENDED);
        assertThat(completions.get()).isEqualTo(1);
    }

    @Test
    void theEndOfTheSubscriptionIsWrittenAsLastWordsThenTheStreamCompletes() throws IOException {
        EventStream s = open();
        s.onWritePossible();

        streams.hub().close(); // as on undeploy: the subscription ends, the stream is woken

        assertThat(out.text()).endsWith(": the server is stopping; reconnect with Last-Event-ID to resume\n\n");
        assertThat(s.state()).isEqualTo(EventStream.State.ENDED);
        assertThat(completions.get()).isEqualTo(1);
    }

    @Test
    void aStreamEndedBeforeItStartedClosesItsSubscriptionAndCompletes() throws IOException {
        EventStream s = new EventStream(streams, SseFrames.OPEN);
        streams.add(s);
        Subscription sub = ((Start.Opened) streams.hub().all(EventFilter.ALL, OptionalLong.empty(), s)).subscription();
        s.end(); // undeploy, between the subscription and the start

        s.start(async, sub);

        assertThat(sub.isEnded()).isTrue();
        assertThat(completions.get()).isEqualTo(1);
        assertThat(streams.hub().size()).isZero();
    }

    /** A servlet output the test controls. */
    static final class Output extends ServletOutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        volatile boolean ready = true;
        volatile boolean fail;
        volatile Runnable whenNotReady;
        volatile Runnable whenFlushed;
        volatile WriteListener listener;
        int flushes;

        @Override
        public boolean isReady() {
            if (ready) {
                return true;
            }
            Runnable r = whenNotReady;
            whenNotReady = null;
            if (r != null) {
                r.run();
            }
            return false;
        }

        @Override
        public void setWriteListener(WriteListener l) {
            listener = l;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (fail) {
                throw new IOException("broken pipe (test)");
            }
            bytes.write(b, off, len);
        }

        @Override
        public void flush() {
            flushes++;
            Runnable r = whenFlushed;
            whenFlushed = null;
            if (r != null) {
                r.run();
            }
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
