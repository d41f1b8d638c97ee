package io.asyncreply.web.events;

import io.asyncreply.events.EventFilter;
import io.asyncreply.events.Start;
import io.asyncreply.events.Subscription;
import io.asyncreply.store.StoreException;
import io.asyncreply.task.Limits;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.web.auth.Caller;
import io.asyncreply.web.http.Responses;
import io.asyncreply.web.json.Problem;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Serves the event streams in front of Jersey: {@code GET /tasks/{id}/events} (one task: its
 * current state, every later change, the end after the terminal event) and {@code GET /events}
 * (every task the caller may see, filtered by {@code type} and {@code status}), as
 * {@code text/event-stream}. Everything else passes down the chain.
 *
 * <p>What is decided before the stream starts, with a problem+json answer: a bad filter (400), an
 * unknown task or another owner's (404), the bound on open streams (503 {@code too-many-streams})
 * or a stopping server (503 {@code shutting-down}), both with {@code Retry-After}, an unreachable
 * store (503). A resume ({@code Last-Event-ID}) of a task stream after its terminal event answers
 * {@code 204}: nothing more will come (an {@code EventSource} stops reconnecting on 204).
 *
 * <p>Then the exchange goes async without a timeout (a stream lasts as long as its client) and an
 * {@link EventStream} writes it without blocking. Who may see what is the {@link Caller}'s read
 * scope: a user its own tasks, admins and viewers everyone's.
 */
public final class EventStreamFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(EventStreamFilter.class.getName());
    static final String ALLOW = "GET, HEAD, OPTIONS";
    static final String MEDIA_TYPE = "text/event-stream";

    /** A request for a stream: of one task ({@code taskId}), or of every task ({@code null}). */
    record Target(String taskId) {
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        Target target = targetOf(req);
        if (target == null) {
            chain.doFilter(req, res);
            return;
        }
        String method = req.getMethod();
        if ("OPTIONS".equals(method)) {
            res.setStatus(200);
            res.setHeader("Allow", ALLOW);
            res.setContentLength(0);
            return;
        }
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            res.setHeader("Allow", ALLOW);
            Responses.problem(new Problem(405, "method-not-allowed", "Method Not Allowed",
                    "This method is not allowed here; allowed: " + ALLOW + "."), false, -1).writeTo(res);
            return;
        }
        serve(req, res, target, "HEAD".equals(method));
    }

    private void serve(HttpServletRequest req, HttpServletResponse res, Target target, boolean head)
            throws IOException {
        EventStreams streams = EventStreams.from(getServletContext());
        Caller caller = Caller.of(req);
        EventFilter filter = null;
        if (target.taskId() == null) {
            filter = filterOf(req, res, caller);
            if (filter == null) {
                return; // answered 400
            }
        }
        String header = req.getHeader("Last-Event-ID");
        OptionalLong lastEventId = lastEventId(header);
        boolean malformed = header != null && !header.isBlank() && lastEventId.isEmpty();

        EventStream stream = new EventStream(streams, malformed ? SseFrames.MALFORMED_LAST_EVENT_ID : SseFrames.OPEN);
        if (!streams.add(stream)) {
            shuttingDown(streams).writeTo(res);
            return;
        }
        Start start;
        try {
            start = target.taskId() != null
                    ? streams.hub().task(target.taskId(), caller.readScope(), lastEventId, stream)
                    : streams.hub().all(filter, lastEventId, stream);
        } catch (StoreException e) {
            streams.remove(stream);
            LOG.log(Level.WARNING, "task store unavailable: {0}", e.getMessage());
            Responses.problem(new Problem(503, "store-unavailable", "Service Unavailable",
                    "The task store is unavailable; try again later."), false, streams.retryAfterSeconds()).writeTo(res);
            return;
        } catch (RuntimeException e) {
            streams.remove(stream);
            throw e;
        }
        if (!(start instanceof Start.Opened opened)) {
            streams.remove(stream);
            refuse(start, target, streams, res);
            return;
        }
        Subscription subscription = opened.subscription();
        res.setStatus(200);
        res.setContentType(MEDIA_TYPE);
        res.setCharacterEncoding("UTF-8");
        res.setHeader("Cache-Control", "no-store");
        res.setHeader("X-Accel-Buffering", "no"); // a proxy (nginx) must not hold events back
        if (head) {
            subscription.close();
            streams.remove(stream);
            return;
        }
        try {
            AsyncContext async = req.startAsync(req, res);
            async.setTimeout(0);
            stream.start(async, subscription);
        } catch (IOException | RuntimeException e) {
            subscription.close();
            stream.end();
            throw e;
        }
    }

    private static void refuse(Start start, Target target, EventStreams streams, HttpServletResponse res)
            throws IOException {
        if (start instanceof Start.NotFound) {
            Responses.problem(Problem.notFound("There is no task with id '" + target.taskId() + "'."), false, -1)
                    .writeTo(res);
        } else if (start instanceof Start.Finished) {
            res.setStatus(204); // the client has had the terminal event: nothing more will come
        } else if (start instanceof Start.Full f) {
            Responses.problem(new Problem(503, "too-many-streams", "Service Unavailable", "This server has "
                    + f.max() + " event streams open, its most; try again later."), false,
                    streams.retryAfterSeconds()).writeTo(res);
        } else {
            shuttingDown(streams).writeTo(res);
        }
    }

    private static Responses.Answer shuttingDown(EventStreams streams) {
        return Responses.problem(new Problem(503, "shutting-down", "Service Unavailable",
                "The server is stopping; try again later."), false, streams.retryAfterSeconds());
    }

    /** The filter of {@code GET /events}, or null when a parameter is bad (then 400 was answered). */
    private static EventFilter filterOf(HttpServletRequest req, HttpServletResponse res, Caller caller)
            throws IOException {
        String type = req.getParameter("type");
        if (type != null && !Limits.isTypeName(type)) {
            badParameter(res, "type must be a task type name: 1 to 100 of A-Z a-z 0-9 . _ -, starting with a letter"
                    + " or digit.");
            return null;
        }
        String status = req.getParameter("status");
        TaskStatus s = null;
        if (status != null) {
            try {
                s = TaskStatus.valueOf(status.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                badParameter(res, "status must be one of QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED.");
                return null;
            }
        }
        return new EventFilter(caller.readScope(), type, s);
    }

    private static void badParameter(HttpServletResponse res, String detail) throws IOException {
        Responses.problem(Problem.badRequest("invalid-parameter", detail), false, -1).writeTo(res);
    }

    /** {@code Last-Event-ID} as an event id: decimal digits; empty when absent or not one. */
    static OptionalLong lastEventId(String header) {
        if (header == null) {
            return OptionalLong.empty();
        }
        String v = header.trim();
        if (v.isEmpty() || v.length() > 18) {
            return OptionalLong.empty();
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.of(Long.parseLong(v));
    }

    /**
     * The stream a request asks for, or null when the path is not one: {@code /events}, or
     * {@code /tasks/{id}/events} with {@code {id}} one segment (the container's decoded path).
     */
    static Target targetOf(HttpServletRequest req) {
        String path;
        try {
            String info = req.getPathInfo();
            path = req.getServletPath() + (info == null ? "" : info);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (path.equals("/events")) {
            return new Target(null);
        }
        String prefix = "/tasks/";
        String suffix = "/events";
        if (path.startsWith(prefix) && path.endsWith(suffix) && path.length() > prefix.length() + suffix.length()) {
            String id = path.substring(prefix.length(), path.length() - suffix.length());
            return id.indexOf('/') < 0 ? new Target(id) : null;
        }
        return null;
    }
}
