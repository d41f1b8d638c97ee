package io.asyncreply.task;

import java.time.Instant;
import java.util.Objects;

/**
 * An immutable snapshot of a task as the store last knew it.
 *
 * <p>How a snapshot may change into the next is decided in one place, {@link Transitions}; stores
 * apply those decisions, they do not make their own.
 *
 * @param id opaque, URL-safe, unguessable id
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
 * @param owner who submitted it, or {@code null} for the anonymous owner (no authentication)
 * @param priority -10 to 10; among ready tasks, higher runs first
 * @param expiresAt while queued: when it ends {@code FAILED} ({@link TaskError#EXPIRED}) unless
 *     started by then; {@code null} for never
 * @param retryOf the id of the task this one retries, or {@code null}
 * @param traceparent the W3C trace context of the submission, or {@code null}
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
        Instant runAt,
        String owner,
        int priority,
        Instant expiresAt,
        String retryOf,
        String traceparent) {

    /** Lowest priority. */
    public static final int MIN_PRIORITY = -10;
    /** Highest priority. */
    public static final int MAX_PRIORITY = 10;

    public Task {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(submittedAt, "submittedAt");
        if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be from " + MIN_PRIORITY + " to " + MAX_PRIORITY
                    + ": " + priority);
        }
    }

    /** A snapshot with the submission options at their defaults (anonymous owner, priority 0, ...). */
    public Task(String id, String type, TaskStatus status, Instant submittedAt, Instant startedAt, Instant finishedAt,
            int attempts, Integer progress, TaskResult result, TaskError error, boolean cancelRequested,
            Instant runAt) {
        this(id, type, status, submittedAt, startedAt, finishedAt, attempts, progress, result, error, cancelRequested,
                runAt, null, 0, null, null, null);
    }

    /** A freshly accepted task, ready at once, with default options. */
    public static Task queued(String id, String type, Instant submittedAt) {
        return new Task(id, type, TaskStatus.QUEUED, submittedAt, null, null, 0, null, null, null, false, submittedAt);
    }

    /** Whether the task is in a terminal state. */
    public boolean isTerminal() {
        return status.isTerminal();
    }

    /** A builder holding this snapshot's values, to make a changed copy. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Makes changed copies of a snapshot: {@code task.toBuilder().status(RUNNING).build()}. */
    public static final class Builder {
        private String id;
        private String type;
        private TaskStatus status;
        private Instant submittedAt;
        private Instant startedAt;
        private Instant finishedAt;
        private int attempts;
        private Integer progress;
        private TaskResult result;
        private TaskError error;
        private boolean cancelRequested;
        private Instant runAt;
        private String owner;
        private int priority;
        private Instant expiresAt;
        private String retryOf;
        private String traceparent;

        private Builder(Task t) {
            id = t.id;
            type = t.type;
            status = t.status;
            submittedAt = t.submittedAt;
            startedAt = t.startedAt;
            finishedAt = t.finishedAt;
            attempts = t.attempts;
            progress = t.progress;
            result = t.result;
            error = t.error;
            cancelRequested = t.cancelRequested;
            runAt = t.runAt;
            owner = t.owner;
            priority = t.priority;
            expiresAt = t.expiresAt;
            retryOf = t.retryOf;
            traceparent = t.traceparent;
        }

        public Builder status(TaskStatus v) {
            status = v;
            return this;
        }

        public Builder startedAt(Instant v) {
            startedAt = v;
            return this;
        }

        public Builder finishedAt(Instant v) {
            finishedAt = v;
            return this;
        }

        public Builder attempts(int v) {
            attempts = v;
            return this;
        }

        public Builder progress(Integer v) {
            progress = v;
            return this;
        }

        public Builder result(TaskResult v) {
            result = v;
            return this;
        }

        public Builder error(TaskError v) {
            error = v;
            return this;
        }

        public Builder cancelRequested(boolean v) {
            cancelRequested = v;
            return this;
        }

        public Builder runAt(Instant v) {
            runAt = v;
            return this;
        }

        public Builder owner(String v) {
            owner = v;
            return this;
        }

        public Builder priority(int v) {
            priority = v;
            return this;
        }

        public Builder expiresAt(Instant v) {
            expiresAt = v;
            return this;
        }

        public Builder retryOf(String v) {
            retryOf = v;
            return this;
        }

        public Builder traceparent(String v) {
            traceparent = v;
            return this;
        }

        public Task build() {
            return new Task(id, type, status, submittedAt, startedAt, finishedAt, attempts, progress, result, error,
                    cancelRequested, runAt, owner, priority, expiresAt, retryOf, traceparent);
        }
    }
}
