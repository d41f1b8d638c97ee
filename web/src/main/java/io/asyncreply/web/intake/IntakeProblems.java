package io.asyncreply.web.intake;

import io.asyncreply.web.http.Responses;
import io.asyncreply.web.json.Problem;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The words of the refusals only the intake gives (the others come from
 * {@link io.asyncreply.engine.TaskService#precheck} and {@link Responses#rejected}). Each says
 * whether something may have been queued: "nothing was queued" only where that is certain.
 */
final class IntakeProblems {
    private static final int MAX_ECHOED = 100;

    private IntakeProblems() {
    }

    /** Our read timeout passed while the body was still arriving. */
    static Responses.Answer readTimeout(Duration readTimeout) {
        return Responses.problem(408, "request-timeout", "Request Timeout", "The payload did not arrive within "
                + seconds(readTimeout) + "; nothing was queued.", true);
    }

    /** Reading the body failed with {@code t}: {@link #stalled()} when a timeout caused it, else {@link #unreadable()}. */
    static Responses.Answer readFailed(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TimeoutException || c instanceof SocketTimeoutException) {
                return stalled();
            }
        }
        return unreadable();
    }

    /** The container's idle timeout ended a stalled upload (reported as an error). */
    static Responses.Answer stalled() {
        return Responses.problem(408, "request-timeout", "Request Timeout",
                "The payload stopped arriving and the connection timed out; nothing was queued.", true);
    }

    /** Reading the body failed (a broken chunked encoding, a reset). */
    static Responses.Answer unreadable() {
        return Responses.problem(400, "invalid-payload", "Bad Request",
                "The payload could not be read; nothing was queued.", true);
    }

    /** More bytes arrived than the Content-Length declared (a container frames by it, so only in theory). */
    static Responses.Answer longerThanDeclared() {
        return Responses.problem(400, "invalid-payload", "Bad Request",
                "The payload is longer than its Content-Length; nothing was queued.", true);
    }

    /** The uploads in progress hold all the memory the intake may use. */
    static Responses.Answer busy(int retryAfterSeconds) {
        return Responses.problem(new Problem(503, "intake-busy", "Service Unavailable",
                "The server is receiving as many payloads as it can hold at once; nothing was queued. "
                        + "Try again shortly."), false, retryAfterSeconds);
    }

    /**
     * The body was handed to the store, which has not answered (or the client's connection broke
     * meanwhile): the task may or may not be stored, and the client must not be told otherwise.
     */
    static Responses.Answer outcomeUnknown(int retryAfterSeconds) {
        return Responses.problem(new Problem(503, "outcome-unknown", "Service Unavailable",
                "The payload was received and handed to the task store, which did not confirm in time: the task "
                        + "may or may not have been queued. Retry with the same Idempotency-Key (a task already "
                        + "stored is then answered again, not queued twice), or look for it with GET /tasks."),
                false, retryAfterSeconds);
    }

    /** submit failed with an exception: a bug; the task may have been stored before it. */
    static Responses.Answer internal() {
        return Responses.problem(new Problem(500, "internal", "Internal Server Error",
                "The submission failed unexpectedly; the task may or may not have been queued. Look for it with "
                        + "GET /tasks, or retry with the same Idempotency-Key."), false, -1);
    }

    /** A transfer coding other than chunked (the payload would be stored still encoded). */
    static Responses.Answer unsupportedTransferCoding(String transferEncoding) {
        return Responses.problem(501, "unsupported-transfer-coding", "Not Implemented", "Transfer-Encoding '"
                + echo(transferEncoding) + "' is not supported; only chunked is. Nothing was queued.", true);
    }

    /** A Content-Type that is not a media type at all. */
    static Responses.Answer invalidContentType(String contentType) {
        return Responses.problem(400, "invalid-content-type", "Bad Request", "The Content-Type '" + echo(contentType)
                + "' is not a media type (type/subtype, then optional ;name=value parameters); nothing was queued.",
                false);
    }

    /** An option in the query string is not valid (its detail names it). */
    static Responses.Answer invalidOption(String detail) {
        return Responses.problem(400, "invalid-option", "Bad Request", detail + " Nothing was queued.", false);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** Client text in a detail: bounded (JSON escaping is the writer's). */
    private static String echo(String s) {
        if (s.length() <= MAX_ECHOED) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(MAX_ECHOED - 1)) ? MAX_ECHOED - 1 : MAX_ECHOED;
        return s.substring(0, end) + "...";
    }
}
