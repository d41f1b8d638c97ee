package io.asyncreply.webhooks;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * SPI: where subscriptions and the outbox of deliveries are kept, next to the tasks. The task store
 * writes a {@link Delivery} for every terminal event that a task's callback or a subscription wants,
 * in the transaction that records the event (see {@code TaskStore#webhooks()}); this interface reads
 * and changes them afterwards.
 *
 * <p>Owners: {@code owner} arguments are {@code null} for "every owner" where they filter (admins),
 * and the subscription's owner ({@code null} = anonymous) where they create.
 *
 * <p>Secrets: a subscription's secret is stored so that deliveries can be signed, and is handed out
 * only by {@link #secret(String)}, to the sender.
 */
public interface WebhookStore {

    /** Stores a new subscription with its secret ({@code whsec_} + base64). */
    void create(WebhookSubscription subscription, String secret);

    /** The subscriptions of {@code owner} ({@code null}: every owner's), oldest first, at most {@code limit}. */
    List<WebhookSubscription> subscriptions(String owner, int limit);

    /** One subscription, if it exists and belongs to {@code owner} ({@code null}: any owner). */
    Optional<WebhookSubscription> subscription(String id, String owner);

    /** Deletes a subscription of {@code owner} ({@code null}: any) and its deliveries; false when there was none. */
    boolean delete(String id, String owner);

    /** The secret of a subscription, for signing; empty once it is deleted. */
    Optional<String> secret(String subscriptionId);

    /** Stops a subscription from receiving (its receiver answered 410); false when it was gone or disabled already. */
    boolean disable(String subscriptionId, Instant at);

    /** The deliveries of a subscription, newest first, at most {@code limit}. */
    List<Delivery> deliveries(String subscriptionId, int limit);

    /** One delivery of a subscription. */
    Optional<Delivery> delivery(String subscriptionId, String deliveryId);

    /**
     * Claims at most {@code max} deliveries for {@code node} until {@code leaseUntil}: those
     * {@code PENDING} and due at {@code now}, and those {@code DELIVERING} whose lease expired
     * before {@code now} (their node died or hung), oldest due first. Each delivery is claimed by
     * one node at a time; the claimed ones come back {@code DELIVERING} with the new lease.
     */
    List<Delivery> claim(String node, Instant now, Instant leaseUntil, int max);

    /**
     * Records the outcome of an attempt by {@code node}: applied only while {@code node} still
     * holds the delivery's lease (false otherwise: another node took it over, and its outcome counts).
     * Counts one attempt.
     */
    boolean record(String deliveryId, String node, AttemptOutcome outcome);

    /**
     * Gives a delivery back without counting an attempt (the node stops): {@code PENDING} at
     * {@code at}, if {@code node} still holds it.
     */
    boolean release(String deliveryId, String node, Instant at);

    /**
     * A manual retry: an ended delivery ({@link DeliveryState#ended()}) of the subscription is
     * {@code PENDING} again, due at {@code now}, with its attempts counted from zero. False when it
     * is unknown or not ended (pending or being sent: it will be tried anyway).
     */
    boolean retry(String subscriptionId, String deliveryId, Instant now);

    /** Forgets ended deliveries that ended before {@code cutoff}; returns how many. */
    int purge(Instant cutoff);
}
