package io.asyncreply.store;

import io.asyncreply.task.TaskEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory store's global event log: events by id, at most {@code maxEvents} (the oldest are
 * evicted), read up to the {@link LocalSequencer}'s horizon so that a reader never passes an id
 * whose change is still being made.
 */
final class MemoryEventLog {
    private final int maxEvents;
    private final LocalSequencer ids = new LocalSequencer(0);
    private final ConcurrentSkipListMap<Long, TaskEvent> events = new ConcurrentSkipListMap<>();
    /** The highest id evicted, or 0. */
    private final AtomicLong evictedThrough = new AtomicLong();

    MemoryEventLog(int maxEvents) {
        this.maxEvents = maxEvents;
    }

    /** An id for an event about to be made; {@link #end} it once the change is made or given up. */
    long begin() {
        return ids.begin(1);
    }

    void end(long id) {
        ids.end(id);
    }

    /** Adds {@code e} (before its id is ended), evicting the oldest beyond the bound. */
    void add(TaskEvent e) {
        events.put(e.id(), e);
        while (events.size() > maxEvents) {
            Map.Entry<Long, TaskEvent> oldest = events.pollFirstEntry();
            if (oldest == null) {
                break;
            }
            evictedThrough.accumulateAndGet(oldest.getKey(), Math::max);
        }
    }

    /** Removes the events of a purged task. */
    void remove(List<TaskEvent> purged) {
        for (TaskEvent e : purged) {
            events.remove(e.id(), e);
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
        for (TaskEvent e : events.subMap(from, false, horizon, true).values()) {
            if (out.size() == limit) {
                break;
            }
            out.add(e);
            last = e.id();
        }
        if (out.size() < limit) {
            last = Math.max(last, horizon); // ids up to the horizon without an event are dead
        }
        return new EventPage(out, EventCursor.after(last), ids.last() > horizon, missed);
    }
}
