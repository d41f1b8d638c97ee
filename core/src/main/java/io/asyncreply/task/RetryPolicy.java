package io.asyncreply.task;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How often a failing handler is tried and how long to wait in between: exponential backoff with
 * full jitter, {@code delay(n) = random(0.5..1.0) * min(maxDelay, initialDelay * multiplier^(n-1))}.
 *
 * @param maxAttempts attempts in all, at least 1 (1 means no retry)
 * @param initialDelay delay before the second attempt
 * @param maxDelay cap on any delay
 * @param multiplier growth factor per attempt, at least 1
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay, double multiplier) {
    private static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (initialDelay.isNegative() || maxDelay.isNegative() || multiplier < 1) {
            throw new IllegalArgumentException("delays must not be negative and multiplier must be >= 1");
        }
    }

    /** Run once; a failure is final. */
    public static RetryPolicy none() {
        return NONE;
    }

    /** Up to {@code maxAttempts} attempts, starting at {@code initialDelay}, doubling, capped at 10 minutes. */
    public static RetryPolicy exponential(int maxAttempts, Duration initialDelay) {
        return new RetryPolicy(maxAttempts, initialDelay, Duration.ofMinutes(10), 2.0);
    }

    /** Whether another attempt may follow attempt number {@code attempt} (counted from 1). */
    public boolean allowsAnotherAfter(int attempt) {
        return attempt < maxAttempts;
    }

    /** The delay before the attempt that follows attempt number {@code attempt}. */
    public Duration delayAfter(int attempt, RandomGenerator random) {
        double base = initialDelay.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        double capped = Math.min(base, maxDelay.toMillis());
        return Duration.ofMillis((long) (capped * (0.5 + 0.5 * random.nextDouble())));
    }
}
