package io.asyncreply.webhooks;

/**
 * Where a {@link Delivery} stands. {@code PENDING -> DELIVERING} when a node claims it (with a
 * lease); {@code DELIVERING -> DELIVERED | PENDING (retry later) | FAILED | DISABLED} when that node
 * records the attempt's outcome; {@code DELIVERING -> DELIVERING} when another node claims it after
 * the lease expired (the first node died or hung); {@code FAILED | DISABLED | DELIVERED -> PENDING}
 * by a manual retry. Every change is a compare-and-set on the state (and, from
 * {@code DELIVERING}, on the lease's owner), so a node whose lease was taken over records nothing.
 */
public enum DeliveryState {
    /** Waiting for its next attempt ({@link Delivery#nextAt()}). */
    PENDING,
    /** Being sent by the node holding its lease. */
    DELIVERING,
    /** The receiver answered 2xx. */
    DELIVERED,
    /** Given up: a 4xx other than 408/410/429, a refused address, or the attempts ran out. */
    FAILED,
    /** The receiver answered {@code 410 Gone}: its subscription was disabled (or the callback ended). */
    DISABLED;

    /** Whether no further attempt happens unless someone retries it by hand. */
    public boolean ended() {
        return this == DELIVERED || this == FAILED || this == DISABLED;
    }
}
