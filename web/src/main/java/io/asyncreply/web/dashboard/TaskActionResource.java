package io.asyncreply.web.dashboard;

import io.asyncreply.engine.TaskService;
import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Rejection;
import io.asyncreply.task.Submission;
import io.asyncreply.web.auth.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /dashboard/api/tasks/{id}/cancel} and {@code .../retry}: an admin's actions on one
 * task (viewers get {@code 403}). Cancel answers the task as it is after the request (a running one
 * is {@code RUNNING} with {@code cancelRequested} until its handler stops); retry submits a
 * {@code FAILED} or {@code CANCELLED} task again as a new task and answers that one.
 */
@Path("dashboard/api/tasks/{id}")
public final class TaskActionResource {
    /** Longest a retry waits for its new task to be stored before the request gives up. */
    static final long RETRY_TIMEOUT_SECONDS = 30;

    private final TaskService service;

    TaskActionResource(TaskService service) {
        this.service = service;
    }

    @POST
    @Path("cancel")
    public Response cancel(@PathParam("id") String id, @Context UriInfo uri, @Context HttpServletRequest request) {
        Caller caller = Answers.admin(request);
        CancelResult r = service.cancel(id, caller.actScope());
        return switch (r.outcome()) {
            case NOT_FOUND -> Answers.notFound(id);
            case ALREADY_FINISHED -> Answers.problem(409, "already-finished", "Already Finished",
                    "The task is already " + r.task().status() + "; it can no longer be cancelled.");
            default -> task(200, r, uri);
        };
    }

    private static Response task(int status, CancelResult r, UriInfo uri) {
        String base = Answers.contextPath(uri);
        return Answers.json(status, DashboardJson.of(g -> {
            g.writeStartObject();
            g.writeFieldName("task");
            DashboardJson.task(g, r.task(), base);
            g.writeEndObject();
        }));
    }

    /** Suspended without a thread until the new task is stored; at most {@link #RETRY_TIMEOUT_SECONDS}. */
    @POST
    @Path("retry")
    public void retry(@PathParam("id") String id, @Context UriInfo uri, @Context HttpServletRequest request,
            @Suspended AsyncResponse async) {
        Caller caller = Answers.admin(request);
        Optional<CompletionStage<Submission>> stage = service.retry(id, caller.actScope());
        if (stage.isEmpty()) {
            async.resume(Answers.notFound(id));
            return;
        }
        async.setTimeout(RETRY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        async.setTimeoutHandler(r -> r.resume(Answers.problem(503, "store-unavailable", "Service Unavailable",
                "The new task could not be stored in time; look for it in the list before trying again.")));
        String base = Answers.contextPath(uri);
        stage.get().whenComplete((s, failure) -> {
            if (failure != null) {
                async.resume(Answers.problem(503, "store-unavailable", "Service Unavailable",
                        "The task store is unavailable; try again later."));
            } else if (s instanceof Submission.Accepted a) {
                async.resume(Answers.json(202, DashboardJson.of(g -> {
                    g.writeStartObject();
                    g.writeFieldName("task");
                    DashboardJson.task(g, a.task(), base);
                    g.writeEndObject();
                })));
            } else {
                async.resume(refused((Submission.Rejected) s));
            }
        });
    }

    private static Response refused(Submission.Rejected r) {
        if (r.reason() == Rejection.NOT_RETRYABLE) {
            return Answers.problem(409, "not-retryable", "Conflict",
                    "Only a FAILED or CANCELLED task can be retried.");
        }
        if (r.reason() == Rejection.INVALID_OPTION) { // its callback is refused now
            return Answers.problem(400, "invalid-option", "Bad Request", r.detail());
        }
        if (r.reason() == Rejection.QUEUE_FULL || r.reason() == Rejection.SHUTTING_DOWN) {
            return Answers.problem(503, "queue-full", "Service Unavailable",
                    "The queue is full or the service is stopping; try again later.");
        }
        return Answers.problem(409, "not-retryable", "Conflict", "The task cannot be submitted again ("
                + r.reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ").");
    }
}
