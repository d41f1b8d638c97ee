package io.asyncreply.web.api;

import io.asyncreply.task.Health;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.json.Problem;
import io.asyncreply.web.json.TaskJson;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /health}: 200 UP, or 503 DOWN while the store cannot be reached or during shutdown.
 * The probes: {@code GET /health/live}, 200 whenever the application answers (a liveness probe:
 * restart when it fails); {@code GET /health/ready}, 200 when the store answers and the service
 * accepts work (not shutting down, queue not full), else 503 problem+json saying which (a
 * readiness probe: send no traffic meanwhile). Neither needs credentials.
 */
@Path("health")
public final class HealthResource {
    /** The answer of {@code /health/live}: nothing to compute, nothing that can fail. */
    private static final byte[] LIVE = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);

    private final App app;

    HealthResource(App app) {
        this.app = app;
    }

    @GET
    @Produces("application/json")
    public Response health() {
        Health h = app.service().health();
        return Response.status(h.isUp() ? 200 : 503).type("application/json").cacheControl(TaskResource.NO_STORE)
                .entity(TaskJson.health(h)).build();
    }

    @GET
    @Path("live")
    @Produces("application/json")
    public Response live() {
        return Response.ok(LIVE, "application/json").cacheControl(TaskResource.NO_STORE).build();
    }

    @GET
    @Path("ready")
    @Produces({"application/json", "application/problem+json"})
    public Response ready() {
        Health h = app.service().readiness();
        String why = !h.storeUp() ? "The task store is unreachable."
                : !h.accepting() ? "The service is shutting down."
                : h.queued() >= h.queueCapacity() ? "The queue is full (" + h.queued() + " of " + h.queueCapacity()
                        + " tasks)."
                : null;
        if (why != null) {
            return Response.fromResponse(ProblemMappers.response(new Problem(503, "not-ready", "Not Ready", why)))
                    .header("Retry-After", app.config().retryAfterSeconds()).cacheControl(TaskResource.NO_STORE)
                    .build();
        }
        return Response.ok(TaskJson.ready(h), "application/json").cacheControl(TaskResource.NO_STORE).build();
    }
}
