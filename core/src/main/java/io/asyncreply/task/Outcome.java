package io.asyncreply.task;

import java.util.Objects;

/**
 * How an attempt ended, to be written by {@link io.asyncreply.store.TaskStore#finish}.
 *
 * @param status a terminal status
 * @param result the result when {@code SUCCEEDED}
 * @param error the error when {@code FAILED}
 */
public record Outcome(TaskStatus status, TaskResult result, TaskError error) {
    public Outcome {
        Objects.requireNonNull(status, "status");
        if (!status.isTerminal()) {
            throw new IllegalArgumentException("not terminal: " + status);
        }
        if (status == TaskStatus.SUCCEEDED) {
            Objects.requireNonNull(result, "result");
        }
        if (status == TaskStatus.FAILED) {
            Objects.requireNonNull(error, "error");
        }
    }

    public static Outcome succeeded(TaskResult result) {
        return new Outcome(TaskStatus.SUCCEEDED, result, null);
    }

    public static Outcome failed(TaskError error) {
        return new Outcome(TaskStatus.FAILED, null, error);
    }

    public static Outcome cancelled() {
        return new Outcome(TaskStatus.CANCELLED, null, null);
    }
}
