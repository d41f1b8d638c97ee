package io.asyncreply.store;

import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Event ids for a log that lives in one process (the memory store, and H2, which is embedded):
 * ids are handed out in increasing order, and the {@link #horizon()} says up to which id every
 * writer has finished (committed or given up), so that a reader never skips an event whose
 * transaction commits after a later one's.
 *
 * <p>A writer takes ids with {@link #begin(int)} <em>after</em> it holds the task it changes
 * (the memory store: after reading the row it will compare-and-set; H2: after the UPDATE that
 * locks the row), and calls {@link #end(long)} once its transaction has committed or rolled back.
 * Then the events of one task get increasing ids in the order of its changes, and a reader that
 * reads only up to the horizon sees every event in id order with nothing still to come below it.
 *
 * <p>Hazard: {@link #end(long)} must be called for every {@link #begin(int)}, failures included
 * (use try/finally); a range never ended holds the horizon back forever.
 */
public final class LocalSequencer {
    private final ConcurrentSkipListSet<Long> inFlight = new ConcurrentSkipListSet<>();
    private long last; // guarded by this

    /** Ids will start after {@code last} (the highest id already in the log, or 0). */
    public LocalSequencer(long last) {
        if (last < 0) {
            throw new IllegalArgumentException("last must not be negative");
        }
        this.last = last;
    }

    /** Takes {@code n} consecutive ids and returns the first; they are in flight until {@link #end}. */
    public synchronized long begin(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1");
        }
        long first = last + 1;
        last += n;
        inFlight.add(first); // under the lock: horizon() cannot see 'last' moved without it
        return first;
    }

    /** The writer that took the range starting at {@code first} has committed or rolled back. */
    public void end(long first) {
        inFlight.remove(first);
    }

    /** Every id up to this one is final: written and committed, or never to be written. */
    public synchronized long horizon() {
        // end() runs without the lock, so the set may empty between two calls: one read only
        // (isEmpty() then first() threw NoSuchElementException when the last writer ended between).
        Long oldest = inFlight.ceiling(Long.MIN_VALUE);
        return oldest == null ? last : oldest - 1;
    }

    /** Makes sure later ids are above {@code id} (an id found in the log). */
    public synchronized void advanceTo(long id) {
        if (id > last) {
            last = id;
        }
    }

    /** The highest id handed out. */
    public synchronized long last() {
        return last;
    }
}
