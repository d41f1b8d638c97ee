package io.asyncreply.web.boot;

import io.asyncreply.engine.TaskService;
import io.asyncreply.handlers.Builtins;
import io.asyncreply.web.config.EventsConfig;
import io.asyncreply.web.config.Settings;
import io.asyncreply.web.config.WebConfig;
import io.asyncreply.web.events.EventStreams;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.lang.System.Logger.Level;
import java.time.Duration;

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
        EventsConfig eventsConfig = EventsConfig.from(settings);
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
            if (config.builtins()) {
                b.handlers(Builtins.all());
            }
            b.discoverHandlers(Thread.currentThread().getContextClassLoader());
            TaskService service = b.build();
            EventStreams events;
            try {
                // from the start: the hub follows the event log from the service's first moment
                events = new EventStreams(service, eventsConfig, config.retryAfterSeconds(), ctx.getContextPath());
            } catch (RuntimeException e) {
                service.shutdown(config.shutdownGrace());
                throw e;
            }
            ctx.setAttribute(EventStreams.ATTRIBUTE, events);
            ctx.setAttribute(App.ATTRIBUTE, new App(service, config, events));
            LOG.log(Level.INFO, "asyncreply started: store {0}, {1} workers, queue capacity {2}, task types {3}, node {4}",
                    store.description(), config.workers(), config.queueCapacity(), service.types(), service.nodeId());
        } catch (RuntimeException e) {
            store.close();
            Stores.deregisterDrivers();
            throw e;
        }
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
        Duration grace = app.config().shutdownGrace();
        app.service().shutdown(grace);
        Stores.close(app.service().store());
        Stores.deregisterDrivers();
        LOG.log(Level.INFO, "asyncreply stopped");
    }
}
