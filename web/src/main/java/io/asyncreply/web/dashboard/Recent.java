package io.asyncreply.web.dashboard;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * A value computed at most once per {@code maxAge} and shared by every request meanwhile, so that
 * the number of open dashboards does not multiply what the store is asked. A failure is not kept:
 * the next request computes again.
 *
 * <p>State: the value and when it was computed, guarded by this; a request that finds it stale
 * computes while holding the lock, and those arriving meanwhile wait for that one answer.
 */
final class Recent<T> {
    private final long maxAgeNanos;
    private final Supplier<T> compute;
    private T value;
    private long at;

    Recent(Duration maxAge, Supplier<T> compute) {
        this.maxAgeNanos = maxAge.toNanos();
        this.compute = compute;
    }

    /** Forgets the value, so that the next {@link #get()} computes it (after an action changed it). */
    synchronized void invalidate() {
        value = null;
    }

    synchronized T get() {
        long now = System.nanoTime();
        if (value == null || now - at >= maxAgeNanos) {
            value = compute.get();
            at = now;
        }
        return value;
    }
}
