package io.asyncreply.web.intake;

import io.asyncreply.engine.SubmitRequest;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.web.auth.Caller;
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
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One submission in flight, as an explicit state machine: reads the body without blocking, hands
 * it to {@link io.asyncreply.engine.TaskService#submit}, optionally waits for the task, answers.
 * One field, {@link #state}, holds where it is; every change is a compare-and-set, and each
 * callback switches on the state it finds. A callback that finds the state changed under it (a
 * timeout and the end of the body race) acts on the new state or not at all.
 *
 * <pre>
 * READING ──end of body───────────────▶ SUBMITTING ──stored, Prefer: wait──▶ WAITING
 *   │  │                                    │                                  │
 *   │  │ over the limit (413),              │ the store's answer;              │ the task ends, the wait
 *   │  │ no memory left (503)               │ timeout or error:                │ passes; timeout, error,
 *   │  ▼                                    │ 503 outcome-unknown              │ undeploy: the task as it is
 *   │ DISCARDING (its Discard answers)      ▼                                  │
 *   └──read timeout, error: 408/400──────▶ ANSWERED ◀──────────────────────────┘
 * </pre>
 *
 * <p>The rule behind the answers: a client is told "nothing was queued" only from READING, where
 * nothing was handed to the store. From SUBMITTING on the task may be stored, so a timeout or an
 * error there answers {@code 503 outcome-unknown} (retry with the same {@code Idempotency-Key}, or
 * look with {@code GET /tasks}), and one in WAITING answers with the task as it stands.
 *
 * <p>Hazard: the end of the body and a timeout race. The container may call {@link #onTimeout}
 * or {@link #onError(AsyncEvent)} (Jetty reports its idle timeout so) on another thread while
 * {@link #onAllDataRead} runs, and the read deadline fires on its own thread. Whichever moves
 * READING first wins: if the timeout does, nothing is submitted and "nothing was queued" is true;
 * if the end of the body does, the timeout finds SUBMITTING and must not say it. (Before, the end
 * of the body checked a flag and then submitted, and the timeout chose its words from a
 * non-volatile field: it could say "408, nothing was queued" for a task that was then stored.)
 *
 * <p>Hazard: {@link #onTimeout} must answer on its own thread, at once: a listener that returns
 * without completing makes the container answer 500 itself. So in SUBMITTING it cannot wait for
 * the store's answer; it says the outcome is not known.
 *
 * <p>Memory: the buffer grows as bytes arrive (an idle upload holds none), within a
 * {@link BufferBudget.Reservation} taken by the filter; the reservation is given back when the
 * bytes are no longer held for this upload: on a refusal or timeout, or once the store has
 * answered (a JDBC store's writer holds the payload until it commits).
 *
 * <p>Threads: the container serializes the {@link ReadListener} callbacks, so {@link #body} (a
 * {@link BodyBuffer}) is touched by one thread at a time and only in READING. {@link #onTimeout},
 * {@link #onError(AsyncEvent)}, the read {@link Deadlines deadline}, the store's answer and
 * undeploy ({@link Pending}) may come on other threads at any moment; the compare-and-set decides
 * which of them answers, once.
 */
final class Intake implements ReadListener, AsyncListener {
    /** The first buffer of a body of unknown length, and the most an upload allocates before bytes arrive. */
    static final int INITIAL_BUFFER = BodyBuffer.INITIAL;
    private static final System.Logger LOG = System.getLogger(Intake.class.getName());

    private final App app;
    private final Deadlines deadlines;
    private final AsyncContext async;
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final ServletInputStream in;
    private final String type;
    private final String contentType;
    private final String idempotencyKey;
    private final int preferWait;
    private final SubmitOptions options;
    /** Who submits: the task's owner, and the scope of its idempotency key; null for the anonymous owner. */
    private final String owner;
    /** Whether the answer shows the task's owner (admins only). */
    private final boolean showOwner;
    private final String traceparent;
    private final long max;
    private final BufferBudget.Reservation reservation;
    private final AtomicReference<IntakeState> state = new AtomicReference<>(IntakeState.READING);
    /** The answer's writing and the container's word that the exchange failed, kept apart. */
    private final AnswerGuard guard = new AnswerGuard();

    /** READING only; touched by the container's serialized read callbacks. */
    private final BodyBuffer body;

    /** Set before DISCARDING is entered, so whoever sees DISCARDING finds it. */
    private volatile Discard discard;
    /** Set before WAITING is entered. */
    private volatile Submission.Accepted stored;
    /** Set before WAITING is entered. */
    private volatile Pending.Answer holding;
    private volatile Deadlines.Deadline readDeadline;

    Intake(App app, Deadlines deadlines, AsyncContext async, HttpServletRequest request, HttpServletResponse response,
            String type, String contentType, String idempotencyKey, int preferWait,
            BufferBudget.Reservation reservation, SubmitOptions options, Caller caller, String traceparent)
            throws IOException {
        this.app = app;
        this.deadlines = deadlines;
        this.async = async;
        this.request = request;
        this.response = response;
        this.in = request.getInputStream();
        this.type = type;
        this.contentType = contentType;
        this.idempotencyKey = idempotencyKey;
        this.preferWait = preferWait;
        this.options = options;
        this.owner = caller.owner();
        this.showOwner = caller.isAdmin();
        this.traceparent = traceparent;
        this.max = app.config().maxBodyBytes();
        this.reservation = reservation;
        this.body = new BodyBuffer(request.getContentLengthLong(), max, reservation);
    }

    /** Registers the listeners and the read deadline; the container calls back from here on. */
    void start() {
        async.addListener(this);
        readDeadline = deadlines.after(app.config().readTimeout(), this::readTimedOut);
        in.setReadListener(this);
    }

    /** Bytes of buffer this upload holds now (for tests: an idle upload holds none). Reading thread only. */
    int buffered() {
        return body.held();
    }

    // ------------------------------------------------------------------ ReadListener

    @Override
    public void onDataAvailable() throws IOException {
        switch (state.get()) {
            case READING -> read();
            case DISCARDING -> discard.onDataAvailable();
            default -> {
                // past reading: a late callback
            }
        }
    }

    @Override
    public void onAllDataRead() {
        switch (state.get()) {
            case READING -> submit();
            case DISCARDING -> discard.onAllDataRead();
            default -> {
                // answered already (a timeout won the race): nothing is submitted
            }
        }
    }

    /**
     * Reading failed, or (as an {@link AsyncListener}) the exchange did. A timeout among the causes
     * is the container's idle timeout ending a stalled upload.
     */
    @Override
    public void onError(Throwable t) {
        LOG.log(Level.DEBUG, "a submission failed: {0}", t.toString());
        while (true) {
            IntakeState s = state.get();
            switch (s) {
                case READING -> {
                    if (endReading(IntakeProblems.readFailed(t))) {
                        return;
                    }
                }
                case DISCARDING -> {
                    discard.onError(t);
                    return;
                }
                case SUBMITTING -> {
                    if (answer(IntakeState.SUBMITTING, IntakeProblems.outcomeUnknown(retryAfter()))) {
                        return;
                    }
                }
                case WAITING -> {
                    if (answerWithCurrent()) {
                        return;
                    }
                }
                case ANSWERED -> {
                    guard.over(); // an answer being written on another thread is over before the container recycles
                    return;
                }
            }
        }
    }

    // ------------------------------------------------------------------ READING

    private void read() throws IOException {
        while (state.get() == IntakeState.READING && !in.isFinished() && in.isReady()) {
            if (body.isFull() && !makeRoom()) {
                return;
            }
            if (!body.readFrom(in)) {
                return; // the end: onAllDataRead follows
            }
        }
    }

    /**
     * Grows the buffer before the next read (see {@link BodyBuffer#makeRoom}). False when there is
     * no room to read into: at the end of the body, or refused (DISCARDING).
     */
    private boolean makeRoom() throws IOException {
        switch (body.makeRoom(in)) {
            case GROWN -> {
                return true;
            }
            case END -> {
                return false; // the end: onAllDataRead follows
            }
            case TOO_LARGE -> refuseWhileReading(Responses.tooLarge(-1, max));
            case LONGER_THAN_DECLARED -> refuseWhileReading(IntakeProblems.longerThanDeclared());
            case NO_BUDGET -> refuseWhileReading(IntakeProblems.busy(retryAfter()));
        }
        return false;
    }

    /**
     * READING to DISCARDING, on this read callback: a {@link Discard} reads at most
     * {@link Discard#LIMIT} more bytes and throws them away, then writes {@code answer}.
     */
    private void refuseWhileReading(Responses.Answer answer) throws IOException {
        Discard d = new Discard(async, in, Discard.LIMIT, response, answer);
        discard = d; // first: from here a timeout or an error that sees DISCARDING goes to it
        if (!state.compareAndSet(IntakeState.READING, IntakeState.DISCARDING)) {
            return; // a timeout or an error answered just now
        }
        reservation.release();
        body.drop();
        d.onDataAvailable();
    }

    /** READING to ANSWERED with {@code answer} ("nothing was queued"); false when no longer READING. */
    private boolean endReading(Responses.Answer answer) {
        if (!state.compareAndSet(IntakeState.READING, IntakeState.ANSWERED)) {
            return false;
        }
        cancelReadDeadline();
        reservation.release();
        write(answer);
        return true;
    }

    /** The read deadline passed (deadline thread): 408 if still reading; a discard stops. */
    private void readTimedOut() {
        while (true) {
            switch (state.get()) {
                case READING -> {
                    if (state.compareAndSet(IntakeState.READING, IntakeState.ANSWERED)) {
                        reservation.release();
                        onContainerThread(() -> write(IntakeProblems.readTimeout(app.config().readTimeout())));
                        return;
                    }
                }
                case DISCARDING -> {
                    onContainerThread(() -> discard.done(false));
                    return;
                }
                default -> {
                    return; // reading is over
                }
            }
        }
    }

    private void cancelReadDeadline() {
        Deadlines.Deadline d = readDeadline;
        if (d != null) {
            d.cancel();
        }
    }

    // ------------------------------------------------------------------ SUBMITTING

    private void submit() {
        if (!state.compareAndSet(IntakeState.READING, IntakeState.SUBMITTING)) {
            return; // a timeout or an error answered first, and nothing is submitted
        }
        cancelReadDeadline();
        byte[] payload = body.take();
        Thread reader = Thread.currentThread();
        CompletionStage<Submission> stored;
        try {
            stored = app.service().submit(options.request(type, payload, contentType, idempotencyKey, owner,
                    traceparent));
        } catch (RuntimeException e) {
            stored = CompletableFuture.failedFuture(e);
        }
        stored.whenComplete((s, failure) -> {
            reservation.release(); // the store has the payload, or never will
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

    private void submitted(Submission s, Throwable failure) {
        boolean answered;
        if (failure != null) {
            LOG.log(Level.ERROR, "submission of a " + type + " task failed unexpectedly", failure);
            answered = answer(IntakeState.SUBMITTING, IntakeProblems.internal());
        } else if (s instanceof Submission.Accepted a) {
            answered = accepted(a);
        } else {
            answered = answer(IntakeState.SUBMITTING, Responses.rejected((Submission.Rejected) s, retryAfter()));
        }
        if (!answered) {
            LOG.log(Level.DEBUG, "the store answered a submission of a {0} task after its client had been told "
                    + "that the outcome is not known", type);
        }
    }

    // ------------------------------------------------------------------ WAITING

    /** Answers an accepted submission, or starts WAITING; false when no longer SUBMITTING. */
    private boolean accepted(Submission.Accepted a) {
        Task task = a.task();
        if (preferWait <= 0 || task.isTerminal()) {
            return answer(IntakeState.SUBMITTING, Responses.accepted(request, app.config().trustedProxies(), showOwner,
                    task, a.replayed(), retryAfter(), task.isTerminal() && preferWait > 0 ? preferWait : -1));
        }
        Pending.Answer now = this::answerWithCurrent;
        stored = a;
        holding = now;
        if (!state.compareAndSet(IntakeState.SUBMITTING, IntakeState.WAITING)) {
            return false; // a timeout or an error answered while the store was storing
        }
        if (!app.pending().hold(now)) {
            now.now(); // undeploying, or asyncreply.wait.max-held requests are held: the wait is not applied
            return true;
        }
        app.service().awaitTerminal(task.id(), owner, Duration.ofSeconds(preferWait)).whenComplete((t, failure) ->
                // completes on the service's notifier thread: the answer is written by a container thread
                onContainerThread(() -> {
                    Task latest = failure == null && t != null && t.isPresent() ? t.get() : task;
                    answer(IntakeState.WAITING, Responses.accepted(request, app.config().trustedProxies(), showOwner,
                            latest, a.replayed(), retryAfter(), latest.isTerminal() ? preferWait : -1));
                }));
        return true;
    }

    /**
     * WAITING to ANSWERED with the task as the store has it now (as stored, if it cannot be read):
     * undeploy, a container timeout or an error; false when no longer WAITING.
     */
    private boolean answerWithCurrent() {
        if (!state.compareAndSet(IntakeState.WAITING, IntakeState.ANSWERED)) {
            return false;
        }
        Submission.Accepted a = stored;
        Task latest = a.task();
        try {
            latest = app.service().find(latest.id(), owner).orElse(latest);
        } catch (RuntimeException e) {
            // store unreachable: answer with what we have
        }
        write(Responses.accepted(request, app.config().trustedProxies(), showOwner, latest, a.replayed(), retryAfter(),
                latest.isTerminal() ? preferWait : -1));
        return true;
    }

    // ------------------------------------------------------------------ ANSWERED

    /** {@code from} to ANSWERED, writing {@code a}; false when the state was not {@code from}. */
    private boolean answer(IntakeState from, Responses.Answer a) {
        if (!state.compareAndSet(from, IntakeState.ANSWERED)) {
            return false;
        }
        write(a);
        return true;
    }

    /** Writes and completes; called once, by whoever entered ANSWERED. */
    private void write(Responses.Answer a) {
        try {
            if (!guard.write(a, response)) {
                LOG.log(Level.DEBUG, "the exchange failed before its answer was written");
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "could not write the answer to a submission: {0}", e.toString());
        } finally {
            releaseHold();
            try {
                async.complete();
            } catch (IllegalStateException ignored) {
                // already completed by the container after an error
            }
        }
    }

    private void releaseHold() {
        Pending.Answer h = holding;
        if (h != null) {
            app.pending().release(h);
        }
    }

    private void onContainerThread(Runnable r) {
        try {
            async.start(r);
        } catch (IllegalStateException | RejectedExecutionException e) {
            r.run(); // the request is already over (timeout, client gone) or the pool refused: the state decides
        }
    }

    private int retryAfter() {
        return app.config().retryAfterSeconds();
    }

    // ------------------------------------------------------------------ AsyncListener

    /**
     * The container's async timeout: the read timeout plus the wait plus a grace for the store
     * (see {@link IntakeFilter}). It must be answered here, on this thread: a listener that
     * returns without completing makes the container answer 500 itself.
     */
    @Override
    public void onTimeout(AsyncEvent event) {
        while (true) {
            switch (state.get()) {
                case READING -> {
                    if (endReading(IntakeProblems.readTimeout(app.config().readTimeout()))) {
                        return;
                    }
                }
                case DISCARDING -> {
                    discard.onTimeout(event);
                    return;
                }
                case SUBMITTING -> {
                    if (answer(IntakeState.SUBMITTING, IntakeProblems.outcomeUnknown(retryAfter()))) {
                        return;
                    }
                }
                case WAITING -> {
                    if (answerWithCurrent()) {
                        return;
                    }
                }
                case ANSWERED -> {
                    guard.over(); // an answer being written on another thread is over before the container recycles
                    return;
                }
            }
        }
    }

    @Override
    public void onError(AsyncEvent event) {
        onError(event.getThrowable());
    }

    /**
     * The exchange is over, whoever completed it. From READING or DISCARDING the buffer is no
     * longer needed; from SUBMITTING the reservation stays until the store answers.
     */
    @Override
    public void onComplete(AsyncEvent event) {
        IntakeState was = state.getAndSet(IntakeState.ANSWERED);
        if (was == IntakeState.READING || was == IntakeState.DISCARDING) {
            reservation.release();
        }
        cancelReadDeadline();
        releaseHold();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // not re-started
    }
}
