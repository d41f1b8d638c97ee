package io.asyncreply.task;

import java.util.Objects;

/**
 * The result of a successful task: raw bytes and their media type.
 *
 * <p>Hazard: the byte array is shared, not copied, so that large results are not duplicated on
 * every read. Neither the handler that created it nor any reader may modify it.
 */
public final class TaskResult {
    private final byte[] bytes;
    private final String contentType;

    private TaskResult(byte[] bytes, String contentType) {
        this.bytes = Objects.requireNonNull(bytes, "bytes");
        this.contentType = Objects.requireNonNull(contentType, "contentType");
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

    /** The raw bytes. Shared: do not modify. */
    public byte[] bytes() {
        return bytes;
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
        return "TaskResult[" + bytes.length + " bytes, " + contentType + "]";
    }
}
