package io.asyncreply.store;

import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.task.Transitions;
import io.asyncreply.task.Transitions.Change;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the memory store's entries change: applies a change decided by {@link Transitions} to an
 * entry's row by compare-and-set, with its event in the entry and in the log, and then keeps what
 * surrounds the rows in step with the change: the ready index, the running set, the queued count,
 * the per-type counts ({@link MemoryTypes}) and the finished tasks ({@link MemoryRetention}).
 *
 * <p>Hazard: the indexes and counters are updated after the compare-and-set, not with it, so they
 * may briefly hold entries whose row has moved on (see {@link MemoryTaskStore}); whoever takes an
 * entry from them decides on its current row.
 */
final class MemoryWrites {
    /** Tasks QUEUED, places reserved by inserts included. */
    private final AtomicLong queued = new AtomicLong();
    /** Entries RUNNING (maybe briefly some that have just moved on). */
    final Set<MemoryEntry> running = ConcurrentHashMap.newKeySet();
    final ReadyIndex<MemoryEntry> index = new ReadyIndex<>();
    private final MemoryTypes types;
    private final MemoryEventLog log;
    private final MemoryRetention retention;
    private final MemoryWebhookStore webhooks;

    MemoryWrites(MemoryTypes types, MemoryEventLog log, MemoryRetention retention, MemoryWebhookStore webhooks) {
        this.types = types;
        this.log = log;
        this.retention = retention;
        this.webhooks = webhooks;
    }

    long queued() {
        return queued.get();
    }

    /** Takes a place in the queue for an insert: -1 when taken, else how many wait (the queue is full). */
    long reserveQueued(long queueLimit) {
        long q;
        do {
            q = queued.get();
            if (q >= queueLimit) {
                return q;
            }
        } while (!queued.compareAndSet(q, q + 1));
        return -1;
    }

    /** Gives back a place {@link #reserveQueued} took for an insert that did not happen. */
    void releaseQueued() {
        queued.decrementAndGet();
    }

    /**
     * Makes the new entry {@code e} of {@code t} known ({@code publish} puts it in the store's maps)
     * with its QUEUED event, and indexes it; its place in the queue is already reserved.
     */
    void inserted(MemoryEntry e, NewTask t, Runnable publish) {
        long eventId = log.begin(); // the entry is not visible yet: nobody else changes it
        try {
            publish.run();
            Task task = t.task();
            types.queued(task.type(), 1);
            record(e, TaskEvent.of(TaskEvent.Kind.QUEUED, eventId, task, t.node(), task.submittedAt()));
            index(e, task, task.submittedAt());
        } finally {
            log.end(eventId);
        }
    }

    /**
     * Applies {@code change} to {@code e} if its row is still {@code expected}: takes the event's id
     * (after {@code expected} was read), swaps the row, records the event. False when the row moved
     * on meanwhile: the caller reads again and decides again.
     */
    boolean apply(MemoryEntry e, MemoryEntry.Row expected, MemoryEntry.Row next, Change change, String node, Instant at) {
        TaskEvent.Kind kind = change.event();
        long eventId = kind == null ? 0 : log.begin();
        try {
            if (kind == null) {
                return e.row.compareAndSet(expected, next);
            }
            return e.swap(expected, next, () -> record(e, TaskEvent.of(kind, eventId, next.task(), node, at)));
        } finally {
            if (kind != null) {
                log.end(eventId);
            }
        }
    }

    private void record(MemoryEntry e, TaskEvent event) {
        webhooks.outbox(event, e.callback); // before the event is visible: see MemoryWebhookStore
        e.addEvent(event);
        log.add(event);
    }

    /** Bookkeeping after a change took {@code e} out of RUNNING or QUEUED into {@code after}. */
    void moved(MemoryEntry e, Task before, Task after, Instant now) {
        String type = after.type();
        if (before.status() == TaskStatus.RUNNING && after.status() != TaskStatus.RUNNING) {
            running.remove(e);
            types.running(type, -1);
        }
        if (before.status() == TaskStatus.QUEUED && after.status() != TaskStatus.QUEUED) {
            queued.decrementAndGet();
            types.queued(type, -1);
        }
        if (after.isTerminal()) {
            if (after.status() == TaskStatus.SUCCEEDED) {
                e.payload = null; // a task that failed or was cancelled keeps it: it may be retried
            }
            retention.finished(e, after);
        } else if (after.status() == TaskStatus.QUEUED && before.status() != TaskStatus.QUEUED) {
            queued.incrementAndGet();
            types.queued(type, 1);
            index(e, after, now);
        } else if (after.status() == TaskStatus.RUNNING && before.status() != TaskStatus.RUNNING) {
            running.add(e);
            types.running(type, 1);
        }
    }

    /** Puts a queued entry where claims and expiry find it. */
    private void index(MemoryEntry e, Task t, Instant now) {
        index.add(e, key(e, t), t.expiresAt(), now);
    }

    /** Drops the index entries of {@code e} as it was queued as {@code queuedTask}. */
    void unindex(MemoryEntry e, Task queuedTask) {
        index.remove(e, key(e, queuedTask), queuedTask.expiresAt());
    }

    static ReadyIndex.Key key(MemoryEntry e, Task t) {
        return new ReadyIndex.Key(t.type(), t.priority(), t.runAt() == null ? t.submittedAt() : t.runAt(), e.seq);
    }
}
