package io.asyncreply.engine;

import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Task;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Waits for tasks to end, without a thread per wait: {@link #await} registers a future in
 * {@link Waiters}, and whoever learns that the task ended completes it: this node's completer and
 * cancel at once ({@link #finished}), the {@link EventDispatcher} for tasks that end on other
 * nodes, the scheduler at the timeout. Futures complete on the notifier thread, never on a worker.
 *
 * <p>Race: a waiter is registered before the task is read, and the event dispatcher is made to
 * read the log from before that read; see {@link Waiters}.
 */
final class TerminalWaits {
    private final TaskStore store;
    private final Waiters waiters = new Waiters();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService notifier;
    private final EventDispatcher events;

    TerminalWaits(TaskStore store, ScheduledExecutorService scheduler, ExecutorService notifier,
            EventDispatcher events) {
        this.store = store;
        this.scheduler = scheduler;
        this.notifier = notifier;
        this.events = events;
    }

    /**
     * {@link #await(String, Duration, boolean)} of a task of {@code owner} ({@code null}: anyone's):
     * empty at once for a malformed id or another owner's task, as for an unknown one; a store that
     * cannot be read fails the stage.
     */
    CompletionStage<Optional<Task>> await(String id, String owner, Duration timeout, boolean stopping) {
        if (!Ids.isWellFormed(id)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        try {
            if (owner != null && store.find(id, owner).isEmpty()) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            return await(id, timeout, stopping);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Completes, on the notifier thread or at once, with the task when it is terminal or when
     * {@code timeout} passes (its state then), or empty when unknown. {@code stopping}: answer at once.
     */
    CompletionStage<Optional<Task>> await(String id, Duration timeout, boolean stopping) {
        events.activate(); // before the read: tasks ending elsewhere after it reach us through the log
        Waiters.Waiter w = waiters.add(id); // before the read: see Waiters
        Optional<Task> current;
        try {
            current = store.find(id);
        } catch (RuntimeException e) {
            waiters.remove(w);
            return CompletableFuture.failedFuture(e);
        }
        if (current.isEmpty() || current.get().isTerminal() || timeout.isZero() || timeout.isNegative() || stopping) {
            if (waiters.remove(w)) {
                return CompletableFuture.completedFuture(current);
            }
            return w.future; // completed by a finish that raced with us
        }
        try {
            w.timeout = scheduler.schedule(() -> notifier.execute(() -> {
                if (waiters.remove(w)) {
                    try {
                        w.future.complete(store.find(id));
                    } catch (RuntimeException e) {
                        w.future.completeExceptionally(e);
                    }
                }
            }), timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) { // shutting down right now
            if (waiters.remove(w)) {
                w.future.complete(current);
            }
        }
        return w.future;
    }

    /**
     * {@code task} is terminal: answers its waiters on the notifier thread. Skipping the hand-off
     * when nobody waits is safe: the terminal state is already stored, and a waiter registers before
     * it reads the store, so a waiter this check misses reads the terminal state itself.
     */
    void finished(Task task) {
        if (!waiters.isWaitedFor(task.id())) {
            return;
        }
        try {
            notifier.execute(() -> waiters.complete(task));
        } catch (RejectedExecutionException e) { // after shutdown: answer here
            waiters.complete(task);
        }
    }

    /** Whether anyone waits for {@code id}. */
    boolean isWaitedFor(String id) {
        return waiters.isWaitedFor(id);
    }

    /** Completes the waiters of a terminal task here, on the caller's thread (the event dispatcher). */
    void completeNow(Task task) {
        waiters.complete(task);
    }

    /** The ids waited for at this moment. */
    java.util.List<String> ids() {
        return waiters.ids();
    }

    int size() {
        return waiters.size();
    }

    /** Answers every waiter with its task's state now (shutdown). */
    void drain() {
        waiters.drain(id -> {
            try {
                return store.find(id);
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        });
    }
}
