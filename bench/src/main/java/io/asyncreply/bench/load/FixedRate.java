package io.asyncreply.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * A fixed-rate (open-model) load generator, because Debian ships {@code wrk} but not {@code wrk2}:
 * POSTs at {@code rate} requests per second for {@code seconds} over a pool of {@code connections}
 * keep-alive connections. Request k is due at {@code start + k / rate}; it goes out on the next
 * idle connection, and its latency is measured from its <em>due</em> time (or from its send, when it
 * went out before it was due), so a stall delays the requests behind it and shows up in their
 * latency (no coordinated omission, as in wrk2). The latency from the actual send is reported too.
 *
 * <p>One thread and non-blocking sockets, so that the client takes as little of a shared machine's
 * CPU as it can: a first version with one blocking thread per connection spent more CPU in the
 * client than the server did in the requests it measured, and its own scheduling delays showed up
 * as the server's latency. The thread waits in {@code select} (woken by answers) until the next
 * request is less than a millisecond from its due time, and sends it then: requests go out up to
 * 1 ms early rather than late, and the client never spins.
 *
 * <p>Usage: {@code fixed-rate URL RATE SECONDS CONNECTIONS BODY_BYTES [CONTENT_TYPE]}; prints {@code key=value} lines.
 */
final class FixedRate {
    private FixedRate() {
    }

    /** One keep-alive connection and the request in flight on it, if any. */
    private static final class Conn {
        SocketChannel ch;
        SelectionKey key;
        ByteBuffer out;
        ByteBuffer in = ByteBuffer.allocate(8192);
        long due;
        long sent;
    }

    static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        double rate = Double.parseDouble(args[1]);
        double seconds = Double.parseDouble(args[2]);
        int connections = Integer.parseInt(args[3]);
        byte[] body = "x".repeat(Integer.parseInt(args[4])).getBytes(StandardCharsets.ISO_8859_1);
        String contentType = args.length > 5 ? args[5] : "application/octet-stream";
        byte[] request = Http.request("POST", url.getRawPath(), url.getHost() + ":" + url.getPort(), contentType,
                body);
        InetSocketAddress address = new InetSocketAddress(url.getHost(), url.getPort());

        Stats fromDue = new Stats();
        Stats fromSend = new Stats();
        long reconnects = 0;
        long total = (long) (rate * seconds);
        double intervalNanos = 1e9 / rate;
        try (Selector selector = Selector.open()) {
            ArrayDeque<Conn> idle = new ArrayDeque<>();
            for (int i = 0; i < connections; i++) {
                idle.add(open(new Conn(), address, selector));
            }
            long start = System.nanoTime() + 100_000_000L;
            long next = 0; // the next request to send
            long done = 0; // answered or failed
            while (done < total) {
                long now = System.nanoTime();
                // send every request due within the next millisecond that has an idle connection
                // (Selector.select waits in whole milliseconds: sending up to 1 ms early, instead of
                // polling until the exact due time, keeps the client from spinning on a core it
                // shares with the server)
                while (next < total && !idle.isEmpty()) {
                    long due = start + (long) (next * intervalNanos);
                    if (due > now + 1_000_000L) {
                        break;
                    }
                    Conn c = idle.poll();
                    c.due = due;
                    c.sent = now;
                    c.out = ByteBuffer.wrap(request);
                    try {
                        c.ch.write(c.out);
                        c.key.interestOps(c.out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE
                                : SelectionKey.OP_READ);
                    } catch (IOException e) {
                        fromDue.error();
                        done++;
                        reconnects++;
                        idle.add(reopen(c, address, selector));
                    }
                    next++;
                }
                // wait for answers, or until the next request is within a millisecond of its due time
                long wait = next < total && !idle.isEmpty() ? start + (long) (next * intervalNanos) - System.nanoTime()
                        : Long.MAX_VALUE;
                int ready = wait <= 1_000_000L ? selector.selectNow()
                        : selector.select(Math.min(Math.max(1, wait / 1_000_000L - 1), 1000));
                if (ready == 0) {
                    continue;
                }
                long at = System.nanoTime();
                for (SelectionKey k : selector.selectedKeys()) {
                    Conn c = (Conn) k.attachment();
                    try {
                        if (k.isValid() && k.isWritable() && c.out.hasRemaining()) {
                            c.ch.write(c.out);
                            if (!c.out.hasRemaining()) {
                                k.interestOps(SelectionKey.OP_READ);
                            }
                        }
                        if (k.isValid() && k.isReadable()) {
                            int status = read(c);
                            if (status > 0) {
                                fromDue.add(at - Math.min(c.due, c.sent)); // late: from the due time; early: from the send
                                fromSend.add(at - c.sent);
                                fromDue.status(status);
                                done++;
                                idle.add(c);
                            }
                        }
                    } catch (IOException e) {
                        fromDue.error();
                        done++;
                        reconnects++;
                        idle.add(reopen(c, address, selector));
                    }
                }
                selector.selectedKeys().clear();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            for (SelectionKey k : selector.keys()) {
                k.channel().close();
            }
            System.out.println(String.format(Locale.ROOT,
                    "target_rate=%.1f%nachieved_rate=%.1f%nseconds=%.2f%nconnections=%d%nerrors=%d%nreconnects=%d",
                    rate, fromDue.count() / elapsed, elapsed, connections, fromDue.errors, reconnects));
        }
        System.out.println(fromDue.statusesKv("status", 202));
        System.out.println(fromDue.latencyKv("latency"));
        System.out.println(fromSend.latencyKv("latency_from_send"));
    }

    private static Conn open(Conn c, InetSocketAddress address, Selector selector) throws IOException {
        SocketChannel ch = SocketChannel.open();
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.connect(address);
        ch.configureBlocking(false);
        c.ch = ch;
        c.key = ch.register(selector, 0, c);
        c.in.clear();
        return c;
    }

    private static Conn reopen(Conn c, InetSocketAddress address, Selector selector) throws IOException {
        try {
            c.ch.close();
        } catch (IOException ignored) {
            // replaced below
        }
        return open(c, address, selector);
    }

    /**
     * Reads what has arrived; the status once the whole answer is in (the connection is then ready
     * for the next request), else 0. Answers have a {@code Content-Length} or are chunked.
     */
    private static int read(Conn c) throws IOException {
        if (c.ch.read(c.in) < 0) {
            throw new IOException("closed by the server");
        }
        byte[] a = c.in.array();
        int n = c.in.position();
        int headEnd = indexOf(a, n, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0);
        if (headEnd < 0) {
            grow(c);
            return 0;
        }
        String head = new String(a, 0, headEnd, StandardCharsets.ISO_8859_1);
        int bodyStart = headEnd + 4;
        boolean close = false;
        int length = -1;
        boolean chunked = false;
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Integer.parseInt(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
            } else if (name.equalsIgnoreCase("Connection")) {
                close = value.equalsIgnoreCase("close");
            }
        }
        if (chunked) {
            if (indexOf(a, n, "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), bodyStart) < 0) {
                grow(c);
                return 0;
            }
        } else if (n < bodyStart + Math.max(0, length)) {
            grow(c);
            return 0;
        }
        int status = Integer.parseInt(head.substring(9, 12));
        c.in.clear();
        if (close) {
            throw new IOException("the server closed the connection after a " + status);
        }
        return status;
    }

    private static void grow(Conn c) {
        if (!c.in.hasRemaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(c.in.capacity() * 2);
            c.in.flip();
            bigger.put(c.in);
            c.in = bigger;
        }
    }

    private static int indexOf(byte[] a, int n, byte[] what, int from) {
        outer:
        for (int i = from; i <= n - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (a[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
