package io.asyncreply.store;

import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One task in the {@link MemoryTaskStore}: what never changes (ids, key, digest), the payload
 * (dropped once the task is terminal), its state as one {@link AtomicReference} to an immutable
 * {@link Row} (every transition is a compare-and-set of it), and its own events in id order.
 */
final class MemoryEntry {
    /** The mutable part of a task: its snapshot and its lease. Immutable; replaced by CAS. */
    record Row(Task task, String leaseOwner, Instant leaseUntil) {
    }

    final long seq;
    final String id;
    final String key; // owner-scoped idempotency key, or null
    final byte[] digest;
    final String contentType;
    final int payloadSize; // kept after the payload is dropped
    final String callback; // where its terminal event is delivered, or null
    final AtomicReference<Row> row;
    volatile byte[] payload; // dropped once the task is terminal
    private final List<TaskEvent> events = new ArrayList<>(4); // guarded by itself

    MemoryEntry(long seq, NewTask t, String key) {
        this.seq = seq;
        this.id = t.task().id();
        this.payload = t.payload();
        this.contentType = t.contentType();
        this.payloadSize = t.payload().length;
        this.callback = t.callback();
        this.key = key;
        this.digest = t.payloadDigest();
        this.row = new AtomicReference<>(new Row(t.task(), null, null));
    }

    Task task() {
        return row.get().task();
    }

    /**
     * Swaps the row from {@code expected} to {@code next} and, when it did, runs {@code record} (which
     * adds the change's event) before any reader of this task's events can read them: a reader that
     * saw {@code next} and then asks for the events finds that change's event.
     *
     * <p>Hazard: without this, a reader could see the new row (say, terminal) between the swap and
     * the event, find no event after the id it had, and conclude the task had said everything (an
     * event stream resumed then ended without its terminal event).
     */
    boolean swap(Row expected, Row next, Runnable record) {
        synchronized (events) {
            if (!row.compareAndSet(expected, next)) {
                return false;
            }
            record.run();
            return true;
        }
    }

    void addEvent(TaskEvent e) {
        synchronized (events) {
            int i = events.size();
            while (i > 0 && events.get(i - 1).id() > e.id()) {
                i--;
            }
            events.add(i, e);
        }
    }

    List<TaskEvent> eventsAfter(long afterId, int limit) {
        synchronized (events) {
            List<TaskEvent> out = new ArrayList<>();
            for (TaskEvent e : events) {
                if (e.id() > afterId && out.size() < limit) {
                    out.add(e);
                }
            }
            return out;
        }
    }
}
