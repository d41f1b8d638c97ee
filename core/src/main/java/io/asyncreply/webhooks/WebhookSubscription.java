package io.asyncreply.webhooks;

import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A subscription: the terminal events {@code events} of the tasks of {@code owner} whose type is
 * one of {@code types} (every type when empty) are delivered to {@code url}, signed with the
 * subscription's secret (kept by the {@link WebhookStore}, never part of this record, so that it
 * cannot be shown or logged by accident).
 *
 * @param id the subscription's id
 * @param owner the owner it belongs to and whose tasks it hears; {@code null} for the anonymous owner
 * @param url an absolute http or https URL
 * @param types task types, or empty for every type
 * @param events names of {@link WebhookEvents#NAMES}, not empty
 * @param createdAt when it was created
 * @param disabledAt when a receiver answered {@code 410 Gone} and it stopped receiving, or null while it is active
 */
public record WebhookSubscription(String id, String owner, String url, Set<String> types, Set<String> events,
        Instant createdAt, Instant disabledAt) {
    public WebhookSubscription {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(createdAt, "createdAt");
        types = Set.copyOf(types);
        events = Set.copyOf(events);
        if (events.isEmpty() || !events.stream().allMatch(WebhookEvents::known)) {
            throw new IllegalArgumentException("events must be some of " + WebhookEvents.NAMES);
        }
        owner = owner == null || owner.isEmpty() ? null : owner;
    }

    /** Whether it is active (not disabled by a {@code 410}). */
    public boolean active() {
        return disabledAt == null;
    }

    /** Whether an event of {@code kind} about {@code task} is delivered to it. */
    public boolean wants(Task task, TaskEvent.Kind kind) {
        return active() && WebhookEvents.delivered(kind) && events.contains(kind.wireName())
                && Objects.equals(owner, task.owner() == null || task.owner().isEmpty() ? null : task.owner())
                && (types.isEmpty() || types.contains(task.type()));
    }

    /** This subscription, disabled at {@code at}. */
    public WebhookSubscription disabled(Instant at) {
        return new WebhookSubscription(id, owner, url, types, events, createdAt, at);
    }
}
