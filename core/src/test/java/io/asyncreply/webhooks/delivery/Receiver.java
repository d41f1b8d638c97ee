package io.asyncreply.webhooks.delivery;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A webhook receiver on 127.0.0.1 (a port of its own): records every request, answers each path
 * with the statuses queued for it (then 204), optionally with a {@code Location} header.
 */
final class Receiver implements AutoCloseable {
    record Request(String path, Map<String, String> headers, byte[] body, long receivedNanos) {
    }

    private final HttpServer server;
    final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final Map<String, ConcurrentLinkedQueue<Integer>> answers = new ConcurrentHashMap<>();

    Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> h.put(k, v.get(0)));
            String path = ex.getRequestURI().getPath();
            requests.add(new Request(path, h, body, System.nanoTime()));
            Integer status = answers.getOrDefault(path, new ConcurrentLinkedQueue<>()).poll();
            int s = status == null ? 204 : status;
            if (s >= 300 && s < 400) {
                ex.getResponseHeaders().add("Location", url("/elsewhere"));
            }
            ex.sendResponseHeaders(s, -1);
            ex.close();
        });
        server.start();
    }

    /** Answers the next requests to {@code path} with {@code statuses}, in order. */
    Receiver answer(String path, Integer... statuses) {
        answers.computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>()).addAll(java.util.List.of(statuses));
        return this;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    Request next() throws InterruptedException {
        Request r = requests.poll(20, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no webhook request arrived within 20 s");
        }
        return r;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
