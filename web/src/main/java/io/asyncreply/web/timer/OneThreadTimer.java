package io.asyncreply.web.timer;

import java.lang.System.Logger.Level;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler with one named thread, whose {@link #close()} returns once that thread has ended.
 *
 * <p>Why not just {@code shutdownNow} and {@code awaitTermination}: the executor counts as terminated
 * as soon as its worker has deregistered, a moment before the thread itself ends, and Tomcat looks
 * for the web application's threads right after undeploy. It reported {@code asyncreply-metrics-1}
 * as leaked when the machine was busy (seen in CI). So {@link #close()} also joins the thread.
 *
 * <p>Cancelled tasks leave the queue at once, and delayed tasks do not run after {@link #close()}.
 */
public final class OneThreadTimer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OneThreadTimer.class.getName());
    private static final long TERMINATION_WAIT_MILLIS = 5_000;
    private static final long JOIN_WAIT_MILLIS = 1_000;

    private final String name;
    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread thread;

    private OneThreadTimer(String name, boolean daemon) {
        this.name = name;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(daemon);
            thread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * A timer whose thread is named {@code name}; {@code daemon}: whether that thread lets the JVM
     * exit without {@link #close()} (it is stopped by close either way).
     */
    public static OneThreadTimer create(String name, boolean daemon) {
        return new OneThreadTimer(name, daemon);
    }

    /** Where to schedule; refuses new tasks ({@code RejectedExecutionException}) once closed. */
    public ScheduledExecutorService executor() {
        return executor;
    }

    /**
     * Interrupts what runs, drops what waits, and returns once the thread has ended (or after about
     * six seconds, with a warning). Keeps the caller's interrupt status.
     */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(TERMINATION_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            Thread t = thread;
            if (t != null) {
                t.join(JOIN_WAIT_MILLIS);
                if (t.isAlive()) {
                    LOG.log(Level.WARNING, "{0} did not stop within {1} ms", name,
                            TERMINATION_WAIT_MILLIS + JOIN_WAIT_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
