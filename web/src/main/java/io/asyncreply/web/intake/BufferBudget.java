package io.asyncreply.web.intake;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes all uploads in progress may hold in memory together (setting
 * {@code asyncreply.intake.max-buffered-bytes}). Each upload takes a {@link Reservation} before it
 * allocates buffer space, and gives all of it back once, when its bytes are no longer held for it:
 * when it is refused or times out, or when the store has answered its submission (until then a
 * JDBC store's writer still holds the payload).
 *
 * <p>Lock-free: a reservation is a compare-and-set on one counter, so that a full budget refuses
 * at once and never makes a thread wait.
 */
final class BufferBudget {
    private final long capacity;
    private final AtomicLong used = new AtomicLong();

    BufferBudget(long capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
    }

    long capacity() {
        return capacity;
    }

    /** Bytes reserved now, by all uploads. */
    long used() {
        return used.get();
    }

    /** A reservation of {@code bytes}, or null when they do not fit. */
    Reservation reserve(long bytes) {
        return take(bytes) ? new Reservation(bytes) : null;
    }

    private boolean take(long bytes) {
        if (bytes <= 0) {
            return true;
        }
        while (true) {
            long u = used.get();
            if (bytes > capacity - u) {
                return false;
            }
            if (used.compareAndSet(u, u + bytes)) {
                return true;
            }
        }
    }

    private void give(long bytes) {
        if (bytes > 0) {
            used.addAndGet(-bytes);
        }
    }

    /**
     * One upload's share. {@link #grow} is called by the reading thread only; {@link #release}
     * by any thread, once or more: the first gives everything back and closes the reservation.
     *
     * <p>Hazard: a timeout may release while the reader grows. {@code held} is -1 once closed,
     * and growth is a compare-and-set on it, so bytes taken from the budget by a reader that lost
     * that race are given back at once instead of leaking.
     */
    final class Reservation {
        private final AtomicLong held;

        private Reservation(long bytes) {
            this.held = new AtomicLong(Math.max(0, bytes));
        }

        /** Bytes held now; -1 once released. */
        long held() {
            return held.get();
        }

        /**
         * Makes the reservation at least {@code bytes}; false when the budget has no room (nothing
         * is taken then) or the reservation was released.
         */
        boolean grow(long bytes) {
            long h = held.get();
            if (h < 0) {
                return false;
            }
            if (bytes <= h) {
                return true;
            }
            long more = bytes - h;
            if (!take(more)) {
                return false;
            }
            while (true) {
                if (held.compareAndSet(h, h + more)) {
                    return true;
                }
                h = held.get();
                if (h < 0) {
                    give(more); // released meanwhile
                    return false;
                }
            }
        }

        /** Gives everything back; later calls do nothing. */
        void release() {
            give(held.getAndSet(-1));
        }
    }
}
