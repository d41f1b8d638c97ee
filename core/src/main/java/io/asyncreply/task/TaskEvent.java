package io.asyncreply.task;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One change of a task, as recorded in the store's event log: the change's {@link Kind}, the task
 * after it, and an event id.
 *
 * <p>The log is written in the same transaction as the change it records, so an event exists
 * exactly when its change was committed. Event ids increase in the order the log is read: every
 * reader of one store sees the same events in the same order, and the events of one task in the
 * order its changes happened. Ids may have gaps.
 *
 * <p>The {@link #task()} of a {@link Succeeded} event carries its result as a
 * {@link TaskResult#summary summary} (media type and size) when it was read from a database log;
 * read the task for the bytes.
 */
public sealed interface TaskEvent {

    /** The kinds of change, one per event class. */
    enum Kind {
        /** Accepted: the task is stored and waits for a worker. */
        QUEUED,
        /** A worker claimed it: a new attempt runs. */
        STARTED,
        /** The running attempt reported progress. */
        PROGRESS,
        /** Back in the queue for another attempt (retry, lost worker, shutdown). */
        REQUEUED,
        /** Ended with a result. Terminal. */
        SUCCEEDED,
        /** Ended with an error. Terminal. */
        FAILED,
        /** Ended by a cancel. Terminal. */
        CANCELLED;

        /** Made once: lower-casing on every call was 7% of the completer's samples in a burn-down. */
        private final String wireName = name().toLowerCase(Locale.ROOT);

        /** The lower-case name used on the wire ({@code queued}, {@code started}, ...). */
        public String wireName() {
            return wireName;
        }

        /** Whether an event of this kind ends its task. */
        public boolean isTerminal() {
            return this == SUCCEEDED || this == FAILED || this == CANCELLED;
        }

        /** The kind of a {@link #wireName()}; {@code null} when there is none. */
        public static Kind ofWireName(String name) {
            for (Kind k : values()) {
                if (k.wireName().equals(name)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** This event's id: increasing in log order, unique within its store. */
    long id();

    /** The task after the change. */
    Task task();

    /** The id of the node that made the change, or {@code null} when unknown. */
    String node();

    /** When the change was made, by the clock of the node that made it. */
    Instant at();

    /** What kind of change this is. */
    Kind kind();

    /** The task's id. */
    default String taskId() {
        return task().id();
    }

    /** An event of {@code kind}. */
    static TaskEvent of(Kind kind, long id, Task task, String node, Instant at) {
        return switch (kind) {
            case QUEUED -> new Queued(id, task, node, at);
            case STARTED -> new Started(id, task, node, at);
            case PROGRESS -> new Progress(id, task, node, at);
            case REQUEUED -> new Requeued(id, task, node, at);
            case SUCCEEDED -> new Succeeded(id, task, node, at);
            case FAILED -> new Failed(id, task, node, at);
            case CANCELLED -> new Cancelled(id, task, node, at);
        };
    }

    private static void check(Task task, Instant at) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(at, "at");
    }

    /** The task was accepted. */
    record Queued(long id, Task task, String node, Instant at) implements TaskEvent {
        public Queued {
            check(task, at);
        }

        @Override
        public Kind kind() {
            return Kind.QUEUED;
        }
    }

    /** An attempt started on {@link #node()}; {@code task().attempts()} is its number. */
    record Started(long id, Task task, String node, Instant at) implements TaskEvent {
        public Started {
            check(task, at);
        }

        @Override
        public Kind kind() {
            return Kind.STARTED;
        }
    }

    /** The running attempt reported {@code task().progress()}. */
    record Progress(long id, Task task, String node, Instant at) implements TaskEvent {
        public Progress {
            check(task, at);
        }

        @Override
        public Kind kind() {
            return Kind.PROGRESS;
        }
    }

    /** The task waits for another attempt; {@code task().error()} says why the last one ended. */
    record Requeued(long id, Task task, String node, Instant at) implements TaskEvent {
        public Requeued {
            check(task, at);
        }

        @Override
        public Kind kind() {
            return Kind.REQUEUED;
        }
    }

    /** The task succeeded. */
    record Succeeded(long id, Task task, String node, Instant at) implements TaskEvent {
        public Succeeded {
            check(task, at);
        }

        @Override
        public Kind kind() {
            return Kind.SUCCEEDED;
        }
    }

    /** The task failed; {@code task().error()} says why. */
    record Failed(long id, Task task, String node, Instant at) implements TaskEvent {
        public Failed {
            check(task, at);
        }

        @Override
        public Kind kind() {
            return Kind.FAILED;
        }
    }

    /** The task was cancelled. */
    record Cancelled(long id, Task task, String node, Instant at) implements TaskEvent {
        public Cancelled {
            check(task, at);
        }

        @Override
        public Kind kind() {
            return Kind.CANCELLED;
        }
    }
}
