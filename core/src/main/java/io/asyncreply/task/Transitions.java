package io.asyncreply.task;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The task state machine, written once: every change a task can go through, as pure functions
 * from a snapshot to the next. Stores do not decide anything themselves: they read the current
 * snapshot, ask this class, and write the answer with a compare-and-set on the state they read
 * (the memory store swaps an immutable row; the JDBC store runs a conditional UPDATE), in the same
 * transaction as the event the change records. The store contract tests use this class as the
 * oracle for what every store must do.
 *
 * <pre>
 *                  submit
 *                    │
 *                    ▼
 *   ┌──────────── QUEUED ◀─────────────────────────┐
 *   │ cancel,        │ claim (attempts + 1)         │ requeue: retry, interrupted attempt,
 *   │ expire         ▼                              │ recover: lease expired
 *   │            RUNNING ───────────────────────────┘
 *   │                │ finish
 *   ▼                ▼
 * CANCELLED | FAILED   SUCCEEDED | FAILED | CANCELLED      (terminal: never left)
 * </pre>
 *
 * <table>
 *   <caption>Transitions</caption>
 *   <tr><th>change</th><th>from</th><th>to</th><th>event</th></tr>
 *   <tr><td>{@link #claim}</td><td>QUEUED, run time come, not expired</td><td>RUNNING, attempts + 1</td>
 *       <td>started</td></tr>
 *   <tr><td>{@link #progress}</td><td>RUNNING, this attempt</td><td>RUNNING with progress</td>
 *       <td>progress</td></tr>
 *   <tr><td>{@link #finish}</td><td>RUNNING, this attempt</td><td>the outcome's state; CANCELLED when a
 *       cancel was requested</td><td>succeeded, failed or cancelled</td></tr>
 *   <tr><td>{@link #requeue}</td><td>RUNNING, this attempt</td><td>QUEUED; CANCELLED when a cancel was
 *       requested</td><td>requeued or cancelled</td></tr>
 *   <tr><td>{@link #cancel}</td><td>QUEUED</td><td>CANCELLED</td><td>cancelled</td></tr>
 *   <tr><td>{@link #cancel}</td><td>RUNNING</td><td>RUNNING with a cancel request</td><td>none</td></tr>
 *   <tr><td>{@link #expire}</td><td>QUEUED past its expiry</td><td>FAILED ({@value TaskError#EXPIRED})</td>
 *       <td>failed</td></tr>
 *   <tr><td>{@link #recover}</td><td>RUNNING whose lease expired</td><td>CANCELLED when a cancel was requested;
 *       FAILED ({@value TaskError#ABANDONED}) after the last allowed attempt; else QUEUED
 *       ({@value TaskError#LEASE_EXPIRED})</td><td>cancelled, failed or requeued</td></tr>
 * </table>
 *
 * <p>"This attempt": a worker presents the attempt number it claimed (the fencing token); a
 * change of a running task is refused unless it is still running that attempt, so a worker that
 * lost its task (lease expired, recovered elsewhere) can never overwrite a newer attempt.
 */
public final class Transitions {
    private Transitions() {
    }

    /**
     * A decided change.
     *
     * @param before the snapshot it was decided on (the compare-and-set's expected state)
     * @param after the snapshot to write
     * @param event the kind of event the change records, or {@code null} for a change that is not
     *     an event (a cancel request on a running task)
     */
    public record Change(Task before, Task after, TaskEvent.Kind event) {
        public Change {
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
        }
    }

    /** What a cancel decided: its outcome, and the change to write (none for NOT_FOUND or ALREADY_FINISHED). */
    public record CancelDecision(CancelResult.Outcome outcome, Change change) {
    }

    /** Whether {@code t} is running attempt {@code attempt}: the fencing check of every change a worker makes. */
    public static boolean isCurrent(Task t, int attempt) {
        return t.status() == TaskStatus.RUNNING && t.attempts() == attempt;
    }

    /** Whether {@code t} is queued and may start at {@code now}: its run time has come and it has not expired. */
    public static boolean isReady(Task t, Instant now) {
        return t.status() == TaskStatus.QUEUED && (t.runAt() == null || !t.runAt().isAfter(now)) && !isExpired(t, now);
    }

    /** Whether {@code t} is queued past its expiry. */
    public static boolean isExpired(Task t, Instant now) {
        return t.status() == TaskStatus.QUEUED && t.expiresAt() != null && !t.expiresAt().isAfter(now);
    }

    /**
     * A worker claims {@code t} at {@code now}: a new attempt starts. Refused unless
     * {@link #isReady}. The progress of an earlier attempt is cleared; its error is kept (it says
     * why the task is being tried again).
     */
    public static Optional<Change> claim(Task t, Instant now) {
        if (!isReady(t, now)) {
            return Optional.empty();
        }
        Task after = t.toBuilder().status(TaskStatus.RUNNING).attempts(t.attempts() + 1).startedAt(now)
                .finishedAt(null).progress(null).result(null).cancelRequested(false).runAt(null).build();
        return Optional.of(new Change(t, after, TaskEvent.Kind.STARTED));
    }

    /** Attempt {@code attempt} reports {@code percent}; refused unless it is current, and empty when nothing changes. */
    public static Optional<Change> progress(Task t, int attempt, int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("progress must be 0 to 100: " + percent);
        }
        if (!isCurrent(t, attempt) || Objects.equals(t.progress(), percent)) {
            return Optional.empty();
        }
        return Optional.of(new Change(t, t.toBuilder().progress(percent).build(), TaskEvent.Kind.PROGRESS));
    }

    /**
     * Attempt {@code attempt} ended with {@code outcome}. A requested cancel takes precedence: the
     * task ends CANCELLED whatever the handler returned. Refused unless the attempt is current.
     */
    public static Optional<Change> finish(Task t, int attempt, Outcome outcome, Instant now) {
        if (!isCurrent(t, attempt)) {
            return Optional.empty();
        }
        TaskStatus status = t.cancelRequested() ? TaskStatus.CANCELLED : outcome.status();
        return Optional.of(terminal(t, status, outcome.result(), outcome.error(), now));
    }

    /**
     * Attempt {@code attempt} ended and the task waits for another, not before {@code runAt};
     * {@code lastError} says why. A requested cancel takes precedence: the task ends CANCELLED.
     * Refused unless the attempt is current.
     */
    public static Optional<Change> requeue(Task t, int attempt, TaskError lastError, Instant runAt, Instant now) {
        Objects.requireNonNull(lastError, "lastError");
        Objects.requireNonNull(runAt, "runAt");
        if (!isCurrent(t, attempt)) {
            return Optional.empty();
        }
        if (t.cancelRequested()) {
            return Optional.of(terminal(t, TaskStatus.CANCELLED, null, null, now));
        }
        Task after = t.toBuilder().status(TaskStatus.QUEUED).runAt(runAt).error(lastError).result(null)
                .finishedAt(null).cancelRequested(false).build();
        return Optional.of(new Change(t, after, TaskEvent.Kind.REQUEUED));
    }

    /**
     * A cancel: a queued task ends CANCELLED at once and never runs; a running one gets a cancel
     * request (its worker is interrupted, and its outcome then becomes CANCELLED); a terminal one
     * is left alone.
     */
    public static CancelDecision cancel(Task t, Instant now) {
        switch (t.status()) {
            case QUEUED:
                return new CancelDecision(CancelResult.Outcome.CANCELLED, terminal(t, TaskStatus.CANCELLED, null,
                        null, now));
            case RUNNING:
                if (t.cancelRequested()) {
                    return new CancelDecision(CancelResult.Outcome.CANCEL_REQUESTED, null);
                }
                return new CancelDecision(CancelResult.Outcome.CANCEL_REQUESTED,
                        new Change(t, t.toBuilder().cancelRequested(true).build(), null));
            default:
                return new CancelDecision(CancelResult.Outcome.ALREADY_FINISHED, null);
        }
    }

    /** A queued task past its expiry ends FAILED ({@value TaskError#EXPIRED}); anything else is refused. */
    public static Optional<Change> expire(Task t, Instant now) {
        if (!isExpired(t, now)) {
            return Optional.empty();
        }
        return Optional.of(terminal(t, TaskStatus.FAILED, null, expired(t), now));
    }

    /**
     * A running task whose lease expired (its worker stopped without finishing; the store knows the
     * lease, so it alone decides that it expired): CANCELLED when a cancel was requested; FAILED
     * ({@value TaskError#ABANDONED}) when it had {@code maxAttempts} attempts; else QUEUED again at
     * once ({@value TaskError#LEASE_EXPIRED}).
     */
    public static Optional<Change> recover(Task t, Instant now, int maxAttempts) {
        if (t.status() != TaskStatus.RUNNING) {
            return Optional.empty();
        }
        if (t.cancelRequested()) {
            return Optional.of(terminal(t, TaskStatus.CANCELLED, null, null, now));
        }
        if (t.attempts() >= maxAttempts) {
            return Optional.of(terminal(t, TaskStatus.FAILED, null, abandoned(t.attempts()), now));
        }
        Task after = t.toBuilder().status(TaskStatus.QUEUED).runAt(now).error(leaseExpired(t.attempts()))
                .result(null).finishedAt(null).build();
        return Optional.of(new Change(t, after, TaskEvent.Kind.REQUEUED));
    }

    private static Change terminal(Task t, TaskStatus status, TaskResult result, TaskError error, Instant now) {
        Task after = t.toBuilder().status(status).finishedAt(now).runAt(null)
                .result(status == TaskStatus.SUCCEEDED ? result : null)
                .error(status == TaskStatus.FAILED ? error : null).build();
        TaskEvent.Kind kind = switch (status) {
            case SUCCEEDED -> TaskEvent.Kind.SUCCEEDED;
            case FAILED -> TaskEvent.Kind.FAILED;
            case CANCELLED -> TaskEvent.Kind.CANCELLED;
            default -> throw new IllegalArgumentException("not terminal: " + status);
        };
        return new Change(t, after, kind);
    }

    // ---------------------------------------------------------------- the engine's errors

    /** Why a task whose every allowed attempt was lost ended FAILED. */
    public static TaskError abandoned(int attempts) {
        return new TaskError(TaskError.ABANDONED, "Abandoned after " + attempts
                + " attempts whose workers stopped without finishing.");
    }

    /** Why a task whose worker stopped without finishing was queued again. */
    public static TaskError leaseExpired(int attempt) {
        return new TaskError(TaskError.LEASE_EXPIRED, "Attempt " + attempt
                + " stopped without finishing (its worker's lease expired).");
    }

    /** Why a task whose attempt its worker gave up ({@code reason}: shutdown, lease lost) was queued again. */
    public static TaskError interrupted(int attempt, String reason) {
        return new TaskError(TaskError.INTERRUPTED, "Attempt " + attempt + " was interrupted: " + reason + ".");
    }

    /** Why a task not started before its expiry ended FAILED. */
    public static TaskError expired(Task t) {
        return new TaskError(TaskError.EXPIRED, "The task was not started before it expired at " + t.expiresAt()
                + ".");
    }

    /** Why an attempt that ran past its type's timeout failed. */
    public static TaskError timedOut(int attempt, java.time.Duration timeout) {
        return new TaskError(TaskError.TIMEOUT, "Attempt " + attempt + " ran longer than its timeout of "
                + timeout.toMillis() + " ms and was interrupted.");
    }

    /** Why a task claimed by a node without a handler for its type failed. */
    public static TaskError noHandler(String type) {
        return new TaskError(TaskError.NO_HANDLER, "No handler for task type '" + type + "' on this node.");
    }
}
