package io.asyncreply.webhooks.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * Reads an HTTP/1.x answer for the {@link Sender}: its final status (interim 1xx answers passed
 * over), then the rest dropped as far as the answer's framing says. Every line is bounded
 * ({@value #MAX_LINE_BYTES} bytes) and so is every read, so a receiver cannot make the sender
 * buffer without limit; a malformed answer is an {@link IOException}.
 */
final class HttpAnswer {
    /** Most bytes of one line of an answer's head (the status line, a header). */
    static final int MAX_LINE_BYTES = 8192;

    private HttpAnswer() {
    }

    /** The status of the final answer (interim 1xx answers skipped). */
    static int status(InputStream in) throws IOException {
        while (true) {
            String line = line(in);
            if (line.length() < 12 || !line.startsWith("HTTP/1.") || line.charAt(8) != ' '
                    || (line.length() > 12 && line.charAt(12) != ' ')) {
                throw new IOException("not an HTTP/1.x status line");
            }
            int status;
            try {
                status = Integer.parseInt(line.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new IOException("not an HTTP/1.x status line");
            }
            if (status < 100 || status > 599) {
                throw new IOException("status out of range");
            }
            if (status >= 200 || status == 101) {
                return status;
            }
            int read = 0; // an interim answer: its headers up to the empty line, then the next status line
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                read += h.length();
                if (read > MAX_LINE_BYTES) {
                    throw new IOException("interim answer too long");
                }
            }
        }
    }

    /** One line without its CR LF, of at most {@value #MAX_LINE_BYTES} bytes. */
    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        for (int n = 0; n <= MAX_LINE_BYTES; n++) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the answer ended early");
            }
            if (b == '\n') {
                int end = sb.length();
                return end > 0 && sb.charAt(end - 1) == '\r' ? sb.substring(0, end - 1) : sb.toString();
            }
            sb.append((char) b);
        }
        throw new IOException("line too long");
    }

    /**
     * Reads and drops the rest of the answer: its headers, then its body as far as its framing
     * ({@code Content-Length} or chunked) says and at most {@code maxResponseBytes}. It stops at the
     * end of the answer, so a receiver that keeps the connection open despite {@code Connection:
     * close} does not hold the sender until the read timeout; without framing, the body ends with
     * the connection.
     */
    static void drop(InputStream in, int status, int maxResponseBytes) {
        try {
            long length = -1;
            boolean chunked = false;
            int read = 0;
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                read += h.length();
                if (read > MAX_LINE_BYTES * 2) {
                    return;
                }
                int colon = h.indexOf(':');
                String name = colon <= 0 ? "" : h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = colon <= 0 ? "" : h.substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equals("transfer-encoding")) {
                    chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
                }
            }
            if (status == 204 || status == 304 || status == 101) {
                return; // no body
            }
            long budget = maxResponseBytes;
            if (!chunked) {
                skip(in, length >= 0 ? Math.min(length, budget) : budget);
                return;
            }
            while (budget > 0) {
                String size = line(in);
                int semi = size.indexOf(';');
                long n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                if (n <= 0) {
                    return; // the last chunk; trailers are dropped with the connection
                }
                long take = Math.min(n, budget);
                skip(in, take);
                budget -= take;
                if (take < n) {
                    return;
                }
                line(in); // the chunk's CR LF
            }
        } catch (IOException | NumberFormatException e) {
            // the status is known; what the rest did does not matter
        }
    }

    private static void skip(InputStream in, long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(4096, Math.max(1, n))];
        long left = n;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                return;
            }
            left -= r;
        }
    }
}
