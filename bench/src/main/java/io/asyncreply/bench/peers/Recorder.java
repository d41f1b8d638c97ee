package io.asyncreply.bench.peers;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the benchmark's no-op handlers saw, by task index (0 to n - 1): when each started and ended
 * ({@link System#nanoTime()}), so that every figure is timed from outside the system under test
 * by the handler itself. Each system's handler calls {@link #started(int)} first thing and
 * {@link #ended(int)} last thing.
 *
 * <p>Hazard: delivery is at least once in all three systems, so an index may run twice; the first
 * start and the first end count, and the repeats are counted in {@link #duplicates()}. Whatever
 * runs an index that is out of range (a task of an earlier phase) is counted in
 * {@link #strays()} and otherwise ignored.
 */
final class Recorder {
    private final int n;
    private final AtomicLongArray starts;
    private final AtomicLongArray ends;
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicInteger strays = new AtomicInteger();
    private final CountDownLatch allEnded;

    Recorder(int n) {
        this.n = n;
        this.starts = new AtomicLongArray(n);
        this.ends = new AtomicLongArray(n);
        this.allEnded = new CountDownLatch(n);
    }

    int size() {
        return n;
    }

    void started(int index) {
        long now = System.nanoTime();
        if (index < 0 || index >= n) {
            strays.incrementAndGet();
        } else if (!starts.compareAndSet(index, 0, now)) {
            duplicates.incrementAndGet();
        }
    }

    void ended(int index) {
        long now = System.nanoTime();
        if (index >= 0 && index < n && ends.compareAndSet(index, 0, now)) {
            allEnded.countDown();
        }
    }

    /** Waits until every index has ended once; false on timeout. */
    boolean awaitAll(long timeout, TimeUnit unit) throws InterruptedException {
        return allEnded.await(timeout, unit);
    }

    long ended() {
        return n - allEnded.getCount();
    }

    long start(int index) {
        return starts.get(index);
    }

    /** The earliest start, or 0 when none. */
    long firstStart() {
        long first = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            long s = starts.get(i);
            if (s != 0 && s - first < 0) {
                first = s;
            }
        }
        return first == Long.MAX_VALUE ? 0 : first;
    }

    /** The latest end, or 0 when none. */
    long lastEnd() {
        long last = 0;
        boolean any = false;
        for (int i = 0; i < n; i++) {
            long e = ends.get(i);
            if (e != 0 && (!any || e - last > 0)) {
                last = e;
                any = true;
            }
        }
        return last;
    }

    int duplicates() {
        return duplicates.get();
    }

    int strays() {
        return strays.get();
    }
}
