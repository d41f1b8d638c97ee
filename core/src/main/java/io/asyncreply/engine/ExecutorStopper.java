package io.asyncreply.engine;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** Stops an executor the way a container expects: shutdown, bounded wait, shutdownNow, wait again. */
final class ExecutorStopper {
    private static final System.Logger LOG = System.getLogger(ExecutorStopper.class.getName());

    private ExecutorStopper() {
    }

    /** Returns whether all its threads ended. Keeps the caller's interrupt status. */
    static boolean stop(ExecutorService executor, String name, Duration grace) {
        executor.shutdown();
        try {
            if (executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            executor.shutdownNow();
            if (executor.awaitTermination(5, TimeUnit.SECONDS)) {
                return true;
            }
            LOG.log(System.Logger.Level.ERROR, "{0} threads did not stop within {1} ms plus 5 s", name,
                    grace.toMillis());
            return false;
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
            return executor.isTerminated();
        }
    }
}
