package io.asyncreply.store;

import io.asyncreply.task.Task;
import java.util.Objects;

/**
 * A task to insert: its first snapshot plus what only the store keeps.
 *
 * <p>Hazard: {@code payload} and {@code payloadDigest} are shared, not copied.
 *
 * @param task the snapshot, {@code QUEUED}
 * @param payload the payload bytes
 * @param contentType the payload's content type, or {@code null}
 * @param idempotencyKey the client's key, or {@code null}; unique per owner
 * @param payloadDigest SHA-256 over type and payload when a key is given, else {@code null}
 * @param node the node that accepted it (recorded with its {@code queued} event), or {@code null}
 * @param callback the URL its terminal event is delivered to, or {@code null}
 */
public record NewTask(Task task, byte[] payload, String contentType, String idempotencyKey, byte[] payloadDigest,
        String node, String callback) {
    public NewTask {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(payload, "payload");
        if ((idempotencyKey == null) != (payloadDigest == null)) {
            throw new IllegalArgumentException("idempotencyKey and payloadDigest go together");
        }
    }

    /** A task accepted by an unnamed node, without a callback. */
    public NewTask(Task task, byte[] payload, String contentType, String idempotencyKey, byte[] payloadDigest) {
        this(task, payload, contentType, idempotencyKey, payloadDigest, null, null);
    }

    /** A task without a callback. */
    public NewTask(Task task, byte[] payload, String contentType, String idempotencyKey, byte[] payloadDigest,
            String node) {
        this(task, payload, contentType, idempotencyKey, payloadDigest, node, null);
    }
}
