package io.asyncreply.web.intake;

import io.asyncreply.web.auth.Caller;
import io.asyncreply.web.boot.App;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One exchange as a servlet container would present it to {@link IntakeFilter}, driven by the
 * test: the body arrives when {@link Body#arrive} is called, and the test calls the listeners'
 * callbacks (as the container would, on any thread it likes). Only the servlet API and the
 * filter's public face are used, so a test written with it runs against any version of the intake.
 */
final class FakeExchange {
    final String method;
    final String path;
    final Map<String, List<String>> headers = new ConcurrentHashMap<>();
    final Body body = new Body();
    final Response response = new Response();
    final Async async = new Async();
    volatile long contentLength = -1;
    volatile boolean chainCalled;
    /** Who sends it, as the authentication filter would have said. */
    volatile Caller caller = Caller.ANONYMOUS;
    /** The raw query string, or null. */
    volatile String query;

    private FakeExchange(String method, String path) {
        this.method = method;
        this.path = path;
    }

    static FakeExchange post(String path) {
        return new FakeExchange("POST", path);
    }

    FakeExchange caller(Caller c) {
        caller = c;
        return this;
    }

    FakeExchange query(String q) {
        query = q;
        return this;
    }

    FakeExchange header(String name, String value) {
        headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new CopyOnWriteArrayList<>()).add(value);
        if (name.equalsIgnoreCase("Content-Length")) {
            contentLength = Long.parseLong(value);
        }
        return this;
    }

    /** Runs the filter on this thread, as the container's dispatch would. */
    FakeExchange through(IntakeFilter filter) throws IOException, ServletException {
        FilterChain chain = (req, res) -> chainCalled = true;
        filter.doFilter(request(), response.proxy, chain);
        return this;
    }

    /** Initializes {@code filter} in a context that holds {@code app}. */
    static void init(IntakeFilter filter, App app) throws ServletException {
        ServletContext context = (ServletContext) Proxy.newProxyInstance(FakeExchange.class.getClassLoader(),
                new Class<?>[] {ServletContext.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getAttribute" -> App.ATTRIBUTE.equals(args[0]) ? app : null;
                    case "log" -> null;
                    case "toString" -> "fake context";
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        FilterConfig config = (FilterConfig) Proxy.newProxyInstance(FakeExchange.class.getClassLoader(),
                new Class<?>[] {FilterConfig.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getServletContext" -> context;
                    case "getFilterName" -> "intake";
                    case "getInitParameterNames" -> Collections.emptyEnumeration();
                    case "getInitParameter" -> null;
                    case "toString" -> "fake filter config";
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        filter.init(config);
    }

    /** The listeners the intake registered, as the container holds them. */
    ReadListener reader() {
        return body.listener;
    }

    List<AsyncListener> asyncListeners() {
        return async.listeners;
    }

    /** What the container does on its async timeout: tells every listener. */
    void containerTimeout() throws IOException {
        AsyncEvent e = new AsyncEvent(async, request(), response.proxy);
        for (AsyncListener l : async.listeners) {
            l.onTimeout(e);
        }
    }

    /** What the container does when the exchange fails (its idle timeout, a reset): tells every listener. */
    void containerError(Throwable t) throws IOException {
        AsyncEvent e = new AsyncEvent(async, request(), response.proxy, t);
        for (AsyncListener l : async.listeners) {
            l.onError(e);
        }
    }

    private HttpServletRequest request() {
        return (HttpServletRequest) Proxy.newProxyInstance(FakeExchange.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getRequestURI" -> path;
                    case "getContextPath", "getServletPath" -> "";
                    case "getPathInfo" -> path;
                    case "getDispatcherType" -> DispatcherType.REQUEST;
                    case "getHeader" -> {
                        List<String> v = headers.get(((String) args[0]).toLowerCase(Locale.ROOT));
                        yield v == null || v.isEmpty() ? null : v.get(0);
                    }
                    case "getHeaders" -> {
                        List<String> v = headers.get(((String) args[0]).toLowerCase(Locale.ROOT));
                        yield Collections.enumeration(v == null ? List.of() : v);
                    }
                    case "getContentLengthLong" -> contentLength;
                    case "getContentLength" -> (int) Math.min(Integer.MAX_VALUE, contentLength);
                    case "getInputStream" -> body;
                    case "startAsync" -> async.start((ServletRequest) proxy, response.proxy);
                    case "isAsyncStarted" -> async.started;
                    case "getAsyncContext" -> async;
                    case "getAttribute" -> Caller.ATTRIBUTE.equals(args[0]) ? caller : null;
                    case "getQueryString" -> query;
                    case "getScheme" -> "http";
                    case "getServerName" -> "localhost";
                    case "getServerPort" -> 8080;
                    case "getRemoteAddr" -> "127.0.0.1";
                    case "toString" -> method + " " + path;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    /** A body whose bytes arrive when the test says. */
    static final class Body extends ServletInputStream {
        private final ByteArrayOutputStream arrived = new ByteArrayOutputStream();
        private int read;
        private boolean ended;
        volatile ReadListener listener;

        synchronized Body arrive(byte[] bytes) {
            arrived.writeBytes(bytes);
            return this;
        }

        synchronized Body end() {
            ended = true;
            return this;
        }

        synchronized int unread() {
            return arrived.size() - read;
        }

        @Override
        public synchronized boolean isFinished() {
            return ended && read == arrived.size();
        }

        @Override
        public synchronized boolean isReady() {
            return read < arrived.size() || isFinished();
        }

        @Override
        public void setReadListener(ReadListener l) {
            listener = l;
        }

        @Override
        public synchronized int read() {
            if (read < arrived.size()) {
                return arrived.toByteArray()[read++] & 0xff;
            }
            if (ended) {
                return -1;
            }
            throw new IllegalStateException("read while not ready");
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            int n = Math.min(len, arrived.size() - read);
            if (n <= 0) {
                if (ended) {
                    return -1;
                }
                throw new IllegalStateException("read while not ready");
            }
            System.arraycopy(arrived.toByteArray(), read, b, off, n);
            read += n;
            return n;
        }
    }

    /** A response that records what was written. */
    static final class Response {
        final Map<String, String> headers = new ConcurrentHashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        final AtomicInteger writes = new AtomicInteger();
        /** Run (once) when the answer's bytes are written, on the writing thread. */
        volatile Runnable whenWriting;
        volatile int status = 200;
        final HttpServletResponse proxy = (HttpServletResponse) Proxy.newProxyInstance(
                FakeExchange.class.getClassLoader(), new Class<?>[] {HttpServletResponse.class}, (p, m, args) -> {
                    switch (m.getName()) {
                        case "setStatus" -> {
                            status = (Integer) args[0];
                            writes.incrementAndGet();
                        }
                        case "setHeader", "addHeader" -> headers.put(((String) args[0]).toLowerCase(Locale.ROOT),
                                (String) args[1]);
                        case "setContentType" -> headers.put("content-type", (String) args[0]);
                        case "setContentLength", "setContentLengthLong", "resetBuffer", "flushBuffer" -> {
                        }
                        case "isCommitted" -> {
                            return false;
                        }
                        case "getOutputStream" -> {
                            return new ServletOutputStream() {
                                @Override
                                public boolean isReady() {
                                    return true;
                                }

                                @Override
                                public void setWriteListener(WriteListener l) {
                                    throw new UnsupportedOperationException();
                                }

                                @Override
                                public void write(int b) {
                                    synchronized (body) {
                                        body.write(b);
                                    }
                                }

                                @Override
                                public void write(byte[] b, int off, int len) {
                                    Runnable r = whenWriting;
                                    whenWriting = null;
                                    if (r != null) {
                                        r.run();
                                    }
                                    synchronized (body) {
                                        body.write(b, off, len);
                                    }
                                }
                            };
                        }
                        case "toString" -> {
                            return "fake response";
                        }
                        default -> throw new UnsupportedOperationException(m.getName());
                    }
                    return null;
                });

        String text() {
            synchronized (body) {
                return body.toString(StandardCharsets.UTF_8);
            }
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** Whether nothing was answered yet. */
        boolean unanswered() {
            return writes.get() == 0;
        }
    }

    /** The async context: records listeners, the timeout and completions; runs start() tasks inline. */
    static final class Async implements AsyncContext {
        final List<AsyncListener> listeners = new CopyOnWriteArrayList<>();
        final AtomicInteger completions = new AtomicInteger();
        volatile long timeout = -1;
        private ServletRequest request;
        private ServletResponse response;
        volatile boolean started;

        AsyncContext start(ServletRequest req, ServletResponse res) {
            this.request = req;
            this.response = res;
            this.started = true;
            return this;
        }

        @Override
        public ServletRequest getRequest() {
            return request;
        }

        @Override
        public ServletResponse getResponse() {
            return response;
        }

        @Override
        public boolean hasOriginalRequestAndResponse() {
            return true;
        }

        @Override
        public void dispatch() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void dispatch(String path) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void dispatch(ServletContext context, String path) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void complete() {
            if (completions.incrementAndGet() > 1) {
                throw new IllegalStateException("completed twice");
            }
            AsyncEvent e = new AsyncEvent(this, request, response);
            for (AsyncListener l : listeners) {
                try {
                    l.onComplete(e);
                } catch (IOException ex) {
                    throw new IllegalStateException(ex);
                }
            }
        }

        @Override
        public void start(Runnable run) {
            if (completions.get() > 0) {
                throw new IllegalStateException("completed");
            }
            run.run(); // a container thread, here: the caller's
        }

        @Override
        public void addListener(AsyncListener listener) {
            listeners.add(listener);
        }

        @Override
        public void addListener(AsyncListener listener, ServletRequest req, ServletResponse res) {
            listeners.add(listener);
        }

        @Override
        public <T extends AsyncListener> T createListener(Class<T> clazz) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setTimeout(long timeout) {
            this.timeout = timeout;
        }

        @Override
        public long getTimeout() {
            return timeout;
        }
    }
}
