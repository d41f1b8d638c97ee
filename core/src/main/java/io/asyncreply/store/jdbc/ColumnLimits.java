package io.asyncreply.store.jdbc;

import io.asyncreply.store.NewTask;
import io.asyncreply.task.Limits;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskStatus;

/**
 * What a new task must be before it is queued for the writer: {@code QUEUED}, with each text short
 * enough for its column of {@code <prefix>tasks} ({@link Limits}). Checked before the writer takes
 * it, so that one task too long for its column fails alone instead of failing the batch it would be
 * written with.
 */
final class ColumnLimits {
    private ColumnLimits() {
    }

    /** Why {@code task} cannot be stored, or {@code null} when it can. */
    static String problem(NewTask task) {
        Task t = task.task();
        return t.status() != TaskStatus.QUEUED ? "a new task must be QUEUED"
                : t.id().length() > Limits.MAX_ID_LENGTH ? "task id longer than " + Limits.MAX_ID_LENGTH + " characters"
                : t.type().length() > Limits.MAX_TYPE_LENGTH
                        ? "task type longer than " + Limits.MAX_TYPE_LENGTH + " characters"
                : task.idempotencyKey() != null && task.idempotencyKey().length() > Limits.MAX_IDEMPOTENCY_KEY_LENGTH
                        ? "idempotency key longer than " + Limits.MAX_IDEMPOTENCY_KEY_LENGTH + " characters"
                : t.owner() != null && t.owner().length() > Limits.MAX_OWNER_LENGTH
                        ? "owner longer than " + Limits.MAX_OWNER_LENGTH + " characters"
                : t.traceparent() != null && t.traceparent().length() > Limits.MAX_TRACEPARENT_LENGTH
                        ? "traceparent longer than " + Limits.MAX_TRACEPARENT_LENGTH + " characters"
                        : null;
    }
}
