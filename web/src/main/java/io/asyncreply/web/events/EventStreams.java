package io.asyncreply.web.events;

import io.asyncreply.engine.TaskService;
import io.asyncreply.events.EventHub;
import io.asyncreply.web.config.EventsConfig;
import io.asyncreply.web.timer.OneThreadTimer;
import jakarta.servlet.ServletContext;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The event streams of one web application: core's {@link EventHub} (events read once per node,
 * rendered once, bounded per stream and in number), the open streams, and one thread,
 * {@value #THREAD}, for all of them: heartbeats, retries of a catch-up the store held back, and
 * cutting off a stream whose client does not read its last words. Kept as a servlet-context
 * attribute ({@link #ATTRIBUTE}) for the filter, and in the application for whoever reports figures
 * ({@link #openStreams()}, {@link #bufferedBytes()}).
 *
 * <p>States of the whole: OPEN (streams are admitted), then CLOSED for good by {@link #close()}
 * (undeploy, shutdown): every stream is told the server is stopping and ended, none is admitted.
 */
public final class EventStreams implements AutoCloseable {
    /** The servlet-context attribute it is kept under. */
    public static final String ATTRIBUTE = EventStreams.class.getName();
    static final String THREAD = "asyncreply-events-heartbeat";
    /** How long a stream whose subscription ended has to write its last words before it is cut off. */
    static final Duration FAREWELL_GRACE = Duration.ofSeconds(5);
    /** How long {@link #close()} waits for the streams to write their last words. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    private static final System.Logger LOG = System.getLogger(EventStreams.class.getName());

    private final EventHub hub;
    private final EventsConfig config;
    private final int retryAfterSeconds;
    private final Set<EventStream> streams = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private OneThreadTimer timer; // guarded by lock; started with the first stream
    private volatile boolean closed;

    /**
     * Subscribes to {@code service}'s events now, so that the log is followed from the start.
     *
     * @param retryAfterSeconds what a refused stream's {@code Retry-After} says
     * @param contextPath the application's context path, for the task URLs in events
     */
    public EventStreams(TaskService service, EventsConfig config, int retryAfterSeconds, String contextPath) {
        this.config = config;
        this.retryAfterSeconds = retryAfterSeconds;
        this.hub = new EventHub(service, new SseFrames(service, contextPath), config.maxStreams(), config.bufferBytes());
    }

    /** The event streams of {@code context}'s application. @throws IllegalStateException when it did not start */
    public static EventStreams from(ServletContext context) {
        Object o = context.getAttribute(ATTRIBUTE);
        if (!(o instanceof EventStreams s)) {
            throw new IllegalStateException("asyncreply did not start: no event streams");
        }
        return s;
    }

    /** How many event streams are open (or being opened) on this node. */
    public int openStreams() {
        return streams.size();
    }

    /** The most event streams open at once ({@code asyncreply.events.max-streams}). */
    public int maxStreams() {
        return config.maxStreams();
    }

    /** Bytes of events waiting for slow clients, over every stream. */
    public long bufferedBytes() {
        return hub.bufferedBytes();
    }

    EventHub hub() {
        return hub;
    }

    EventsConfig config() {
        return config;
    }

    int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- the streams

    /** Registers a stream before it subscribes; false when closed (then answer 503). */
    boolean add(EventStream s) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            if (timer == null) {
                startTimer();
            }
            streams.add(s);
            return true;
        }
    }

    void remove(EventStream s) {
        if (streams.remove(s) && closed) {
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }

    /** Runs {@code r} on the timer thread after {@code millis} (it must only hand work over). */
    void later(Runnable r, long millis) {
        OneThreadTimer t;
        synchronized (lock) {
            t = timer;
        }
        if (t == null) {
            return;
        }
        try {
            t.executor().schedule(r, Math.max(0, millis), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: every stream is being ended
        }
    }

    private void startTimer() {
        OneThreadTimer t = OneThreadTimer.create(THREAD, false); // stopped by close()
        long period = Math.max(1, config.heartbeat().toNanos() / 2);
        t.executor().scheduleAtFixedRate(this::tick, period, period, TimeUnit.NANOSECONDS);
        timer = t;
    }

    /**
     * Every half heartbeat: a stream silent for half a heartbeat gets a comment (so none is silent
     * for longer than a heartbeat), and one whose subscription ended is helped to its end.
     */
    private void tick() {
        long quiet = config.heartbeat().toNanos() / 2;
        long grace = FAREWELL_GRACE.toNanos();
        for (EventStream s : streams) {
            try {
                s.heartbeat(quiet);
                s.checkEnd(grace);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "an event stream's heartbeat failed", e);
            }
        }
    }

    // ---------------------------------------------------------------- close

    /**
     * Ends every stream: each is told that the server is stopping (a comment; the client resumes
     * with {@code Last-Event-ID}) and completed; a stream whose client does not take those words
     * within {@link #CLOSE_WAIT} is completed without them. Then the thread stops. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        hub.close(); // every subscription ends: each stream is woken and writes its last words
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        synchronized (lock) {
            long left;
            while (!streams.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        for (EventStream s : streams) {
            s.end();
        }
        stopTimer();
    }

    private void stopTimer() {
        OneThreadTimer t;
        synchronized (lock) {
            t = timer;
        }
        if (t != null) {
            t.close();
        }
    }
}
