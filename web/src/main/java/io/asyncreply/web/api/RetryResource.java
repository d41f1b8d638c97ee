package io.asyncreply.web.api;

import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.web.auth.Caller;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.http.Links;
import io.asyncreply.web.http.Responses;
import io.asyncreply.web.json.Problem;
import io.asyncreply.web.json.TaskJson;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /tasks/{id}/retry}: a {@code FAILED} or {@code CANCELLED} task submitted again as a
 * new task (same type, payload, content type, owner, priority and callback; no idempotency key)
 * whose {@code retryOf} is the old one's id. Answered like a submission: 202 with the new task,
 * {@code Location}, {@code Operation-Location} and {@code Retry-After}. Owners retry their own
 * tasks, admins anyone's, viewers none (403); another owner's task is 404; a task in another state
 * 409 {@code not-retryable}; a callback the allow-list refuses now 400 {@code invalid-option} and a
 * full queue 503, as at submit.
 *
 * <p>The request thread waits for the store to confirm the new task (a group commit, milliseconds),
 * at most the read timeout; a store that does not confirm by then is 503 {@code outcome-unknown}.
 */
@Path("tasks/{id}/retry")
public final class RetryResource {
    private final App app;

    RetryResource(App app) {
        this.app = app;
    }

    @POST
    public Response retry(@PathParam("id") String id, @Context UriInfo uri, @Context HttpHeaders headers,
            @Context HttpServletRequest servlet) {
        Caller caller = Caller.of(servlet);
        if (!caller.mayAct()) {
            return TaskResource.forbidden("A viewer may read tasks but not retry them.");
        }
        Optional<CompletionStage<Submission>> started = app.service().retry(id, caller.actScope());
        if (started.isEmpty()) {
            return TaskResource.unknown(id);
        }
        Submission s;
        try {
            s = started.get().toCompletableFuture().get(app.config().readTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return outcomeUnknown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return outcomeUnknown();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re; // a StoreException is answered 503 by its mapper
            }
            throw new IllegalStateException("retrying a task failed", e.getCause());
        }
        if (s instanceof Submission.Rejected r) {
            Problem p = Responses.problemOf(r);
            Response.ResponseBuilder b = Response.fromResponse(ProblemMappers.response(p));
            if (p.status() == 503) {
                b.header("Retry-After", app.config().retryAfterSeconds());
            }
            return b.build();
        }
        Task task = ((Submission.Accepted) s).task();
        Links links = TaskResource.links(uri, headers, servlet, app.config().trustedProxies());
        return Response.status(202).type("application/json").cacheControl(TaskResource.NO_STORE)
                .header("Location", links.task(task.id()))
                .header("Operation-Location", links.operation(task.id()))
                .header("Retry-After", app.config().retryAfterSeconds())
                .entity(TaskJson.task(task, TaskResource.contextPath(uri), caller.isAdmin())).build();
    }

    private Response outcomeUnknown() {
        return Response.fromResponse(ProblemMappers.response(new Problem(503, "outcome-unknown",
                "Service Unavailable", "The task store did not confirm the new task in time: it may or may not have "
                        + "been queued. Look for it with GET /tasks before retrying again.")))
                .header("Retry-After", app.config().retryAfterSeconds()).build();
    }
}
