package io.asyncreply.web.intake;

import io.asyncreply.engine.TaskService;
import io.asyncreply.task.Rejection;
import io.asyncreply.task.Submission;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.http.Prefer;
import io.asyncreply.web.http.Responses;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;

/**
 * Serves {@code POST /tasks/{type}} in front of Jersey: everything else under {@code /tasks}
 * passes down the chain. Intake is the hot path, so it stays a plain async servlet filter that
 * reads with a {@link jakarta.servlet.ReadListener} (see {@link Intake}), with no JAX-RS
 * machinery; a slow client never holds a container thread.
 *
 * <p>What can be refused from the headers alone is refused before reading: unknown type (404),
 * a bad {@code Idempotency-Key} (400), a declared length beyond the limit (413, connection
 * closed), a non-JSON content type for a JSON handler (415). The body of such a request is read
 * and thrown away, within a bound, before the refusal is written (see {@link Discard}).
 */
public final class IntakeFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final String PREFIX = "/tasks/";

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        String type = "POST".equals(req.getMethod()) ? typeOf(req) : null;
        if (type == null) {
            chain.doFilter(req, res);
            return;
        }
        App app = App.from(getServletContext());
        TaskService service = app.service();
        Optional<TaskHandler> handler = service.handler(type);
        if (handler.isEmpty()) {
            refuse(req, res, new Submission.Rejected(Rejection.UNKNOWN_TYPE, "There is no task type '" + type
                    + "'."), app);
            return;
        }
        String key = req.getHeader("Idempotency-Key");
        if (key != null && (key.isEmpty() || key.length() > TaskService.MAX_IDEMPOTENCY_KEY_LENGTH)) {
            refuse(req, res, new Submission.Rejected(Rejection.INVALID_IDEMPOTENCY_KEY,
                    "An Idempotency-Key must have 1 to " + TaskService.MAX_IDEMPOTENCY_KEY_LENGTH
                            + " characters; nothing was queued."), app);
            return;
        }
        long max = app.config().maxBodyBytes();
        long declared = req.getContentLengthLong();
        if (declared > max) {
            refuse(req, res, Responses.tooLarge(declared, max), app);
            return;
        }
        String ct = contentTypeOf(req);
        if (!handler.get().input().accepts(ct)) {
            refuse(req, res, new Submission.Rejected(Rejection.UNSUPPORTED_CONTENT_TYPE, "Task type '" + type
                    + "' takes JSON (application/json), not " + ct + "; nothing was queued."), app);
            return;
        }
        int wait = Prefer.waitSeconds(req.getHeaders("Prefer"), app.config().waitCapSeconds());
        AsyncContext async = req.startAsync(req, res);
        async.setTimeout(app.config().readTimeout().toMillis() + (wait > 0 ? (wait + 5) * 1000L : 0));
        new Intake(app, async, req, res, type, key, wait).start();
    }

    private static void refuse(HttpServletRequest req, HttpServletResponse res, Submission.Rejected r, App app)
            throws IOException {
        refuse(req, res, Responses.rejected(r, app.config().retryAfterSeconds()), app);
    }

    /**
     * A refusal decided from the headers: written once the body, if any, has been read and thrown
     * away without a thread waiting (see {@link Discard} for why). A body too long for
     * {@link Discard#budget} is not read: the refusal is written at once and the container closes
     * the connection.
     */
    private static void refuse(HttpServletRequest req, HttpServletResponse res, Responses.Answer answer, App app)
            throws IOException {
        long budget = Discard.budget(req.getContentLengthLong(), app.config().maxBodyBytes());
        if (budget == 0) {
            answer.writeTo(res);
            return;
        }
        AsyncContext async = req.startAsync(req, res);
        async.setTimeout(app.config().readTimeout().toMillis());
        Discard discard = new Discard(async, req.getInputStream(), budget, res, answer);
        async.addListener(discard);
        req.getInputStream().setReadListener(discard);
    }

    /**
     * The payload's content type exactly as the client sent it, or null. Not
     * {@code getContentType()}: Jetty 12 throws from it when the charset parameter names a charset
     * the JVM does not know ({@code text/plain; charset=x-custom}), which became a 500, although
     * the payload is opaque bytes to us and {@code echo} must give the same content type back.
     */
    static String contentTypeOf(HttpServletRequest req) {
        return req.getHeader("Content-Type");
    }

    /** The {type} of /tasks/{type}, or null when the path is not exactly that shape. */
    static String typeOf(HttpServletRequest req) {
        String uri = req.getRequestURI();
        String path = uri.substring(req.getContextPath().length());
        if (!path.startsWith(PREFIX) || path.length() == PREFIX.length()) {
            return null;
        }
        String type = path.substring(PREFIX.length());
        return type.indexOf('/') >= 0 || type.indexOf(';') >= 0 ? null : type;
    }
}
