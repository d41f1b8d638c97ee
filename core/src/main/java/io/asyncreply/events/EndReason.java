package io.asyncreply.events;

/** Why a {@link Subscription} ended. */
public enum EndReason {
    /** A subscription of one task handed out the task's terminal event: nothing more will come. */
    COMPLETED,
    /**
     * The subscriber did not take its events fast enough: its buffer would have grown past the
     * bound, so the buffer was let go. It resumes with the id of the last event it took.
     */
    OVERFLOW,
    /** The hub was closed (the application stops). It resumes, elsewhere or later, with the last id it took. */
    SHUTDOWN,
    /** The subscriber closed it. */
    CLOSED,
    /** An event could not be rendered; the subscriber resumes with the last id it took, and gets it read again. */
    ERROR
}
