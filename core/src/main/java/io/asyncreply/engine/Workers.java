package io.asyncreply.engine;

import io.asyncreply.store.ClaimRequest;
import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.TaskStore;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The worker threads ({@code asyncreply-worker-N}): each claims a ready task of this node's types
 * from the store and runs it with the {@link AttemptRunner}, again and again. An idle worker
 * sleeps on the {@link WorkSignal}: a submission wakes one at once, and so does another node's
 * (through the store's wake-ups); the poll interval only covers lost wake-ups and retries that
 * fall due.
 *
 * <p>A wake-up from another node stands for a whole batch and wakes one worker: each successful
 * claim wakes one more idle worker, which stops at the first empty claim (unless the store knows
 * that nothing is queued). Costs nothing while every worker is busy.
 */
final class Workers {
    private static final System.Logger LOG = System.getLogger(Workers.class.getName());

    private final TaskStore store;
    private final Set<String> types;
    private final String nodeId;
    private final Clock clock;
    private final Duration lease;
    private final long pollMillis;
    private final AttemptRunner runner;
    private final Runnable claimed;
    private final int count;
    private final WorkSignal signal = new WorkSignal();
    private final NamedThreadFactory threads = new NamedThreadFactory("asyncreply-worker");
    private final ExecutorService pool;
    private volatile boolean stopping;

    /** {@code claimed}: called after every successful claim (pokes the event dispatcher). */
    Workers(int count, TaskStore store, Set<String> types, String nodeId, Clock clock, Duration lease,
            long pollMillis, AttemptRunner runner, Runnable claimed) {
        this.count = count;
        this.store = store;
        this.types = Set.copyOf(types);
        this.nodeId = nodeId;
        this.clock = clock;
        this.lease = lease;
        this.pollMillis = pollMillis;
        this.runner = runner;
        this.claimed = claimed;
        this.pool = Executors.newFixedThreadPool(count, threads);
    }

    void start() {
        for (int i = 0; i < count; i++) {
            pool.execute(this::work);
        }
    }

    /** Work may have arrived: wake one idle worker. */
    void wake() {
        signal.wake();
    }

    /** Whether the workers were told to stop. */
    boolean isStopping() {
        return stopping;
    }

    private void work() {
        while (!stopping) {
            long seen = signal.generation();
            List<ClaimedTask> got = List.of();
            if (!types.isEmpty()) {
                try {
                    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
                    got = store.claim(new ClaimRequest(nodeId, types, 1, now, now.plus(lease)));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "could not claim a task: {0}", e.getMessage());
                }
            }
            if (got.isEmpty()) {
                try {
                    signal.await(seen, pollMillis);
                } catch (InterruptedException e) {
                    if (stopping) {
                        return;
                    }
                }
                continue;
            }
            claimed.run();
            if (store.mayHaveQueued()) {
                signal.wake(); // there may be more: see the class comment
            }
            for (ClaimedTask t : got) {
                runner.run(t);
            }
        }
    }

    /**
     * Stops claiming, wakes the idle workers, and waits up to {@code grace} for running attempts to
     * finish; returns whether they did. The threads are stopped by {@link #stop()}.
     */
    boolean stopClaiming(Duration grace) {
        stopping = true;
        signal.wakeAll();
        pool.shutdown();
        try {
            return pool.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops the threads (after {@link #stopClaiming}); returns whether they all ended. */
    boolean stop() {
        boolean ok = ExecutorStopper.stop(pool, "worker", Duration.ofSeconds(5));
        return threads.join(Duration.ofSeconds(1)) && ok;
    }
}
