package io.asyncreply.http;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads and throws away a bounded rest of a refused request body, without a thread waiting, then
 * completes the exchange. A {@code 413} is written before ({@link #afterAnswer}: it must reach the
 * client while it is still sending, and closes the connection); a {@code 404}, {@code 400} or
 * {@code 415} decided from the headers is written after ({@link #beforeAnswer}), so the
 * connection can be kept.
 *
 * <p>Why read at all: many clients, {@code java.net.http.HttpClient} among them, write the whole
 * body before they look at the answer. If the server closes the connection while bytes of the body
 * are still unread or arriving, the kernel resets it; such a client then reports a broken pipe
 * ("header parser received no bytes") instead of the answer it was sent, about one time in
 * fifteen on loopback for a body of 1 MiB. Reading the rest lets it finish writing and read the
 * answer. Tomcat's {@code maxSwallowSize} does the same with a blocked thread; here no thread
 * waits: the bytes are read as the container reports them ready.
 *
 * <p>Bounded twice, so that "the server stops reading early" still holds: no body is read beyond
 * {@link #LIMIT} bytes past the configured limit (see {@link #budget}), and no longer than the
 * exchange's async timeout (the read timeout). When either runs out, or the client closes, the
 * exchange is completed and the connection closed with the rest unread; a client that sends more
 * than that may then see the reset.
 *
 * <p>{@code Expect: 100-continue}: both containers send the {@code 100} before the refusal goes
 * out (Tomcat before the application runs; Jetty 12, as observed, too), so the client sends the
 * body and reading it lets the client read the refusal. (Without a {@code 100},
 * {@code java.net.http.HttpClient} on JDK 17.0.15 with {@code expectContinue(true)} was seen to
 * wait forever for the 413 followed by a close; compare JDK-8286171.)
 *
 * <p>Callbacks are serialized by the container except {@link #onTimeout}, which may race a read;
 * {@link #done} answers and completes once.
 */
final class Discard implements ReadListener, AsyncListener {
    /** The most of a refused body read past the configured limit: Tomcat's default maxSwallowSize. */
    static final long LIMIT = 2L << 20;

    private final AsyncContext async;
    private final ServletInputStream in;
    private final HttpServletResponse response;
    private final Responses.Answer last;
    private final byte[] sink = new byte[16 * 1024];
    private final AtomicBoolean done = new AtomicBoolean();
    private long left;

    private Discard(AsyncContext async, ServletInputStream in, long budget, HttpServletResponse response,
            Responses.Answer last) {
        this.async = async;
        this.in = in;
        this.left = budget;
        this.response = response;
        this.last = last;
    }

    /** After an answer already written: discards at most {@code budget} bytes, then completes. */
    static Discard afterAnswer(AsyncContext async, ServletInputStream in, long budget) {
        return new Discard(async, in, budget, null, null);
    }

    /**
     * Discards at most {@code budget} bytes, then writes {@code answer} and completes: the answer
     * comes after the body, as for any request, so the connection can stay open (when the answer
     * went first, Tomcat 11 closed the kept-alive connection afterwards without saying so, and the
     * client's next request on it failed). When the body is not read to the end, the answer says
     * {@code Connection: close}.
     */
    static Discard beforeAnswer(AsyncContext async, ServletInputStream in, long budget, HttpServletResponse response,
            Responses.Answer answer) {
        return new Discard(async, in, budget, response, answer);
    }

    /**
     * How much of a body to discard when the request was refused from its headers, before any of
     * it was read: all of a declared length at most {@link #LIMIT} bytes over {@code max};
     * nothing of a longer one (reading part of it would not spare the client the reset) or of an
     * empty one; up to {@code max + LIMIT} of a body of unknown length (chunked).
     */
    static long budget(long declared, long max) {
        if (declared < 0) {
            return max + LIMIT;
        }
        return declared - max <= LIMIT ? declared : 0;
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
                done(false);
                return;
            }
        }
        if (in.isFinished()) {
            done(true);
        }
    }

    @Override
    public void onAllDataRead() {
        done(true);
    }

    @Override
    public void onError(Throwable t) {
        done(false); // the client closed or reset
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        done(false);
    }

    @Override
    public void onError(AsyncEvent event) {
        done(false);
    }

    @Override
    public void onComplete(AsyncEvent event) {
        done.set(true);
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // not re-started
    }

    /**
     * Writes the answer, if it comes last, and completes the exchange, once. {@code whole}: the
     * body was read to its end, so the connection may be kept.
     */
    void done(boolean whole) {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        try {
            if (last != null) {
                if (!whole) {
                    response.setHeader("Connection", "close");
                }
                last.writeTo(response);
            }
        } catch (IOException | RuntimeException e) {
            // the client is gone; nothing else to tell it
        } finally {
            try {
                async.complete();
            } catch (IllegalStateException ignored) {
                // already completed by the container after an error or a timeout
            }
        }
    }
}
