package io.asyncreply.web.api;

import io.asyncreply.store.StoreException;
import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Limits;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.web.auth.Caller;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.boot.Pending;
import io.asyncreply.web.config.TrustedProxies;
import io.asyncreply.web.http.Links;
import io.asyncreply.web.http.Prefer;
import io.asyncreply.web.http.ResultMedia;
import io.asyncreply.web.json.OperationJson;
import io.asyncreply.web.json.Problem;
import io.asyncreply.web.json.TaskJson;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code /tasks}: status (with long-poll), operation status for LRO clients, result, cancel and
 * list. Thin: parse, call the service, translate. Submissions are served by
 * {@link io.asyncreply.web.intake.IntakeFilter}.
 *
 * <p>Owners: every read asks the service for the task of the caller's
 * {@linkplain Caller#readScope() read scope}, every cancel of its
 * {@linkplain Caller#actScope() act scope}, so that the owner is a condition of the store's query:
 * another owner's task is unknown (404), and a list holds only the caller's own tasks (all, for
 * admins and viewers). Viewers may not cancel (403). The {@code owner} of a task is shown to admins.
 */
@Path("tasks")
public final class TaskResource {
    static final CacheControl NO_STORE = new CacheControl();

    static {
        NO_STORE.setNoStore(true);
        NO_STORE.setNoTransform(false);
    }

    /** Tasks read from the store at a time for a list page (see {@link #readPage}). */
    static final int STORE_CHUNK = 32;

    private final App app;

    TaskResource(App app) {
        this.app = app;
    }

    /**
     * {@code GET /tasks/{id}[?wait=N]}. With {@code wait}, the request is suspended (no thread
     * held) until the task is terminal or N seconds (capped) pass; the service's notifier resumes
     * it within milliseconds of the finish. At most {@code asyncreply.wait.max-held} requests are
     * held at once (with those of {@code Prefer: wait}); beyond that the answer is 503.
     *
     * <p>Hazard: a client that goes away while held must not keep its request for the whole wait.
     * Where the container reports it ({@link ClientGone}), the request is dropped at once: released
     * from {@link Pending} and never resumed, since Jersey has completed it already.
     */
    @GET
    @Path("{id}")
    public void status(@PathParam("id") String id, @QueryParam("wait") String wait, @Context UriInfo uri,
            @Context HttpHeaders headers, @Context HttpServletRequest servlet, @Suspended AsyncResponse async) {
        int seconds = waitSeconds(wait);
        String base = contextPath(uri);
        Caller caller = Caller.of(servlet);
        if (seconds == 0) {
            async.resume(taskOr404(app.service().find(id, caller.readScope()), id, base, caller));
            return;
        }
        AtomicBoolean gone = new AtomicBoolean();
        Pending.Answer answer = () -> {
            if (!gone.get()) {
                async.resume(current(id, base, caller));
            }
        };
        switch (app.pending().admit(answer)) {
            case CLOSED -> {
                answer.now();
                return;
            }
            case FULL -> {
                async.resume(tooManyWaiting());
                return;
            }
            default -> {
                // held: answered below, at the latest when the wait ends
            }
        }
        CompletableFuture<Optional<Task>> done = app.service().awaitTerminal(id, caller.readScope(),
                Duration.ofSeconds(seconds)).toCompletableFuture();
        ClientGone.onClientGone(servlet, () -> {
            gone.set(true);
            app.pending().release(answer);
        });
        // A safety net behind the service's own timeout, which answers first.
        async.setTimeout(seconds + 5L, TimeUnit.SECONDS);
        async.setTimeoutHandler(r -> {
            app.pending().release(answer);
            if (gone.get()) {
                r.cancel();
            } else {
                r.resume(current(id, base, caller));
            }
        });
        done.whenComplete((t, failure) -> {
            app.pending().release(answer);
            if (gone.get()) {
                return;
            }
            if (failure != null) {
                async.resume(failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
            } else {
                async.resume(taskOr404(t, id, base, caller));
            }
        });
    }

    private Response current(String id, String base, Caller caller) {
        try {
            return taskOr404(app.service().find(id, caller.readScope()), id, base, caller);
        } catch (RuntimeException e) {
            return new ProblemMappers.StoreExceptionMapper().toResponse(new StoreException("unavailable", e));
        }
    }

    private Response tooManyWaiting() {
        return Response.fromResponse(ProblemMappers.response(new Problem(503, "too-many-waiting",
                "Service Unavailable", "Too many requests are waiting for tasks (at most " + app.pending().max()
                        + "); poll without wait, or try again later."))).header("Retry-After",
                app.config().retryAfterSeconds()).build();
    }

    /**
     * {@code GET /tasks/{id}/operation}: the task as a long-running operation in the shape of the
     * Azure REST API guidelines, for generic LRO clients; see {@link OperationJson}.
     */
    @GET
    @Path("{id}/operation")
    public Response operation(@PathParam("id") String id, @Context UriInfo uri, @Context HttpHeaders headers,
            @Context HttpServletRequest servlet) {
        Optional<Task> found = app.service().find(id, Caller.of(servlet).readScope());
        if (found.isEmpty()) {
            return unknown(id);
        }
        Task t = found.get();
        Response.ResponseBuilder b = Response.ok(OperationJson.operation(t, links(uri, headers, servlet).result(id)),
                "application/json").cacheControl(NO_STORE);
        if (!t.isTerminal()) {
            b.header("Retry-After", app.config().retryAfterSeconds());
        }
        return b.build();
    }

    /**
     * {@code GET /tasks/{id}/result}: the raw result when SUCCEEDED; 409 before; 404 unknown.
     * Served as {@link ResultMedia} says: a content type that is not a media type as
     * {@code application/octet-stream}, every result with {@code nosniff}, active types sandboxed
     * and as attachments.
     */
    @GET
    @Path("{id}/result")
    public Response result(@PathParam("id") String id, @Context HttpServletRequest servlet) {
        Optional<Task> found = app.service().find(id, Caller.of(servlet).readScope());
        if (found.isEmpty()) {
            return unknown(id);
        }
        Task t = found.get();
        if (t.status() != TaskStatus.SUCCEEDED) {
            return ProblemMappers.response(new Problem(409, "no-result", "No Result",
                    "Task " + id + " is " + t.status() + "; a result exists only when it has SUCCEEDED."));
        }
        TaskResult r = t.result();
        ResultMedia media = ResultMedia.of(r.contentType());
        MediaType type;
        try {
            type = MediaType.valueOf(media.contentType());
        } catch (IllegalArgumentException e) { // well-formed, yet not to Jersey's taste
            media = ResultMedia.of(ResultMedia.OCTET_STREAM);
            type = MediaType.APPLICATION_OCTET_STREAM_TYPE;
        }
        Response.ResponseBuilder b = Response.ok(r.bytes(), type).header("X-Content-Type-Options", "nosniff");
        if (media.active()) {
            b.header("Content-Security-Policy", ResultMedia.SANDBOX).header("Content-Disposition", "attachment");
        }
        return b.build();
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

    /**
     * {@code DELETE /tasks/{id}}: cancel; 202 with the task (and, like every 202 about a task,
     * {@code Retry-After} and {@code Operation-Location}), 409 when already terminal, 404 unknown.
     */
    @DELETE
    @Path("{id}")
    public Response cancel(@PathParam("id") String id, @Context UriInfo uri, @Context HttpHeaders headers,
            @Context HttpServletRequest servlet) {
        Caller caller = Caller.of(servlet);
        if (!caller.mayAct()) {
            return forbidden("A viewer may read tasks but not cancel them.");
        }
        CancelResult r = app.service().cancel(id, caller.actScope());
        switch (r.outcome()) {
            case NOT_FOUND:
                return unknown(id);
            case ALREADY_FINISHED:
                return ProblemMappers.response(new Problem(409, "already-finished", "Already Finished",
                        "Task " + id + " is already " + r.task().status() + "; it can no longer be cancelled."));
            default:
                return Response.status(202).type("application/json").cacheControl(NO_STORE)
                        .header("Retry-After", app.config().retryAfterSeconds())
                        .header("Operation-Location", links(uri, headers, servlet).operation(id))
                        .entity(TaskJson.task(r.task(), contextPath(uri), caller.isAdmin())).build();
        }
    }

    /**
     * {@code GET /tasks?status=&type=&owner=&limit=&cursor=}: newest first; the caller's own tasks,
     * or every owner's for admins and viewers, who may filter by {@code owner}. The cursor is sealed
     * with the owner filter applied, so a user's cursor never opens another owner's list.
     */
    @GET
    public Response list(@QueryParam("status") String status, @QueryParam("type") String type,
            @QueryParam("owner") String ownerFilter, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor, @Context UriInfo uri, @Context HttpServletRequest servlet) {
        Caller caller = Caller.of(servlet);
        String owner = caller.readScope();
        if (ownerFilter != null) {
            if (ownerFilter.isEmpty()) {
                return bad("invalid-parameter", "owner must not be empty.");
            }
            if (owner != null && !owner.equals(ownerFilter)) {
                return forbidden("Only admins and viewers may list another owner's tasks.");
            }
            owner = ownerFilter;
        }
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
        String storeCursor = null;
        if (cursor != null) {
            if (cursor.isEmpty()) {
                return bad("invalid-parameter", "cursor must not be empty.");
            }
            try {
                storeCursor = Cursors.open(cursor, s, type, owner);
            } catch (IllegalArgumentException e) {
                return bad("invalid-cursor", "cursor is not one this server gave out for these filters (status, "
                        + "type); start again without a cursor.");
            }
        }
        if (type != null && !Limits.isTypeName(type)) { // TaskQuery would refuse it
            return bad("invalid-parameter", "type must be a task type name: 1 to 100 of A-Z a-z 0-9 . _ -, "
                    + "beginning with a letter or digit.");
        }
        TaskJson.PageWriter page = new TaskJson.PageWriter(contextPath(uri), caller.isAdmin());
        String next;
        try {
            next = readPage(s, type, owner, n, storeCursor, page);
        } catch (IllegalArgumentException e) { // the store's cursor check: ours passed, so not from us
            return bad("invalid-cursor", "cursor is not one this server gave out; start again without a cursor.");
        }
        return Response.ok(page.finish(next == null ? null : Cursors.seal(next, s, type, owner)), "application/json")
                .cacheControl(NO_STORE).build();
    }

    /**
     * Reads up to {@code limit} tasks into {@code page}, {@link #STORE_CHUNK} at a time, and returns
     * the store's cursor after them (null when there are no more).
     *
     * <p>Hazard: a store reads the result of every task that may be inlined (JSON up to 256 KiB)
     * with the page; one read of 500 such tasks held 125 MiB, and six at once ran a 256 MiB server
     * out of memory. In chunks, a page holds at most one chunk of tasks besides what it has written.
     * The chunks follow each other like pages: a task that changes between two reads is shown as
     * the read that meets it finds it, as with any cursor.
     */
    private String readPage(TaskStatus s, String type, String owner, int limit, String cursor,
            TaskJson.PageWriter page) {
        String at = cursor;
        int left = limit;
        while (true) {
            TaskPage chunk = app.service().list(new TaskQuery(s, type, owner, Math.min(left, STORE_CHUNK), at));
            chunk.items().forEach(page::add);
            left -= chunk.items().size();
            at = chunk.next();
            if (at == null || left <= 0) {
                return at;
            }
        }
    }

    private int waitSeconds(String wait) {
        if (wait == null) {
            return 0;
        }
        int n = Prefer.cappedSeconds(wait, app.config().waitCapSeconds());
        if (n < 0) {
            throw new WebApplicationException(ProblemMappers.response(Problem.badRequest(
                    "invalid-parameter", "wait must be a whole number of seconds (at most "
                            + app.config().waitCapSeconds() + " are used).")));
        }
        return n;
    }

    /** 200 with the task; a task not yet terminal also carries {@code Retry-After}. */
    private Response taskOr404(Optional<Task> t, String id, String base, Caller caller) {
        if (t.isEmpty()) {
            return unknown(id);
        }
        Task task = t.get();
        Response.ResponseBuilder b = Response.ok(TaskJson.task(task, base, caller.isAdmin()), "application/json")
                .cacheControl(NO_STORE);
        if (!task.isTerminal()) {
            b.header("Retry-After", app.config().retryAfterSeconds());
        }
        return b.build();
    }

    static Response unknown(String id) {
        return ProblemMappers.response(Problem.notFound("There is no task with id '" + id + "'."));
    }

    static Response forbidden(String detail) {
        return ProblemMappers.response(Problem.forbidden(detail));
    }

    static Response bad(String slug, String detail) {
        return ProblemMappers.response(Problem.badRequest(slug, detail));
    }

    /** The absolute URLs of this request's application, forwarded by a trusted proxy or not. */
    private Links links(UriInfo uri, HttpHeaders headers, HttpServletRequest servlet) {
        return links(uri, headers, servlet, app.config().trustedProxies());
    }

    /** The absolute URLs of this request's application, forwarded by a {@code trusted} proxy or not. */
    static Links links(UriInfo uri, HttpHeaders headers, HttpServletRequest servlet, TrustedProxies trusted) {
        URI base = uri.getBaseUri();
        String remote = ClientGone.remoteAddr(servlet);
        return Links.of(base.getScheme(), base.getHost(), base.getPort(), contextPath(uri), remote, name -> {
            List<String> v = headers.getRequestHeader(name);
            return v == null ? List.of() : v;
        }, trusted);
    }

    /** The application's context path as seen by the client, without a trailing slash. */
    static String contextPath(UriInfo uri) {
        String p = uri.getBaseUri().getRawPath();
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
