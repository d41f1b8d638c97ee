package io.asyncreply.web.dashboard;

import io.asyncreply.engine.TaskService;
import io.asyncreply.task.Attempt;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.web.auth.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code GET /dashboard/api/tasks/{id}}: what the task page shows: the task (state, progress,
 * error, a link to its result), its attempts from its event log, its payload's size, and which
 * actions the caller may take on it now.
 */
@Path("dashboard/api/tasks/{id}")
public final class TaskPageResource {
    private final TaskService service;

    TaskPageResource(TaskService service) {
        this.service = service;
    }

    @GET
    public Response task(@PathParam("id") String id, @Context UriInfo uri, @Context HttpServletRequest request) {
        Caller caller = Caller.of(request);
        String scope = caller.readScope();
        Optional<Task> found = service.find(id, scope);
        if (found.isEmpty()) {
            return Answers.notFound(id);
        }
        Task t = found.get();
        List<Attempt> attempts = service.attempts(id, scope).orElse(List.of());
        OptionalLong payload = service.payloadSize(id, scope);
        boolean admin = caller.isAdmin();
        String base = Answers.contextPath(uri);
        return Answers.json(200, DashboardJson.of(g -> {
            g.writeStartObject();
            g.writeFieldName("task");
            DashboardJson.task(g, t, base);
            if (payload.isPresent()) {
                g.writeNumberField("payloadSize", payload.getAsLong());
            }
            DashboardJson.attempts(g, attempts);
            g.writeObjectFieldStart("actions");
            g.writeBooleanField("cancel", admin && !t.isTerminal() && !t.cancelRequested());
            g.writeBooleanField("retry", admin && (t.status() == TaskStatus.FAILED
                    || t.status() == TaskStatus.CANCELLED));
            g.writeEndObject();
            g.writeEndObject();
        }));
    }
}
