package io.asyncreply.web.boot;

import io.asyncreply.engine.TaskService;
import io.asyncreply.web.config.EventsConfig;
import io.asyncreply.web.config.WebConfig;
import io.asyncreply.web.events.EventStreams;
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
    private final EventStreams events;

    /** An application with event streams at their default settings, at the root context path. */
    public App(TaskService service, WebConfig config) {
        this(service, config, new EventStreams(service, EventsConfig.defaults(), config.retryAfterSeconds(), ""));
    }

    public App(TaskService service, WebConfig config, EventStreams events) {
        this.service = Objects.requireNonNull(service);
        this.config = Objects.requireNonNull(config);
        this.pending = new Pending(config.maxHeldWaits());
        this.events = Objects.requireNonNull(events);
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

    /**
     * The event streams ({@code GET /tasks/{id}/events}, {@code GET /events}): how many are open
     * ({@link EventStreams#openStreams()}), their bound, the bytes they hold for slow clients.
     */
    public EventStreams events() {
        return events;
    }

    public static App from(ServletContext context) {
        Object app = context.getAttribute(ATTRIBUTE);
        if (!(app instanceof App a)) {
            throw new IllegalStateException("asyncreply did not start; see the log of " + AppLifecycle.class.getName());
        }
        return a;
    }
}
