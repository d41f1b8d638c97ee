package io.asyncreply.store;

import io.asyncreply.task.Task;

/** The outcome of {@link TaskStore#insert}. */
public sealed interface InsertResult {
    /** Stored; it is {@code QUEUED}. */
    record Inserted(Task task) implements InsertResult {
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
