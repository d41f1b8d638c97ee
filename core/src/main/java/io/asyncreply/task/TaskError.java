package io.asyncreply.task;

import java.util.Objects;

/**
 * Why a task failed, or why its last attempt failed when it is queued for a retry.
 *
 * @param message a human-readable reason; never a stack trace
 */
public record TaskError(String message) {
    /** Longest message kept; longer ones are cut so that a runaway handler cannot bloat the store. */
    public static final int MAX_MESSAGE_LENGTH = 2000;

    public TaskError {
        Objects.requireNonNull(message, "message");
        if (message.length() > MAX_MESSAGE_LENGTH) {
            message = message.substring(0, MAX_MESSAGE_LENGTH);
        }
    }

    /** The error for a throwable thrown by a handler: its message, or its class name when it has none. */
    public static TaskError of(Throwable t) {
        String m = t.getMessage();
        return new TaskError(m == null || m.isBlank() ? t.getClass().getSimpleName() : m);
    }
}
