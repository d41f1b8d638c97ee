package io.asyncreply.store;

/** The store could not do what was asked (unreachable, timed out, failed). Nothing was changed. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
