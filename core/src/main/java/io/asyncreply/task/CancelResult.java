package io.asyncreply.task;

/**
 * The outcome of a cancel.
 *
 * @param outcome what happened
 * @param task the task after the cancel, or {@code null} when {@link Outcome#NOT_FOUND}
 */
public record CancelResult(Outcome outcome, Task task) {
    /** What a cancel did. */
    public enum Outcome {
        /** The task was queued and is now {@code CANCELLED}; it never runs. */
        CANCELLED,
        /** The task is running; it was asked to stop and will end {@code CANCELLED}. */
        CANCEL_REQUESTED,
        /** The task was already terminal; nothing changed. */
        ALREADY_FINISHED,
        /** No such task. */
        NOT_FOUND
    }
}
