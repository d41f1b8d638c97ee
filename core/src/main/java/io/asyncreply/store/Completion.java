package io.asyncreply.store;

import io.asyncreply.task.Outcome;
import io.asyncreply.task.TaskError;
import java.time.Instant;
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
 */
public record Completion(String id, int attempt, Outcome outcome, TaskError lastError, Instant runAt, Instant now,
        String node) {
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
        return new Completion(id, attempt, Objects.requireNonNull(outcome, "outcome"), null, null, now, node);
    }

    /** Attempt {@code attempt} of {@code id} ended with {@code lastError}; run again from {@code runAt}. */
    public static Completion requeue(String id, int attempt, TaskError lastError, Instant runAt, Instant now,
            String node) {
        return new Completion(id, attempt, null, Objects.requireNonNull(lastError, "lastError"),
                Objects.requireNonNull(runAt, "runAt"), now, node);
    }

    /** Whether this queues the task again rather than finishing it. */
    public boolean isRequeue() {
        return outcome == null;
    }
}
