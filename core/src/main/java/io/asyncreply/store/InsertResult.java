package io.asyncreply.store;

import io.asyncreply.task.Task;

/** The outcome of {@link TaskStore#insert}. */
public sealed interface InsertResult {
    /**
     * Stored. {@code task} is its {@code QUEUED} snapshot, as submitted; {@code started}: the store
     * also started it, as {@link NewTask#leaseUntil()} asked (it is RUNNING, attempt 1, leased to the
     * node), so no claim will take it.
     */
    record Inserted(Task task, boolean started) implements InsertResult {
        /** Stored and queued. */
        public Inserted(Task task) {
            this(task, false);
        }
    }

    /** The idempotency key is known with the same type and payload: the earlier task, nothing stored. */
    record Duplicate(Task existing) implements InsertResult {
    }

    /** The idempotency key is known with another type or payload; nothing stored. */
    record Conflict(String existingId) implements InsertResult {
    }

    /** The queue is at capacity; nothing stored. */
    record QueueFull(long queued) implements InsertResult {
    }
}
