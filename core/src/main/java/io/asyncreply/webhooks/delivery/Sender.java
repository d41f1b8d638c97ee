package io.asyncreply.webhooks.delivery;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 {@code POST} on a socket of its own, on the caller's thread (a sender thread of the
 * dispatcher, never a worker's), <em>to an address the {@link AddressPolicy} checked</em>: the name
 * is not resolved again, so a name that turns to an internal address between the check and the
 * connect (DNS rebinding) cannot move the request there. The URL's host still names the request:
 * it is the {@code Host} header and, for {@code https}, the TLS server name and the name the
 * certificate is verified against ({@code HTTPS} endpoint identification).
 *
 * <p>No proxy, no redirects followed (a 3xx is an answer like any other), {@code Connection: close}
 * (one exchange per connection), a connect timeout, a read timeout per read, a deadline on the
 * whole exchange, the status line read from at most {@value HttpAnswer#MAX_LINE_BYTES} bytes (interim 1xx
 * answers skipped), and the rest of the answer read and dropped as far as its framing says, at
 * most {@code maxResponseBytes} of its body, so the receiver is not cut off while it writes a
 * short answer.
 *
 * <p>Why not the JDK's HTTP clients: {@code HttpURLConnection} and {@code java.net.http.HttpClient}
 * resolve the name themselves when they connect and cannot be given the address that was checked
 * while keeping the name for TLS and {@code Host}; {@code HttpClient} also cannot be closed on Java
 * 17, and its selector thread outlived an undeploy. This sender has no thread of its own: the
 * deadline is kept by the dispatcher's scheduler, and {@link #abortAll()} ends every exchange at once
 * when the node stops.
 *
 * <p>Hazard: a blocking socket read does not answer to an interrupt. Every socket is therefore
 * registered while its exchange runs, so that the deadline and {@link #abortAll()} can close it,
 * which ends the read with an exception. A stop that closes a socket of an exchange still trying
 * addresses ends that attempt as a network failure; the delivery is tried again by its schedule.
 */
final class Sender {
    /** What an attempt came to: an HTTP status, or no answer ({@code error}: {@code timeout}, {@code network}, {@code client-error}). */
    record Result(Integer status, String error) {
    }

    private final int connectMillis;
    private final int readMillis;
    private final long deadlineMillis;
    private final int maxResponseBytes;
    private final ScheduledExecutorService deadlines;
    private final SSLSocketFactory tls;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    /** {@code tls}: makes the TLS connections of {@code https} URLs (the JVM's default trusts its cacerts). */
    Sender(WebhookSettings s, ScheduledExecutorService deadlines, SSLSocketFactory tls) {
        this.connectMillis = (int) Math.min(Integer.MAX_VALUE, s.connectTimeout().toMillis());
        this.readMillis = (int) Math.min(Integer.MAX_VALUE, s.readTimeout().toMillis());
        this.deadlineMillis = s.connectTimeout().plus(s.readTimeout()).toMillis();
        this.maxResponseBytes = s.maxResponseBytes();
        this.deadlines = deadlines;
        this.tls = tls;
    }

    /**
     * Sends to {@code uri} at one of {@code addresses} (those the policy checked, tried in order; empty
     * when the host is allowed by name, which is then resolved here). Throws
     * {@link InterruptedException} when the node stops meanwhile (the request is abandoned).
     */
    Result send(URI uri, List<InetAddress> addresses, byte[] body, List<String[]> headers)
            throws InterruptedException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean secure = scheme.equals("https");
        String host = uri.getHost();
        byte[] head;
        if ((!secure && !scheme.equals("http")) || host == null || (head = head(uri, body.length, headers)) == null) {
            return new Result(null, "client-error");
        }
        String name = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        int port = uri.getPort() >= 0 ? uri.getPort() : secure ? 443 : 80;
        List<Socket> mine = new CopyOnWriteArrayList<>(); // this exchange's sockets: one per address tried
        AtomicBoolean late = new AtomicBoolean();
        ScheduledFuture<?> deadline = deadlines.schedule(() -> {
            late.set(true);
            mine.forEach(Sender::close);
        }, deadlineMillis, TimeUnit.MILLISECONDS);
        try {
            Socket socket = connect(addresses.isEmpty() ? List.of(InetAddress.getAllByName(name)) : addresses, port,
                    mine, late);
            socket.setSoTimeout(readMillis);
            Socket s = secure ? handshake(socket, name, port) : socket;
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), Math.min(65_536, head.length + body.length));
            out.write(head);
            out.write(body);
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream(), 8192);
            int status = HttpAnswer.status(in);
            HttpAnswer.drop(in, status, maxResponseBytes);
            return new Result(status, null);
        } catch (SocketTimeoutException e) {
            return new Result(null, "timeout");
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("stopping");
            }
            return new Result(null, late.get() ? "timeout" : "network");
        } finally {
            deadline.cancel(false);
            for (Socket x : mine) {
                open.remove(x);
                close(x);
            }
        }
    }

    /** The request line and headers, or null when a value could start a header of its own (CR or LF). */
    private static byte[] head(URI uri, int length, List<String[]> headers) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        String authority = uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
        StringBuilder sb = new StringBuilder(256).append("POST ").append(path).append(query).append(" HTTP/1.1\r\n")
                .append("Host: ").append(authority).append("\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Content-Length: ").append(length).append("\r\n")
                .append("User-Agent: asyncreply-webhooks\r\n")
                .append("Connection: close\r\n");
        for (String[] h : headers) {
            if (unsafe(h[0]) || unsafe(h[1])) {
                return null;
            }
            sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static boolean unsafe(String s) {
        return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0;
    }

    /**
     * Connects to the first of {@code addresses} that answers, on a new socket for each (a socket
     * whose connect failed cannot be used again), each registered in {@code mine} and {@link #open}
     * before it connects, so that the deadline and {@link #abortAll()} can close it.
     */
    private Socket connect(List<InetAddress> addresses, int port, List<Socket> mine, AtomicBoolean late)
            throws IOException {
        IOException last = null;
        for (InetAddress a : addresses) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("stopping");
            }
            Socket socket = new Socket(Proxy.NO_PROXY);
            mine.add(socket);
            open.add(socket);
            if (late.get()) {
                throw new SocketTimeoutException("the deadline passed");
            }
            try {
                socket.connect(new InetSocketAddress(a, port), connectMillis);
                return socket;
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                if (late.get()) {
                    throw e; // the deadline closed it
                }
                last = e;
                close(socket);
            }
        }
        throw last != null ? last : new IOException("no address");
    }

    /** TLS over the connected socket: server name and certificate checked against {@code name}. */
    private Socket handshake(Socket socket, String name, int port) throws IOException {
        SSLSocket s = (SSLSocket) tls.createSocket(socket, name, port, true); // closing socket ends it too
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (AddressPolicy.literal(name) == null) { // SNI carries names only
            p.setServerNames(List.of(new SNIHostName(name)));
        }
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** Ends every exchange in flight (the node stops): their threads get an exception at once. */
    void abortAll() {
        for (Socket s : open) {
            close(s);
        }
    }
}
