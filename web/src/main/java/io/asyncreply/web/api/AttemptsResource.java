package io.asyncreply.web.api;

import io.asyncreply.task.Attempt;
import io.asyncreply.web.auth.Caller;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.json.AdminJson;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /tasks/{id}/attempts}: every attempt of a task, oldest first, as its event log tells
 * them (at most the latest {@link io.asyncreply.engine.TaskService#MAX_ATTEMPTS_LISTED}). Owners as
 * for the task: another owner's task is 404.
 */
@Path("tasks/{id}/attempts")
public final class AttemptsResource {
    private final App app;

    AttemptsResource(App app) {
        this.app = app;
    }

    @GET
    public Response attempts(@PathParam("id") String id, @Context HttpServletRequest servlet) {
        Optional<List<Attempt>> attempts = app.service().attempts(id, Caller.of(servlet).readScope());
        if (attempts.isEmpty()) {
            return TaskResource.unknown(id);
        }
        return Response.ok(AdminJson.attempts(attempts.get()), "application/json").cacheControl(TaskResource.NO_STORE)
                .build();
    }
}
