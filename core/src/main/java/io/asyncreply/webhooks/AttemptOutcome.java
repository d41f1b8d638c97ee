package io.asyncreply.webhooks;

import java.time.Instant;
import java.util.Objects;

/**
 * What one attempt of a {@link Delivery} came to, as the sending node records it.
 *
 * @param state the delivery's next state: {@code DELIVERED}, {@code PENDING} (retry at {@code nextAt}),
 *     {@code FAILED} or {@code DISABLED}
 * @param status the receiver's HTTP status, or null when there was no answer
 * @param error a short code for what went wrong ({@code timeout}, {@code network}, {@code http-503}, ...), or null
 * @param at when the attempt ended
 * @param nextAt when to try again ({@code PENDING} only), else null
 */
public record AttemptOutcome(DeliveryState state, Integer status, String error, Instant at, Instant nextAt) {
    public AttemptOutcome {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(at, "at");
        if (state == DeliveryState.DELIVERING || (state == DeliveryState.PENDING) != (nextAt != null)) {
            throw new IllegalArgumentException("an outcome is DELIVERED, FAILED, DISABLED, or PENDING with a next time");
        }
    }
}
