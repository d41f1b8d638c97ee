package io.asyncreply.webhooks;

import java.time.Instant;
import java.util.Objects;

/**
 * One event to deliver to one URL: a row of the outbox.
 *
 * @param id the delivery's id, sent as {@code webhook-id}: the same on every attempt, so a receiver dedupes by it
 * @param subscriptionId the subscription it is for, or {@code null} for a task's own callback
 * @param url where it goes
 * @param taskId the task the event is about
 * @param eventId the event's id in the task store's log
 * @param event the event's name ({@link WebhookEvents#NAMES})
 * @param owner the task's owner ({@code null}: anonymous)
 * @param traceparent the task's W3C trace context, sent as {@code traceparent}, or null
 * @param state where it stands
 * @param attempts attempts made so far
 * @param nextAt when it is due (PENDING), or null
 * @param lastStatus the last attempt's HTTP status, or null (none yet, or no answer)
 * @param lastError what went wrong last (a short code, never a receiver's text), or null
 * @param createdAt when its event was recorded
 * @param finishedAt when it was delivered or given up, or null
 * @param leaseOwner the node sending it (DELIVERING), or null
 * @param leaseUntil until when that node holds it, or null
 */
public record Delivery(String id, String subscriptionId, String url, String taskId, long eventId, String event,
        String owner, String traceparent, DeliveryState state, int attempts, Instant nextAt, Integer lastStatus,
        String lastError, Instant createdAt, Instant finishedAt, String leaseOwner, Instant leaseUntil) {
    public Delivery {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        owner = owner == null || owner.isEmpty() ? null : owner;
    }

    /** Whether it is a task's own callback (signed with the server's secret). */
    public boolean isCallback() {
        return subscriptionId == null;
    }
}
