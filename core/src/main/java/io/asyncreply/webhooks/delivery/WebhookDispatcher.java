package io.asyncreply.webhooks.delivery;

import io.asyncreply.store.StoreException;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskListener;
import io.asyncreply.webhooks.AttemptOutcome;
import io.asyncreply.webhooks.Delivery;
import io.asyncreply.webhooks.DeliveryState;
import io.asyncreply.webhooks.WebhookEvents;
import io.asyncreply.webhooks.WebhookStore;
import io.asyncreply.webhooks.WebhookSubscription;
import java.io.ByteArrayOutputStream;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocketFactory;

/**
 * Sends the outbox: claims due deliveries from the {@link WebhookStore} with a lease, sends each on
 * a sender thread of its own (at most {@link WebhookSettings#concurrency()} at once), and records
 * what came of it. Any number of nodes may run one on the same store; each delivery is sent by the
 * node holding its lease, and taken over by another once that lease expires (the node died or hung),
 * with the same {@code webhook-id}: at least once, deduplicated by the receiver.
 *
 * <p>Wake-ups: {@link #listener()} wakes the dispatcher on every terminal event the task service
 * hears (on this node right after the commit, from other nodes by their notification), so a new
 * delivery is claimed at once; without one it looks every {@link WebhookSettings#poll()} for retries
 * that came due and leases that expired.
 *
 * <p>An attempt: the task is read (a terminal task never changes, so every attempt carries the same
 * data), the body {@code {"type","timestamp","data"}} built, the URL checked against the
 * {@link AddressPolicy} on the addresses it resolves to now, the request signed (Standard Webhooks)
 * and sent. 2xx: delivered. 410: a subscription is disabled (a callback ends). 408, 429, 5xx, a
 * timeout or a network error: tried again on the {@link Backoff} schedule until it runs out. Any
 * other answer, or a refused address: failed. Secrets and bodies are never logged.
 *
 * <p>Threads: {@code asyncreply-webhooks} (claims), {@code asyncreply-webhook-sender-N} (one per
 * delivery in flight, each sending with {@link Sender} on its own thread) and
 * {@code asyncreply-webhook-deadline-1} (cuts an exchange that outlives its deadline), all stopped by
 * {@link #close()}.
 *
 * <p>States: {@code NEW -> RUNNING -> STOPPED} ({@link #start()}, {@link #close()}), by compare-and-set.
 * Hazard: a delivery being sent when the node stops is given back ({@code PENDING}, due at once) so
 * another node or the next start sends it; if the process dies instead, its lease expires and
 * another node takes it over. Either way the receiver may have got it already, hence the dedupe.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WebhookDispatcher.class.getName());
    private static final Duration PURGE_EVERY = Duration.ofHours(1);

    private enum State { NEW, RUNNING, STOPPED }

    private final WebhookStore store;
    private final TaskStore tasks;
    private final TaskRenderer renderer;
    private final WebhookSettings settings;
    private final String node;
    private final Clock clock;
    private final DeliveryObserver observer;
    private final byte[] callbackKey;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object signal = new Object();
    private boolean signalled; // guarded by signal
    /** Every thread this dispatcher made (its loop, senders and deadline timer), for {@link #stop} to join. */
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final ExecutorService senders;
    private final ScheduledExecutorService deadlines;
    private final Sender sender;
    private final Thread loop;
    private Instant lastPurge = Instant.EPOCH;

    public WebhookDispatcher(WebhookStore store, TaskStore tasks, TaskRenderer renderer, WebhookSettings settings,
            String node, Clock clock, DeliveryObserver observer) {
        this.store = Objects.requireNonNull(store, "store");
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.renderer = Objects.requireNonNull(renderer, "renderer");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.node = Objects.requireNonNull(node, "node");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.observer = observer == null ? DeliveryObserver.NONE : observer;
        this.callbackKey = settings.callbackSecret() == null ? null : Secrets.key(settings.callbackSecret());
        this.senders = Executors.newFixedThreadPool(settings.concurrency(), named("asyncreply-webhook-sender"));
        this.deadlines = Executors.newSingleThreadScheduledExecutor(named("asyncreply-webhook-deadline"));
        this.sender = new Sender(settings, deadlines, (SSLSocketFactory) SSLSocketFactory.getDefault());
        this.loop = named("asyncreply-webhooks").newThread(this::run);
    }

    /** Threads named {@code prefix-N}, remembered so that {@link #stop} can join them. */
    private ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(false);
            threads.removeIf(x -> x.getState() == Thread.State.TERMINATED);
            threads.add(t);
            return t;
        };
    }

    /** Starts claiming and sending. */
    public WebhookDispatcher start() {
        if (state.compareAndSet(State.NEW, State.RUNNING)) {
            loop.start();
        }
        return this;
    }

    /** A listener for {@code TaskService.listen}: wakes this dispatcher on every event webhooks deliver. */
    public TaskListener listener() {
        return new TaskListener() {
            @Override
            public void onEvent(TaskEvent event) {
                if (WebhookEvents.delivered(event.kind())) {
                    wake();
                }
            }

            @Override
            public void onEventsMissed(long count) {
                wake();
            }
        };
    }

    /** Looks for due deliveries now. */
    public void wake() {
        synchronized (signal) {
            signalled = true;
            signal.notifyAll();
        }
    }

    /** The settings it sends with. */
    public WebhookSettings settings() {
        return settings;
    }

    private void await(long millis) throws InterruptedException {
        synchronized (signal) {
            if (!signalled) {
                signal.wait(millis);
            }
            signalled = false;
        }
    }

    private void run() {
        while (state.get() == State.RUNNING) {
            try {
                int free = settings.concurrency() - inFlight.get();
                int got = free > 0 ? claim(free) : 0;
                purgeNowAndThen();
                if (got > 0 && got == free) {
                    continue; // more may be due
                }
                await(settings.poll().toMillis());
            } catch (InterruptedException e) {
                break;
            } catch (StoreException e) {
                LOG.log(Level.WARNING, "could not claim webhook deliveries: {0}", e.getMessage());
                try {
                    await(settings.poll().toMillis());
                } catch (InterruptedException stop) {
                    break;
                }
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "webhook dispatcher error", e);
                try {
                    await(settings.poll().toMillis());
                } catch (InterruptedException stop) {
                    break;
                }
            }
        }
    }

    private int claim(int max) {
        Instant now = clock.instant();
        List<Delivery> claimed = store.claim(node, now, now.plus(settings.lease()), max);
        for (Delivery d : claimed) {
            inFlight.incrementAndGet();
            try {
                senders.execute(() -> {
                    try {
                        deliver(d);
                    } finally {
                        if (inFlight.getAndDecrement() == settings.concurrency()) {
                            wake(); // a place came free while the claimer had none
                        }
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                inFlight.decrementAndGet();
                releaseQuietly(d);
            }
        }
        return claimed.size();
    }

    private void purgeNowAndThen() {
        Instant now = clock.instant();
        if (Duration.between(lastPurge, now).compareTo(PURGE_EVERY) >= 0) {
            lastPurge = now;
            store.purge(now.minus(settings.keepEnded()));
        }
    }

    private void deliver(Delivery d) {
        AttemptOutcome o;
        try {
            o = attempt(d);
        } catch (InterruptedException e) {
            releaseQuietly(d); // stopping: another node or the next start sends it
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "webhook delivery {0} could not be attempted: {1}", d.id(), e.getClass().getName());
            o = retryOrFail(d, null, "internal");
        }
        try {
            if (!store.record(d.id(), node, o)) {
                LOG.log(Level.DEBUG, "webhook delivery {0} was taken over by another node", d.id());
                return;
            }
            if (o.state() == DeliveryState.DISABLED && !d.isCallback()) {
                store.disable(d.subscriptionId(), o.at());
                LOG.log(Level.INFO, "webhook subscription {0} disabled: its receiver answered 410 Gone", d.subscriptionId());
            }
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "could not record webhook delivery {0} (its lease will expire and it is sent "
                    + "again): {1}", d.id(), e.getMessage());
            return;
        }
        String outcome = switch (o.state()) {
            case DELIVERED -> "delivered";
            case PENDING -> "retrying";
            case DISABLED -> "disabled";
            default -> "failed";
        };
        observer.attempted(outcome, Duration.between(d.createdAt(), o.at()));
    }

    private void releaseQuietly(Delivery d) {
        try {
            store.release(d.id(), node, clock.instant());
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "could not give back webhook delivery {0}; its lease will expire", d.id());
        }
    }

    private AttemptOutcome attempt(Delivery d) throws InterruptedException {
        byte[] key;
        if (d.isCallback()) {
            key = callbackKey;
            if (key == null) {
                return end(DeliveryState.FAILED, null, "no-secret");
            }
        } else {
            Optional<WebhookSubscription> sub = store.subscription(d.subscriptionId(), null);
            Optional<String> secret = sub.isEmpty() ? Optional.empty() : store.secret(d.subscriptionId());
            if (secret.isEmpty()) {
                return end(DeliveryState.FAILED, null, "subscription-deleted");
            }
            if (!sub.get().active()) {
                // a 410 disabled it after this delivery was written: it receives nothing more
                return end(DeliveryState.DISABLED, null, "subscription-disabled");
            }
            key = Secrets.key(secret.get());
        }
        Optional<Task> task = tasks.find(d.taskId());
        if (task.isEmpty()) {
            return end(DeliveryState.FAILED, null, "task-gone");
        }
        AddressPolicy.Verdict v = settings.policy().check(d.url());
        if (v instanceof AddressPolicy.Verdict.Refused) {
            return end(DeliveryState.FAILED, null, "refused-address");
        }
        if (v instanceof AddressPolicy.Verdict.Unresolved) {
            return retryOrFail(d, null, "dns");
        }
        byte[] body = body(d, task.get());
        long timestamp = clock.instant().getEpochSecond();
        List<String[]> headers = new ArrayList<>(4);
        headers.add(new String[] {"webhook-id", d.id()});
        headers.add(new String[] {"webhook-timestamp", Long.toString(timestamp)});
        headers.add(new String[] {"webhook-signature", Signer.sign(key, d.id(), timestamp, body)});
        if (d.traceparent() != null) {
            headers.add(new String[] {"traceparent", d.traceparent()});
        }
        Sender.Result r = sender.send(URI.create(d.url()), ((AddressPolicy.Verdict.Allowed) v).addresses(), body, headers);
        if (r.status() == null) {
            return retryOrFail(d, null, r.error());
        }
        int s = r.status();
        if (s >= 200 && s < 300) {
            return end(DeliveryState.DELIVERED, s, null);
        }
        if (s == 410) {
            return end(DeliveryState.DISABLED, s, "gone");
        }
        if (s == 408 || s == 429 || s >= 500) {
            return retryOrFail(d, s, "http-" + s);
        }
        return end(DeliveryState.FAILED, s, "http-" + s);
    }

    private AttemptOutcome end(DeliveryState s, Integer status, String error) {
        return new AttemptOutcome(s, status, error, clock.instant(), null);
    }

    private AttemptOutcome retryOrFail(Delivery d, Integer status, String error) {
        int made = d.attempts() + 1;
        Instant now = clock.instant();
        if (!settings.backoff().retries(made)) {
            return new AttemptOutcome(DeliveryState.FAILED, status, error, now, null);
        }
        return new AttemptOutcome(DeliveryState.PENDING, status, error, now,
                now.plus(settings.backoff().delay(made, ThreadLocalRandom.current())));
    }

    /** The Standard Webhooks body: {@code {"type":"task.<event>","timestamp":"<event time>","data":<task>}}. */
    byte[] body(Delivery d, Task t) {
        byte[] data = renderer.json(t);
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 96);
        out.writeBytes(("{\"type\":\"" + WebhookEvents.bodyType(d.event()) + "\",\"timestamp\":\"" + d.createdAt()
                + "\",\"data\":").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(data);
        out.write('}');
        return out.toByteArray();
    }

    /**
     * Stops: no more claims; deliveries being sent are interrupted and given back. Waits at most
     * {@code connect + read timeout} for the threads to end.
     */
    @Override
    public void close() {
        State before = state.getAndSet(State.STOPPED);
        if (before == State.STOPPED) {
            return;
        }
        if (before == State.RUNNING) {
            loop.interrupt();
            wake();
        }
        senders.shutdownNow();
        sender.abortAll(); // a blocked socket read does not answer to the interrupt
        long wait = settings.connectTimeout().plus(settings.readTimeout()).toMillis();
        try {
            if (before == State.RUNNING) {
                loop.join(wait);
            }
            senders.awaitTermination(wait, TimeUnit.MILLISECONDS);
            sender.abortAll(); // one that started between the first call and the shutdown
            deadlines.shutdownNow();
            deadlines.awaitTermination(wait, TimeUnit.MILLISECONDS);
            // awaitTermination returns when the workers have deregistered, a moment before their
            // threads end; a container that looks for leaked threads right after undeploy sees them
            for (Thread t : threads) {
                t.join(1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
