package io.asyncreply.web.dashboard;

import io.asyncreply.engine.TaskService;
import io.asyncreply.task.Limits;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /dashboard/api/types/{type}/pause} and {@code .../resume}: an admin stops or restarts
 * claims of a type on every node (its tasks are still accepted and queue). Viewers get {@code 403}.
 */
@Path("dashboard/api/types/{type}")
public final class TypeActionResource {
    private final TaskService service;
    private final Runnable changed;

    /** {@code changed}: told after each pause or resume (the overview's cache forgets). */
    TypeActionResource(TaskService service, Runnable changed) {
        this.service = service;
        this.changed = changed;
    }

    @POST
    @Path("pause")
    public Response pause(@PathParam("type") String type, @Context HttpServletRequest request) {
        return set(type, true, request);
    }

    @POST
    @Path("resume")
    public Response resume(@PathParam("type") String type, @Context HttpServletRequest request) {
        return set(type, false, request);
    }

    private Response set(String type, boolean paused, HttpServletRequest request) {
        Answers.admin(request);
        if (!Limits.isTypeName(type)) {
            return Answers.bad("type is not a task type name.");
        }
        try {
            if (paused) {
                service.pause(type);
            } else {
                service.resume(type);
            }
        } catch (UnsupportedOperationException e) {
            return Answers.problem(501, "not-supported", "Not Implemented", "This store cannot pause task types.");
        }
        changed.run();
        return Answers.json(200, DashboardJson.of(g -> {
            g.writeStartObject();
            g.writeStringField("type", type);
            g.writeBooleanField("paused", paused);
            g.writeEndObject();
        }));
    }
}
