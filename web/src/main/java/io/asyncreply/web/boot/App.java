package io.asyncreply.web.boot;

import io.asyncreply.engine.TaskService;
import io.asyncreply.web.config.EventsConfig;
import io.asyncreply.web.config.WebConfig;
import io.asyncreply.web.config.WebhooksConfig;
import io.asyncreply.web.events.EventStreams;
import io.asyncreply.web.metrics.MetricNames;
import io.asyncreply.web.metrics.Metrics;
import io.asyncreply.web.webhooks.Webhooks;
import jakarta.servlet.ServletContext;
import java.util.Objects;

/**
 * What the web layer shares: the running {@link TaskService} and the configuration. Built by
 * {@link AppLifecycle} and kept as a servlet-context attribute.
 */
public final class App {
    public static final String ATTRIBUTE = App.class.getName();

    private final TaskService service;
    private final WebConfig config;
    private final Pending pending;
    private final Metrics metrics;
    private final EventStreams events;
    private final Webhooks webhooks;

    /** An app whose metrics know only what the web layer counts, with event streams at their defaults. */
    public App(TaskService service, WebConfig config) {
        this(service, config, new Metrics(service.types()));
    }

    /** An app with {@code metrics}, whose {@link Metrics#observer()} the service was built with. */
    public App(TaskService service, WebConfig config, Metrics metrics) {
        this(service, config, metrics,
                new EventStreams(service, EventsConfig.defaults(), config.retryAfterSeconds(), ""));
    }

    /** An app with event streams {@code events}, and metrics of what the web layer counts. */
    public App(TaskService service, WebConfig config, EventStreams events) {
        this(service, config, new Metrics(service.types()), events);
    }

    public App(TaskService service, WebConfig config, Metrics metrics, EventStreams events) {
        this(service, config, metrics, events, Webhooks.of(service, WebhooksConfig.defaults()));
    }

    /** An app with {@code webhooks} (started by whoever built them; closed by the lifecycle). */
    public App(TaskService service, WebConfig config, Metrics metrics, EventStreams events, Webhooks webhooks) {
        this.webhooks = Objects.requireNonNull(webhooks);
        this.service = Objects.requireNonNull(service);
        this.config = Objects.requireNonNull(config);
        this.pending = new Pending(config.maxHeldWaits());
        this.metrics = Objects.requireNonNull(metrics);
        this.events = Objects.requireNonNull(events);
        metrics.gauge(MetricNames.LONG_POLLS_OPEN, "Requests held open on this node waiting for a task to end "
                + "(long-polls and Prefer: wait)", pending::size);
        metrics.eventStreams(events::openStreams);
    }

    public TaskService service() {
        return service;
    }

    public WebConfig config() {
        return config;
    }

    /** Requests held open (long-polls, Prefer: wait), bounded, answered at once on undeploy. */
    public Pending pending() {
        return pending;
    }

    /** The meters behind {@code GET /metrics}, where the web layer registers its own. */
    public Metrics metrics() {
        return metrics;
    }

    /**
     * The event streams ({@code GET /tasks/{id}/events}, {@code GET /events}): how many are open
     * ({@link EventStreams#openStreams()}), their bound, the bytes they hold for slow clients.
     */
    public EventStreams events() {
        return events;
    }

    /** The webhooks: settings, subscriptions and outbox, and the dispatcher sending them. */
    public Webhooks webhooks() {
        return webhooks;
    }

    public static App from(ServletContext context) {
        Object app = context.getAttribute(ATTRIBUTE);
        if (!(app instanceof App a)) {
            throw new IllegalStateException("asyncreply did not start; see the log of " + AppLifecycle.class.getName());
        }
        return a;
    }
}
