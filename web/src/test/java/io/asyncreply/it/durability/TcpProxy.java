package io.asyncreply.it.durability;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 (a free port) in front of one upstream address, under the test's control:
 * {@link #cut()} simulates losing the database, {@link #partition()} losing the network to it,
 * {@link #restore()} brings it back.
 *
 * <p>While cut, every live connection is closed and new connections are accepted but blackholed:
 * nothing is forwarded and nothing is answered, like a server that no longer responds, so a client
 * only gets out through its own timeouts. A partition blackholes new connections too, but leaves
 * the live ones open and silently drops whatever crosses them. {@link #restore()} closes the
 * blackholed (and frozen) connections and forwards new ones again. Each connection uses two
 * daemon threads; {@link #close()} ends all.
 */
final class TcpProxy implements Closeable {
    private final InetSocketAddress upstream;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Object lock = new Object();
    /** Forwarded connections: each entry is a client socket and its upstream socket. */
    private final Set<Socket[]> live = new HashSet<>();
    private final List<Socket> blackholed = new ArrayList<>();
    private final AtomicLong forwarded = new AtomicLong();
    private boolean cut;
    /** A partition: live connections stay open, but nothing crosses them any more. */
    private volatile boolean frozen;
    private volatile boolean closed;

    TcpProxy(String upstreamHost, int upstreamPort) throws IOException {
        this.upstream = new InetSocketAddress(upstreamHost, upstreamPort);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections forwarded since the start (a client that reconnects after a restore adds to it). */
    long forwardedConnections() {
        return forwarded.get();
    }

    /** Connections being forwarded now. */
    int liveConnections() {
        synchronized (lock) {
            return live.size();
        }
    }

    /** Closes every live connection; new ones are accepted and blackholed until {@link #restore()}. */
    void cut() {
        List<Socket[]> toClose;
        synchronized (lock) {
            cut = true;
            toClose = new ArrayList<>(live);
            live.clear();
        }
        toClose.forEach(TcpProxy::closeBoth);
    }

    /**
     * A network partition: live connections stay open but nothing crosses them any more (bytes are
     * dropped, no FIN, no RST), and new ones are blackholed, until {@link #restore()}, which closes
     * the frozen connections.
     */
    void partition() {
        synchronized (lock) {
            cut = true;
            frozen = true;
        }
    }

    /** Forwards new connections again, and closes the blackholed (and frozen) ones so their clients see an error. */
    void restore() {
        List<Socket> toClose;
        List<Socket[]> frozenPairs = List.of();
        synchronized (lock) {
            if (frozen) {
                frozenPairs = new ArrayList<>(live);
                live.clear();
                frozen = false;
            }
            cut = false;
            toClose = new ArrayList<>(blackholed);
            blackholed.clear();
        }
        toClose.forEach(TcpProxy::closeQuietly);
        frozenPairs.forEach(TcpProxy::closeBoth);
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        cut();
        restore();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            synchronized (lock) {
                if (cut) {
                    blackholed.add(client);
                    continue;
                }
            }
            Socket up = new Socket();
            try {
                up.connect(upstream, 5_000);
                client.setTcpNoDelay(true);
                up.setTcpNoDelay(true);
            } catch (IOException e) {
                closeQuietly(up);
                closeQuietly(client);
                continue;
            }
            Socket[] pair = {client, up};
            synchronized (lock) {
                if (cut) { // cut while we were connecting: this one is lost too
                    closeQuietly(up);
                    blackholed.add(client);
                    continue;
                }
                live.add(pair);
            }
            forwarded.incrementAndGet();
            pump(pair, client, up, "c2s");
            pump(pair, up, client, "s2c");
        }
    }

    private void pump(Socket[] pair, Socket from, Socket to, String direction) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (!frozen) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // closed by cut(), by a peer, or at close()
            } finally {
                synchronized (lock) {
                    live.remove(pair);
                }
                closeBoth(pair);
            }
        }, "tcp-proxy-" + direction + "-" + from.getPort());
        t.setDaemon(true);
        t.start();
    }

    private static void closeBoth(Socket[] pair) {
        closeQuietly(pair[0]);
        closeQuietly(pair[1]);
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
