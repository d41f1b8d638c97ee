package io.asyncreply.internal.json;

/** Input that is not well-formed JSON; the message says what and at which byte offset. */
public final class JsonException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int offset;

    JsonException(String message, int offset) {
        super(message + " at byte " + offset, null, false, false);
        this.offset = offset;
    }

    /** Byte offset of the first problem. */
    public int offset() {
        return offset;
    }
}
