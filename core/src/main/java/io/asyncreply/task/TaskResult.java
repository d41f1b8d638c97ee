package io.asyncreply.task;

import java.util.Objects;

/**
 * The result of a successful task: raw bytes and their media type.
 *
 * <p>A result read for a list page may be a <em>summary</em>: its media type and size without
 * its bytes ({@link #hasBytes()} is false), so that a page of tasks never reads large results it
 * does not show. {@link io.asyncreply.engine.TaskService#find} always returns the bytes.
 *
 * <p>Hazard: the byte array is shared, not copied, so that large results are not duplicated on
 * every read. Neither the handler that created it nor any reader may modify it.
 */
public final class TaskResult {
    private final byte[] bytes;
    private final String contentType;
    private final long size;

    private TaskResult(byte[] bytes, String contentType, long size) {
        this.bytes = bytes;
        this.contentType = Objects.requireNonNull(contentType, "contentType");
        this.size = size;
    }

    private TaskResult(byte[] bytes, String contentType) {
        this(Objects.requireNonNull(bytes, "bytes"), contentType, bytes.length);
    }

    /** A result known by its media type and size only; its bytes were not read. */
    public static TaskResult summary(String contentType, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative");
        }
        return new TaskResult(null, contentType, size);
    }

    /** A result of the given bytes and media type (for example {@code image/png}). */
    public static TaskResult of(byte[] bytes, String contentType) {
        return new TaskResult(bytes, contentType);
    }

    /** A JSON result; {@code json} must be well-formed JSON. */
    public static TaskResult json(String json) {
        return new TaskResult(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
    }

    /** An empty result, for handlers that only have side effects. */
    public static TaskResult empty() {
        return new TaskResult(new byte[0], "application/octet-stream");
    }

    /**
     * The raw bytes. Shared: do not modify.
     *
     * @throws IllegalStateException for a {@link #summary} (check {@link #hasBytes()})
     */
    public byte[] bytes() {
        if (bytes == null) {
            throw new IllegalStateException("this result was read without its bytes (a summary)");
        }
        return bytes;
    }

    /** Whether the bytes were read: false for a {@link #summary}. */
    public boolean hasBytes() {
        return bytes != null;
    }

    /** The size in bytes. */
    public long size() {
        return size;
    }

    /** The media type of {@link #bytes()}. */
    public String contentType() {
        return contentType;
    }

    /** Whether the content type is JSON ({@code application/json} or {@code application/*+json}). */
    public boolean isJson() {
        return MediaTypes.isJson(contentType);
    }

    @Override
    public String toString() {
        return "TaskResult[" + size + " bytes, " + contentType + (bytes == null ? ", summary" : "") + "]";
    }
}
