package io.asyncreply.store;

/**
 * Changes a store learns of from elsewhere (another node sharing the database). A store that is
 * used by one process only never calls these. Calls come on a store thread and must not block.
 * They are wake-ups, not data: the receiver reads the store (or its event log) for what changed.
 */
public interface StoreEvents {
    /** Tasks may have become ready: idle workers should try to claim. */
    void taskQueued();

    /** Events were appended to the log: readers of the log should read on. */
    void eventsAppended();

    /** A cancel was requested for a running task: stop it if it runs here. */
    void cancelRequested(String id);

    /**
     * Wake-ups may have been lost (the store's connection to the other nodes was broken and is
     * back): look again at whatever they would have announced. Default: {@link #taskQueued()} and
     * {@link #eventsAppended()}.
     */
    default void eventsMissed() {
        taskQueued();
        eventsAppended();
    }
}
