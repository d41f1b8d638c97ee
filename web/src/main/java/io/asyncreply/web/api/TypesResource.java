package io.asyncreply.web.api;

import io.asyncreply.task.Limits;
import io.asyncreply.task.RetryPolicy;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TypeInfo;
import io.asyncreply.web.auth.Caller;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.json.AdminJson;
import io.asyncreply.web.json.Problem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.util.function.Function;

/**
 * {@code /types}: the task types of the cluster, and pausing them.
 * <ul>
 * <li>{@code GET /types} (admins and viewers): every type a live node serves, and every type with
 * queued or running tasks or paused (also one nobody serves: its tasks wait), with counts, the
 * nodes that serve it and this node's policy of it ({@code null} when this node does not serve
 * it);</li>
 * <li>{@code POST /types/{type}/pause} and {@code /resume} (admins): claims of the type stop, or
 * start again, on every node sharing the store; its tasks are still accepted. 200 with the type. A
 * type no node serves yet may be paused too (before a rolling upgrade brings it).</li>
 * </ul>
 */
@Path("types")
public final class TypesResource {
    private final App app;

    TypesResource(App app) {
        this.app = app;
    }

    @GET
    public Response types(@Context HttpServletRequest servlet) {
        if (!Caller.of(servlet).isOperator()) {
            return TaskResource.forbidden("Only admins and viewers may see the task types of every owner.");
        }
        return Response.ok(AdminJson.types(app.service().typeInfos(), retryPolicies()), "application/json")
                .cacheControl(TaskResource.NO_STORE).build();
    }

    @POST
    @Path("{type}/pause")
    public Response pause(@PathParam("type") String type, @Context HttpServletRequest servlet) {
        return setPaused(type, true, servlet);
    }

    @POST
    @Path("{type}/resume")
    public Response resume(@PathParam("type") String type, @Context HttpServletRequest servlet) {
        return setPaused(type, false, servlet);
    }

    private Response setPaused(String type, boolean paused, HttpServletRequest servlet) {
        if (!Caller.of(servlet).isAdmin()) {
            return TaskResource.forbidden("Only admins may pause and resume task types.");
        }
        if (!Limits.isTypeName(type)) {
            return ProblemMappers.response(new Problem(404, "unknown-task-type", "Unknown Task Type",
                    "'" + type + "' is not a task type name."));
        }
        try {
            if (paused) {
                app.service().pause(type);
            } else {
                app.service().resume(type);
            }
        } catch (UnsupportedOperationException e) {
            return ProblemMappers.response(new Problem(501, "not-supported", "Not Implemented",
                    "This server's task store cannot pause task types."));
        }
        TypeInfo info = app.service().typeInfos().stream().filter(t -> t.type().equals(type)).findFirst()
                .orElseGet(() -> new TypeInfo(type, 0, 0, paused, java.util.List.of(), null));
        return Response.ok(AdminJson.type(info, retryPolicies()), "application/json")
                .cacheControl(TaskResource.NO_STORE).build();
    }

    /** The handler's retry policy of a type this node serves. */
    private Function<String, RetryPolicy> retryPolicies() {
        return type -> app.service().handler(type).map(TaskHandler::retryPolicy).orElse(null);
    }
}
