package io.asyncreply.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** A small client of the asyncreply HTTP API at one base URL, over real HTTP/1.1. */
public final class Api {
    static final ObjectMapper JSON = new ObjectMapper();
    /** No request of the suite may hang: the longest legitimate wait is a few seconds. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final HttpClient client;
    private volatile java.util.function.Consumer<Reply> observer = r -> { };

    public Api(URI base) {
        this.base = normalize(base);
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** {@code base} with a trailing slash, so that relative paths resolve below it. */
    public static URI normalize(URI base) {
        return base.toString().endsWith("/") ? base : URI.create(base + "/");
    }

    public URI base() {
        return base;
    }

    /** Calls {@code observer} with every answer this client gets, after it arrived. */
    public void observe(java.util.function.Consumer<Reply> observer) {
        this.observer = observer;
    }

    /** {@code path} relative to the base URL ("tasks/abc"), or an absolute path from a Location header. */
    public URI uri(String path) {
        return base.resolve(path);
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT);
    }

    /** POST /tasks/{type}; {@code headers} are name, value pairs; {@code contentType} may be null. */
    public Reply submit(String type, byte[] body, String contentType, String... headers) {
        HttpRequest.Builder b = request("tasks/" + type).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b);
    }

    public Reply get(String path) {
        return send(request(path).GET());
    }

    public Reply delete(String path) {
        return send(request(path).DELETE());
    }

    public Reply method(String method, String path) {
        return send(request(path).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    public Reply send(HttpRequest.Builder b) {
        HttpRequest r = b.build();
        long t0 = System.nanoTime();
        try {
            HttpResponse<byte[]> res = client.send(r, HttpResponse.BodyHandlers.ofByteArray());
            Reply reply = new Reply(r.method() + " " + r.uri(), res.statusCode(), res.headers(), res.body(),
                    Duration.ofNanos(System.nanoTime() - t0), Instant.now());
            observer.accept(reply);
            return reply;
        } catch (IOException e) {
            throw new UncheckedIOException(r.method() + " " + r.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** One answer, with the time it took and when it arrived. */
    public record Reply(String request, int status, HttpHeaders headers, byte[] body, Duration elapsed,
            Instant receivedAt) {

        public Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        /** The media type without parameters, lower case; "" when absent. */
        public String mediaType() {
            return header("Content-Type").map(ct -> ct.split(";")[0].trim().toLowerCase()).orElse("");
        }

        /** The request's method. */
        public String method() {
            return request.substring(0, request.indexOf(' '));
        }

        /** The request's URI. */
        public URI uri() {
            return URI.create(request.substring(request.indexOf(' ') + 1));
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError(request + " answered " + status + " with a body that is not JSON: " + text(), e);
            }
        }

        @Override
        public String toString() {
            return request + " -> " + status + " " + headers.map() + " " + (body.length > 2000
                    ? body.length + " bytes" : text());
        }
    }
}
