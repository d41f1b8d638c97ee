package io.asyncreply.web.api;

import io.asyncreply.web.auth.Caller;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.json.Problem;
import io.asyncreply.web.metrics.Metrics;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /metrics}: every meter in the Prometheus text format (version 0.0.4), whatever the
 * request's {@code Accept} (Prometheus asks for OpenMetrics first and takes this). With
 * authentication on, admins only, unless {@code asyncreply.metrics.public=true}. A scrape reads
 * values already in memory: it never queries the store.
 */
@Path("metrics")
public final class MetricsResource {
    private final App app;

    MetricsResource(App app) {
        this.app = app;
    }

    @GET
    public Response scrape(@Context HttpServletRequest request) {
        // No caller: a path made public (asyncreply.auth.public) reached without credentials.
        if (!app.config().metricsPublic() && !Caller.find(request).map(Caller::isAdmin).orElse(false)) {
            return ProblemMappers.response(new Problem(403, "forbidden", "Forbidden",
                    "The metrics are for admins (or set asyncreply.metrics.public=true)."));
        }
        return Response.ok(app.metrics().scrape(), Metrics.CONTENT_TYPE).cacheControl(TaskResource.NO_STORE).build();
    }
}
