package io.asyncreply.web.api;

import io.asyncreply.task.Limits;
import io.asyncreply.web.auth.Caller;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.json.AdminJson;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;

/**
 * {@code DELETE /tasks?status=QUEUED[&type=][&owner=]} (admins): cancels every queued task of the
 * type (every type without one) and of the owner (every owner without one), oldest first, and
 * answers {@code 200 {"cancelled": N}}. {@code status} is required and must be {@code QUEUED}: a
 * running task is cancelled one at a time ({@code DELETE /tasks/{id}}).
 *
 * <p>Bounded: tasks are cancelled {@value #CHUNK} per store transaction, for at most as many
 * chunks as the queue can hold plus one, so tasks submitted while it runs cannot keep it going.
 */
@Path("tasks")
public final class BulkCancelResource {
    static final int CHUNK = 1000;

    private final App app;

    BulkCancelResource(App app) {
        this.app = app;
    }

    @DELETE
    public Response cancelQueued(@QueryParam("status") String status, @QueryParam("type") String type,
            @QueryParam("owner") String owner, @Context HttpServletRequest servlet) {
        if (!Caller.of(servlet).isAdmin()) {
            return TaskResource.forbidden("Only admins may cancel tasks in bulk.");
        }
        if (status == null || !status.equalsIgnoreCase("QUEUED")) {
            return TaskResource.bad("invalid-parameter", "status=QUEUED is required: only queued tasks are "
                    + "cancelled in bulk; cancel a running task with DELETE /tasks/{id}.");
        }
        if (type != null && !Limits.isTypeName(type)) {
            return TaskResource.bad("invalid-parameter", "type must be a task type name: 1 to 100 of A-Z a-z 0-9 . _ "
                    + "-, beginning with a letter or digit.");
        }
        if (owner != null && owner.isEmpty()) {
            return TaskResource.bad("invalid-parameter", "owner must not be empty.");
        }
        long chunks = app.config().queueCapacity() / CHUNK + 2;
        long cancelled = 0;
        for (long i = 0; i < chunks; i++) {
            int n = app.service().cancelQueued(type, owner, CHUNK);
            cancelled += n;
            if (n < CHUNK) {
                break;
            }
        }
        return Response.ok(AdminJson.cancelled(cancelled), "application/json").cacheControl(TaskResource.NO_STORE)
                .build();
    }
}
