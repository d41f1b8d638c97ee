package io.asyncreply.web.boot;

import io.asyncreply.engine.TaskService;
import io.asyncreply.handlers.Builtins;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TypePolicy;
import io.asyncreply.web.auth.AuthSettings;
import io.asyncreply.web.config.EventsConfig;
import io.asyncreply.web.config.Settings;
import io.asyncreply.web.config.TypePolicies;
import io.asyncreply.web.config.WebConfig;
import io.asyncreply.web.config.WebhooksConfig;
import io.asyncreply.web.events.EventStreams;
import io.asyncreply.web.metrics.Metrics;
import io.asyncreply.web.trace.TracedHandler;
import io.asyncreply.web.webhooks.Webhooks;
import io.asyncreply.webhooks.delivery.WebhookSettings;
import io.opentelemetry.api.GlobalOpenTelemetry;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * Starts the task service when the web application starts and stops it, with every thread and
 * pool it owns, when the application is undeployed. A configuration error, or a store that cannot
 * be opened, stops the deployment with a message naming the setting.
 */
public final class AppLifecycle implements ServletContextListener {
    private static final System.Logger LOG = System.getLogger(AppLifecycle.class.getName());

    /**
     * Starts the application, or fails the deployment with one ERROR line that says why.
     *
     * <p>Hazard: the container logs the exception as well, but as one of its own lines among many
     * (Jetty at WARN, with a long stack trace; Tomcat in {@code localhost.<date>.log}, while
     * {@code catalina.out} only says "startup failed due to previous errors"), and then serves its
     * own 503 or 404 pages. The line logged here is the one to look for.
     */
    @Override
    public void contextInitialized(ServletContextEvent event) {
        try {
            start(event.getServletContext());
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "asyncreply did not start: {0}", e.getMessage());
            throw e;
        }
    }

    private static void start(ServletContext ctx) {
        Settings settings = Settings.of(ctx::getInitParameter);
        WebConfig config = WebConfig.from(settings);
        AuthSettings.from(settings); // checked before anything starts; the authentication filter uses them
        Map<String, TaskHandler> handlers = handlers(config);
        Map<String, TypePolicy> policies = TypePolicies.from(settings, handlers, settingNames(ctx));
        EventsConfig eventsConfig = EventsConfig.from(settings);
        WebhookSettings webhookSettings = WebhooksConfig.from(settings);
        Stores.Opened store = Stores.open(config);
        try {
            TaskService.Builder b = TaskService.builder()
                    .store(store.store())
                    .workers(config.workers())
                    .queueCapacity(config.queueCapacity())
                    .retention(config.retention(), config.retainMaxTasks())
                    .leaseDuration(config.lease())
                    .maxAttempts(config.maxAttempts())
                    .shutdownGrace(config.shutdownGrace());
            if (config.nodeId() != null) {
                b.nodeId(config.nodeId());
            }
            Metrics metrics = new Metrics(handlers.keySet());
            // Each attempt in a span of the submitter's trace (a no-op without the agent or an SDK).
            b.handlers(TracedHandler.all(List.copyOf(handlers.values()), GlobalOpenTelemetry.get())).observer(metrics.observer());
            policies.forEach(b::policy);
            // built before the service: its admission asks it about every callback, a retried task's too
            Webhooks webhooks = new Webhooks(webhookSettings, store.store().webhooks());
            b.callbackCheck(webhooks::callbackRefusal);
            TaskService service = b.build();
            EventStreams events;
            try {
                // from the start: the hub follows the event log from the service's first moment
                events = new EventStreams(service, eventsConfig, config.retryAfterSeconds(), ctx.getContextPath());
            } catch (RuntimeException e) {
                service.shutdown(config.shutdownGrace());
                throw e;
            }
            metrics.start(service, config.metricsRefresh());
            webhooks.start(service, metrics, ctx.getContextPath());
            ctx.setAttribute(EventStreams.ATTRIBUTE, events);
            ctx.setAttribute(App.ATTRIBUTE, new App(service, config, metrics, events, webhooks));
            LOG.log(Level.INFO, "asyncreply started: store {0}, {1} workers, queue capacity {2}, task types {3}, node {4}",
                    store.description(), config.workers(), config.queueCapacity(), service.types(), service.nodeId());
            policies.forEach((type, p) -> LOG.log(Level.INFO, "task type {0}: {1}", type, p));
        } catch (RuntimeException e) {
            store.close();
            Stores.deregisterDrivers();
            throw e;
        }
    }

    /**
     * The handlers this node serves: the built-in ones (unless {@code asyncreply.builtins=false}),
     * then those {@link ServiceLoader} finds in the application. @throws IllegalArgumentException for
     * a bad or duplicate type name
     */
    private static Map<String, TaskHandler> handlers(WebConfig config) {
        List<TaskHandler> all = new ArrayList<>();
        if (config.builtins()) {
            all.addAll(Builtins.all());
        }
        ServiceLoader.load(TaskHandler.class, Thread.currentThread().getContextClassLoader()).forEach(all::add);
        Map<String, TaskHandler> byType = new LinkedHashMap<>();
        for (TaskHandler h : all) {
            TaskHandler before = byType.putIfAbsent(h.type(), h);
            if (before != null) {
                throw new IllegalArgumentException("two handlers for task type '" + h.type() + "': "
                        + before.getClass().getName() + " and " + h.getClass().getName());
            }
        }
        return byType;
    }

    /** The names of the settings given as context-params and system properties (environment variables cannot be named back). */
    private static Set<String> settingNames(ServletContext ctx) {
        Enumeration<String> params = ctx.getInitParameterNames(); // null from some embedders' contexts
        Set<String> names = new TreeSet<>(params == null ? List.of() : Collections.list(params));
        names.addAll(System.getProperties().stringPropertyNames());
        return names;
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        ServletContext ctx = event.getServletContext();
        Object o = ctx.getAttribute(App.ATTRIBUTE);
        if (!(o instanceof App app)) {
            return;
        }
        ctx.removeAttribute(App.ATTRIBUTE);
        ctx.removeAttribute(EventStreams.ATTRIBUTE);
        app.pending().answerAll();
        app.events().close(); // every stream told the server stops, and ended
        app.webhooks().close(); // deliveries in flight given back for another node or the next start
        Duration grace = app.config().shutdownGrace();
        app.service().shutdown(grace);
        app.metrics().close();
        Stores.close(app.service().store());
        Stores.deregisterDrivers();
        LOG.log(Level.INFO, "asyncreply stopped");
    }
}
