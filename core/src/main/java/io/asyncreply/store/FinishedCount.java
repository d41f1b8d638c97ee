package io.asyncreply.store;

import io.asyncreply.task.TaskStatus;
import java.util.Objects;

/**
 * How many tasks of one type ended in one state within one minute: a row of
 * {@link TaskStore#finishedCounts}.
 *
 * @param type the task type
 * @param status the terminal state ({@code SUCCEEDED}, {@code FAILED} or {@code CANCELLED})
 * @param minute the minute they finished in, as whole minutes since the epoch (UTC), by the clock of
 *     the node that recorded the finish
 * @param count how many
 */
public record FinishedCount(String type, TaskStatus status, long minute, long count) {
    public FinishedCount {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
        if (!status.isTerminal()) {
            throw new IllegalArgumentException("a finished count is of a terminal state: " + status);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
    }
}
