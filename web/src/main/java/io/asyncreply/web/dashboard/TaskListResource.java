package io.asyncreply.web.dashboard;

import io.asyncreply.engine.TaskService;
import io.asyncreply.task.Limits;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.web.auth.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /dashboard/api/tasks?status=&type=&owner=&limit=&cursor=}: a page of tasks, newest
 * first, filtered (each filter reads an index of the store); {@code GET /dashboard/api/search?q=&owner=}:
 * the task with id {@code q} and the one holding idempotency key {@code q} of {@code owner} (keys
 * are unique per owner; no owner: the anonymous one).
 */
@Path("dashboard/api")
public final class TaskListResource {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 100;
    /** Tasks read from the store at a time: a page never holds more than this many tasks' results at once. */
    static final int CHUNK = 25;

    private final TaskService service;

    TaskListResource(TaskService service) {
        this.service = service;
    }

    @GET
    @Path("tasks")
    public Response list(@QueryParam("status") String status, @QueryParam("type") String type,
            @QueryParam("owner") String owner, @QueryParam("limit") String limit, @QueryParam("cursor") String cursor,
            @Context UriInfo uri, @Context HttpServletRequest request) {
        TaskStatus s = null;
        if (blankToNull(status) != null) {
            try {
                s = TaskStatus.valueOf(status.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return Answers.bad("status must be one of QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED.");
            }
        }
        String t = blankToNull(type);
        if (t != null && !Limits.isTypeName(t)) {
            return Answers.bad("type is not a task type name.");
        }
        String o = blankToNull(owner);
        if (o != null && o.length() > Limits.MAX_OWNER_LENGTH) {
            return Answers.bad("owner is longer than " + Limits.MAX_OWNER_LENGTH + " characters.");
        }
        String scope = Caller.of(request).readScope();
        if (scope != null) { // not an operator: cannot happen behind DashboardFilter, kept as a second wall
            o = scope;
        }
        int n = DEFAULT_LIMIT;
        if (blankToNull(limit) != null) {
            try {
                n = Integer.parseInt(limit.trim());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > MAX_LIMIT) {
                return Answers.bad("limit must be a whole number from 1 to " + MAX_LIMIT + ".");
            }
        }
        List<Task> items = new ArrayList<>();
        String at = blankToNull(cursor);
        try {
            while (true) {
                TaskPage chunk = service.list(new TaskQuery(s, t, o, Math.min(n - items.size(), CHUNK), at));
                items.addAll(chunk.items());
                at = chunk.next();
                if (at == null || items.size() >= n) {
                    break;
                }
            }
        } catch (IllegalArgumentException e) {
            return Answers.problem(400, "invalid-cursor", "Bad Request",
                    "cursor is not one this server gave out; start again without it.");
        }
        String next = at;
        String base = Answers.contextPath(uri);
        return Answers.json(200, DashboardJson.of(g -> {
            g.writeStartObject();
            DashboardJson.tasks(g, "items", items, base);
            g.writeStringField("next", next);
            g.writeEndObject();
        }));
    }

    @GET
    @Path("search")
    public Response search(@QueryParam("q") String q, @QueryParam("owner") String owner, @Context UriInfo uri,
            @Context HttpServletRequest request) {
        String query = blankToNull(q);
        if (query == null) {
            return Answers.bad("q must be a task id or an idempotency key.");
        }
        String scope = Caller.of(request).readScope();
        String keyOwner = scope != null ? scope : blankToNull(owner);
        List<Task> found = new ArrayList<>(2);
        service.find(query, scope).ifPresent(found::add);
        service.findByKey(query, keyOwner).filter(k -> found.stream().noneMatch(f -> f.id().equals(k.id())))
                .ifPresent(found::add);
        String base = Answers.contextPath(uri);
        return Answers.json(200, DashboardJson.of(g -> {
            g.writeStartObject();
            DashboardJson.tasks(g, "items", found, base);
            g.writeEndObject();
        }));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
