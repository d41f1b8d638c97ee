package io.asyncreply.web.intake;

import io.asyncreply.web.boot.Pending;

/**
 * The states of one submission in flight, {@link Intake}'s one state field: each is entered at most
 * once, in the order of the diagram in {@link Intake}, which also says who moves it and why.
 */
enum IntakeState {
    /**
     * Bytes are read in {@code onDataAvailable} while {@code isReady()}, into a buffer that grows
     * as they arrive; no thread waits for a slow client. Nothing has reached the store.
     * Leaves on the end of the body (SUBMITTING), on a refusal while reading (DISCARDING), on
     * the read timeout or a read error (ANSWERED: 408 or 400, "nothing was queued").
     */
    READING,
    /**
     * Refused while reading (413 past the limit; 503 when the budget has no room for more): a
     * {@link Discard} reads and throws away a bounded rest of the body, then answers. Every
     * callback is forwarded to it. Nothing was queued. Final for {@link Intake}.
     */
    DISCARDING,
    /**
     * The body is complete and handed to {@code TaskService.submit}: from here the task may
     * be stored. Leaves on the store's answer (ANSWERED or WAITING), or on a container timeout
     * or error (ANSWERED: 503 outcome-unknown, never "nothing was queued").
     */
    SUBMITTING,
    /**
     * Stored, not yet terminal, {@code Prefer: wait}: held in {@link Pending} until the task
     * ends or the wait passes, no thread held. Any way out answers with the task as it stands.
     */
    WAITING,
    /** The answer is being written, or was; the exchange is completed. Final. */
    ANSWERED
}
