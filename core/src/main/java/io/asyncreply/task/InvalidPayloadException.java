package io.asyncreply.task;

/**
 * Thrown by {@link TaskHandler#validate(byte[])} when a payload cannot be run. The message is
 * shown to the client, so it must describe the input, never internals.
 */
public final class InvalidPayloadException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidPayloadException(String message) {
        super(message, null, false, false);
    }
}
