package io.asyncreply.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A client of one {@code text/event-stream} response over real HTTP ({@link HttpClient}), parsing
 * it as the WHATWG "server-sent events" rules say: lines end with CR, LF or CRLF; a line starting
 * with a colon is a comment; {@code field: value} (one space after the colon dropped); {@code data}
 * lines are joined with LF; a blank line dispatches the event (when it has data). A reader thread
 * turns the stream into {@link Item}s, with {@link Eof} last.
 */
public final class SseClient implements AutoCloseable {
    /** What the stream said. */
    public sealed interface Item {
    }

    /** A dispatched event; {@code event} is "message" when the stream named none, {@code id} null when it gave none. */
    public record Event(String event, String id, String data) implements Item {
    }

    /** A comment line, without its colon and one leading space. */
    public record Comment(String text) implements Item {
    }

    /** The server ended the response (or the connection failed: {@code error} non-null). */
    public record Eof(String error) implements Item {
    }

    private static final HttpClient DEFAULT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
    private final List<Item> seen = new ArrayList<>();
    private final byte[] errorBody;
    private volatile boolean closed;

    private SseClient(HttpResponse<InputStream> response) throws IOException {
        this.response = response;
        if (response.statusCode() != 200) {
            try (InputStream in = response.body()) {
                errorBody = in.readAllBytes();
            }
            items.add(new Eof(null));
            return;
        }
        errorBody = new byte[0];
        Thread reader = new Thread(this::read, "sse-client-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** GETs {@code uri} with {@code headers} (name, value pairs) and starts reading if the answer is 200. */
    public static SseClient open(URI uri, String... headers) {
        return open(DEFAULT, uri, headers);
    }

    public static SseClient open(HttpClient client, URI uri, String... headers) {
        return open(client, "GET", uri, headers);
    }

    public static SseClient open(HttpClient client, String method, URI uri, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
                .header("Accept", "text/event-stream");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return new SseClient(client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public HttpHeaders headers() {
        return response.headers();
    }

    /** The body of an answer that was not a stream (not 200). */
    public byte[] errorBody() {
        return errorBody;
    }

    /** The media type without parameters, lower case; "" when absent. */
    public String mediaType() {
        return response.headers().firstValue("Content-Type").map(ct -> ct.split(";")[0].trim().toLowerCase())
                .orElse("");
    }

    /** The next item, or null when none came within {@code timeout}. */
    public Item next(Duration timeout) {
        try {
            Item i = items.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (i instanceof Eof) {
                items.add(i); // the end stays the end
            }
            if (i != null) {
                synchronized (seen) {
                    seen.add(i);
                }
            }
            return i;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The next event, skipping comments; null when none came within {@code timeout} or the stream ended. */
    public Event nextEvent(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Item i = left > 0 ? next(Duration.ofNanos(left)) : null;
            if (i == null || i instanceof Eof) {
                return null;
            }
            if (i instanceof Event e) {
                return e;
            }
        }
    }

    /** Items until one matches {@code last} (included) or {@code timeout} passes; fails with what came otherwise. */
    public List<Item> until(Predicate<Item> last, Duration timeout) {
        List<Item> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Item i = left > 0 ? next(Duration.ofNanos(left)) : null;
            if (i == null) {
                throw new AssertionError("not within " + timeout + "; got " + out);
            }
            out.add(i);
            if (last.test(i)) {
                return out;
            }
            if (i instanceof Eof) {
                throw new AssertionError("the stream ended first; got " + out);
            }
        }
    }

    /** Events until the stream ends (comments dropped); fails when it does not end within {@code timeout}. */
    public List<Event> eventsUntilEnd(Duration timeout) {
        return until(i -> i instanceof Eof, timeout).stream().filter(i -> i instanceof Event).map(i -> (Event) i)
                .toList();
    }

    /** Everything taken with {@link #next} so far. */
    public List<Item> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /** Drops the connection (as a client that goes away). */
    @Override
    public void close() {
        closed = true;
        try {
            response.body().close();
        } catch (IOException ignored) {
            // going away anyway
        }
    }

    private static String causes(Throwable e) {
        StringBuilder b = new StringBuilder(e.toString());
        for (Throwable c = e.getCause(); c != null && b.length() < 1000; c = c.getCause()) {
            b.append(" <- ").append(c);
        }
        return b.toString();
    }

    private void read() {
        String event = null;
        String id = null;
        StringBuilder data = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null;) {
                if (line.isEmpty()) {
                    if (data != null) {
                        items.add(new Event(event == null ? "message" : event, id, data.toString()));
                    }
                    event = null;
                    id = null;
                    data = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    items.add(new Comment(line.length() > 1 && line.charAt(1) == ' ' ? line.substring(2) : line.substring(1)));
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "event" -> event = value;
                    case "id" -> id = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    default -> {
                        // retry and unknown fields: ignored
                    }
                }
            }
            items.add(new Eof(null));
        } catch (IOException e) {
            items.add(new Eof(closed ? null : causes(e)));
        }
    }
}
