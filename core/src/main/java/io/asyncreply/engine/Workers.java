package io.asyncreply.engine;

import io.asyncreply.store.ClaimedTask;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The worker threads ({@code asyncreply-worker-N}): each takes a claimed task from the
 * {@link Handoff} and runs it with the {@link AttemptRunner}, again and again. Workers never ask
 * the store for work: the {@link Claimer} claims for all of them, as many tasks as are idle.
 */
final class Workers {
    private final int count;
    private final Handoff handoff;
    private final AttemptRunner runner;
    private final NamedThreadFactory threads = new NamedThreadFactory("asyncreply-worker");
    private final ExecutorService pool;

    Workers(int count, Handoff handoff, AttemptRunner runner) {
        this.count = count;
        this.handoff = handoff;
        this.runner = runner;
        this.pool = Executors.newFixedThreadPool(count, threads);
    }

    void start() {
        for (int i = 0; i < count; i++) {
            pool.execute(this::work);
        }
    }

    private void work() {
        while (true) {
            ClaimedTask t;
            try {
                t = handoff.take();
            } catch (InterruptedException e) {
                return; // stopped after the grace period
            }
            if (t == Handoff.STOP) {
                return;
            }
            runner.run(t);
        }
    }

    /**
     * Tells the workers to stop once the tasks handed to them are taken (call after the claimer
     * stopped), and waits up to {@code grace} for the running attempts to finish; returns whether
     * they did. The threads are stopped by {@link #stop()}.
     */
    boolean stopAfter(Duration grace) {
        handoff.close(count);
        pool.shutdown();
        try {
            return pool.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops the threads (after {@link #stopAfter}); returns whether they all ended. */
    boolean stop() {
        boolean ok = ExecutorStopper.stop(pool, "worker", Duration.ofSeconds(5));
        return threads.join(Duration.ofSeconds(1)) && ok;
    }
}
