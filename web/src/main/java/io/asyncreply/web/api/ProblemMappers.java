package io.asyncreply.web.api;

import io.asyncreply.store.StoreException;
import io.asyncreply.web.json.Problem;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.lang.System.Logger.Level;
import java.util.SortedSet;
import java.util.TreeSet;

/** Every error Jersey produces becomes RFC 9457 problem+json; no stack trace leaves the server. */
final class ProblemMappers {
    private static final System.Logger LOG = System.getLogger(ProblemMappers.class.getName());

    private ProblemMappers() {
    }

    static Response response(Problem p) {
        return Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p.toJson()).build();
    }

    /** Jersey's own errors: unknown path (404), wrong method (405), unacceptable media type... */
    public static final class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            Response original = e.getResponse();
            if (original.hasEntity() && original.getMediaType() != null
                    && Problem.MEDIA_TYPE.equals(original.getMediaType().toString())) {
                return original; // already a problem of ours
            }
            int status = original.getStatus();
            Response.StatusType info = original.getStatusInfo();
            String detail = switch (status) {
                case 404 -> "There is nothing at this path.";
                case 405 -> "This method is not allowed here; allowed: " + String.join(", ", allowed(original)) + ".";
                case 406 -> "None of the acceptable media types can be produced.";
                case 415 -> "This media type is not supported here.";
                default -> info.getReasonPhrase();
            };
            String slug = switch (status) {
                case 404 -> "not-found";
                case 405 -> "method-not-allowed";
                default -> "http-" + status;
            };
            Response.ResponseBuilder b = Response.status(status).type(Problem.MEDIA_TYPE)
                    .entity(new Problem(status, slug, info.getReasonPhrase(), detail).toJson());
            if (e instanceof NotAllowedException) {
                b.allow(allowed(original));
            }
            return b.build();
        }
    }

    /**
     * The methods of a 405's {@code Allow}, sorted: Jersey's list, plus {@code HEAD} wherever
     * {@code GET} is allowed (Jersey answers HEAD for every GET, and lists it for OPTIONS, but not
     * in a 405).
     */
    static SortedSet<String> allowed(Response original) {
        SortedSet<String> methods = new TreeSet<>(original.getAllowedMethods());
        if (methods.contains("GET")) {
            methods.add("HEAD");
        }
        return methods;
    }

    /** The store is unreachable: 503 with Retry-After. */
    public static final class StoreExceptionMapper implements ExceptionMapper<StoreException> {
        @Override
        public Response toResponse(StoreException e) {
            LOG.log(Level.WARNING, "task store unavailable: {0}", e.getMessage());
            return Response.fromResponse(response(new Problem(503, "store-unavailable", "Service Unavailable",
                    "The task store is unavailable; try again later."))).header("Retry-After", "1").build();
        }
    }

    /** Anything else is a bug: logged with its stack trace, answered 500 without one. */
    public static final class AnyExceptionMapper implements ExceptionMapper<Throwable> {
        @Override
        public Response toResponse(Throwable e) {
            if (e instanceof WebApplicationException w) {
                return new WebApplicationExceptionMapper().toResponse(w);
            }
            LOG.log(Level.ERROR, "unexpected error serving a request", e);
            return response(new Problem(500, "internal", "Internal Server Error",
                    "The server failed to answer this request."));
        }
    }
}
