package io.asyncreply.webhooks.delivery;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * When a failed delivery is tried again: after {@code first}, then each wait {@code factor} times
 * the one before, at most {@code cap}, each drawn uniformly within {@code jitter} of its nominal
 * value (so that receivers that fail together are not retried together), until {@code maxAttempts}
 * attempts were made. The defaults (5 s, x3, capped at 6 h, 12 attempts, +-20 %) wait about 22.6
 * hours in all: 5 s, 15 s, 45 s, 2 m 15 s, 6 m 45 s, 20 m 15 s, 1 h 45 s, 3 h 2 m 15 s, then 6 h
 * three times.
 *
 * @param first the nominal wait after the first attempt
 * @param factor how much longer each next wait is, at least 1
 * @param cap the longest nominal wait
 * @param maxAttempts attempts in all, at least 1
 * @param jitter 0 to 1: each wait is drawn from nominal x (1 - jitter) to nominal x (1 + jitter)
 */
public record Backoff(Duration first, double factor, Duration cap, int maxAttempts, double jitter) {
    public Backoff {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(cap, "cap");
        if (first.isNegative() || cap.compareTo(first) < 0 || factor < 1 || maxAttempts < 1 || jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("bad backoff: " + first + " x" + factor + " up to " + cap + ", "
                    + maxAttempts + " attempts, jitter " + jitter);
        }
    }

    /** About a day: see the class comment. */
    public static Backoff defaults() {
        return new Backoff(Duration.ofSeconds(5), 3, Duration.ofHours(6), 12, 0.2);
    }

    /** Whether another attempt follows once {@code attemptsMade} attempts failed. */
    public boolean retries(int attemptsMade) {
        return attemptsMade < maxAttempts;
    }

    /** The nominal wait after attempt {@code attemptsMade} (1 for the first) failed, before jitter. */
    public Duration nominal(int attemptsMade) {
        double ms = first.toMillis() * Math.pow(factor, Math.max(0, attemptsMade - 1));
        return ms >= cap.toMillis() ? cap : Duration.ofMillis((long) ms);
    }

    /** The wait after attempt {@code attemptsMade} failed, with jitter drawn from {@code random}. */
    public Duration delay(int attemptsMade, RandomGenerator random) {
        long nominal = nominal(attemptsMade).toMillis();
        double f = 1 + jitter * (2 * random.nextDouble() - 1);
        return Duration.ofMillis(Math.round(nominal * f));
    }

    /** The nominal waits of all retries together: how long a receiver may be down without losing a delivery. */
    public Duration total() {
        Duration sum = Duration.ZERO;
        for (int i = 1; i < maxAttempts; i++) {
            sum = sum.plus(nominal(i));
        }
        return sum;
    }
}
