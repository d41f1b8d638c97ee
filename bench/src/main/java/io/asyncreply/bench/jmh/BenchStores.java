package io.asyncreply.bench.jmh;

import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.store.NewTask;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Task;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;

/**
 * The stores under benchmark, by name: {@code memory}, {@code h2} (an embedded file database in a
 * temporary folder, as the WAR's default store), {@code postgres} (127.0.0.1:5432, database
 * {@code test}, user {@code postgres}, in a dedicated schema {@code asyncreply_jmh} that is dropped
 * and created again for every trial). Override the PostgreSQL URL with
 * {@code -Dbench.pg.url=jdbc:postgresql://...}.
 */
final class BenchStores {
    static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder IDS = Base64.getUrlEncoder().withoutPadding();

    private BenchStores() {
    }

    /** An open store and how to dispose of it. */
    interface Opened extends AutoCloseable {
        TaskStore store();

        /** Deletes every task (between iterations), where the store supports it cheaply. */
        void truncate();

        @Override
        void close();
    }

    static Opened open(String kind) {
        switch (kind) {
            case "memory":
                return new Opened() {
                    private MemoryTaskStore store = new MemoryTaskStore();

                    @Override
                    public TaskStore store() {
                        return store;
                    }

                    @Override
                    public void truncate() {
                        store = new MemoryTaskStore();
                    }

                    @Override
                    public void close() {
                        store.close();
                    }
                };
            case "h2":
            case "postgres":
                return JdbcStores.open(kind);
            default:
                throw new IllegalArgumentException("unknown store " + kind);
        }
    }

    /** A new task id in the product's shape (22 base64url characters, 128 random bits). */
    static String id() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return IDS.encodeToString(b);
    }

    static NewTask newTask(String type, byte[] payload) {
        return new NewTask(Task.queued(id(), type, Instant.now()), payload, "application/octet-stream", null, null);
    }
}
