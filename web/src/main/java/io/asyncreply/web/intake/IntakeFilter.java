package io.asyncreply.web.intake;

import io.asyncreply.task.Submission;
import io.asyncreply.web.auth.AuthProblems;
import io.asyncreply.web.auth.Caller;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.config.WebConfig;
import io.asyncreply.web.http.MediaType;
import io.asyncreply.web.http.Prefer;
import io.asyncreply.web.http.Responses;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Optional;

/**
 * Serves {@code POST /tasks/{type}} in front of Jersey: everything else under {@code /tasks}
 * passes down the chain. Intake is the hot path, so it stays a plain async servlet filter that
 * reads with a {@link jakarta.servlet.ReadListener} (see {@link Intake}), with no JAX-RS
 * machinery; a slow client never holds a container thread.
 *
 * <p>{@code {type}} is the one path segment after {@code /tasks/} as the container decoded it
 * (percent-decoding, path parameters such as {@code ;x=1} removed, as JAX-RS ignores them on every
 * other path); a container refuses an encoded slash or an invalid encoding before this filter.
 *
 * <p>What the headers alone decide is refused before reading, in this order: a caller that may
 * not submit (a viewer, 403; the {@link Caller} the authentication filter set), a transfer coding
 * other than chunked (501), then {@link io.asyncreply.engine.TaskService#precheck} (shutting down
 * 503, unknown type 404, bad {@code Idempotency-Key} 400, a non-JSON content type for a JSON
 * handler 415: the service's own rules and words), a {@code Content-Type} that is not a media type
 * (400), a bad option in the query string ({@link SubmitOptions}: 400 {@code invalid-option}), a
 * declared length beyond the limit (413, connection closed), no room left in the
 * {@link BufferBudget} (503). The task belongs to the caller's owner, and its idempotency key is
 * the owner's: two owners may use the same key. The body of such a request is read and thrown away, within a bound,
 * before the refusal is written (see {@link Discard}).
 */
public final class IntakeFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final String PREFIX = "/tasks/";
    /**
     * How long the store has to answer, past the read timeout and the wait, before the container's
     * async timeout ends the exchange with {@code 503 outcome-unknown}.
     */
    static final Duration STORE_GRACE = Duration.ofSeconds(5);

    private transient Deadlines deadlines;
    private transient BufferBudget budget;

    public IntakeFilter() {
    }

    /** For tests: deadlines that the test fires itself. */
    IntakeFilter(Deadlines deadlines) {
        this.deadlines = deadlines;
    }

    @Override
    public void init() throws ServletException {
        budget = new BufferBudget(App.from(getServletContext()).config().intakeMaxBufferedBytes());
        if (deadlines == null) {
            deadlines = Deadlines.start();
        }
    }

    @Override
    public void destroy() {
        if (deadlines != null) {
            deadlines.close();
        }
    }

    BufferBudget budget() {
        return budget;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        String type = "POST".equals(req.getMethod()) ? typeOf(req) : null;
        if (type == null) {
            chain.doFilter(req, res);
            return;
        }
        App app = App.from(getServletContext());
        WebConfig config = app.config();
        Caller caller = Caller.of(req);
        if (!caller.mayAct()) {
            refuse(req, res, AuthProblems.forbidden("A viewer may read tasks but not submit them."), config);
            return;
        }
        String coding = unsupportedTransferCoding(req.getHeaders("Transfer-Encoding"));
        if (coding != null) {
            refuse(req, res, IntakeProblems.unsupportedTransferCoding(coding), config);
            return;
        }
        String key = req.getHeader("Idempotency-Key");
        String ct = contentTypeOf(req);
        boolean mediaType = ct == null || MediaType.isWellFormed(ct);
        Optional<Submission.Rejected> early = app.service().precheck(type, key, mediaType ? ct : null);
        if (early.isPresent()) {
            refuse(req, res, Responses.rejected(early.get(), config.retryAfterSeconds()), config);
            return;
        }
        if (!mediaType) {
            refuse(req, res, IntakeProblems.invalidContentType(ct), config);
            return;
        }
        SubmitOptions options;
        try {
            options = SubmitOptions.parse(req.getQueryString());
        } catch (SubmitOptions.InvalidOption e) {
            refuse(req, res, IntakeProblems.invalidOption(e.getMessage()), config);
            return;
        }
        String callbackRefused = options.callback() == null ? null : app.webhooks().callbackRefusal(options.callback());
        if (callbackRefused != null) {
            refuse(req, res, IntakeProblems.invalidOption("Option 'callback': " + callbackRefused), config);
            return;
        }
        long max = config.maxBodyBytes();
        long declared = req.getContentLengthLong();
        if (declared > max) {
            refuse(req, res, Responses.tooLarge(declared, max), config);
            return;
        }
        // What an upload may need at once: all of a declared length, or the first buffer of a chunked one.
        BufferBudget.Reservation reservation = budget.reserve(declared >= 0 ? declared
                : Math.min(Intake.INITIAL_BUFFER, max));
        if (reservation == null) {
            refuse(req, res, IntakeProblems.busy(config.retryAfterSeconds()), config);
            return;
        }
        int wait = Prefer.waitSeconds(req.getHeaders("Prefer"), config.waitCapSeconds());
        AsyncContext async;
        try {
            async = req.startAsync(req, res);
            // A safety net behind the read deadline (which the Intake keeps itself): the container's
            // timeout can be set only now, so it must also cover the wait and the store's answer.
            async.setTimeout(config.readTimeout().plusSeconds(wait).plus(STORE_GRACE).toMillis());
            new Intake(app, deadlines, async, req, res, type, ct, key, wait, reservation, options, caller,
                    req.getHeader("traceparent")).start();
        } catch (IOException | RuntimeException e) {
            reservation.release();
            throw e;
        }
    }

    /**
     * A refusal decided from the headers: written once the body, if any, has been read and thrown
     * away without a thread waiting (see {@link Discard} for why). A body too long for
     * {@link Discard#budget} is not read: the refusal is written at once with
     * {@code Connection: close}, and the container closes the connection.
     */
    private static void refuse(HttpServletRequest req, HttpServletResponse res, Responses.Answer answer,
            WebConfig config) throws IOException {
        long declared = req.getContentLengthLong();
        long budget = Discard.budget(declared, config.maxBodyBytes());
        if (budget == 0) {
            if (declared > 0) {
                res.setHeader("Connection", "close"); // the body is not read: the connection cannot be reused
            }
            answer.writeTo(res);
            return;
        }
        AsyncContext async = req.startAsync(req, res);
        async.setTimeout(config.readTimeout().toMillis());
        Discard discard = new Discard(async, req.getInputStream(), budget, res, answer);
        async.addListener(discard);
        req.getInputStream().setReadListener(discard);
    }

    /**
     * The first transfer coding other than {@code chunked}, or null. The container decodes
     * chunked and hands on any other coding undecoded (Jetty 12 does; Tomcat refuses it with 501
     * before the application): {@code gzip, chunked} would be stored still compressed.
     */
    static String unsupportedTransferCoding(Enumeration<String> headers) {
        if (headers == null) {
            return null;
        }
        while (headers.hasMoreElements()) {
            String value = headers.nextElement();
            for (String coding : value.split(",")) {
                String c = coding.trim();
                int semi = c.indexOf(';');
                String name = (semi < 0 ? c : c.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty() && !name.equals("chunked")) {
                    return value.trim();
                }
            }
        }
        return null;
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

    /**
     * The {type} of /tasks/{type}, or null when the path is not exactly that shape. The path is
     * the container's decoded one (servlet path and path info): {@code /tasks/%65cho} is
     * {@code echo}, and {@code /tasks/echo;x=1} is {@code echo} too.
     */
    static String typeOf(HttpServletRequest req) {
        String path;
        try {
            String info = req.getPathInfo();
            path = req.getServletPath() + (info == null ? "" : info);
        } catch (IllegalArgumentException e) {
            return null; // a path the container will not decode: not ours to answer
        }
        if (!path.startsWith(PREFIX) || path.length() == PREFIX.length()) {
            return null;
        }
        String type = path.substring(PREFIX.length());
        return type.indexOf('/') >= 0 ? null : type;
    }
}
