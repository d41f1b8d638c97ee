package io.asyncreply.task;

import java.util.Objects;

/**
 * Why a task failed, or why its last attempt failed when it is queued for a retry.
 *
 * <p>The {@code code} is a stable word that programs can switch on ({@link #HANDLER_ERROR},
 * {@link #TIMEOUT}, {@link #EXPIRED}, ...); the {@code message} is for people. The message is
 * cleaned on construction so that it can be stored and shown anywhere: NUL characters (which
 * PostgreSQL text cannot hold) and other control characters except tab and newline become
 * {@code U+FFFD}, and a message longer than {@link #MAX_MESSAGE_LENGTH} characters is cut without
 * splitting a surrogate pair. Newlines stay: they are part of what the handler said. Whoever
 * writes a message into a log line must escape it (the engine does).
 *
 * @param code a stable, lower-case word with dashes
 * @param message a human-readable reason; never a stack trace
 */
public record TaskError(String code, String message) {
    /** Longest message kept; longer ones are cut so that a runaway handler cannot bloat the store. */
    public static final int MAX_MESSAGE_LENGTH = 2000;
    /** Longest code. */
    public static final int MAX_CODE_LENGTH = 64;

    /** The handler threw (or returned a failure). */
    public static final String HANDLER_ERROR = "handler-error";
    /** The attempt ran longer than its type's timeout and was interrupted. */
    public static final String TIMEOUT = "timeout";
    /** The task was not started before its time to live ran out. */
    public static final String EXPIRED = "expired";
    /** Every allowed attempt stopped without finishing (their workers died). */
    public static final String ABANDONED = "abandoned";
    /** The attempt's worker stopped without finishing and its lease expired; the task was queued again. */
    public static final String LEASE_EXPIRED = "lease-expired";
    /** The attempt was interrupted because its worker gave it up (shutdown, lease lost); queued again. */
    public static final String INTERRUPTED = "interrupted";
    /** No handler for the task's type on the node that claimed it. */
    public static final String NO_HANDLER = "no-handler";

    public TaskError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        if (code.isEmpty() || code.length() > MAX_CODE_LENGTH || !code.chars().allMatch(TaskError::isCodeChar)) {
            throw new IllegalArgumentException("an error code is 1 to " + MAX_CODE_LENGTH
                    + " characters of a-z, 0-9 and '-': '" + code + "'");
        }
        message = clean(message);
    }

    /** A {@link #HANDLER_ERROR} with {@code message}. */
    public TaskError(String message) {
        this(HANDLER_ERROR, message);
    }

    /** The error for a throwable thrown by a handler: its message, or its class name when it has none. */
    public static TaskError of(Throwable t) {
        String m = t.getMessage();
        return new TaskError(HANDLER_ERROR, m == null || m.isBlank() ? t.getClass().getSimpleName() : m);
    }

    private static boolean isCodeChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    }

    /**
     * {@code message} without characters that cannot be stored or shown (control characters other
     * than tab, newline and carriage return, and unpaired surrogates), cut to at most
     * {@link #MAX_MESSAGE_LENGTH} characters without splitting a surrogate pair.
     */
    static String clean(String message) {
        int n = Math.min(message.length(), MAX_MESSAGE_LENGTH);
        if (n < message.length() && Character.isHighSurrogate(message.charAt(n - 1))
                && Character.isLowSurrogate(message.charAt(n))) {
            n--; // do not keep half of a pair
        }
        StringBuilder sb = null;
        for (int i = 0; i < n; i++) {
            char c = message.charAt(i);
            boolean bad;
            if (Character.isHighSurrogate(c)) {
                bad = i + 1 >= n || !Character.isLowSurrogate(message.charAt(i + 1));
                if (!bad) {
                    if (sb != null) {
                        sb.append(c).append(message.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
            } else if (Character.isLowSurrogate(c)) {
                bad = true; // a low surrogate whose high one is missing
            } else {
                bad = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
            }
            if (bad && sb == null) {
                sb = new StringBuilder(n).append(message, 0, i);
            }
            if (sb != null) {
                sb.append(bad ? '\uFFFD' : c);
            }
        }
        if (sb != null) {
            return sb.toString();
        }
        return n == message.length() ? message : message.substring(0, n);
    }
}
