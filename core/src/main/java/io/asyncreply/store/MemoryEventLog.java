package io.asyncreply.store;

import io.asyncreply.task.TaskEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The memory store's global event log: the events of the last {@code maxEvents} ids, in a ring
 * where id {@code n} has slot {@code n % maxEvents}, read up to the {@link LocalSequencer}'s
 * horizon so that a reader never passes an id whose change is still being made. An id whose change
 * was given up, or whose task was purged, has no event (its slot holds another id's, or nothing).
 *
 * <p>Why a ring: every change of every task adds an event, and a bounded sorted map paid for it
 * twice (an insert, and the removal of the oldest), on the thread that writes outcomes; here an
 * event is one array write, and eviction is the overwrite of the id {@code maxEvents} older.
 *
 * <p>Hazard: events are added out of id order (changes run concurrently). A late event whose slot
 * already holds a newer id's event is older than the log keeps: it is dropped, as evicted. So a
 * slot only ever moves to a higher id, and a reader checks that the event it finds has the id it
 * looks for.
 */
final class MemoryEventLog {
    private final int maxEvents;
    private final LocalSequencer ids = new LocalSequencer(0);
    private final AtomicReferenceArray<TaskEvent> ring;
    /** Every id up to this one can no longer be read (its slot belongs to a newer id), or 0. */
    private final AtomicLong evictedThrough = new AtomicLong();

    MemoryEventLog(int maxEvents) {
        this.maxEvents = maxEvents;
        this.ring = new AtomicReferenceArray<>(maxEvents);
    }

    /** An id for an event about to be made; {@link #end} it once the change is made or given up. */
    long begin() {
        return ids.begin(1);
    }

    void end(long id) {
        ids.end(id);
    }

    private int slot(long id) {
        return (int) (id % maxEvents);
    }

    /** Adds {@code e} (before its id is ended), evicting the event {@code maxEvents} ids older. */
    void add(TaskEvent e) {
        long id = e.id();
        long gone = id - maxEvents;
        if (gone > evictedThrough.get()) {
            evictedThrough.accumulateAndGet(gone, Math::max);
        }
        int i = slot(id);
        while (true) {
            TaskEvent old = ring.get(i);
            if (old != null && old.id() > id) {
                return; // a newer id took the slot: this one is already evicted (see the class comment)
            }
            if (ring.compareAndSet(i, old, e)) {
                return;
            }
        }
    }

    /** Removes the events of a purged task. */
    void remove(List<TaskEvent> purged) {
        for (TaskEvent e : purged) {
            ring.compareAndSet(slot(e.id()), e, null);
        }
    }

    EventCursor head() {
        return EventCursor.after(ids.horizon());
    }

    EventPage read(EventCursor cursor, int limit) {
        long horizon = ids.horizon();
        long from = cursor.position();
        long evicted = evictedThrough.get();
        long missed = 0;
        if (from < evicted) {
            missed = -1;
            from = evicted;
        }
        List<TaskEvent> out = new ArrayList<>(Math.min(limit, 256));
        long last = from;
        for (long id = from + 1; id <= horizon && out.size() < limit; id++) {
            TaskEvent e = ring.get(slot(id));
            if (e != null && e.id() == id) {
                out.add(e);
                last = id;
            } else if (e != null && e.id() > id) {
                missed = -1; // evicted while this read went on
            }
        }
        if (out.size() < limit) {
            last = Math.max(last, horizon); // ids up to the horizon without an event are dead
        }
        return new EventPage(out, EventCursor.after(last), ids.last() > horizon, missed);
    }
}
