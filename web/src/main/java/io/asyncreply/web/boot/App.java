package io.asyncreply.web.boot;

import io.asyncreply.engine.TaskService;
import io.asyncreply.web.config.WebConfig;
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

    public App(TaskService service, WebConfig config) {
        this.service = Objects.requireNonNull(service);
        this.config = Objects.requireNonNull(config);
        this.pending = new Pending(config.maxHeldWaits());
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

    public static App from(ServletContext context) {
        Object app = context.getAttribute(ATTRIBUTE);
        if (!(app instanceof App a)) {
            throw new IllegalStateException("asyncreply did not start; see the log of " + AppLifecycle.class.getName());
        }
        return a;
    }
}
