package io.asyncreply.web.api;

import io.asyncreply.web.boot.App;
import io.asyncreply.web.dashboard.DashboardResources;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.core.Context;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.server.spi.AbstractContainerLifecycleListener;
import org.glassfish.jersey.server.spi.Container;

/**
 * The Jersey application: status, operation, result, cancel, list, long-poll, health, metrics, the
 * OpenAPI description, the admin API (types, pause and resume, retry, attempts, bulk cancel) and
 * the dashboard's API. Submissions never
 * reach it ({@link io.asyncreply.web.intake.IntakeFilter} answers them first).
 */
public final class ApiApplication extends ResourceConfig {

    /** For the WAR: finds the running service in the servlet context. */
    public ApiApplication(@Context ServletContext context) {
        this(App.from(context));
    }

    /** For tests and embedding: serves {@code app}. */
    ApiApplication(App app) {
        register(new TaskResource(app));
        register(new TypesResource(app));
        register(new RetryResource(app));
        register(new AttemptsResource(app));
        register(new BulkCancelResource(app));
        register(new WebhooksResource(app));
        register(new HealthResource(app));
        register(new MetricsResource(app));
        register(new OpenApiResource());
        DashboardResources.of(app.service()).forEach(this::register);
        register(ProblemMappers.WebApplicationExceptionMapper.class);
        register(ProblemMappers.StoreExceptionMapper.class);
        register(ProblemMappers.AnyExceptionMapper.class);
        register(new AbstractContainerLifecycleListener() {
            @Override
            public void onShutdown(Container container) {
                app.pending().answerAll(); // no suspended request outlives Jersey
            }
        });
        property(ServerProperties.WADL_FEATURE_DISABLE, true);
        property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
        property(ServerProperties.BV_FEATURE_DISABLE, true);
    }
}
