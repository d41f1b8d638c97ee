package io.asyncreply.task;

/** Why a submission was not accepted. Nothing is stored for a rejected submission. */
public enum Rejection {
    /** No handler for the type. */
    UNKNOWN_TYPE,
    /** The idempotency key is empty or longer than 255 characters. */
    INVALID_IDEMPOTENCY_KEY,
    /** The handler takes JSON and the content type is given and is not JSON. */
    UNSUPPORTED_CONTENT_TYPE,
    /** The payload is not well-formed JSON, or the handler's own validation refused it. */
    INVALID_PAYLOAD,
    /**
     * An option of the submission is not valid: a priority out of range, a run time together with a
     * delay, a malformed trace context, a time to live that is not positive, an owner too long, a
     * callback URL that is refused.
     */
    INVALID_OPTION,
    /** The idempotency key was used before for another type or another payload. */
    IDEMPOTENCY_CONFLICT,
    /** The queue holds as many tasks as its capacity allows. */
    QUEUE_FULL,
    /** The service is shutting down. */
    SHUTTING_DOWN,
    /** The store could not be reached; nothing was stored. */
    STORE_UNAVAILABLE,
    /** A retry by hand of a task that is not {@code FAILED} or {@code CANCELLED}; nothing was submitted. */
    NOT_RETRYABLE
}
