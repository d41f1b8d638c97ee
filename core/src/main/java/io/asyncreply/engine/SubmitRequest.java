package io.asyncreply.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A submission with its options, for {@link TaskService#submit(SubmitRequest)}:
 * {@code SubmitRequest.of("thumbnail", bytes).contentType("image/png").priority(5).delay(Duration.ofMinutes(1))}.
 *
 * @param type the task type
 * @param payload the payload; shared, not copied: do not modify after submitting
 * @param contentType the payload's content type, or {@code null}
 * @param idempotencyKey the client's key (unique per owner), or {@code null}
 * @param owner who submits it, or {@code null} for the anonymous owner
 * @param priority -10 to 10, or {@code null} for its type's default
 * @param runAt do not start it before then, or {@code null}
 * @param delay do not start it before this long from now, or {@code null} (not with {@code runAt})
 * @param ttl if not started within this long from now, it ends {@code FAILED} ({@code expired}), or
 *     {@code null}
 * @param traceparent the W3C trace context of the submission, or {@code null} (a malformed one is dropped)
 * @param callback a URL its terminal event is delivered to, or {@code null}
 * @param retryOf the id of the task this one retries, or {@code null}
 */
public record SubmitRequest(String type, byte[] payload, String contentType, String idempotencyKey, String owner,
        Integer priority, Instant runAt, Duration delay, Duration ttl, String traceparent, String callback,
        String retryOf) {

    public SubmitRequest {
        Objects.requireNonNull(payload, "payload");
    }

    /** A submission of {@code payload} to {@code type}, with no options. */
    public static SubmitRequest of(String type, byte[] payload) {
        return new SubmitRequest(type, payload, null, null, null, null, null, null, null, null, null, null);
    }

    public SubmitRequest contentType(String v) {
        return new SubmitRequest(type, payload, v, idempotencyKey, owner, priority, runAt, delay, ttl, traceparent,
                callback, retryOf);
    }

    public SubmitRequest idempotencyKey(String v) {
        return new SubmitRequest(type, payload, contentType, v, owner, priority, runAt, delay, ttl, traceparent,
                callback, retryOf);
    }

    public SubmitRequest owner(String v) {
        return new SubmitRequest(type, payload, contentType, idempotencyKey, v, priority, runAt, delay, ttl, traceparent,
                callback, retryOf);
    }

    public SubmitRequest priority(Integer v) {
        return new SubmitRequest(type, payload, contentType, idempotencyKey, owner, v, runAt, delay, ttl, traceparent,
                callback, retryOf);
    }

    public SubmitRequest runAt(Instant v) {
        return new SubmitRequest(type, payload, contentType, idempotencyKey, owner, priority, v, delay, ttl, traceparent,
                callback, retryOf);
    }

    public SubmitRequest delay(Duration v) {
        return new SubmitRequest(type, payload, contentType, idempotencyKey, owner, priority, runAt, v, ttl, traceparent,
                callback, retryOf);
    }

    public SubmitRequest ttl(Duration v) {
        return new SubmitRequest(type, payload, contentType, idempotencyKey, owner, priority, runAt, delay, v, traceparent,
                callback, retryOf);
    }

    public SubmitRequest traceparent(String v) {
        return new SubmitRequest(type, payload, contentType, idempotencyKey, owner, priority, runAt, delay, ttl, v,
                callback, retryOf);
    }

    public SubmitRequest callback(String v) {
        return new SubmitRequest(type, payload, contentType, idempotencyKey, owner, priority, runAt, delay, ttl,
                traceparent, v, retryOf);
    }

    public SubmitRequest retryOf(String v) {
        return new SubmitRequest(type, payload, contentType, idempotencyKey, owner, priority, runAt, delay, ttl,
                traceparent, callback, v);
    }
}
