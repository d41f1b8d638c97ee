package io.asyncreply.task;

/** What a handler accepts as payload; checked at submit time, before a task is accepted. */
public enum InputFormat {
    /** Any bytes, any content type. */
    BYTES,
    /**
     * Well-formed JSON (RFC 8259, UTF-8). A submission whose content type is given and is not JSON
     * ({@code application/json} or {@code application/*+json}) is rejected as
     * {@link Rejection#UNSUPPORTED_CONTENT_TYPE}; one whose body is not well-formed JSON as
     * {@link Rejection#INVALID_PAYLOAD}.
     */
    JSON;

    /**
     * Whether a payload of {@code contentType} may be submitted: always for {@link #BYTES}; for
     * {@link #JSON} when the content type is absent or is JSON.
     */
    public boolean accepts(String contentType) {
        return this == BYTES || contentType == null || MediaTypes.isJson(contentType);
    }
}
