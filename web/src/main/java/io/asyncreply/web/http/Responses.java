package io.asyncreply.web.http;

import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.web.config.TrustedProxies;
import io.asyncreply.web.json.Problem;
import io.asyncreply.web.json.TaskJson;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Answers written by the servlet layer (intake, errors), in the same shapes as Jersey's. */
public final class Responses {
    private Responses() {
    }

    /** A complete answer, ready to be written once. */
    public interface Answer {
        void writeTo(HttpServletResponse response) throws IOException;
    }

    public static Answer problem(int status, String slug, String title, String detail, boolean closeConnection) {
        return problem(new Problem(status, slug, title, detail), closeConnection, -1);
    }

    public static Answer problem(Problem p, boolean closeConnection, int retryAfterSeconds) {
        byte[] body = p.toJson();
        return r -> {
            r.setStatus(p.status());
            if (closeConnection) {
                r.setHeader("Connection", "close");
            }
            if (retryAfterSeconds > 0) {
                r.setHeader("Retry-After", Integer.toString(retryAfterSeconds));
            }
            write(r, Problem.MEDIA_TYPE, body);
        };
    }

    /**
     * The 413 for a payload over {@code max} bytes, with {@code Connection: close}; {@code declared}
     * is its declared length, or -1 when it was counted while reading.
     */
    public static Answer tooLarge(long declared, long max) {
        return problem(413, "payload-too-large", "Content Too Large", "The payload"
                + (declared >= 0 ? " of " + declared + " bytes" : "") + " is larger than the limit of " + max
                + " bytes; nothing was queued.", true);
    }

    /** The answer to a rejected submission. */
    public static Answer rejected(Submission.Rejected s, int retryAfterSeconds) {
        Problem p = problemOf(s);
        return problem(p, false, p.status() == 503 ? retryAfterSeconds : -1);
    }

    /** The problem that answers a rejected submission (a 503 also carries {@code Retry-After}). */
    public static Problem problemOf(Submission.Rejected s) {
        return switch (s.reason()) {
            case UNKNOWN_TYPE -> new Problem(404, "unknown-task-type", "Unknown Task Type", s.detail());
            case INVALID_IDEMPOTENCY_KEY -> Problem.badRequest("invalid-idempotency-key", s.detail());
            case UNSUPPORTED_CONTENT_TYPE -> new Problem(415, "unsupported-media-type", "Unsupported Media Type",
                    s.detail());
            case INVALID_PAYLOAD -> Problem.badRequest("invalid-payload", s.detail());
            case INVALID_OPTION -> Problem.badRequest("invalid-option", s.detail());
            case IDEMPOTENCY_CONFLICT -> new Problem(422, "idempotency-key-reused", "Idempotency Key Reused",
                    s.detail());
            case QUEUE_FULL -> new Problem(503, "queue-full", "Queue Full", s.detail());
            case SHUTTING_DOWN -> new Problem(503, "shutting-down", "Service Unavailable", s.detail());
            case STORE_UNAVAILABLE -> new Problem(503, "store-unavailable", "Service Unavailable", s.detail());
            case NOT_RETRYABLE -> new Problem(409, "not-retryable", "Not Retryable", s.detail());
        };
    }

    /**
     * The answer to an accepted submission: {@code 202} with {@code Retry-After} while the task is
     * not terminal; {@code 200} with the final JSON when it is ({@code Prefer: wait} satisfied, or a
     * replay of a finished task), with {@code Preference-Applied} when {@code appliedWait >= 0}.
     * Both carry {@code Location} (the task) and {@code Operation-Location} (its operation status,
     * for generic LRO clients) as absolute URLs built from the request, and from the forwarding
     * headers of a {@code trusted} proxy ({@link Links}).
     */
    public static Answer accepted(HttpServletRequest request, TrustedProxies trusted, Task task, boolean replayed,
            int retryAfterSeconds, int appliedWait) {
        return accepted(request, trusted, false, task, replayed, retryAfterSeconds, appliedWait);
    }

    /** {@link #accepted(HttpServletRequest, TrustedProxies, Task, boolean, int, int)}, with the owner for admins. */
    public static Answer accepted(HttpServletRequest request, TrustedProxies trusted, boolean showOwner, Task task,
            boolean replayed, int retryAfterSeconds, int appliedWait) {
        byte[] body = TaskJson.task(task, request.getContextPath(), showOwner);
        Links links = Links.of(request, trusted);
        String location = links.task(task.id());
        String operation = links.operation(task.id());
        return r -> {
            r.setHeader("Location", location);
            r.setHeader("Operation-Location", operation);
            if (replayed) {
                r.setHeader("Idempotent-Replayed", "true");
            }
            if (task.isTerminal()) {
                r.setStatus(200);
                if (appliedWait >= 0) {
                    r.setHeader("Preference-Applied", "wait=" + appliedWait);
                }
            } else {
                r.setStatus(202);
                r.setHeader("Retry-After", Integer.toString(retryAfterSeconds));
            }
            write(r, "application/json", body);
        };
    }

    private static void write(HttpServletResponse r, String contentType, byte[] body) throws IOException {
        r.setContentType(contentType);
        r.setContentLength(body.length);
        r.getOutputStream().write(body);
    }
}
