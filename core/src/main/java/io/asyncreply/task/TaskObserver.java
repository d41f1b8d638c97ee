package io.asyncreply.task;

/**
 * What this node did with tasks, told as it happens: the seam for metrics and logs. Register one
 * with {@link io.asyncreply.engine.TaskService.Builder#observer(TaskObserver)}.
 *
 * <p>Node-local: each node tells what <em>it</em> did (the submissions it stored, the attempts it
 * started and recorded, the tasks its housekeeping expired or recovered), once, right after the
 * write that did it committed. Added up over every node sharing a store, the counts are the
 * cluster's. Unlike a {@link TaskListener}, an observer never reads the event log: it is called
 * directly on the thread that wrote (a container thread, the store's writer thread, the claimer,
 * the completer, the housekeeping threads), so it costs the engine nothing it does not already do.
 *
 * <p>Hazard: those threads are the engine's write path. An observer must be thread-safe, return
 * at once, never block, never call back into the service, and should not allocate per call (a
 * counter increment is the model). An exception it throws is logged and otherwise ignored.
 *
 * <p>Durations are whole milliseconds of the engine's clock, the same clock the task's times come
 * from. Every method does nothing by default.
 */
public interface TaskObserver {
    /** Observes nothing. */
    TaskObserver NONE = new TaskObserver() {
    };

    /** A submission was stored as {@code task} (for a durable store: committed). */
    default void submitted(Task task) {
    }

    /**
     * A submission of {@code type} was refused; nothing was stored. {@code type} is the name the
     * client gave, which may be no known type (then {@code reason} is
     * {@link Rejection#UNKNOWN_TYPE}) and may even be {@code null}.
     */
    default void rejected(String type, Rejection reason) {
    }

    /**
     * This node claimed {@code task} and starts its attempt {@code task.attempts()} now;
     * {@code queueWaitMillis}: how long it was ready and waiting before that (since its run time:
     * its submission, the end of its delay, or the retry's due time).
     */
    default void started(Task task, long queueWaitMillis) {
    }

    /**
     * An attempt this node ran ended and its outcome was recorded: {@code task} is the snapshot after
     * it (terminal, or {@code QUEUED} for another attempt); {@code runMillis}: how long the attempt
     * ran. Followed by {@link #finished} or {@link #retried} for the same task.
     */
    default void ran(Task task, long runMillis) {
    }

    /**
     * {@code task} was queued again for another attempt after an attempt of this node ended (its
     * handler failed or timed out and its retry policy allows another, or it was given back at
     * shutdown); {@code task.error()} says why.
     */
    default void retried(Task task) {
    }

    /**
     * This node ended {@code task}: {@code task.status()} is terminal. Called once per task, on the
     * node that wrote the end, whichever way it ended: its attempt's outcome, a cancel of a queued
     * task, its expiry ({@link #expired} first), or a recovery that gave up ({@link #recovered} first).
     */
    default void finished(Task task) {
    }

    /** This node's housekeeping ended the queued {@code task} because its time to live passed. */
    default void expired(Task task) {
    }

    /**
     * This node's housekeeping recovered {@code task}, whose worker's lease expired (its node died or
     * stopped answering): {@code task} is queued again, or ended when it had no attempt left.
     */
    default void recovered(Task task) {
    }

    /**
     * A bulk cancel on this node ended {@code count} queued tasks of {@code type} ({@code null}: of
     * any type). {@link #finished} is not called for them: a bulk cancel does not read them back.
     */
    default void cancelledQueued(String type, int count) {
    }

    /**
     * A store that group-commits submissions committed {@code size} of them in one transaction that
     * took {@code commitNanos} to write and commit (stores that do not group-commit never call it).
     */
    default void intakeCommitted(int size, long commitNanos) {
    }
}
