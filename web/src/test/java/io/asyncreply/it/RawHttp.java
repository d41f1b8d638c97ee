package io.asyncreply.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 connection over a plain socket, for what {@link java.net.http.HttpClient} will not
 * do: send headers without a body, trickle a body, send an empty header, watch the server close.
 */
public final class RawHttp implements Closeable {
    private final URI base;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttp(URI base, Socket socket) throws IOException {
        this.base = base;
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static RawHttp open(URI base) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(base.getHost(), base.getPort() < 0 ? 80 : base.getPort()), 5000);
        return new RawHttp(base, s);
    }

    /**
     * The request line and headers (each "Name: value"), ending with the blank line; {@code path}
     * is relative to the base URL.
     */
    public void head(String method, String path, String... headers) throws IOException {
        String basePath = base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath();
        if (!basePath.endsWith("/")) {
            basePath += "/";
        }
        StringBuilder b = new StringBuilder(method).append(' ').append(basePath).append(path).append(" HTTP/1.1\r\n");
        b.append("Host: ").append(base.getHost()).append(base.getPort() < 0 ? "" : ":" + base.getPort()).append("\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        b.append("\r\n");
        write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** One chunk of a chunked body; an empty array writes the last chunk. */
    public void chunk(byte[] bytes) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(bytes.length + 16);
        b.writeBytes((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes(bytes);
        b.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (bytes.length == 0) {
            b.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        write(b.toByteArray());
    }

    /** Reads a whole response (head and body, by Content-Length or chunked), waiting at most {@code timeout}. */
    public Response response(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(); l != null && !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.merge(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int n = Integer.parseInt(line().split(";")[0].trim(), 16); n > 0;
                    n = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                b.writeBytes(in.readNBytes(n));
                line();
            }
            line();
            body = b.toByteArray();
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else {
            body = new byte[0];
        }
        return new Response(status, headers, body);
    }

    /** Whether bytes of an answer have arrived (and wait to be read with {@link #response}); never blocks. */
    public boolean answerArrived() throws IOException {
        return in.available() > 0;
    }

    /**
     * Whether the server closes the connection (end of stream or reset) within {@code timeout};
     * whatever else arrives meanwhile is discarded.
     */
    public boolean closedByServerWithin(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buf = new byte[8192];
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            socket.setSoTimeout((int) left);
            try {
                if (in.read(buf) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (SocketException e) { // reset
                return true;
            }
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    public record Response(int status, Map<String, String> headers, byte[] body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + text();
        }
    }
}
