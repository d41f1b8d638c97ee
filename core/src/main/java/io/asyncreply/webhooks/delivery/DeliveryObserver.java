package io.asyncreply.webhooks.delivery;

import java.time.Duration;

/**
 * Hears what each delivery attempt came to (for metrics). Called on a sender thread; must be quick
 * and must not throw.
 */
@FunctionalInterface
public interface DeliveryObserver {
    /** Ignores everything. */
    DeliveryObserver NONE = (outcome, sinceEvent) -> { };

    /**
     * One attempt ended with {@code outcome}: {@code delivered}, {@code retrying}, {@code failed} or
     * {@code disabled}; {@code sinceEvent} is the time from the event's commit to the end of this
     * attempt (for {@code delivered}: the delivery latency).
     */
    void attempted(String outcome, Duration sinceEvent);
}
