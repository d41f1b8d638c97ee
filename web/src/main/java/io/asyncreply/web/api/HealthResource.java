package io.asyncreply.web.api;

import io.asyncreply.task.Health;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.json.TaskJson;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;

/** {@code GET /health}: 200 UP, or 503 DOWN while the store cannot be reached or during shutdown. */
@Path("health")
public final class HealthResource {
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
}
