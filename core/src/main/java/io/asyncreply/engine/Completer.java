package io.asyncreply.engine;

import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.Completion;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Outcome;
import io.asyncreply.task.RetryPolicy;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskObserver;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.Transitions;
import io.asyncreply.task.TypePolicy;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Records how attempts ended. A worker decides between finishing and another attempt (the
 * handler's {@link RetryPolicy}) and hands the outcome over ({@link #record}); it is then free for
 * its next task. One thread ({@value #THREAD}-1) takes every outcome waiting (up to
 * {@value #MAX_BATCH}) and writes them to the store in one call, fenced by each attempt's number
 * (one transaction where the store has them), then tells whoever needs to know: waiters, idle
 * workers for a retry that is due, the event dispatcher. While one batch is written the next
 * gathers, so the cost of a commit is shared by every outcome that arrived meanwhile.
 *
 * <p>An outcome the store refuses (the attempt is no longer current: lease lost, recovered by
 * another node) is dropped: the newer attempt's outcome is the one that counts. An outcome that
 * could not be written (store unreachable) is logged, and the task runs again once its lease
 * expires (at least once). Until its outcome is written a task keeps its lease: lease renewal
 * covers every running task of this node in the store, whatever this node still holds in memory.
 *
 * <p>Hazard: {@link #record} blocks a worker when {@value #MAX_WAITING} outcomes wait (the store
 * is slower than the workers); that is back-pressure, not a leak.
 */
final class Completer {
    static final String THREAD = "asyncreply-completer";
    private static final System.Logger LOG = System.getLogger(Completer.class.getName());
    /** Most outcomes written in one call. */
    static final int MAX_BATCH = 256;
    /** Most outcomes waiting to be written before workers wait. */
    static final int MAX_WAITING = 8_192;

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
    private final Map<String, TypePolicy> policies;
    private final TaskObserver observer;
    /** Wakes the thread when it is to stop; never written. */
    private static final Completion WAKE = Completion.finish("wake", 0, Outcome.cancelled(), Instant.EPOCH, null);

    private final LinkedBlockingQueue<Completion> waiting = new LinkedBlockingQueue<>(MAX_WAITING);
    private final NamedThreadFactory threads = new NamedThreadFactory(THREAD);
    private Thread thread;
    private volatile boolean stopping;

    /**
     * {@code wrote}: called after every write that may have added events (pokes the event
     * dispatcher); {@code observer}: told of each outcome written, after its batch committed.
     */
    Completer(TaskStore store, Clock clock, String nodeId, Map<String, TypePolicy> policies, After after,
            Runnable wrote, TaskObserver observer) {
        this.observer = observer;
        this.policies = policies;
        this.store = store;
        this.clock = clock;
        this.nodeId = nodeId;
        this.after = after;
        this.wrote = wrote;
    }

    void start() {
        thread = threads.newThread(this::run);
        thread.start();
    }

    /** How attempt {@code ex} ended: {@code result}, or {@code failure}; a cancel or a release wins over both. */
    void record(Execution ex, TaskHandler handler, TaskResult result, Throwable failure) {
        Task task = ex.claimed().task();
        int attempt = task.attempts();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Completion c;
        if (ex.wasCancelled()) {
            c = Completion.finish(task.id(), attempt, Outcome.cancelled(), now, nodeId);
        } else if (ex.timedOut() != null) {
            c = failed(task, attempt, Transitions.timedOut(attempt, ex.timedOut()), handler, now);
        } else if (ex.releasedBecause() != null) {
            c = Completion.requeue(task.id(), attempt, Transitions.interrupted(attempt, ex.releasedBecause()), now,
                    now, nodeId);
        } else if (failure == null) {
            c = Completion.finish(task.id(), attempt, Outcome.succeeded(result), now, nodeId);
        } else {
            TaskError error = handler == null ? Transitions.noHandler(task.type()) : TaskError.of(failure);
            c = failed(task, attempt, error, handler, now);
        }
        hand(c.assuming(ex.believed()));
    }

    /** A failed attempt: another after the retry policy's delay, or the end. */
    private Completion failed(Task task, int attempt, TaskError error, TaskHandler handler, Instant now) {
        LOG.log(Level.INFO, "task {0} ({1}) attempt {2} failed ({3}): {4}", task.id(), task.type(), attempt,
                error.code(), LogText.safe(error.message()));
        TypePolicy p = policies.get(task.type());
        RetryPolicy policy = p != null && p.retry() != null ? p.retry()
                : handler == null ? RetryPolicy.none() : handler.retryPolicy();
        if (policy.allowsAnotherAfter(attempt)) {
            Duration delay = policy.delayAfter(attempt, ThreadLocalRandom.current());
            return Completion.requeue(task.id(), attempt, error, now.plus(delay), now, nodeId);
        }
        return Completion.finish(task.id(), attempt, Outcome.failed(error), now, nodeId);
    }

    /** Gives back a task claimed for this node and never started (shutdown): it is queued again. */
    void giveBack(ClaimedTask t) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        int attempt = t.attempt();
        hand(Completion.requeue(t.task().id(), attempt, Transitions.interrupted(attempt,
                "the service stopped before it started"), now, now, nodeId).assuming(t.task()));
    }

    private void hand(Completion c) {
        try {
            if (!waiting.offer(c)) {
                waiting.put(c); // back-pressure: the store is slower than the workers
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.log(Level.WARNING, "outcome of task {0} attempt {1} not recorded (interrupted); it runs again once "
                    + "its lease expires", c.id(), c.attempt());
        }
    }

    private void run() {
        List<Completion> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            Completion first;
            try {
                first = waiting.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                first = waiting.poll();
            }
            if (first == null || first == WAKE) {
                if (stopping && waiting.isEmpty()) {
                    return; // everything handed over before the stop is written
                }
                continue;
            }
            batch.add(first);
            waiting.drainTo(batch, MAX_BATCH - 1);
            if (stopping) { // only stop() hands WAKE over; remove(Object) would call the record's equals per outcome
                batch.removeIf(c -> c == WAKE);
            }
            write(batch);
            batch.clear();
        }
    }

    private void write(List<Completion> batch) {
        List<Optional<Task>> written;
        try {
            written = store.complete(batch);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the outcomes of {0} attempts were not recorded ({1}); their tasks run again once "
                    + "their leases expire", batch.size(), e.getMessage());
            return;
        }
        wrote.run();
        for (int i = 0; i < batch.size(); i++) {
            Optional<Task> w = written.get(i);
            if (w.isEmpty()) {
                LOG.log(Level.DEBUG, "outcome of task {0} attempt {1} refused: the attempt is no longer current",
                        batch.get(i).id(), batch.get(i).attempt());
                continue;
            }
            Task t = w.get();
            Instant started = t.startedAt();
            long ran = started == null ? 0 : Math.max(0, batch.get(i).now().toEpochMilli() - started.toEpochMilli());
            if (t.isTerminal()) {
                after.finished(t); // waiters first: the observer (the task log) must not delay them
                observer.ran(t, ran);
                observer.finished(t);
            } else {
                observer.ran(t, ran);
                observer.retried(t); // before a worker is woken for the next attempt, which is told as started
                after.requeued(t);
            }
        }
    }

    /** Writes every outcome handed over until now, then stops the thread (call after the workers stopped). */
    void stop() {
        stopping = true;
        waiting.offer(WAKE);
        if (thread != null && !threads.join(Duration.ofSeconds(30))) {
            LOG.log(Level.WARNING, "{0} still writing outcomes after 30 s; interrupting it", THREAD);
            thread.interrupt();
            threads.join(Duration.ofSeconds(2));
        }
    }
}
