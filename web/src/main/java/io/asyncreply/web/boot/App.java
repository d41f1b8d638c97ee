package io.asyncreply.web.boot;

import io.asyncreply.engine.TaskService;
import io.asyncreply.web.config.WebConfig;
import io.asyncreply.web.metrics.MetricNames;
import io.asyncreply.web.metrics.Metrics;
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

    /** An app whose metrics know only what the web layer counts (the service was built without their observer). */
    public App(TaskService service, WebConfig config) {
        this(service, config, new Metrics(service.types()));
    }

    /** An app with {@code metrics}, whose {@link Metrics#observer()} the service was built with. */
    public App(TaskService service, WebConfig config, Metrics metrics) {
        this.service = Objects.requireNonNull(service);
        this.config = Objects.requireNonNull(config);
        this.pending = new Pending(config.maxHeldWaits());
        this.metrics = Objects.requireNonNull(metrics);
        metrics.gauge(MetricNames.LONG_POLLS_OPEN, "Requests held open on this node waiting for a task to end "
                + "(long-polls and Prefer: wait)", pending::size);
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

    public static App from(ServletContext context) {
        Object app = context.getAttribute(ATTRIBUTE);
        if (!(app instanceof App a)) {
            throw new IllegalStateException("asyncreply did not start; see the log of " + AppLifecycle.class.getName());
        }
        return a;
    }
}
