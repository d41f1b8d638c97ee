package io.asyncreply.store;

/**
 * A reader's place in a store's event log: the id of the last event it has, plus whatever the
 * store needs to remember between reads (for PostgreSQL, the gaps it is waiting on). Immutable;
 * {@link TaskStore#readEvents} returns the next one.
 *
 * <p>Hazard: {@link #storeState()} belongs to the store that made the cursor; a cursor made by
 * {@link #after(long)} has none, and any store accepts it.
 */
public final class EventCursor {
    private static final EventCursor START = new EventCursor(0, null);

    private final long position;
    private final Object storeState;

    private EventCursor(long position, Object storeState) {
        if (position < 0) {
            throw new IllegalArgumentException("event ids are not negative: " + position);
        }
        this.position = position;
        this.storeState = storeState;
    }

    /** A cursor before every event. */
    public static EventCursor start() {
        return START;
    }

    /** A cursor just after event {@code eventId} (0: before every event). */
    public static EventCursor after(long eventId) {
        return eventId == 0 ? START : new EventCursor(eventId, null);
    }

    /** For stores: a cursor at {@code position} carrying the store's own state (may be null). */
    public static EventCursor of(long position, Object storeState) {
        return new EventCursor(position, storeState);
    }

    /** The id of the last event before this cursor (0: none). */
    public long position() {
        return position;
    }

    /** The store's state, or {@code null}. */
    public Object storeState() {
        return storeState;
    }

    @Override
    public String toString() {
        return "EventCursor[" + position + (storeState == null ? "" : ", " + storeState) + "]";
    }
}
