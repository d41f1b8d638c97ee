package io.asyncreply.webhooks.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One POST with the JDK's {@link HttpURLConnection}, on the caller's thread (a sender thread of the
 * dispatcher, never a worker's): no proxy, no redirects followed, no caches, a connect timeout, a
 * read timeout, a deadline on the whole exchange, and at most {@code maxResponseBytes} of the
 * answer's body read (the rest is dropped with the connection).
 *
 * <p>Why not {@code java.net.http.HttpClient}: on Java 17 it cannot be closed, and its selector
 * thread lives on after an undeploy until the garbage collector finds the client (Tomcat reports it
 * as a thread the application failed to stop). This sender has no thread of its own: the deadline
 * is kept by the dispatcher's scheduler, and {@link #abortAll()} ends every exchange at once when the
 * node stops.
 *
 * <p>Hazard: a blocking socket read does not answer to an interrupt. Every exchange is therefore
 * registered while it runs, so that the deadline and {@link #abortAll()} can disconnect it (which
 * closes its socket and ends the read with an exception).
 */
final class Sender {
    /** What an attempt came to: an HTTP status, or no answer ({@code error}: {@code timeout} or {@code network}). */
    record Result(Integer status, String error) {
    }

    private final int connectMillis;
    private final int readMillis;
    private final long deadlineMillis;
    private final int maxResponseBytes;
    private final ScheduledExecutorService deadlines;
    private final Set<HttpURLConnection> open = ConcurrentHashMap.newKeySet();

    Sender(WebhookSettings s, ScheduledExecutorService deadlines) {
        this.connectMillis = (int) Math.min(Integer.MAX_VALUE, s.connectTimeout().toMillis());
        this.readMillis = (int) Math.min(Integer.MAX_VALUE, s.readTimeout().toMillis());
        this.deadlineMillis = s.connectTimeout().plus(s.readTimeout()).toMillis();
        this.maxResponseBytes = s.maxResponseBytes();
        this.deadlines = deadlines;
    }

    /** Sends; throws {@link InterruptedException} when the node stops meanwhile (the request is abandoned). */
    Result send(URI uri, byte[] body, List<String[]> headers) throws InterruptedException {
        HttpURLConnection c;
        try {
            c = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
        } catch (IOException | IllegalArgumentException | ClassCastException e) {
            return new Result(null, "client-error");
        }
        AtomicBoolean late = new AtomicBoolean();
        open.add(c);
        ScheduledFuture<?> deadline = deadlines.schedule(() -> {
            late.set(true);
            c.disconnect();
        }, deadlineMillis, TimeUnit.MILLISECONDS);
        try {
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setConnectTimeout(connectMillis);
            c.setReadTimeout(readMillis);
            c.setDoOutput(true);
            c.setRequestMethod("POST");
            c.setFixedLengthStreamingMode(body.length);
            c.setRequestProperty("Content-Type", "application/json");
            c.setRequestProperty("User-Agent", "asyncreply-webhooks");
            for (String[] h : headers) {
                c.setRequestProperty(h[0], h[1]);
            }
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
            int status = c.getResponseCode();
            skip(c);
            return new Result(status, null);
        } catch (SocketTimeoutException e) {
            return new Result(null, "timeout");
        } catch (IOException | RuntimeException e) {
            // RuntimeException: HttpURLConnection wraps some failures of a disconnected exchange
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("stopping");
            }
            return new Result(null, late.get() ? "timeout" : "network");
        } finally {
            deadline.cancel(false);
            open.remove(c);
            c.disconnect();
        }
    }

    /** Reads and drops at most {@code maxResponseBytes} of the answer's body. */
    private void skip(HttpURLConnection c) {
        byte[] buf = new byte[Math.min(4096, Math.max(1, maxResponseBytes))];
        InputStream in;
        try {
            in = c.getResponseCode() >= 400 ? c.getErrorStream() : c.getInputStream();
        } catch (IOException e) {
            return; // the status is known; what the body did does not matter
        }
        if (in == null) {
            return;
        }
        try {
            int seen = 0;
            int n;
            while (seen < maxResponseBytes && (n = in.read(buf, 0, Math.min(buf.length, maxResponseBytes - seen))) >= 0) {
                seen += n;
            }
        } catch (IOException e) {
            // the status is known
        }
    }

    /** Ends every exchange in flight (the node stops): their threads get an exception at once. */
    void abortAll() {
        for (HttpURLConnection c : open) {
            c.disconnect();
        }
    }
}
