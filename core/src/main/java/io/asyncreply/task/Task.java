package io.asyncreply.task;

import java.time.Instant;
import java.util.Objects;

/**
 * An immutable snapshot of a task as the store last knew it.
 *
 * @param id opaque, URL-safe, unguessable id (128 random bits)
 * @param type the handler type name
 * @param status current state
 * @param submittedAt when it was accepted
 * @param startedAt when its latest attempt started, or {@code null}
 * @param finishedAt when it reached a terminal state, or {@code null}
 * @param attempts how many times a worker claimed it (0 while never run)
 * @param progress last progress the handler reported, 0-100, or {@code null}
 * @param result the result when {@link TaskStatus#SUCCEEDED}, else {@code null}
 * @param error the failure when {@link TaskStatus#FAILED}, or the last attempt's error while it
 *     waits for a retry; else {@code null}
 * @param cancelRequested whether a cancel was asked for while it was running
 * @param runAt earliest time of its next attempt while {@link TaskStatus#QUEUED}, else {@code null}
 */
public record Task(
        String id,
        String type,
        TaskStatus status,
        Instant submittedAt,
        Instant startedAt,
        Instant finishedAt,
        int attempts,
        Integer progress,
        TaskResult result,
        TaskError error,
        boolean cancelRequested,
        Instant runAt) {

    public Task {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(submittedAt, "submittedAt");
    }

    /** A freshly accepted task. */
    public static Task queued(String id, String type, Instant submittedAt) {
        return new Task(id, type, TaskStatus.QUEUED, submittedAt, null, null, 0, null, null, null, false, submittedAt);
    }

    /** Whether the task is in a terminal state. */
    public boolean isTerminal() {
        return status.isTerminal();
    }

    /** This task claimed for attempt {@code attempts + 1} at {@code now}. */
    public Task started(Instant now) {
        return new Task(id, type, TaskStatus.RUNNING, submittedAt, now, null, attempts + 1, progress, null, error,
                false, null);
    }

    /** This task queued again to run no earlier than {@code at}, remembering {@code lastError}. */
    public Task requeued(Instant at, TaskError lastError) {
        return new Task(id, type, TaskStatus.QUEUED, submittedAt, startedAt, null, attempts, progress, null,
                lastError, false, at);
    }

    /** This task in the terminal state {@code terminal}. */
    public Task finished(TaskStatus terminal, TaskResult result, TaskError error, Instant now) {
        if (!terminal.isTerminal()) {
            throw new IllegalArgumentException("not terminal: " + terminal);
        }
        return new Task(id, type, terminal, submittedAt, startedAt, now, attempts, progress,
                terminal == TaskStatus.SUCCEEDED ? result : null,
                terminal == TaskStatus.FAILED ? error : null, cancelRequested, null);
    }

    /** This running task with a cancel request recorded. */
    public Task withCancelRequested() {
        return new Task(id, type, status, submittedAt, startedAt, finishedAt, attempts, progress, result, error, true,
                runAt);
    }

    /** This task with new progress. */
    public Task withProgress(int percent) {
        return new Task(id, type, status, submittedAt, startedAt, finishedAt, attempts, percent, result, error,
                cancelRequested, runAt);
    }
}
