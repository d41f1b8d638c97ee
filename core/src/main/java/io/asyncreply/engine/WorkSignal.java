package io.asyncreply.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes idle workers when work may have arrived, without a lost wake-up.
 *
 * <p>A worker reads {@link #generation()} <em>before</em> it asks the store for work and, finding
 * none, calls {@link #await(long, long)} with that value. A {@link #wake()} in between bumps the
 * generation, so the worker does not sleep on work that arrived while it was looking. The
 * generation is checked under the lock and the signal is sent under the lock, so a wake after the
 * check reaches the waiting worker.
 *
 * <p>{@link #wake()} is on the submit path: it takes the lock only when someone is waiting.
 */
final class WorkSignal {
    private final AtomicLong generation = new AtomicLong();
    private final AtomicInteger waiting = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    long generation() {
        return generation.get();
    }

    /** Wakes one idle worker. */
    void wake() {
        generation.incrementAndGet();
        // A waiter increments 'waiting' before it checks the generation under the lock, so if it
        // is not yet counted here it will see the new generation and not wait.
        if (waiting.get() > 0) {
            lock.lock();
            try {
                changed.signal();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Wakes every idle worker (shutdown). */
    void wakeAll() {
        generation.incrementAndGet();
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the generation differs from {@code seen} or {@code maxMillis} pass. */
    void await(long seen, long maxMillis) throws InterruptedException {
        waiting.incrementAndGet();
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(maxMillis);
            while (generation.get() == seen && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
            waiting.decrementAndGet();
        }
    }
}
