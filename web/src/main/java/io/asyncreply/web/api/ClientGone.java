package io.asyncreply.web.api;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Tells a held request that its client went away, where the container says so.
 *
 * <p>Jersey's own {@code ConnectionCallback} is not called by its servlet container; the servlet
 * {@link AsyncListener} of the suspended request is the only signal. A container calls
 * {@code onError} when it learns that the connection failed while the request was suspended, and
 * Jersey then completes the request; {@code onComplete} follows every end, ours included. Which
 * containers notice is their business (see docs/api.md, "Long-polls"): Jetty 12 and Tomcat 10.1
 * and 11 report a reset HTTP/2 stream at once, but not a closed HTTP/1.1 connection while nothing
 * is read or written; where none notices, the held request ends with its wait.
 *
 * <p>Race: a client that leaves before the listener is added is not reported; its request ends
 * with its wait, as everywhere else.
 */
final class ClientGone {
    private ClientGone() {
    }

    /**
     * Runs {@code gone} (once or more: it must be idempotent) when the suspended request of
     * {@code request} ends with an error or completes; nothing when this is not a suspended
     * servlet request (an embedded test container).
     */
    static void onClientGone(HttpServletRequest request, Runnable gone) {
        AsyncContext ctx;
        try {
            if (request == null || !request.isAsyncStarted()) {
                return;
            }
            ctx = request.getAsyncContext();
        } catch (RuntimeException e) { // no servlet request behind the proxy Jersey injected
            return;
        }
        ctx.addListener(new AsyncListener() {
            @Override
            public void onError(AsyncEvent event) {
                gone.run();
            }

            @Override
            public void onComplete(AsyncEvent event) {
                gone.run();
            }

            @Override
            public void onTimeout(AsyncEvent event) {
                // Jersey suspends without a servlet timeout; its own timer answers
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
                // not re-started
            }
        });
    }

    /** The connection's remote address, or null outside a servlet container. */
    static String remoteAddr(HttpServletRequest request) {
        try {
            return request == null ? null : request.getRemoteAddr();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
