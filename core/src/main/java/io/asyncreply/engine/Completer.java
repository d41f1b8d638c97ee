package io.asyncreply.engine;

import io.asyncreply.store.Completion;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Outcome;
import io.asyncreply.task.RetryPolicy;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.Transitions;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Records how attempts ended: decides between finishing and another attempt (the handler's
 * {@link RetryPolicy}), writes it to the store fenced by the attempt number, and tells whoever
 * needs to know (waiters, idle workers for a retry that is due, the event dispatcher).
 *
 * <p>An outcome the store refuses (the attempt is no longer current: lease lost, recovered by
 * another node) is dropped: the newer attempt's outcome is the one that counts. An outcome that
 * could not be written (store unreachable) is logged and the task runs again once its lease
 * expires (at least once).
 */
final class Completer {
    private static final System.Logger LOG = System.getLogger(Completer.class.getName());

    /** What happens after an outcome was recorded. */
    interface After {
        /** The task ended: answer waiters. */
        void finished(Task task);

        /** The task waits for another attempt at {@code task.runAt()}: wake a worker then. */
        void requeued(Task task);
    }

    private final TaskStore store;
    private final Clock clock;
    private final String nodeId;
    private final After after;
    private final Runnable wrote;

    /** {@code wrote}: called after every write that may have added events (pokes the event dispatcher). */
    Completer(TaskStore store, Clock clock, String nodeId, After after, Runnable wrote) {
        this.store = store;
        this.clock = clock;
        this.nodeId = nodeId;
        this.after = after;
        this.wrote = wrote;
    }

    /** How attempt {@code ex} ended: {@code result}, or {@code failure}; a cancel or a release wins over both. */
    void record(Execution ex, TaskHandler handler, TaskResult result, Throwable failure) {
        Task task = ex.claimed().task();
        int attempt = task.attempts();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Completion c;
        if (ex.wasCancelled()) {
            c = Completion.finish(task.id(), attempt, Outcome.cancelled(), now, nodeId);
        } else if (ex.releasedBecause() != null) {
            c = Completion.requeue(task.id(), attempt, Transitions.interrupted(attempt, ex.releasedBecause()), now,
                    now, nodeId);
        } else if (failure == null) {
            c = Completion.finish(task.id(), attempt, Outcome.succeeded(result), now, nodeId);
        } else {
            TaskError error = handler == null ? Transitions.noHandler(task.type()) : TaskError.of(failure);
            LOG.log(Level.INFO, "task {0} ({1}) attempt {2} failed: {3}", task.id(), task.type(), attempt,
                    LogText.safe(error.message()));
            RetryPolicy policy = handler == null ? RetryPolicy.none() : handler.retryPolicy();
            if (policy.allowsAnotherAfter(attempt)) {
                Duration delay = policy.delayAfter(attempt, ThreadLocalRandom.current());
                c = Completion.requeue(task.id(), attempt, error, now.plus(delay), now, nodeId);
            } else {
                c = Completion.finish(task.id(), attempt, Outcome.failed(error), now, nodeId);
            }
        }
        Optional<Task> written;
        try {
            written = store.complete(List.of(c)).get(0);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "outcome of task {0} attempt {1} not recorded ({2}); it runs again once its "
                    + "lease expires", task.id(), attempt, e.getMessage());
            return;
        }
        wrote.run();
        if (written.isEmpty()) {
            LOG.log(Level.DEBUG, "outcome of task {0} attempt {1} refused: the attempt is no longer current",
                    task.id(), attempt);
            return;
        }
        Task t = written.get();
        if (t.isTerminal()) {
            after.finished(t);
        } else {
            after.requeued(t);
        }
    }
}
