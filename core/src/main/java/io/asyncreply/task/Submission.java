package io.asyncreply.task;

import java.util.Objects;

/** The outcome of {@link io.asyncreply.engine.TaskService#submit}: either accepted or rejected, never both. */
public sealed interface Submission {

    /**
     * The task was durably accepted (for the memory store: accepted in memory).
     *
     * @param task the task as stored
     * @param replayed {@code true} when an earlier submission with the same idempotency key,
     *     type and payload is answered again; nothing new was queued
     */
    record Accepted(Task task, boolean replayed) implements Submission {
        public Accepted {
            Objects.requireNonNull(task, "task");
        }
    }

    /**
     * The task was not accepted and nothing was stored.
     *
     * @param reason why
     * @param detail a message for the client; never internals
     */
    record Rejected(Rejection reason, String detail) implements Submission {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
