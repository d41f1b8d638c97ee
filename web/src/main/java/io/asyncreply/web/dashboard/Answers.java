package io.asyncreply.web.dashboard;

import io.asyncreply.web.auth.Caller;
import io.asyncreply.web.json.Problem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/** The answers the dashboard's resources share: JSON, problems, the admin check. */
final class Answers {
    private static final CacheControl NO_STORE = new CacheControl();

    static {
        NO_STORE.setNoStore(true);
        NO_STORE.setNoTransform(false);
    }

    private Answers() {
    }

    static Response json(int status, byte[] body) {
        return Response.status(status).type("application/json").cacheControl(NO_STORE).entity(body).build();
    }

    static Response problem(int status, String slug, String title, String detail) {
        Problem p = new Problem(status, slug, title, detail);
        return Response.status(status).type(Problem.MEDIA_TYPE).cacheControl(NO_STORE).entity(p.toJson()).build();
    }

    static Response notFound(String id) {
        return problem(404, "not-found", "Not Found", "There is no task with this id.");
    }

    static Response bad(String detail) {
        return problem(400, "invalid-parameter", "Bad Request", detail);
    }

    /**
     * The caller, when it may act (an admin); otherwise the request ends with {@code 403}: viewers
     * see the dashboard and act on nothing.
     */
    static Caller admin(HttpServletRequest request) {
        Caller c = Caller.of(request);
        if (!c.isAdmin()) {
            throw new WebApplicationException(problem(403, "read-only", "Forbidden",
                    "The viewer role sees the dashboard but cannot act; an admin can."));
        }
        return c;
    }

    /** The application's context path as the client sees it, without a trailing slash. */
    static String contextPath(UriInfo uri) {
        String p = uri.getBaseUri().getRawPath();
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
