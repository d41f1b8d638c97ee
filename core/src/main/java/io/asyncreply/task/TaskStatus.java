package io.asyncreply.task;

/**
 * The life-cycle states of a task.
 *
 * <pre>
 *   QUEUED ──claim──▶ RUNNING ──▶ SUCCEEDED | FAILED | CANCELLED
 *     │  ▲                │
 *     │  └──retry/recover─┘
 *     └──cancel──▶ CANCELLED
 * </pre>
 *
 * {@link #SUCCEEDED}, {@link #FAILED} and {@link #CANCELLED} are terminal: once a task reaches one
 * of them it never changes again. Every transition is a compare-and-set in the store.
 */
public enum TaskStatus {
    /** Accepted and waiting for a worker (possibly until a retry's next run time). */
    QUEUED,
    /** Claimed by a worker that holds a lease on it. */
    RUNNING,
    /** The handler returned a result. Terminal. */
    SUCCEEDED,
    /** The handler failed on its last allowed attempt, or the task was abandoned. Terminal. */
    FAILED,
    /** Cancelled while queued, or stopped after a cancel request while running. Terminal. */
    CANCELLED;

    /** Whether this state is final. */
    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
