package io.asyncreply.task;

import java.util.regex.Pattern;

/**
 * The sizes and shapes every part of the product agrees on: the engine checks them at submit, the
 * stores size their columns by them. Written here once.
 */
public final class Limits {
    /** Longest task type name. */
    public static final int MAX_TYPE_LENGTH = 100;
    /** A task type name: a letter or digit, then letters, digits, {@code .}, {@code _} and {@code -}. */
    public static final Pattern TYPE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    /** Longest idempotency key, in characters. */
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;
    /** Longest task id a store keeps. */
    public static final int MAX_ID_LENGTH = 64;
    /** Longest owner name. */
    public static final int MAX_OWNER_LENGTH = 255;
    /** Largest JSON result inlined in a task's JSON (and read with a page of tasks). */
    public static final int MAX_INLINE_RESULT_BYTES = 256 * 1024;
    /** Longest W3C traceparent kept. */
    public static final int MAX_TRACEPARENT_LENGTH = 55;

    private Limits() {
    }

    /** Whether {@code type} is a well-formed task type name. */
    public static boolean isTypeName(String type) {
        return type != null && TYPE_NAME.matcher(type).matches();
    }

    /** Whether {@code key} is an acceptable idempotency key: 1 to {@value #MAX_IDEMPOTENCY_KEY_LENGTH} characters. */
    public static boolean isIdempotencyKey(String key) {
        return key != null && !key.isEmpty() && key.length() <= MAX_IDEMPOTENCY_KEY_LENGTH;
    }
}
