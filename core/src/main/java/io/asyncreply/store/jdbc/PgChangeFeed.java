package io.asyncreply.store.jdbc;

import io.asyncreply.store.StoreEvents;
import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Cross-node events on PostgreSQL with {@code LISTEN}/{@code NOTIFY}.
 *
 * <p>Sending: {@code SELECT pg_notify(channel, payload)} inside the transaction of the changes,
 * just before its commit: PostgreSQL delivers it at the commit, and not at all on a rollback. Two
 * channels per schema and table prefix (see {@link #channelBase}): {@code ..._events} (at most one
 * per transaction; payload {@code q} when tasks became ready, else empty) and {@code ..._cancel}
 * (payload: the task id of a running task whose cancel was requested).
 *
 * <p>Receiving: one thread, {@value #THREAD_NAME}, started by the first {@link #start}, holds one
 * connection of the DataSource for as long as it works, {@code LISTEN}s on the three channels and
 * reads notifications with pgjdbc's {@code PGConnection.getNotifications(int timeoutMillis)}. It
 * calls the subscriber's {@link StoreEvents} on that thread. When the connection breaks it closes
 * it, waits (100 ms doubling to {@link #MAX_BACKOFF_MILLIS}), takes a new one, and then calls
 * {@link StoreEvents#eventsMissed()}: notifications sent while nobody listened are gone, and the
 * service's polling is only a slow fallback. An idle connection is checked every
 * {@link #CHECK_MILLIS} ms ({@code isValid}), so a silently dropped one is noticed too.
 *
 * <p>Why reflection: core depends on the JDK only (the build enforces it), so pgjdbc is neither a
 * compile nor a runtime dependency. The interface {@code org.postgresql.PGConnection} is looked up
 * by name through the class loaders that may see the driver (the connection's, the pool's, the
 * thread's context loader, this class's), the pool's connection is {@code unwrap}ped to it, and
 * {@code getNotifications(int)} and {@code PGNotification.getName()/getParameter()} are called
 * through {@link Method}s of those public interfaces. A driver without them (another driver,
 * pgjdbc older than 42.2) makes the feed log one warning and stop listening; sending still works
 * (it is plain SQL), and other nodes' work is found by polling.
 *
 * <p>Hazards:
 * <ul>
 *   <li>The listener holds one pooled connection for the life of the store: size the pool for it
 *       (workers + writer + listener + requests). A pool that evicts connections held too long
 *       breaks it; it then reconnects.</li>
 *   <li>This node gets its own notifications too; the service treats them as the duplicates they
 *       are (an extra claim attempt, a read of a task nobody here waits for, a second cancel of an
 *       execution already cancelled).</li>
 *   <li>Notifications are wake-ups, not a log: they can be lost (sender crash between commit and
 *       notify, listener reconnecting). Every receiver re-reads the store, and polling, waiter
 *       timeouts and {@link StoreEvents#eventsMissed()} cover the losses.</li>
 *   <li>Subscriber calls run on the listener thread and must not block: a slow subscriber delays
 *       every later notification of this node.</li>
 *   <li>Before the connection goes back to the pool the listener runs {@code UNLISTEN *}; a pooled
 *       connection still listening would pile up notifications in its driver.</li>
 * </ul>
 */
final class PgChangeFeed implements ChangeFeed {
    static final String THREAD_NAME = "asyncreply-pg-listener";
    private static final System.Logger LOG = System.getLogger(PgChangeFeed.class.getName());
    /** How long one read of notifications blocks; also how long {@link #close()} may wait for it. */
    static final int POLL_MILLIS = 250;
    /** A connection that delivered nothing for this long is checked with {@code isValid}. */
    static final long CHECK_MILLIS = 10_000;
    static final long MIN_BACKOFF_MILLIS = 100;
    static final long MAX_BACKOFF_MILLIS = 5_000;
    private static final int VALID_TIMEOUT_SECONDS = 5;
    /** Longest wait for an answer to LISTEN or UNLISTEN (the pool's own setting may be none at all). */
    static final int STATEMENT_TIMEOUT_MILLIS = 5_000;
    private static final int MAX_ID_LENGTH = 64;
    /** The payload on the events channel when tasks became ready. */
    static final String QUEUED = "q";
    /** The payload on the events channel of a node that starts listening: the others notify from now on. */
    static final String HELLO = "hello";

    private final DataSource dataSource;
    final String eventsChannel;
    final String cancelChannel;

    private final Object lock = new Object();
    private volatile StoreEvents events;
    private Thread thread; // guarded by lock
    private volatile boolean closed;
    private volatile boolean othersAlive = true; // until the registry says otherwise
    private volatile long helloAtNanos = System.nanoTime();
    private volatile int listenerPid;
    private volatile long connects;

    private PgChangeFeed(DataSource dataSource, String base) {
        this.dataSource = dataSource;
        this.eventsChannel = base + "_events";
        this.cancelChannel = base + "_cancel";
    }

    /**
     * A feed for the tables of {@code dialect} in the connection's current schema. Channels are
     * database-wide in PostgreSQL, so their names carry a hash of schema and prefix: stores on other
     * schemas or prefixes of the same database never hear each other.
     */
    static PgChangeFeed create(DataSource dataSource, Dialect dialect) throws SQLException {
        String schema;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_schema()")) {
            schema = rs.next() ? rs.getString(1) : null;
        }
        return new PgChangeFeed(dataSource, channelBase(schema, dialect.prefix));
    }

    /** {@code asyncreply_<8 hex digits of SHA-256(schema, prefix)>}: lower case, well under 63 bytes. */
    static String channelBase(String schema, String prefix) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] h = md.digest((String.valueOf(schema) + '\0' + prefix).getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder("asyncreply_");
            for (int i = 0; i < 4; i++) {
                sb.append(Character.forDigit((h[i] >> 4) & 0xF, 16)).append(Character.forDigit(h[i] & 0xF, 16));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    // ---------------------------------------------------------------- sending

    @Override
    public void announce(Connection c, boolean events, boolean queued, List<String> cancels) throws SQLException {
        if (!othersAlive) {
            return;
        }
        if (events || queued) {
            send(c, eventsChannel, queued ? QUEUED : "");
        }
        for (String id : cancels) {
            send(c, cancelChannel, id);
        }
    }

    @Override
    public String eventsChannel() {
        return othersAlive ? eventsChannel : null;
    }

    /**
     * Only other nodes need notifications (this node wakes its own threads directly): while the node
     * registry shows no other live node, nothing is sent. A node that starts is announced by its
     * first heartbeat; until the others' next heartbeat (a third of the lease) it finds their work
     * and events by polling.
     */
    @Override
    public void otherNodes(boolean alive, long askedAtNanos) {
        if (!alive && helloAtNanos - askedAtNanos > 0) {
            return; // a node said hello while the registry was read: it counts
        }
        othersAlive = alive;
    }

    private static void send(Connection c, String channel, String payload) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, channel);
            ps.setString(2, payload);
            ps.execute();
        }
    }

    // ---------------------------------------------------------------- receiving

    /** Subscribes {@code events}; the first call starts the listener thread. */
    @Override
    public void start(StoreEvents events) {
        this.events = Objects.requireNonNull(events, "events");
        synchronized (lock) {
            if (thread != null || closed) {
                return;
            }
            thread = new Thread(this::run, THREAD_NAME);
            thread.setDaemon(false); // stopped by close(), like every asyncreply thread
            thread.start();
        }
    }

    /** The backend pid of the listening connection, 0 while not connected (tests kill it). */
    int listenerPid() {
        return listenerPid;
    }

    /** Whether the listener thread is alive. */
    boolean isListening() {
        synchronized (lock) {
            return thread != null && thread.isAlive();
        }
    }

    /** How many times the listener has connected and listened so far. */
    long connects() {
        return connects;
    }

    private void run() {
        long backoff = MIN_BACKOFF_MILLIS;
        boolean first = true;
        while (!closed) {
            Connection c = null;
            int poolTimeout = -1;
            try {
                c = dataSource.getConnection();
                poolTimeout = limitWaits(c);
                Receiver r = Receiver.of(c);
                if (r == null) {
                    LOG.log(Level.WARNING, "the JDBC driver offers no org.postgresql.PGConnection.getNotifications"
                            + "(int) (connection class {0}); other nodes'' changes are found by polling only",
                            c.getClass().getName());
                    return;
                }
                int pid = listen(c);
                connects++;
                listenerPid = pid; // after the count: whoever sees the pid sees the connect counted
                if (!first) {
                    LOG.log(Level.INFO, "listening for other nodes'' changes again (backend pid {0})", listenerPid);
                }
                deliverMissed(); // after LISTEN: whatever changed before it is found by looking
                first = false;
                backoff = MIN_BACKOFF_MILLIS;
                receive(c, r);
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                LOG.log(Level.WARNING, "listening for other nodes'' changes failed ({0}); trying again in {1} ms",
                        describe(e), backoff);
            } finally {
                listenerPid = 0;
                if (c != null) {
                    release(c, poolTimeout);
                }
            }
            pause(backoff);
            backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        }
    }

    /**
     * Bounds every wait for the database on this connection (LISTEN, UNLISTEN; reads of
     * notifications and {@code isValid} set their own) and returns the pool's setting to restore,
     * or -1 when the pool or driver does not support network timeouts.
     */
    private static int limitWaits(Connection c) {
        try {
            int old = c.getNetworkTimeout();
            c.setNetworkTimeout(Runnable::run, STATEMENT_TIMEOUT_MILLIS);
            return old;
        } catch (SQLException | RuntimeException e) {
            return -1;
        }
    }

    /** LISTENs on both channels, says hello, and returns the listening backend's pid (0 if unknown). */
    private int listen(Connection c) throws SQLException {
        c.setAutoCommit(true); // notifications arrive only between transactions
        try (Statement s = c.createStatement()) {
            for (String channel : List.of(eventsChannel, cancelChannel)) {
                s.execute("LISTEN \"" + channel + "\""); // a name we built: lower-case hex, no quotes
            }
            int pid;
            try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                pid = rs.next() ? rs.getInt(1) : 0;
            }
            send(c, eventsChannel, HELLO); // other nodes notify only while they know of another node
            return pid;
        }
    }

    private void receive(Connection c, Receiver r) throws SQLException {
        long lastTraffic = System.nanoTime();
        while (!closed) {
            List<String[]> got = r.next(POLL_MILLIS);
            if (!got.isEmpty()) {
                lastTraffic = System.nanoTime();
                for (String[] n : got) {
                    dispatch(n[0], n[1], n[2]);
                }
            } else if (System.nanoTime() - lastTraffic > CHECK_MILLIS * 1_000_000L) {
                if (!c.isValid(VALID_TIMEOUT_SECONDS)) {
                    throw new SQLException("the listening connection is no longer valid", "08006");
                }
                lastTraffic = System.nanoTime();
            }
        }
    }

    private void dispatch(String channel, String payload, String senderPid) {
        StoreEvents e = events;
        try {
            if (eventsChannel.equals(channel) && HELLO.equals(payload)) {
                if (!senderPid.equals(String.valueOf(listenerPid))) {
                    helloAtNanos = System.nanoTime();
                    othersAlive = true; // a node started: it needs our notifications from now on
                }
            } else if (eventsChannel.equals(channel)) {
                if (QUEUED.equals(payload)) {
                    e.taskQueued();
                }
                e.eventsAppended();
            } else if (payload == null || payload.isEmpty() || payload.length() > MAX_ID_LENGTH) {
                LOG.log(Level.DEBUG, "ignoring a notification on {0} without a task id", channel);
            } else if (cancelChannel.equals(channel)) {
                e.cancelRequested(payload);
            }
        } catch (RuntimeException x) {
            LOG.log(Level.WARNING, "a store event subscriber threw", x);
        }
    }

    private void deliverMissed() {
        try {
            events.eventsMissed();
        } catch (RuntimeException x) {
            LOG.log(Level.WARNING, "a store event subscriber threw", x);
        }
    }

    /**
     * Unlistens and gives the connection back. UNLISTEN runs through the pool's handle even when the
     * connection is known to be broken: the notifications were read from the unwrapped driver
     * connection, behind the pool's back, and only a failure it sees itself (SQLState 08...)
     * makes a pool such as HikariCP discard the connection instead of lending it out again. Waits
     * at most {@link #STATEMENT_TIMEOUT_MILLIS} for a connection cut off without notice, then puts
     * back the pool's network timeout ({@code poolTimeout}, -1 when unknown).
     */
    private static void release(Connection c, int poolTimeout) {
        try (Statement s = c.createStatement()) {
            s.execute("UNLISTEN *");
        } catch (SQLException ignored) {
            // broken: its backend, and with it the listening, is gone
        }
        if (poolTimeout >= 0) {
            try {
                c.setNetworkTimeout(Runnable::run, poolTimeout);
            } catch (SQLException | RuntimeException ignored) {
                // broken; the pool discards it
            }
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing left to do
        }
    }

    private void pause(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (lock) {
            long left;
            while (!closed && (left = deadline - System.nanoTime()) > 0) {
                try {
                    lock.wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    return; // close() interrupts only when the thread overstays
                }
            }
        }
    }

    private static String describe(Exception e) {
        if (e instanceof SQLException se) {
            return Sql.failure("listener", se).getMessage();
        }
        return e.toString();
    }

    /**
     * Stops the listener: it notices within {@link #POLL_MILLIS} (or when a blocking call to the
     * database returns), unlistens and gives its connection back. Waits up to 10 s for the thread,
     * interrupting it after 5.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
            t = thread;
        }
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(5_000);
            if (t.isAlive()) {
                t.interrupt();
                t.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.log(Level.WARNING, "{0} did not stop within 10 s", THREAD_NAME);
        }
    }

    /**
     * Reads notifications through pgjdbc's public interfaces, found reflectively (see the class
     * comment). Each notification comes back as {@code {channel, payload}}.
     */
    static final class Receiver {
        private final Object pg;
        private final Method getNotifications;
        private final Method getName;
        private final Method getParameter;
        private final Method getPid;

        private Receiver(Object pg, Method getNotifications, Method getName, Method getParameter, Method getPid) {
            this.pg = pg;
            this.getNotifications = getNotifications;
            this.getName = getName;
            this.getParameter = getParameter;
            this.getPid = getPid;
        }

        /** A receiver for {@code c}, or null when its driver is not pgjdbc (or too old). */
        static Receiver of(Connection c) throws SQLException {
            Set<ClassLoader> loaders = new LinkedHashSet<>();
            loaders.add(c.getClass().getClassLoader());
            loaders.add(Thread.currentThread().getContextClassLoader());
            loaders.add(PgChangeFeed.class.getClassLoader());
            loaders.remove(null);
            for (ClassLoader loader : loaders) {
                Class<?> api;
                Class<?> notification;
                try {
                    api = Class.forName("org.postgresql.PGConnection", false, loader);
                    notification = Class.forName("org.postgresql.PGNotification", false, api.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    continue;
                }
                if (!c.isWrapperFor(api)) {
                    continue; // e.g. a copy of the driver in another class loader than the pool's
                }
                try {
                    return new Receiver(c.unwrap(api), api.getMethod("getNotifications", int.class),
                            notification.getMethod("getName"), notification.getMethod("getParameter"),
                            notification.getMethod("getPID"));
                } catch (NoSuchMethodException e) {
                    return null;
                }
            }
            return null;
        }

        /** Waits up to {@code timeoutMillis} for notifications; empty when none came. */
        List<String[]> next(int timeoutMillis) throws SQLException {
            Object[] got;
            try {
                got = (Object[]) getNotifications.invoke(pg, timeoutMillis);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof SQLException se) {
                    throw se;
                }
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new SQLException("reading notifications failed", "08006", cause);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("pgjdbc's PGConnection.getNotifications is not accessible", e);
            }
            if (got == null || got.length == 0) {
                return List.of();
            }
            List<String[]> out = new ArrayList<>(got.length);
            for (Object n : got) {
                try {
                    out.add(new String[] {(String) getName.invoke(n), (String) getParameter.invoke(n),
                        String.valueOf(getPid.invoke(n))});
                } catch (IllegalAccessException | InvocationTargetException e) {
                    LOG.log(Level.DEBUG, "could not read a notification: {0}", e.toString());
                }
            }
            return out;
        }
    }
}
