package io.asyncreply.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads named {@code prefix-N}, non-daemon: they stop when the service is shut down, not before.
 *
 * <p>The factory remembers its threads so that shutdown can {@link #join} them: an executor's
 * {@code awaitTermination} returns as soon as its last worker has <em>deregistered</em>, which is
 * a moment before that thread has actually ended; a container that looks for leaked threads right
 * after undeploy (Tomcat does) would still see it alive.
 */
final class NamedThreadFactory implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    NamedThreadFactory(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
        t.setDaemon(false);
        threads.removeIf(x -> x.getState() == Thread.State.TERMINATED); // pools replace dead workers
        threads.add(t);
        return t;
    }

    /**
     * Waits up to {@code max} in all until every thread made by this factory has ended. Returns
     * whether they all did. Keeps the caller's interrupt status.
     */
    boolean join(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        try {
            for (Thread t : threads) {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    TimeUnit.NANOSECONDS.timedJoin(t, left);
                }
                if (t.isAlive()) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
