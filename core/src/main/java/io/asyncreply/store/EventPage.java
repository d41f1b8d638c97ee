package io.asyncreply.store;

import io.asyncreply.task.TaskEvent;
import java.util.List;
import java.util.Objects;

/**
 * What {@link TaskStore#readEvents} found after a cursor.
 *
 * @param events committed events, in log order (ids increasing)
 * @param next the cursor after them (the same position when there are none)
 * @param pending whether the store knows of later events it may not hand out yet, because a
 *     transaction that may still add an earlier one has not ended: read again soon
 * @param missed events between the cursor and the first of {@code events} that are gone from the
 *     log (purged, or evicted from a bounded memory log): 0 when none, -1 when some but not how many
 */
public record EventPage(List<TaskEvent> events, EventCursor next, boolean pending, long missed) {
    public EventPage {
        events = List.copyOf(events);
        Objects.requireNonNull(next, "next");
    }
}
