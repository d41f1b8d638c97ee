package io.asyncreply.http;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * After a refusal that is already written ({@code 413}, with {@code Connection: close}), reads and
 * throws away a bounded rest of the request body, then completes the exchange so that the
 * container closes the connection.
 *
 * <p>Why read at all: many clients, {@code java.net.http.HttpClient} among them, write the whole
 * body before they look at the answer. If the server closes the connection while bytes of the body
 * are still unread or arriving, the kernel resets it; such a client then reports a broken pipe
 * ("header parser received no bytes") instead of the {@code 413} it was sent, about one time in
 * fifteen on loopback. Reading the rest lets it finish writing and read the answer. Tomcat's
 * {@code maxSwallowSize} does the same with a blocked thread; here no thread waits: the bytes are
 * read as the container reports them ready.
 *
 * <p>Bounded twice, so that "the server stops reading early" still holds: no body is read beyond
 * {@link #LIMIT} bytes past the configured limit, and no longer than the exchange's async timeout
 * (the read timeout). When either runs out, or the client closes, the exchange is completed and
 * the connection closed with the rest unread; a client that sends more than that may then see the
 * reset. {@code Expect: 100-continue}: both containers send the {@code 100} before the refusal
 * goes out (Tomcat before the application runs; Jetty 12, as observed, too), so the
 * client sends the body and reading it lets the client read the refusal. (Without a
 * {@code 100}, {@code java.net.http.HttpClient} on JDK 17.0.15 with {@code expectContinue(true)}
 * was seen to wait forever for the 413 followed by a close; compare JDK-8286171.)
 *
 * <p>Callbacks are serialized by the container except {@link #onTimeout}, which may race a read;
 * {@link #done} completes once.
 */
final class Discard implements ReadListener, AsyncListener {
    /** The most of a refused body read past the configured limit: Tomcat's default maxSwallowSize. */
    static final long LIMIT = 2L << 20;

    private final AsyncContext async;
    private final ServletInputStream in;
    private final byte[] sink = new byte[16 * 1024];
    private final AtomicBoolean done = new AtomicBoolean();
    private long left;

    /** Discards at most {@code budget} bytes, then completes even if more are coming. */
    Discard(AsyncContext async, ServletInputStream in, long budget) {
        this.async = async;
        this.in = in;
        this.left = budget;
    }

    /**
     * Whether a body of {@code declared} bytes, refused from its headers before any of it was read,
     * is worth reading to the end: it is at most {@link #LIMIT} bytes over {@code max}.
     */
    static boolean worthReading(long declared, long max) {
        return declared - max <= LIMIT;
    }

    /** Discards what is ready now; the container calls again when more arrives. */
    @Override
    public void onDataAvailable() throws IOException {
        while (!done.get() && !in.isFinished() && in.isReady()) {
            int n = in.read(sink);
            if (n < 0) {
                break;
            }
            left -= n;
            if (left < 0) {
                done();
                return;
            }
        }
        if (in.isFinished()) {
            done();
        }
    }

    @Override
    public void onAllDataRead() {
        done();
    }

    @Override
    public void onError(Throwable t) {
        done(); // the client closed or reset: the answer was written already
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        done();
    }

    @Override
    public void onError(AsyncEvent event) {
        done();
    }

    @Override
    public void onComplete(AsyncEvent event) {
        done.set(true);
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // not re-started
    }

    /** Completes the exchange once; the container then closes the connection. */
    void done() {
        if (done.compareAndSet(false, true)) {
            try {
                async.complete();
            } catch (IllegalStateException ignored) {
                // already completed by the container after an error or a timeout
            }
        }
    }
}
