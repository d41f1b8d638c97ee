package io.asyncreply.web.intake;

import io.asyncreply.engine.TaskService;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.boot.Pending;
import io.asyncreply.web.http.Responses;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One submission in flight: reads the body without blocking, hands it to the service, answers.
 *
 * <p>States, each entered once, in order: READING (a {@link ReadListener} collects bytes while
 * the container says more are ready; no thread waits for a slow client), SUBMITTED (the body is
 * complete and the store is storing it), optionally WAITING ({@code Prefer: wait}), ANSWERED
 * (the response is written and the async context completed); a 413 instead goes from READING to
 * DISCARDING, then ANSWERED by the {@link Discard}. {@link #answered} is the single
 * gate to ANSWERED, so a timeout, a client error and the normal path can race without writing
 * twice.
 *
 * <p>A body beyond the limit is refused with 413 and {@code Connection: close}: once the limit is
 * crossed at most {@link Discard#LIMIT} more bytes are read and thrown away (DISCARDING, see
 * {@link Discard}), then the 413 is written and the connection closed.
 */
final class Intake implements ReadListener, AsyncListener {
    private static final System.Logger LOG = System.getLogger(Intake.class.getName());

    private final App app;
    private final AsyncContext async;
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final ServletInputStream in;
    private final String type;
    private final String contentType;
    private final String idempotencyKey;
    private final int preferWait;
    private final long max;
    private final AtomicBoolean answered = new AtomicBoolean();
    private byte[] body;
    private int size;
    private volatile Pending.Answer holding;
    private volatile Discard discard;

    Intake(App app, AsyncContext async, HttpServletRequest request, HttpServletResponse response, String type,
            String idempotencyKey, int preferWait) throws IOException {
        this.app = app;
        this.async = async;
        this.request = request;
        this.response = response;
        this.in = request.getInputStream();
        this.type = type;
        this.contentType = IntakeFilter.contentTypeOf(request);
        this.idempotencyKey = idempotencyKey;
        this.preferWait = preferWait;
        this.max = app.config().maxBodyBytes();
        long declared = request.getContentLengthLong();
        this.body = new byte[(int) Math.max(0, Math.min(declared >= 0 ? declared : 8192, max))];
    }

    void start() {
        async.addListener(this);
        in.setReadListener(this);
    }

    // ------------------------------------------------------------------ READING

    @Override
    public void onDataAvailable() throws IOException {
        Discard d = discard;
        if (d != null) {
            d.onDataAvailable();
            return;
        }
        while (!answered.get() && !in.isFinished() && in.isReady()) {
            if (size == body.length) {
                if (size >= max) { // at the limit: one more byte is one too many
                    if (in.read() >= 0) {
                        tooLarge();
                    }
                    return; // at the end of the body, onAllDataRead follows
                }
                body = Arrays.copyOf(body, (int) Math.min(max, Math.max(8192, (long) body.length * 2)));
            }
            int n = in.read(body, size, body.length - size);
            if (n < 0) {
                return;
            }
            size += n;
        }
    }

    /**
     * Refuses with 413 once at most {@link Discard#LIMIT} more bytes have been read and thrown
     * away (DISCARDING, see {@link Discard}), starting on this read callback.
     */
    private void tooLarge() throws IOException {
        Discard d = new Discard(async, in, Discard.LIMIT, response, Responses.tooLarge(-1, max));
        discard = d; // first: from here a timeout or an error goes to the discard, which answers
        if (!answered.compareAndSet(false, true)) {
            return; // a timeout or an error answered just now
        }
        body = null;
        d.onDataAvailable();
    }

    @Override
    public void onAllDataRead() {
        Discard d = discard;
        if (d != null) {
            d.onAllDataRead();
            return;
        }
        if (answered.get()) {
            return;
        }
        byte[] payload = size == body.length ? body : Arrays.copyOf(body, size);
        body = null;
        TaskService service = app.service();
        Thread reader = Thread.currentThread();
        service.submit(type, payload, contentType, idempotencyKey).whenComplete((s, failure) -> {
            if (Thread.currentThread() == reader) {
                submitted(s, failure); // stored at once (memory store): already on a container thread
            } else {
                // A JDBC store completes a whole group commit's submissions on its single writer
                // thread, which must not write dozens of answers one after the other before it can
                // start the next transaction: each answer is written by a container thread instead.
                onContainerThread(() -> submitted(s, failure));
            }
        });
    }

    private void onContainerThread(Runnable r) {
        try {
            async.start(r);
        } catch (IllegalStateException | RejectedExecutionException e) {
            r.run(); // the request is already over (timeout, client gone) or the pool refused: answer() decides
        }
    }

    private void submitted(Submission s, Throwable failure) {
        if (failure != null) {
            LOG.log(Level.ERROR, "submission of a " + type + " task failed unexpectedly", failure);
            answer(Responses.problem(500, "internal", "Internal Server Error",
                    "The submission could not be processed; nothing was queued.", false));
        } else if (s instanceof Submission.Accepted a) {
            accepted(a);
        } else {
            answer(Responses.rejected((Submission.Rejected) s, app.config().retryAfterSeconds()));
        }
    }

    /**
     * Reading the body failed. Nothing was queued, and the client must not take the answer for a
     * success: completing without one makes the container send an empty {@code 200}. A timeout
     * (the container's idle timeout can end a stalled upload before our read timeout) is answered
     * {@code 408} like ours; anything else (a broken chunked body, a reset) {@code 400}. When the
     * client is gone, writing fails quietly and the exchange is completed.
     */
    @Override
    public void onError(Throwable t) {
        Discard d = discard;
        if (d != null) {
            d.onError(t);
            return;
        }
        LOG.log(Level.DEBUG, "reading a submission failed: {0}", t.toString());
        if (isTimeout(t)) {
            answer(Responses.problem(408, "request-timeout", "Request Timeout",
                    "The payload stopped arriving and the connection timed out; nothing was queued.", true));
        } else {
            answer(Responses.problem(400, "invalid-payload", "Bad Request",
                    "The payload could not be read; nothing was queued.", true));
        }
    }

    private static boolean isTimeout(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TimeoutException || c instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ SUBMITTED / WAITING

    private void accepted(Submission.Accepted a) {
        Task task = a.task();
        if (preferWait <= 0 || task.isTerminal()) {
            answer(Responses.accepted(request, app.config().trustedProxies(), task, a.replayed(),
                    app.config().retryAfterSeconds(), task.isTerminal() && preferWait > 0 ? preferWait : -1));
            return;
        }
        Pending.Answer now = () -> answerWithCurrent(task, a.replayed());
        holding = now;
        if (!app.pending().hold(now)) { // closing, or asyncreply.wait.max-held reached: the preference is not applied
            now.now();
            return;
        }
        app.service().awaitTerminal(task.id(), Duration.ofSeconds(preferWait)).whenComplete((t, failure) -> {
            app.pending().release(now);
            Task latest = failure == null && t != null && t.isPresent() ? t.get() : task;
            answer(Responses.accepted(request, app.config().trustedProxies(), latest, a.replayed(),
                    app.config().retryAfterSeconds(), latest.isTerminal() ? preferWait : -1));
        });
    }

    private void answerWithCurrent(Task task, boolean replayed) {
        Task latest = task;
        try {
            latest = app.service().find(task.id()).orElse(task);
        } catch (RuntimeException ignored) {
            // store unreachable: answer with what we have
        }
        answer(Responses.accepted(request, app.config().trustedProxies(), latest, replayed,
                app.config().retryAfterSeconds(), latest.isTerminal() ? preferWait : -1));
    }

    // ------------------------------------------------------------------ ANSWERED

    private void answer(Responses.Answer a) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        try {
            a.writeTo(response);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "could not write the answer to a submission: {0}", e.toString());
        } finally {
            complete();
        }
    }

    private void complete() {
        Pending.Answer h = holding;
        if (h != null) {
            app.pending().release(h);
        }
        try {
            async.complete();
        } catch (IllegalStateException ignored) {
            // already completed by the container after an error
        }
    }

    // ------------------------------------------------------------------ AsyncListener

    @Override
    public void onTimeout(AsyncEvent event) {
        Discard d = discard;
        if (d != null) {
            d.done(false);
            return;
        }
        if (body != null) {
            answer(Responses.problem(408, "request-timeout", "Request Timeout",
                    "The payload did not arrive within " + app.config().readTimeout().toSeconds()
                            + " s; nothing was queued.", true));
        } else {
            answer(Responses.problem(503, "unavailable", "Service Unavailable",
                    "The submission did not complete in time; check GET /tasks before retrying.", false));
        }
    }

    @Override
    public void onError(AsyncEvent event) {
        onError(event.getThrowable());
    }

    @Override
    public void onComplete(AsyncEvent event) {
        Pending.Answer h = holding;
        if (h != null) {
            app.pending().release(h);
        }
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // not re-started
    }
}
