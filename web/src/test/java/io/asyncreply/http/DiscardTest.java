package io.asyncreply.http;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
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

    @Test
    void completesWhenTheWholeRestHasBeenReadAcrossCallbacks() throws IOException {
        Body body = new Body(300_000, 100_000);
        Discard d = new Discard(async, body, 300_000);

        d.onDataAvailable();
        assertThat(completions).as("more is coming").hasValue(0);
        body.arrive(200_000);
        d.onDataAvailable();

        assertThat(body.read).isEqualTo(300_000);
        assertThat(completions).hasValue(1);
    }

    @Test
    void completesAsSoonAsTheBudgetIsSpentEvenThoughMoreIsComing() throws IOException {
        Body body = new Body(100L << 20, 100L << 20);
        Discard d = new Discard(async, body, Discard.LIMIT);

        d.onDataAvailable();

        assertThat(completions).hasValue(1);
        assertThat(body.read).as("read past the budget").isLessThanOrEqualTo(Discard.LIMIT + 16 * 1024);
        d.onDataAvailable(); // a late callback reads nothing more
        assertThat(body.read).isLessThanOrEqualTo(Discard.LIMIT + 16 * 1024);
    }

    @Test
    void aTimeoutRacingTheEndOfTheBodyCompletesTheExchangeOnce() throws IOException {
        Body body = new Body(10, 10);
        Discard d = new Discard(async, body, 10);

        d.onTimeout(null);
        d.onDataAvailable();
        d.onAllDataRead();
        d.onError(new IOException("reset"));

        assertThat(completions).hasValue(1);
    }

    @Test
    void aDeclaredBodyIsWorthReadingOnlyUpToTheLimitPastTheMaximum() {
        long max = 1 << 20;
        assertThat(Discard.worthReading(max + 1, max)).isTrue();
        assertThat(Discard.worthReading(max + Discard.LIMIT, max)).isTrue();
        assertThat(Discard.worthReading(max + Discard.LIMIT + 1, max)).isFalse();
    }
}
