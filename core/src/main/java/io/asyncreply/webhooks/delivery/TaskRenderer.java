package io.asyncreply.webhooks.delivery;

import io.asyncreply.task.Task;

/**
 * The {@code data} of a webhook body: a task as JSON, in the shape {@code GET /tasks/{id}} gives
 * it (the web layer supplies it, as it does for event streams). Must not throw.
 */
@FunctionalInterface
public interface TaskRenderer {
    /** {@code task} as a JSON object. */
    byte[] json(Task task);
}
