package io.asyncreply.store;

/**
 * Changes a store learns of from elsewhere (another node sharing the database). A store that is
 * used by one process only never calls these. Calls come on a store thread and must not block.
 */
public interface StoreEvents {
    /** Tasks may have been queued: idle workers should try to claim. */
    void taskQueued();

    /** The task reached a terminal state: its waiters should be answered. */
    void taskFinished(String id);

    /** A cancel was requested for a running task: stop it if it runs here. */
    void cancelRequested(String id);

    /**
     * Events may have been lost (the store's connection to the other nodes was broken and is back):
     * look again at whatever they would have announced. Default: {@link #taskQueued()}.
     */
    default void eventsMissed() {
        taskQueued();
    }
}
