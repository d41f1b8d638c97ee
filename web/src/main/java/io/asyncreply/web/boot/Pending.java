package io.asyncreply.web.boot;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests held open while they wait for a task ({@code GET /tasks/{id}?wait=N} and
 * {@code Prefer: wait}), at most {@link #max()} at once. On undeploy each is answered at once (with
 * the task as it stands) so that no request outlives the application and no container thread waits.
 *
 * <p>States of the whole: OPEN (holds are admitted while fewer than max are held), CLOSED (after
 * {@link #answerAll()}: every hold is refused), entered once. The count is reserved with a
 * compare-and-set before an answer joins the set, so that concurrent holds never exceed the bound.
 *
 * <p>Hazard: a held request costs the container far more (its request, response and buffers, about
 * 13 KB on Jetty) than this set does; the bound is what keeps many idle clients from using up the
 * heap, and {@link #release} on the container's "client gone" keeps abandoned ones from staying
 * for their whole wait where the container says so.
 */
public final class Pending {
    /** Something that can answer a held request now. Must be idempotent. */
    public interface Answer {
        void now();
    }

    /** What {@link #admit} did. */
    public enum Admission {
        /** Held: the caller must {@link #release} it when answered. */
        HELD,
        /** {@link #max()} are held already: refuse or answer at once. */
        FULL,
        /** Shutting down: answer at once. */
        CLOSED
    }

    /** Default of {@code asyncreply.wait.max-held}. */
    public static final int DEFAULT_MAX = 2_000;

    private final Set<Answer> held = ConcurrentHashMap.newKeySet();
    private final AtomicInteger count = new AtomicInteger();
    private final int max;
    private volatile boolean closed;

    /** At most {@code max} held requests. */
    public Pending(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative");
        }
        this.max = max;
    }

    public Pending() {
        this(DEFAULT_MAX);
    }

    /** Registers {@code a} when there is room; see {@link Admission}. */
    public Admission admit(Answer a) {
        if (closed) {
            return Admission.CLOSED;
        }
        int n;
        do {
            n = count.get();
            if (n >= max) {
                return Admission.FULL;
            }
        } while (!count.compareAndSet(n, n + 1));
        if (!held.add(a)) {
            count.decrementAndGet(); // already held: one answer, one place
            return Admission.HELD;
        }
        if (closed) { // answerAll may have run between the check above and the add
            release(a);
            return Admission.CLOSED;
        }
        return Admission.HELD;
    }

    /** {@link #admit} as a boolean: false when full or closing, and then the caller must answer at once. */
    public boolean hold(Answer a) {
        return admit(a) == Admission.HELD;
    }

    /** Forgets {@code a}; harmless when it is not held (any more). */
    public void release(Answer a) {
        if (held.remove(a)) {
            count.decrementAndGet();
        }
    }

    public int size() {
        return count.get();
    }

    public int max() {
        return max;
    }

    /** Answers everything held and refuses new holds. */
    public void answerAll() {
        closed = true;
        for (Answer a : held.toArray(new Answer[0])) {
            if (!held.remove(a)) {
                continue; // released meanwhile: answered by its owner
            }
            count.decrementAndGet();
            try {
                a.now();
            } catch (RuntimeException ignored) {
                // the client may be gone; nothing to do
            }
        }
    }
}
