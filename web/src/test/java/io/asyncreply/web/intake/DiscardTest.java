package io.asyncreply.web.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.web.http.Responses;
import io.asyncreply.web.testing.WriteRace;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DiscardTest {
    private final AtomicInteger completions = new AtomicInteger();
    private final AsyncContext async = (AsyncContext) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {AsyncContext.class}, (proxy, method, args) -> {
                if (!method.getName().equals("complete")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                if (completions.incrementAndGet() > 1) {
                    throw new IllegalStateException("completed twice");
                }
                return null;
            });

    /** A body of {@code total} bytes of which {@code ready} can be read now; the rest "arrives later". */
    private static final class Body extends ServletInputStream {
        private final long total;
        private long ready;
        private long read;

        Body(long total, long ready) {
            this.total = total;
            this.ready = ready;
        }

        void arrive(long n) {
            ready += n;
        }

        @Override
        public boolean isFinished() {
            return read == total;
        }

        @Override
        public boolean isReady() {
            return read < ready || isFinished();
        }

        @Override
        public void setReadListener(ReadListener l) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("reads in blocks");
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (isFinished()) {
                return -1;
            }
            int n = (int) Math.min(len, Math.min(ready, total) - read);
            read += n;
            return n;
        }
    }

    /** A response that records its headers, and an answer that records when it was written. */
    private final Map<String, String> headers = new ConcurrentHashMap<>();
    private final HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
                if (!method.getName().equals("setHeader")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                headers.put((String) args[0], (String) args[1]);
                return null;
            });
    private final List<String> events = new CopyOnWriteArrayList<>();

    private Responses.Answer answer(Body body) {
        return r -> events.add("answered after " + body.read + " bytes, completions " + completions.get());
    }

    @Test
    void theAnswerIsWrittenOnceTheWholeBodyIsReadAcrossCallbacksAndKeepsTheConnection() throws IOException {
        Body body = new Body(300_000, 100_000);
        Discard d = new Discard(async, body, 300_000, response, answer(body));

        d.onDataAvailable();
        assertThat(events).isEmpty();
        body.arrive(200_000);
        d.onDataAvailable();
        d.onAllDataRead();

        assertThat(events).containsExactly("answered after 300000 bytes, completions 0");
        assertThat(completions).hasValue(1);
        assertThat(headers).isEmpty();
    }

    @Test
    void theAnswerClosesTheConnectionAsSoonAsTheBodyOutrunsTheBudget() throws IOException {
        Body body = new Body(100L << 20, 100L << 20);
        Discard d = new Discard(async, body, Discard.LIMIT, response, answer(body));

        d.onDataAvailable();

        assertThat(body.read).as("read past the budget").isLessThanOrEqualTo(Discard.LIMIT + 16 * 1024);
        assertThat(events).hasSize(1);
        assertThat(headers).containsEntry("Connection", "close");
        assertThat(completions).hasValue(1);
        d.onDataAvailable(); // a late callback reads nothing more
        assertThat(body.read).isLessThanOrEqualTo(Discard.LIMIT + 16 * 1024);
    }

    @Test
    void aStalledUploadIsStillAnsweredOnceWhenItTimesOutAndRacesTheRest() throws IOException {
        Body body = new Body(1000, 10);
        Discard d = new Discard(async, body, 1000, response, answer(body));

        d.onTimeout(null);
        d.onError(new IOException("late"));
        d.onDataAvailable();
        d.onAllDataRead();

        assertThat(events).containsExactly("answered after 0 bytes, completions 0");
        assertThat(headers).containsEntry("Connection", "close");
        assertThat(completions).hasValue(1);
    }

    /** The read deadline answers on another thread while the client goes away: the container's callback waits for that write. */
    @Test
    void anErrorReportedWhileTheRefusalIsBeingWrittenReturnsOnlyOnceTheWriteIsOver() throws Exception {
        Body body = new Body(1000, 10);
        WriteRace race = new WriteRace();
        Discard d = new Discard(async, body, 1000, response, r -> race.inTheWrite().run());

        List<String> order = race.run(() -> d.done(false), () -> d.onError(new IOException("Broken pipe")));

        assertThat(order).containsExactly(WriteRace.WRITE_OVER, WriteRace.CALLBACK_RETURNED);
        assertThat(completions).hasValue(1);
    }

    @Test
    void aBodyRefusedFromItsHeadersIsReadToTheEndOnlyUpToTheLimitPastTheMaximum() {
        long max = 1 << 20;
        assertThat(Discard.budget(0, max)).as("no body").isZero();
        assertThat(Discard.budget(10, max)).isEqualTo(10);
        assertThat(Discard.budget(max + 1, max)).isEqualTo(max + 1);
        assertThat(Discard.budget(max + Discard.LIMIT, max)).isEqualTo(max + Discard.LIMIT);
        assertThat(Discard.budget(max + Discard.LIMIT + 1, max)).as("too long to help").isZero();
        assertThat(Discard.budget(-1, max)).as("chunked").isEqualTo(max + Discard.LIMIT);
    }
}
