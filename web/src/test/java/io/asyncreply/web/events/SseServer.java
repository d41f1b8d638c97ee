package io.asyncreply.web.events;

import io.asyncreply.web.auth.Caller;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.testing.TestApps;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The event stream filter in embedded Jetty 12, in this JVM, over a {@link TestApps} application:
 * real HTTP, with the application's objects at hand. The caller is set from the request's
 * {@code X-Test-Owner} and {@code X-Test-Role} headers (as the authentication filter will set it
 * from credentials), the anonymous admin without them. Other paths answer 404.
 */
final class SseServer implements AutoCloseable {
    final TestApps apps;
    private final Server server;
    final QueuedThreadPool threads;
    final URI base;

    private SseServer(TestApps apps, Server server, QueuedThreadPool threads, URI base) {
        this.apps = apps;
        this.server = server;
        this.threads = threads;
        this.base = base;
    }

    static SseServer start(Map<String, String> settings) throws Exception {
        TestApps apps = TestApps.start(settings);
        QueuedThreadPool threads = new QueuedThreadPool(50, 4);
        threads.setName("sse-test-jetty");
        Server server = new Server(threads);
        ServerConnector http = new ServerConnector(server, 1, 1);
        http.setHost("127.0.0.1");
        http.setPort(0);
        server.addConnector(http);
        ServletContextHandler ctx = new ServletContextHandler("/");
        ctx.setAttribute(App.ATTRIBUTE, apps.app);
        ctx.setAttribute(EventStreams.ATTRIBUTE, apps.app.events());
        FilterHolder callers = new FilterHolder(new CallerFromHeaders());
        callers.setAsyncSupported(true);
        ctx.addFilter(callers, "/*", EnumSet.of(DispatcherType.REQUEST));
        FilterHolder events = new FilterHolder(new EventStreamFilter());
        events.setAsyncSupported(true);
        ctx.addFilter(events, "/tasks/*", EnumSet.of(DispatcherType.REQUEST));
        ctx.addFilter(events, "/events", EnumSet.of(DispatcherType.REQUEST));
        ServletHolder rest = new ServletHolder(new HttpServlet() {
            @Override
            protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
                res.sendError(404);
            }
        });
        rest.setAsyncSupported(true);
        ctx.addServlet(rest, "/*");
        server.setHandler(ctx);
        try {
            server.start();
        } catch (Exception e) {
            apps.close();
            throw e;
        }
        return new SseServer(apps, server, threads, URI.create("http://127.0.0.1:" + http.getLocalPort() + "/"));
    }

    EventStreams streams() {
        return apps.app.events();
    }

    URI uri(String path) {
        return base.resolve(path);
    }

    @Override
    public void close() throws Exception {
        try {
            apps.close();
        } finally {
            server.stop();
        }
    }

    /** Sets the request's caller from X-Test-Owner and X-Test-Role (USER by default), else the anonymous admin. */
    static final class CallerFromHeaders extends HttpFilter {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
                throws IOException, ServletException {
            String owner = req.getHeader("X-Test-Owner");
            String role = req.getHeader("X-Test-Role");
            req.setAttribute(Caller.ATTRIBUTE, owner == null ? Caller.ANONYMOUS
                    : Caller.of(owner, role == null ? Caller.Role.USER : Caller.Role.valueOf(role)));
            chain.doFilter(req, res);
        }
    }
}
