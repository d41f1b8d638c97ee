package io.asyncreply.store;

import io.asyncreply.task.TypePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory store's per-type state: paused or not, how many tasks of each type wait and run, and
 * a token bucket per rate-limited type. Claims of limited types take {@link #allowances} and
 * {@link #took} under the store's claim lock, so that counting and taking cannot interleave.
 */
final class MemoryTypes {
    private static final class Type {
        volatile boolean paused;
        final AtomicLong queued = new AtomicLong();
        final AtomicLong running = new AtomicLong();
        double tokens = -1; // guarded by the claim lock; -1 until first used
        Instant tokensAt;
    }

    private final Map<String, Type> types = new ConcurrentHashMap<>();

    private Type type(String name) {
        return types.computeIfAbsent(name, k -> new Type());
    }

    void pause(String name, boolean paused) {
        type(name).paused = paused;
    }

    boolean isPaused(String name) {
        Type t = types.get(name);
        return t != null && t.paused;
    }

    void queued(String name, int delta) {
        type(name).queued.addAndGet(delta);
    }

    void running(String name, int delta) {
        type(name).running.addAndGet(delta);
    }

    /**
     * How many tasks of each limited type may start now (concurrency left, whole tokens), after the
     * buckets were filled up to {@code now}. Claim lock held.
     */
    Map<String, Integer> allowances(Map<String, TypePolicy> limits, Instant now) {
        Map<String, Integer> out = new HashMap<>();
        limits.forEach((name, p) -> {
            Type t = type(name);
            long n = Integer.MAX_VALUE;
            if (p.concurrency() > 0) {
                n = Math.min(n, p.concurrency() - t.running.get());
            }
            if (p.rate() > 0) {
                refill(t, p.rate(), now);
                n = Math.min(n, (long) Math.floor(t.tokens));
            }
            out.put(name, (int) Math.max(0, n));
        });
        return out;
    }

    /** One task of limited type {@code name} was claimed: it takes a token. Claim lock held. */
    void took(String name, TypePolicy p) {
        if (p.rate() > 0) {
            Type t = type(name);
            t.tokens -= 1;
        }
    }

    private static void refill(Type t, double rate, Instant now) {
        double burst = Math.max(1, rate);
        if (t.tokens < 0 || t.tokensAt == null) {
            t.tokens = burst;
        } else if (now.isAfter(t.tokensAt)) {
            double seconds = Duration.between(t.tokensAt, now).toNanos() / 1e9;
            t.tokens = Math.min(burst, t.tokens + seconds * rate);
        }
        if (t.tokensAt == null || now.isAfter(t.tokensAt)) { // a claim with an older clock adds no time
            t.tokensAt = now;
        }
    }

    List<TypeState> states() {
        List<TypeState> out = new ArrayList<>();
        types.forEach((name, t) -> {
            if (t.paused || t.queued.get() > 0 || t.running.get() > 0) {
                out.add(new TypeState(name, t.paused, t.queued.get(), t.running.get()));
            }
        });
        out.sort(java.util.Comparator.comparing(TypeState::type));
        return out;
    }
}
