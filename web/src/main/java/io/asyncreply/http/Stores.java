package io.asyncreply.http;

import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.store.TaskStore;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens the store that {@code asyncreply.store} names, with whatever it needs (pool, embedded
 * database), and closes all of it on undeploy.
 */
final class Stores {
    private static final System.Logger LOG = System.getLogger(Stores.class.getName());
    /** Resources to release with each store we opened. */
    private static final Map<TaskStore, AutoCloseable> RESOURCES = new ConcurrentHashMap<>();

    private Stores() {
    }

    /** A store and how to describe it in the log (never with a password). */
    record Opened(TaskStore store, String description) {
        void close() {
            Stores.close(store);
        }
    }

    static Opened open(WebConfig config) {
        switch (config.store()) {
            case WebConfig.STORE_MEMORY:
                return new Opened(new MemoryTaskStore(), "memory (not durable)");
            default:
                throw new IllegalArgumentException("Store '" + config.store() + "' is not available in this build.");
        }
    }

    static void close(TaskStore store) {
        try {
            store.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "closing the task store failed: {0}", e.getMessage());
        }
        AutoCloseable res = RESOURCES.remove(store);
        if (res != null) {
            try {
                res.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "releasing the store's resources failed: {0}", e.getMessage());
            }
        }
    }
}
