package io.asyncreply.web.webhooks;

import io.asyncreply.engine.TaskService;
import io.asyncreply.web.json.TaskJson;
import io.asyncreply.web.metrics.Metrics;
import io.asyncreply.webhooks.WebhookStore;
import io.asyncreply.webhooks.delivery.AddressPolicy;
import io.asyncreply.webhooks.delivery.WebhookDispatcher;
import io.asyncreply.webhooks.delivery.WebhookSettings;
import java.lang.System.Logger.Level;
import java.time.Clock;

/**
 * The webhooks of one deployment: the settings, the store's subscriptions and outbox (null when the
 * store keeps none) and the {@link WebhookDispatcher} that sends them, woken by the service's
 * events. Built and {@linkplain #start started} by the application's lifecycle, {@linkplain #close
 * closed} on undeploy before the service stops.
 */
public final class Webhooks implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Webhooks.class.getName());

    private final WebhookSettings settings;
    private final WebhookStore store;
    private WebhookDispatcher dispatcher; // guarded by this
    private AutoCloseable listening; // guarded by this

    public Webhooks(WebhookSettings settings, WebhookStore store) {
        this.settings = settings;
        this.store = store;
    }

    /** Webhooks of {@code service}'s store with {@code settings}, not started. */
    public static Webhooks of(TaskService service, WebhookSettings settings) {
        return new Webhooks(settings, service.store().webhooks());
    }

    public WebhookSettings settings() {
        return settings;
    }

    /** The subscriptions and outbox, or null when the store keeps none. */
    public WebhookStore store() {
        return store;
    }

    /**
     * Starts sending: a dispatcher on {@code service}'s store, rendering tasks as {@code GET
     * /tasks/{id}} does under {@code contextPath}, counting into {@code metrics}.
     */
    public synchronized void start(TaskService service, Metrics metrics, String contextPath) {
        if (store == null || dispatcher != null) {
            return;
        }
        WebhookDispatcher d = new WebhookDispatcher(store, service.store(),
                t -> TaskJson.task(t, contextPath, false), settings, service.nodeId(), Clock.systemUTC(),
                (outcome, sinceEvent) -> {
                    switch (outcome) {
                        case "delivered" -> {
                            metrics.webhookDelivery(Metrics.WebhookOutcome.DELIVERED);
                            metrics.webhookLatency(sinceEvent);
                        }
                        case "retrying" -> metrics.webhookDelivery(Metrics.WebhookOutcome.FAILED);
                        default -> metrics.webhookDelivery(Metrics.WebhookOutcome.ABANDONED);
                    }
                });
        listening = service.listen(d.listener());
        dispatcher = d.start();
        LOG.log(Level.INFO, "webhooks: {0}", settings);
    }

    /** Looks for due deliveries now (after a manual retry). */
    public synchronized void wake() {
        if (dispatcher != null) {
            dispatcher.wake();
        }
    }

    /**
     * Why {@code url} may not be a webhook target, in words for a client, or null when it may:
     * checked on the addresses its host resolves to now. A host that does not resolve now passes:
     * the check is made again before each attempt, and refuses then what it would refuse now.
     */
    public String refusal(String url) {
        AddressPolicy.Verdict v = settings.policy().check(url);
        return v instanceof AddressPolicy.Verdict.Refused r ? r.reason() : null;
    }

    /**
     * Why {@code url} may not be a task's callback, or null when it may: this server must keep
     * webhooks and have a secret to sign callbacks with, and the URL must pass {@link #refusal}
     * (a host that does not resolve now passes: it is checked when the delivery is sent).
     */
    public String callbackRefusal(String url) {
        if (store == null) {
            return "This server's task store keeps no webhooks.";
        }
        if (settings.callbackSecret() == null) {
            return "Callbacks are off on this server: it has no secret to sign them with (setting "
                    + "asyncreply.webhooks.secret).";
        }
        return refusal(url);
    }

    /** Stops sending; deliveries in flight are given back for another node or the next start. */
    @Override
    public synchronized void close() {
        if (listening != null) {
            try {
                listening.close();
            } catch (Exception e) {
                LOG.log(Level.DEBUG, "could not stop listening: {0}", e.toString());
            }
            listening = null;
        }
        if (dispatcher != null) {
            dispatcher.close();
            dispatcher = null;
        }
    }
}
