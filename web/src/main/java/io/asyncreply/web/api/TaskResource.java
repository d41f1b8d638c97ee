package io.asyncreply.web.api;

import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.boot.Pending;
import io.asyncreply.web.http.Prefer;
import io.asyncreply.web.json.Problem;
import io.asyncreply.web.json.TaskJson;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code /tasks}: status (with long-poll), result, cancel and list. Thin: parse, call the
 * service, translate. Submissions are served by {@link io.asyncreply.web.intake.IntakeFilter}.
 */
@Path("tasks")
public final class TaskResource {
    static final CacheControl NO_STORE = new CacheControl();

    static {
        NO_STORE.setNoStore(true);
        NO_STORE.setNoTransform(false);
    }

    private final App app;

    TaskResource(App app) {
        this.app = app;
    }

    /**
     * {@code GET /tasks/{id}[?wait=N]}. With {@code wait}, the request is suspended (no thread
     * held) until the task is terminal or N seconds (capped) pass; the service's notifier resumes
     * it within milliseconds of the finish.
     */
    @GET
    @Path("{id}")
    public void status(@PathParam("id") String id, @QueryParam("wait") String wait, @Context UriInfo uri,
            @Suspended AsyncResponse async) {
        int seconds = waitSeconds(wait);
        String base = contextPath(uri);
        if (seconds == 0) {
            async.resume(taskOr404(app.service().find(id), id, base));
            return;
        }
        Pending.Answer answer = () -> async.resume(current(id, base));
        if (!app.pending().hold(answer)) {
            answer.now();
            return;
        }
        // A safety net behind the service's own timeout, which answers first.
        async.setTimeout(seconds + 5L, TimeUnit.SECONDS);
        async.setTimeoutHandler(r -> {
            app.pending().release(answer);
            r.resume(current(id, base));
        });
        app.service().awaitTerminal(id, Duration.ofSeconds(seconds)).whenComplete((t, failure) -> {
            app.pending().release(answer);
            if (failure != null) {
                async.resume(failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
            } else {
                async.resume(taskOr404(t, id, base));
            }
        });
    }

    private Response current(String id, String base) {
        try {
            return taskOr404(app.service().find(id), id, base);
        } catch (RuntimeException e) {
            return new ProblemMappers.StoreExceptionMapper().toResponse(
                    new io.asyncreply.store.StoreException("unavailable", e));
        }
    }

    /** {@code GET /tasks/{id}/result}: the raw result when SUCCEEDED; 409 before; 404 unknown. */
    @GET
    @Path("{id}/result")
    public Response result(@PathParam("id") String id) {
        Optional<Task> found = app.service().find(id);
        if (found.isEmpty()) {
            return unknown(id);
        }
        Task t = found.get();
        if (t.status() != TaskStatus.SUCCEEDED) {
            return ProblemMappers.response(new Problem(409, "no-result", "No Result",
                    "Task " + id + " is " + t.status() + "; a result exists only when it has SUCCEEDED."));
        }
        TaskResult r = t.result();
        return Response.ok(r.bytes(), r.contentType()).build();
    }

    /**
     * {@code POST /tasks/{type}} is served by {@link io.asyncreply.web.intake.IntakeFilter} and never
     * reaches Jersey; it is declared here so that {@code OPTIONS} and the {@code 405} of other
     * methods list POST in {@code Allow}. Only a POST the intake does not take comes here (a trailing
     * slash, {@code /tasks/echo/}): nothing is submitted at such a path.
     */
    @POST
    @Path("{id}") // the same template as GET and DELETE: Jersey then sees one resource with three methods
    public Response submitElsewhere() {
        return ProblemMappers.response(Problem.notFound("Nothing can be submitted at this path; submit with "
                + "POST /tasks/{type}, the type as the last path segment, without a trailing slash."));
    }

    /** {@code DELETE /tasks/{id}}: cancel; 202 with the task, 409 when already terminal, 404 unknown. */
    @DELETE
    @Path("{id}")
    public Response cancel(@PathParam("id") String id, @Context UriInfo uri) {
        CancelResult r = app.service().cancel(id);
        switch (r.outcome()) {
            case NOT_FOUND:
                return unknown(id);
            case ALREADY_FINISHED:
                return ProblemMappers.response(new Problem(409, "already-finished", "Already Finished",
                        "Task " + id + " is already " + r.task().status() + "; it can no longer be cancelled."));
            default:
                return Response.status(202).type("application/json").cacheControl(NO_STORE)
                        .entity(TaskJson.task(r.task(), contextPath(uri))).build();
        }
    }

    /** {@code GET /tasks?status=&type=&limit=&cursor=}: newest first. */
    @GET
    public Response list(@QueryParam("status") String status, @QueryParam("type") String type,
            @QueryParam("limit") String limit, @QueryParam("cursor") String cursor, @Context UriInfo uri) {
        TaskStatus s = null;
        if (status != null) {
            try {
                s = TaskStatus.valueOf(status.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return bad("invalid-parameter", "status must be one of QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED.");
            }
        }
        int n = TaskQuery.DEFAULT_LIMIT;
        if (limit != null) {
            try {
                n = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > TaskQuery.MAX_LIMIT) {
                return bad("invalid-parameter", "limit must be a whole number from 1 to " + TaskQuery.MAX_LIMIT + ".");
            }
        }
        if (type != null && type.isEmpty()) {
            return bad("invalid-parameter", "type must not be empty.");
        }
        if (cursor != null && cursor.isEmpty()) {
            return bad("invalid-parameter", "cursor must not be empty.");
        }
        try {
            return Response.ok(TaskJson.page(app.service().list(new TaskQuery(s, type, n, cursor)), contextPath(uri)),
                    "application/json").cacheControl(NO_STORE).build();
        } catch (IllegalArgumentException e) {
            return bad("invalid-parameter", "cursor is not one this server gave out.");
        }
    }

    private int waitSeconds(String wait) {
        if (wait == null) {
            return 0;
        }
        int n = Prefer.cappedSeconds(wait, app.config().waitCapSeconds());
        if (n < 0) {
            throw new jakarta.ws.rs.WebApplicationException(ProblemMappers.response(Problem.badRequest(
                    "invalid-parameter", "wait must be a whole number of seconds (at most "
                            + app.config().waitCapSeconds() + " are used).")));
        }
        return n;
    }

    private static Response taskOr404(Optional<Task> t, String id, String base) {
        return t.map(task -> Response.ok(TaskJson.task(task, base), "application/json").cacheControl(NO_STORE)
                .build()).orElseGet(() -> unknown(id));
    }

    private static Response unknown(String id) {
        return ProblemMappers.response(Problem.notFound("There is no task with id '" + id + "'."));
    }

    private static Response bad(String slug, String detail) {
        return ProblemMappers.response(Problem.badRequest(slug, detail));
    }

    /** The application's context path as seen by the client, without a trailing slash. */
    static String contextPath(UriInfo uri) {
        String p = uri.getBaseUri().getRawPath();
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
