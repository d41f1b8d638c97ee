package io.asyncreply.it.webhooks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A webhook receiver for tests: the JDK's HTTP server on 127.0.0.1, on a port chosen at creation,
 * which may be down (nothing listening) and brought up later on the same port. Records every
 * request; answers each path with the statuses queued for it, then 204.
 */
public final class HookReceiver implements AutoCloseable {
    /** One request as received. */
    public record Request(String path, Map<String, String> headers, byte[] body) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    private final int port;
    private HttpServer server; // guarded by this
    public final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final Map<String, ConcurrentLinkedQueue<Integer>> answers = new ConcurrentHashMap<>();

    /** A receiver on a free port, not yet listening. */
    public HookReceiver() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
    }

    /** Starts listening. */
    public synchronized HookReceiver up() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        s.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
        s.createContext("/", ex -> {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> h.put(k, v.get(0)));
            String path = ex.getRequestURI().getPath();
            requests.add(new Request(path, h, body));
            Integer status = answers.getOrDefault(path, new ConcurrentLinkedQueue<>()).poll();
            ex.sendResponseHeaders(status == null ? 204 : status, -1);
            ex.close();
        });
        s.start();
        server = s;
        return this;
    }

    /** Stops listening (connections are refused). */
    public synchronized void down() {
        if (server != null) {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
            server = null;
        }
    }

    public HookReceiver answer(String path, Integer... statuses) {
        answers.computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>()).addAll(List.of(statuses));
        return this;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public Request next() throws InterruptedException {
        Request r = requests.poll(30, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no webhook request arrived within 30 s");
        }
        return r;
    }

    @Override
    public void close() {
        down();
    }
}
