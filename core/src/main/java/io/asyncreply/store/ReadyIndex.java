package io.asyncreply.store;

import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Predicate;

/**
 * Where the memory store finds queued tasks: ready sets per type (ordered by priority, highest
 * first, then run time, then submission), a delayed set (by run time) and an expiring set (by
 * expiry). It may hold stale entries (a task cancelled or claimed meanwhile): whoever takes an
 * entry decides on the task's current state and skips a stale one.
 *
 * @param <E> the store's entry type
 */
final class ReadyIndex<E> {
    /** A task's place in the index. */
    record Key(String type, int priority, Instant runAt, long seq) {
    }

    private record Ready<E>(Key key, E entry) {
    }

    private record Timed<E>(Instant at, long seq, E entry) {
    }

    /**
     * Priority (highest first), run time, then seq. Written out: the chain of {@code Comparator.comparing}
     * lambdas it replaced was 12% of the samples of a memory-store burn-down (every skip-list step
     * calls it).
     */
    private final Comparator<Ready<E>> readyOrder = (a, b) -> {
        Key x = a.key();
        Key y = b.key();
        int c = Integer.compare(y.priority(), x.priority());
        if (c == 0) {
            c = x.runAt().compareTo(y.runAt());
        }
        return c != 0 ? c : Long.compare(x.seq(), y.seq());
    };
    private final Comparator<Timed<E>> timedOrder = (a, b) -> {
        int c = a.at().compareTo(b.at());
        return c != 0 ? c : Long.compare(a.seq(), b.seq());
    };
    private final Map<String, ConcurrentSkipListSet<Ready<E>>> ready = new ConcurrentHashMap<>();
    private final ConcurrentSkipListSet<Timed<E>> delayed = new ConcurrentSkipListSet<>(timedOrder);
    private final ConcurrentSkipListSet<Timed<E>> expiring = new ConcurrentSkipListSet<>(timedOrder);

    /** Indexes a queued task: ready when its run time is not after {@code now}, else delayed. */
    void add(E entry, Key key, Instant expiresAt, Instant now) {
        if (expiresAt != null) {
            expiring.add(new Timed<>(expiresAt, key.seq(), entry));
        }
        if (key.runAt().isAfter(now)) {
            delayed.add(new Timed<>(key.runAt(), key.seq(), entry));
        } else {
            readySet(key.type()).add(new Ready<>(key, entry));
        }
    }

    /** Puts back a task whose run time had not come by a claim's clock. */
    void delay(E entry, Instant runAt, long seq) {
        delayed.add(new Timed<>(runAt, seq, entry));
    }

    /** Drops every index entry of a queued task that ended (equal keys find them). */
    void remove(E entry, Key key, Instant expiresAt) {
        ConcurrentSkipListSet<Ready<E>> set = ready.get(key.type());
        if (set != null) {
            set.remove(new Ready<>(key, entry));
        }
        delayed.remove(new Timed<>(key.runAt(), key.seq(), entry));
        if (expiresAt != null) {
            expiring.remove(new Timed<>(expiresAt, key.seq(), entry));
        }
    }

    /**
     * Takes the best ready entry among the types {@code serves} admits, after moving delayed ones
     * whose run time has come; null when there is none. {@code keyOf} gives a delayed entry's key
     * (from its current task).
     */
    E take(Predicate<String> serves, Instant now, java.util.function.Function<E, Key> keyOf) {
        promoteDue(now, keyOf);
        while (true) {
            ConcurrentSkipListSet<Ready<E>> from = null;
            Ready<E> best = null;
            for (Map.Entry<String, ConcurrentSkipListSet<Ready<E>>> r : ready.entrySet()) {
                if (!serves.test(r.getKey())) {
                    continue;
                }
                Ready<E> head = firstOrNull(r.getValue());
                if (head != null && (best == null || readyOrder.compare(head, best) < 0)) {
                    best = head;
                    from = r.getValue();
                }
            }
            if (best == null) {
                return null;
            }
            if (from.remove(best)) {
                return best.entry();
            } // else another claimer took it: look again
        }
    }

    /** Takes the entry whose expiry is the earliest and not after {@code now}; null when none. */
    E takeExpired(Instant now) {
        while (true) {
            Timed<E> t = firstOrNull(expiring);
            if (t == null || t.at().isAfter(now)) {
                return null;
            }
            if (expiring.remove(t)) {
                return t.entry();
            }
        }
    }

    private void promoteDue(Instant now, java.util.function.Function<E, Key> keyOf) {
        while (true) {
            Timed<E> d = firstOrNull(delayed);
            if (d == null || d.at().isAfter(now)) {
                return;
            }
            if (delayed.remove(d)) {
                Key k = keyOf.apply(d.entry());
                if (k != null) {
                    readySet(k.type()).add(new Ready<>(new Key(k.type(), k.priority(), d.at(), d.seq()), d.entry()));
                }
            }
        }
    }

    private ConcurrentSkipListSet<Ready<E>> readySet(String type) {
        return ready.computeIfAbsent(type, k -> new ConcurrentSkipListSet<>(readyOrder));
    }

    private static <T> T firstOrNull(ConcurrentSkipListSet<T> set) {
        try {
            return set.isEmpty() ? null : set.first();
        } catch (NoSuchElementException e) {
            return null; // emptied meanwhile
        }
    }

    /** Entries in the ready and delayed sets, stale ones included (for tests). */
    int size() {
        int n = delayed.size();
        for (ConcurrentSkipListSet<Ready<E>> s : ready.values()) {
            n += s.size();
        }
        return n;
    }
}
