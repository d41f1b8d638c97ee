package io.asyncreply.store;

import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.webhooks.AttemptOutcome;
import io.asyncreply.webhooks.Delivery;
import io.asyncreply.webhooks.DeliveryState;
import io.asyncreply.webhooks.WebhookEvents;
import io.asyncreply.webhooks.WebhookStore;
import io.asyncreply.webhooks.WebhookSubscription;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The webhook outbox and subscriptions of a {@link MemoryTaskStore}, lost with the process like its
 * tasks. One lock (this object) guards everything; the task store calls {@link #outbox} after a
 * change's compare-and-set succeeded and before its event is visible to readers, so a delivery
 * exists exactly when its event does, and the dispatcher woken by the event finds it.
 *
 * <p>Lock order: this lock is always the innermost. The task store may hold one of its own when it
 * calls in (a claim of a rate-limited type holds its {@code limits} lock and may end an expired
 * task), and nothing done under this lock calls back into the task store or takes another lock.
 *
 * <p>Memory: pending deliveries are bounded by the tasks (one per callback and matching
 * subscription per terminal task); ended ones are kept, newest last, up to {@code maxEnded}, and
 * the oldest ended are forgotten beyond it.
 */
public final class MemoryWebhookStore implements WebhookStore {
    /** Default bound of ended deliveries kept for the delivery log. */
    public static final int DEFAULT_MAX_ENDED = 10_000;

    private final int maxEnded;
    private final Map<String, WebhookSubscription> subscriptions = new LinkedHashMap<>();
    private final Map<String, String> secrets = new LinkedHashMap<>();
    private final Map<String, Delivery> deliveries = new LinkedHashMap<>();
    private final Deque<String> ended = new ArrayDeque<>();

    MemoryWebhookStore(int maxEnded) {
        this.maxEnded = maxEnded;
    }

    /**
     * Records the deliveries of {@code event}: to {@code callback} (if any) and to every active
     * subscription that wants it. Non-terminal events deliver nothing.
     */
    void outbox(TaskEvent event, String callback) {
        if (!WebhookEvents.delivered(event.kind())) {
            return;
        }
        Task t = event.task();
        String name = event.kind().wireName();
        synchronized (this) {
            if (callback != null) {
                add(newDelivery(null, callback, event, name));
            }
            for (WebhookSubscription s : subscriptions.values()) {
                if (s.wants(t, event.kind())) {
                    add(newDelivery(s.id(), s.url(), event, name));
                }
            }
        }
    }

    private static Delivery newDelivery(String subscription, String url, TaskEvent e, String name) {
        return new Delivery(UUID.randomUUID().toString(), subscription, url, e.taskId(), e.id(), name, e.task().owner(),
                e.task().traceparent(), DeliveryState.PENDING, 0, e.at(), null, null, e.at(), null, null, null);
    }

    private void add(Delivery d) {
        deliveries.put(d.id(), d);
    }

    @Override
    public synchronized void create(WebhookSubscription subscription, String secret) {
        subscriptions.put(subscription.id(), subscription);
        secrets.put(subscription.id(), Objects.requireNonNull(secret));
    }

    @Override
    public synchronized List<WebhookSubscription> subscriptions(String owner, int limit) {
        List<WebhookSubscription> out = new ArrayList<>();
        for (WebhookSubscription s : subscriptions.values()) {
            if (out.size() < limit && (owner == null || owner.equals(s.owner()))) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public synchronized Optional<WebhookSubscription> subscription(String id, String owner) {
        WebhookSubscription s = subscriptions.get(id);
        return s == null || (owner != null && !owner.equals(s.owner())) ? Optional.empty() : Optional.of(s);
    }

    @Override
    public synchronized boolean delete(String id, String owner) {
        if (subscription(id, owner).isEmpty()) {
            return false;
        }
        subscriptions.remove(id);
        secrets.remove(id);
        deliveries.values().removeIf(d -> id.equals(d.subscriptionId()));
        ended.removeIf(d -> !deliveries.containsKey(d));
        return true;
    }

    @Override
    public synchronized Optional<String> secret(String subscriptionId) {
        return Optional.ofNullable(secrets.get(subscriptionId));
    }

    @Override
    public synchronized boolean disable(String subscriptionId, Instant at) {
        WebhookSubscription s = subscriptions.get(subscriptionId);
        if (s == null || !s.active()) {
            return false;
        }
        subscriptions.put(subscriptionId, s.disabled(at));
        return true;
    }

    @Override
    public synchronized List<Delivery> deliveries(String subscriptionId, int limit) {
        List<Delivery> all = new ArrayList<>();
        for (Delivery d : deliveries.values()) {
            if (subscriptionId.equals(d.subscriptionId())) {
                all.add(d);
            }
        }
        all.sort(Comparator.comparing(Delivery::createdAt).thenComparingLong(Delivery::eventId).reversed());
        return all.size() > limit ? List.copyOf(all.subList(0, limit)) : all;
    }

    @Override
    public synchronized Optional<Delivery> delivery(String subscriptionId, String deliveryId) {
        Delivery d = deliveries.get(deliveryId);
        return d == null || !Objects.equals(subscriptionId, d.subscriptionId()) ? Optional.empty() : Optional.of(d);
    }

    /** Any delivery by id (tests, callbacks). */
    public synchronized Optional<Delivery> delivery(String deliveryId) {
        return Optional.ofNullable(deliveries.get(deliveryId));
    }

    @Override
    public synchronized List<Delivery> claim(String node, Instant now, Instant leaseUntil, int max) {
        List<Delivery> due = new ArrayList<>();
        for (Delivery d : deliveries.values()) {
            boolean pending = d.state() == DeliveryState.PENDING && !d.nextAt().isAfter(now);
            boolean expired = d.state() == DeliveryState.DELIVERING && d.leaseUntil().isBefore(now);
            if (pending || expired) {
                due.add(d);
            }
        }
        due.sort(Comparator.comparing((Delivery d) -> d.state() == DeliveryState.PENDING ? d.nextAt() : d.leaseUntil()));
        List<Delivery> out = new ArrayList<>(Math.min(max, due.size()));
        for (Delivery d : due) {
            if (out.size() == max) {
                break;
            }
            Delivery c = with(d, DeliveryState.DELIVERING, d.attempts(), null, d.lastStatus(), d.lastError(), null,
                    node, leaseUntil);
            deliveries.put(c.id(), c);
            out.add(c);
        }
        return out;
    }

    @Override
    public synchronized boolean record(String deliveryId, String node, AttemptOutcome o) {
        Delivery d = deliveries.get(deliveryId);
        if (d == null || d.state() != DeliveryState.DELIVERING || !node.equals(d.leaseOwner())) {
            return false;
        }
        Delivery next = with(d, o.state(), d.attempts() + 1, o.nextAt(), o.status(), o.error(),
                o.state().ended() ? o.at() : null, null, null);
        deliveries.put(deliveryId, next);
        if (next.state().ended()) {
            ended(deliveryId);
        }
        return true;
    }

    @Override
    public synchronized boolean release(String deliveryId, String node, Instant at) {
        Delivery d = deliveries.get(deliveryId);
        if (d == null || d.state() != DeliveryState.DELIVERING || !node.equals(d.leaseOwner())) {
            return false;
        }
        deliveries.put(deliveryId, with(d, DeliveryState.PENDING, d.attempts(), at, d.lastStatus(), d.lastError(),
                null, null, null));
        return true;
    }

    @Override
    public synchronized boolean retry(String subscriptionId, String deliveryId, Instant now) {
        Optional<Delivery> found = delivery(subscriptionId, deliveryId);
        if (found.isEmpty() || !found.get().state().ended()) {
            return false;
        }
        Delivery d = found.get();
        deliveries.put(deliveryId, with(d, DeliveryState.PENDING, 0, now, d.lastStatus(), d.lastError(), null, null,
                null));
        ended.remove(deliveryId);
        return true;
    }

    @Override
    public synchronized int purge(Instant cutoff) {
        int n = 0;
        for (Iterator<Delivery> it = deliveries.values().iterator(); it.hasNext();) {
            Delivery d = it.next();
            if (d.state().ended() && d.finishedAt() != null && d.finishedAt().isBefore(cutoff)) {
                it.remove();
                n++;
            }
        }
        if (n > 0) {
            ended.removeIf(id -> !deliveries.containsKey(id));
        }
        return n;
    }

    private void ended(String id) {
        ended.addLast(id);
        while (ended.size() > maxEnded) {
            String old = ended.pollFirst();
            Delivery d = deliveries.get(old);
            if (d != null && d.state().ended()) {
                deliveries.remove(old);
            }
        }
    }

    private static Delivery with(Delivery d, DeliveryState state, int attempts, Instant nextAt, Integer status,
            String error, Instant finishedAt, String leaseOwner, Instant leaseUntil) {
        return new Delivery(d.id(), d.subscriptionId(), d.url(), d.taskId(), d.eventId(), d.event(), d.owner(),
                d.traceparent(), state, attempts, nextAt, status, error, d.createdAt(), finishedAt, leaseOwner,
                leaseUntil);
    }
}
