package io.asyncreply.web.http;

import io.asyncreply.web.json.Problem;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The container's error page: errors raised outside Jersey (by the container itself, or a failure
 * in a filter) become problem+json too, with no stack trace.
 *
 * <p>It answers only error dispatches. Its own path ({@code /.error}) requested directly, with any
 * method, is {@code 404}: there is nothing there for a client (before, it answered 500, for an error
 * that had not happened).
 */
public final class ErrorServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        if (req.getDispatcherType() != DispatcherType.ERROR) {
            Responses.problem(Problem.notFound("There is nothing at this path."), false, -1).writeTo(res);
            return;
        }
        Object code = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        // Jetty 12 dispatches a 401 its authenticator wrote (asyncreply.auth=container) without the
        // attribute: the status already set on the response says it then.
        int status = code instanceof Integer i ? i : res.getStatus() >= 400 ? res.getStatus() : 500;
        if (res.isCommitted()) {
            return;
        }
        String title = switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 415 -> "Unsupported Media Type";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
        boolean failed = status >= 500 && status != 501 && status != 503; // a 501 or 503 is a refusal, not a failure
        String detail = failed ? "The server failed to answer this request." : "The request was refused: " + title + ".";
        Problem p = new Problem(status, failed ? "internal" : "http-" + status, title, detail);
        res.resetBuffer();
        Responses.problem(p, status == 413, -1).writeTo(res);
    }
}
