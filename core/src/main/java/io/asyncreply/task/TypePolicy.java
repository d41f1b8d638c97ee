package io.asyncreply.task;

import java.time.Duration;

/**
 * How the engine treats the tasks of one type, beyond what its handler says.
 *
 * @param concurrency at most this many of its tasks run at once across every node sharing the
 *     store (enforced by the claim itself), or 0 for no limit
 * @param rate at most this many of its tasks start per second across every node (a token bucket
 *     holding at most one second's worth, kept in the store), or 0 for no limit
 * @param timeout a running attempt is interrupted after this long and fails with
 *     {@link TaskError#TIMEOUT} (then its retry policy applies), or {@code null} for none
 * @param priority the priority of a submission that gives none, -10 to 10
 * @param retry overrides the handler's {@link TaskHandler#retryPolicy()}, or {@code null}
 */
public record TypePolicy(int concurrency, double rate, Duration timeout, int priority, RetryPolicy retry) {
    /** No limits, no timeout, priority 0, the handler's retries. */
    public static final TypePolicy DEFAULT = new TypePolicy(0, 0, null, 0, null);

    public TypePolicy {
        if (concurrency < 0) {
            throw new IllegalArgumentException("concurrency must not be negative");
        }
        if (rate < 0 || Double.isNaN(rate) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate must be a number, not negative");
        }
        if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (priority < Task.MIN_PRIORITY || priority > Task.MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be from " + Task.MIN_PRIORITY + " to "
                    + Task.MAX_PRIORITY);
        }
    }

    /** Whether the store must count or meter this type's claims. */
    public boolean limitsClaims() {
        return concurrency > 0 || rate > 0;
    }

    public TypePolicy withConcurrency(int n) {
        return new TypePolicy(n, rate, timeout, priority, retry);
    }

    public TypePolicy withRate(double perSecond) {
        return new TypePolicy(concurrency, perSecond, timeout, priority, retry);
    }

    public TypePolicy withTimeout(Duration d) {
        return new TypePolicy(concurrency, rate, d, priority, retry);
    }

    public TypePolicy withPriority(int p) {
        return new TypePolicy(concurrency, rate, timeout, p, retry);
    }

    public TypePolicy withRetry(RetryPolicy r) {
        return new TypePolicy(concurrency, rate, timeout, priority, r);
    }
}
