package io.asyncreply.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Many slow uploaders on one thread: {@code clients} keep-alive connections, each POSTing a body
 * of {@code bodyBytes} bytes, {@code chunk} bytes every {@code tickMs} ms (the headers at once,
 * then the body trickles), then reading the answer and starting the next upload, until
 * {@code seconds} pass. Sends are spread evenly over each tick. Non-blocking sockets: the client
 * costs little CPU, so the server's share of the machine stays what it would be.
 *
 * <p>Usage: {@code slow URL CLIENTS SECONDS BODY_BYTES CHUNK TICK_MS}; prints {@code key=value} lines at
 * the end (and a progress line on stderr every 5 s).
 */
final class SlowUploads {
    /** Each tick is cut in this many slots, each connection sending in its own: 1 ms apart by default. */
    private static final int SLOTS = 100;

    private static final class Client {
        final SocketChannel ch;
        int sent = -1; // bytes of the body sent; -1 before the headers
        ByteBuffer in = ByteBuffer.allocate(4096);
        boolean awaiting;

        Client(SocketChannel ch) {
            this.ch = ch;
        }
    }

    private SlowUploads() {
    }

    static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        int clients = Integer.parseInt(args[1]);
        double seconds = Double.parseDouble(args[2]);
        int bodyBytes = Integer.parseInt(args[3]);
        int chunk = Integer.parseInt(args[4]);
        int tickMs = Integer.parseInt(args[5]);
        byte[] head = ("POST " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
                + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + bodyBytes + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] body = "y".repeat(bodyBytes).getBytes(StandardCharsets.ISO_8859_1);

        List<List<Client>> slots = new ArrayList<>();
        for (int s = 0; s < SLOTS; s++) {
            slots.add(new ArrayList<>());
        }
        long connectErrors = 0;
        for (int i = 0; i < clients; i++) {
            try {
                SocketChannel ch = SocketChannel.open();
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.connect(new InetSocketAddress(url.getHost(), url.getPort()));
                ch.configureBlocking(false);
                slots.get(i % SLOTS).add(new Client(ch));
            } catch (IOException e) {
                connectErrors++;
            }
        }
        Map<Integer, Long> statuses = new TreeMap<>();
        long uploads = 0;
        long errors = 0;
        long slotNanos = tickMs * 1_000_000L / SLOTS;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long nextReport = start + 5_000_000_000L;
        long tick = 0;
        while (System.nanoTime() < end) {
            long due = start + tick * slotNanos;
            long now;
            while ((now = System.nanoTime()) < due) {
                Thread.sleep(Math.max(0, (due - now) / 1_000_000L), (int) ((due - now) % 1_000_000L));
            }
            for (Client c : slots.get((int) (tick % SLOTS))) {
                if (c.ch == null || !c.ch.isOpen()) {
                    continue;
                }
                try {
                    if (c.awaiting) {
                        int status = poll(c);
                        if (status > 0) {
                            statuses.merge(status, 1L, Long::sum);
                            uploads++;
                            c.awaiting = false;
                            c.sent = -1;
                        }
                        continue;
                    }
                    if (c.sent < 0) {
                        writeFully(c.ch, ByteBuffer.wrap(head));
                        c.sent = 0;
                    }
                    int n = Math.min(chunk, bodyBytes - c.sent);
                    writeFully(c.ch, ByteBuffer.wrap(body, c.sent, n));
                    c.sent += n;
                    if (c.sent == bodyBytes) {
                        c.awaiting = true;
                    }
                } catch (IOException e) {
                    errors++;
                    c.ch.close();
                }
            }
            tick++;
            if (System.nanoTime() > nextReport) {
                nextReport += 5_000_000_000L;
                System.err.printf(Locale.ROOT, "slow uploads: %.0f s, %d uploads done, %d errors%n",
                        (System.nanoTime() - start) / 1e9, uploads, errors);
            }
        }
        long open = 0;
        for (List<Client> slot : slots) {
            for (Client c : slot) {
                if (c.ch.isOpen()) {
                    open++;
                    c.ch.close();
                }
            }
        }
        System.out.println(String.format(Locale.ROOT,
                "clients=%d%nseconds=%.1f%nbody_bytes=%d%nchunk=%d%ntick_ms=%d%nconnect_errors=%d%nerrors=%d%n"
                        + "open_at_end=%d%nuploads_done=%d",
                clients, seconds, bodyBytes, chunk, tickMs, connectErrors, errors, open, uploads));
        statuses.forEach((k, v) -> System.out.println("status." + k + "=" + v));
    }

    private static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        int spins = 0;
        while (b.hasRemaining()) {
            if (ch.write(b) == 0 && ++spins > 1000) {
                throw new IOException("send buffer full");
            }
        }
    }

    /** Reads what has arrived; the status once a whole response is in, else 0. */
    private static int poll(Client c) throws IOException {
        int n = c.ch.read(c.in);
        if (n < 0) {
            throw new IOException("closed by the server");
        }
        String s = new String(c.in.array(), 0, c.in.position(), StandardCharsets.ISO_8859_1);
        int headEnd = s.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            if (!c.in.hasRemaining()) {
                throw new IOException("response head too large");
            }
            return 0;
        }
        int length = 0;
        for (String line : s.substring(0, headEnd).split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        if (c.in.position() < headEnd + 4 + length) {
            if (!c.in.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(c.in.capacity() * 2);
                c.in.flip();
                bigger.put(c.in);
                c.in = bigger;
            }
            return 0;
        }
        int status = Integer.parseInt(s.substring(9, 12));
        c.in.clear();
        return status;
    }
}
