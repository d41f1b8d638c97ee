package io.asyncreply.web.intake;

import io.asyncreply.web.http.Responses;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads and throws away a bounded rest of a refused request body, without a thread waiting, then
 * writes the refusal and completes the exchange: the answer comes after the body, as for any
 * request. Used for every refusal made before the body could be used: from the headers (404, 400,
 * 415, 501, 503 when the intake's memory is spent, and 413 for a declared length) and while
 * reading (413 for a body that grew past the limit, 503 for one that outgrew the memory left).
 *
 * <p>Why read at all: many clients, {@code java.net.http.HttpClient} among them, write the whole
 * body before they look at the answer. If the server closes the connection while bytes of the body
 * are still unread or arriving, the kernel resets it; such a client then reports a broken pipe
 * ("header parser received no bytes") instead of the answer it was sent, about one time in
 * fifteen on loopback for a body of 1 MiB. Tomcat's {@code maxSwallowSize} reads on after the
 * answer with a blocked thread; here no thread waits, the bytes are read as the container reports
 * them ready.
 *
 * <p>Why answer after, not before: writing a complete answer first and reading on works on Jetty
 * but not on Tomcat, which closes the request's input once the response is complete ("Stream
 * closed"), so the connection was closed with the body unread as before; and answering first
 * without closing made Tomcat 11 close the kept-alive connection afterwards without saying so.
 *
 * <p>Bounded twice, so that "the server stops reading early" still holds: no body is read beyond
 * {@link #LIMIT} bytes past the configured limit (see {@link #budget}), and no longer than the
 * exchange's async timeout (the read timeout). When either runs out, or the client closes, the
 * refusal is written with {@code Connection: close} and the rest is not read; a client that sends
 * more than that may then see the reset.
 *
 * <p>Callbacks are serialized by the container except {@link #onTimeout}, which may race a read;
 * {@link #done} answers and completes once.
 */
final class Discard implements ReadListener, AsyncListener {
    /** The most of a refused body read past the configured limit: Tomcat's default maxSwallowSize. */
    static final long LIMIT = 2L << 20;

    private static final System.Logger LOG = System.getLogger(Discard.class.getName());

    private final AsyncContext async;
    private final ServletInputStream in;
    private final HttpServletResponse response;
    private final Responses.Answer answer;
    /**
     * Where every discard reads to. Shared: a refused upload that is idle costs no buffer at all.
     * Hazard, accepted: several threads write into it at once; nothing ever reads it.
     */
    private static final byte[] SINK = new byte[16 * 1024];

    private final AtomicBoolean done = new AtomicBoolean();
    /** The answer's writing and the container's word that the exchange failed, kept apart (see {@link AnswerGuard}). */
    private final AnswerGuard guard = new AnswerGuard();
    private long left;

    /** Discards at most {@code budget} bytes, then writes {@code answer} and completes. */
    Discard(AsyncContext async, ServletInputStream in, long budget, HttpServletResponse response,
            Responses.Answer answer) {
        this.async = async;
        this.in = in;
        this.left = budget;
        this.response = response;
        this.answer = answer;
    }

    /**
     * How much of a body to discard when the request was refused from its headers, before any of
     * it was read: all of a declared length at most {@link #LIMIT} bytes over {@code max};
     * nothing of a longer one (reading part of it would not spare the client the reset, so it is
     * refused at once) or of an empty one; up to {@code max + LIMIT} of a body of unknown length
     * (chunked).
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
            int n = in.read(SINK);
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
        LOG.log(Level.DEBUG, "reading a refused body failed: {0}", t.toString());
        if (!done(false)) { // the client closed or reset; the answer is tried all the same
            guard.over(); // answered on another thread: that write is over before the container recycles
        }
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        if (!done(false)) {
            guard.over();
        }
    }

    @Override
    public void onError(AsyncEvent event) {
        onError(event.getThrowable());
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
     * Writes the answer and completes the exchange, once. {@code whole}: the body was read to its
     * end, so the connection may be kept (unless the answer itself says {@code Connection: close}).
     * False when another call answered (or the exchange was over) before this one.
     */
    boolean done(boolean whole) {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        try {
            guard.write(r -> {
                if (!whole) {
                    r.setHeader("Connection", "close");
                }
                answer.writeTo(r);
            }, response);
        } catch (IOException | RuntimeException e) {
            // the client is gone; nothing else to tell it
        } finally {
            try {
                async.complete();
            } catch (IllegalStateException ignored) {
                // already completed by the container after an error or a timeout
            }
        }
        return true;
    }
}
