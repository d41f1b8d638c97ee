package io.asyncreply.store;

import io.asyncreply.task.Task;
import io.asyncreply.task.Transitions;
import java.time.Instant;
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
 * @param leaseUntil when not {@code null}, the node asks to start the task at once: a store that can
 *     writes it, in the insert's own transaction, as {@link io.asyncreply.task.Transitions#claim} at its
 *     submission time makes it (RUNNING, attempt 1), leased to {@code node} until {@code leaseUntil},
 *     with its {@code started} event after its {@code queued} one, and says so in
 *     {@link InsertResult.Inserted#started()}; unless the type is paused, when it queues it as usual.
 *     A store may always queue instead (started false). The task must be ready at its submission
 *     time ({@link io.asyncreply.task.Transitions#isReady}) and {@code node} must be given.
 */
public record NewTask(Task task, byte[] payload, String contentType, String idempotencyKey, byte[] payloadDigest,
        String node, String callback, Instant leaseUntil) {
    public NewTask {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(payload, "payload");
        if ((idempotencyKey == null) != (payloadDigest == null)) {
            throw new IllegalArgumentException("idempotencyKey and payloadDigest go together");
        }
        if (leaseUntil != null && (node == null || !Transitions.isReady(task, task.submittedAt()))) {
            throw new IllegalArgumentException("a task started at once needs a node and must be ready at submission");
        }
    }

    /** A task to queue (not started at once). */
    public NewTask(Task task, byte[] payload, String contentType, String idempotencyKey, byte[] payloadDigest,
            String node, String callback) {
        this(task, payload, contentType, idempotencyKey, payloadDigest, node, callback, null);
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
