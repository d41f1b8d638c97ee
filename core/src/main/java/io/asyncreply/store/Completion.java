package io.asyncreply.store;

import io.asyncreply.task.Outcome;
import io.asyncreply.task.TaskError;
import java.time.Instant;
import io.asyncreply.task.Task;
import java.util.Objects;

/**
 * How a worker's attempt ended, for {@link TaskStore#complete}: either finished with an
 * {@link Outcome}, or to be queued again at {@code runAt} with {@code lastError}. Applied with
 * {@link io.asyncreply.task.Transitions#finish} or {@link io.asyncreply.task.Transitions#requeue},
 * fenced by {@code attempt}.
 *
 * @param id the task
 * @param attempt the attempt that ended (the fencing token)
 * @param outcome the terminal outcome, or {@code null} for a requeue
 * @param lastError why the attempt ended, for a requeue; else {@code null}
 * @param runAt earliest next attempt, for a requeue; else {@code null}
 * @param now when it ended
 * @param node the node that records it, or {@code null}
 * @param assumed the task as the worker believes it stands (its claimed snapshot with the last
 *     progress it recorded), or {@code null}: a store may decide on it and write with a
 *     compare-and-set against it, saving a read; when the task changed meanwhile (a cancel was
 *     requested) the store reads it and decides again
 */
public record Completion(String id, int attempt, Outcome outcome, TaskError lastError, Instant runAt, Instant now,
        String node, Task assumed) {
    public Completion {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(now, "now");
        if ((outcome == null) == (lastError == null) || (lastError == null) != (runAt == null)) {
            throw new IllegalArgumentException("a completion either finishes with an outcome or requeues with an "
                    + "error and a run time");
        }
    }

    /** Attempt {@code attempt} of {@code id} ended with {@code outcome}. */
    public static Completion finish(String id, int attempt, Outcome outcome, Instant now, String node) {
        return new Completion(id, attempt, Objects.requireNonNull(outcome, "outcome"), null, null, now, node, null);
    }

    /** Attempt {@code attempt} of {@code id} ended with {@code lastError}; run again from {@code runAt}. */
    public static Completion requeue(String id, int attempt, TaskError lastError, Instant runAt, Instant now,
            String node) {
        return new Completion(id, attempt, null, Objects.requireNonNull(lastError, "lastError"),
                Objects.requireNonNull(runAt, "runAt"), now, node, null);
    }

    /** This completion with the task as the worker believes it stands (see {@link #assumed()}). */
    public Completion assuming(Task task) {
        return new Completion(id, attempt, outcome, lastError, runAt, now, node, task);
    }

    /** The change this completion makes to {@code current}, or empty when refused (the attempt is not current). */
    public java.util.Optional<io.asyncreply.task.Transitions.Change> decide(Task current) {
        return isRequeue() ? io.asyncreply.task.Transitions.requeue(current, attempt, lastError, runAt, now)
                : io.asyncreply.task.Transitions.finish(current, attempt, outcome, now);
    }

    /** Whether this queues the task again rather than finishing it. */
    public boolean isRequeue() {
        return outcome == null;
    }
}
