package io.asyncreply.web.events;

import io.asyncreply.events.Next;
import io.asyncreply.events.Sink;
import io.asyncreply.events.Subscription;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One open {@code text/event-stream} response: takes frames from its {@link Subscription} and
 * writes them with non-blocking output, writing only while {@code isReady()}, so a client that
 * reads slowly holds no thread; what it has not read waits in the subscription's bounded buffer.
 *
 * <p>States, one field, every change a compare-and-set; exactly one thread writes at a time (the
 * one that moved the state to WRITING):
 * <pre>
 *            onWritePossible                      nothing to write (flushed)
 *  BLOCKED ─────────────────▶ WRITING ──────────────────────────────────────▶ IDLE
 *     ▲                        │  ▲  │ onWritePossible while writing                │ wake: an event,
 *     └── isReady() false ─────┘  │  ▼                                              │ a heartbeat,
 *                                 │ WRITING_NOTIFIED (isReady() is asked again)     │ the end
 *                                 └──────────────── SCHEDULED ◀─────────────────────┘
 *                                  a container thread          (AsyncContext.start)
 *  any state ──▶ ENDED: the last words written and flushed, a write failed, the client went away,
 *                the container ended the exchange, or the farewell could not be written in time
 * </pre>
 * <ul>
 *   <li>{@code BLOCKED}: a write or flush is pending ({@code isReady()} was false); the container
 *       calls {@link #onWritePossible()} when it can take more. Also the first state: the
 *       container calls it once the write listener is set.</li>
 *   <li>{@code WRITING}: one thread writes frames while the output is ready, then flushes.</li>
 *   <li>{@code WRITING_NOTIFIED}: the container said "ready" while a thread was writing; that thread
 *       may have just seen {@code isReady()} false, so it asks again instead of blocking (else the
 *       notification would be lost and the stream stall).</li>
 *   <li>{@code IDLE}: everything is written and flushed; nobody writes.</li>
 *   <li>{@code SCHEDULED}: woken while idle; a container thread will write ({@link AsyncContext#start}).</li>
 *   <li>{@code ENDED}: completed, its subscription closed, forgotten by {@link EventStreams}. Final.</li>
 * </ul>
 *
 * <p>A wake-up that comes while a thread writes is not lost: the writer, after it goes IDLE, asks
 * whether there is work ({@link Subscription#hasNext()}, a heartbeat due) and takes it back; the
 * waker added its work before it tried to schedule.
 *
 * <p>Hazard, the output after the end: every call on the output ({@code isReady}, {@code write},
 * {@code flush}) is made holding {@link #io}, after seeing the state is not ENDED; ENDED is set
 * holding it too, and the container's error and timeout callbacks set it before they return. So
 * once the container has told us the exchange failed, no write of ours is under way or to come
 * when it recycles the response for another request. Tomcat needs this: when a flush on a thread
 * that is not processing the socket fails (ours, woken by {@link AsyncContext#start}), it hands
 * the error to a container thread, which calls {@link #onError}, closes and recycles, and only
 * then does the failing thread record the exception on the response, by then the next
 * connection's, whose stream was cut after its first bytes. {@link #onComplete} does not wait:
 * Tomcat calls it holding its async state's monitor, which a failing flush needs (a deadlock);
 * it comes after our own completion or after {@link #onError}, when nothing writes any more.
 */
final class EventStream implements WriteListener, AsyncListener, Sink {
    /** See the class comment. */
    enum State { BLOCKED, WRITING, WRITING_NOTIFIED, IDLE, SCHEDULED, ENDED }

    private static final System.Logger LOG = System.getLogger(EventStream.class.getName());

    private final EventStreams streams;
    private final AtomicReference<State> state = new AtomicReference<>(State.BLOCKED);
    /** Held around every call on {@link #out} and when the state becomes ENDED (see the class comment). */
    private final ReentrantLock io = new ReentrantLock();
    private volatile Subscription subscription;
    private volatile AsyncContext async;
    private volatile ServletOutputStream out;
    private volatile boolean heartbeatDue;
    private volatile long lastWriteNanos = System.nanoTime();
    /** When the tick first saw the subscription ended but the stream not; 0: not seen. */
    private volatile long endSeenNanos;

    // The writer's own (the thread that holds WRITING).
    private byte[] opening;
    private boolean dirty;
    private boolean finishing;

    EventStream(EventStreams streams, byte[] opening) {
        this.streams = streams;
        this.opening = opening;
    }

    /**
     * Starts writing on {@code async}: the stream is registered with {@link EventStreams}, its
     * subscription open, the response's head set. The container calls {@link #onWritePossible()}
     * first; until then wake-ups find BLOCKED and wait.
     */
    void start(AsyncContext async, Subscription subscription) throws IOException {
        this.out = async.getResponse().getOutputStream();
        this.async = async;
        this.subscription = subscription;
        async.addListener(this);
        out.setWriteListener(this);
        if (state.get() == State.ENDED) { // ended before it started (undeploy): end() may not have seen these
            subscription.close();
            complete(async);
        }
    }

    // ---------------------------------------------------------------- wake-ups

    /** The subscription may have something: write it, on a container thread, unless a writer is at it. */
    @Override
    public void wake() {
        if (state.compareAndSet(State.IDLE, State.SCHEDULED)) {
            dispatch();
        }
    }

    /** The scheduler's heartbeat: a comment unless something was written lately. */
    void heartbeat(long quietNanos) {
        if (System.nanoTime() - lastWriteNanos >= quietNanos) {
            heartbeatDue = true;
            wake();
        }
    }

    /**
     * The scheduler's check of a stream whose subscription ended: its last words should be written
     * within {@code graceNanos}; a client that does not read them is cut off.
     */
    void checkEnd(long graceNanos) {
        Subscription s = subscription;
        if (s == null || !s.isEnded() || state.get() == State.ENDED) {
            return;
        }
        long seen = endSeenNanos;
        long now = System.nanoTime();
        if (seen == 0) {
            endSeenNanos = now;
        } else if (now - seen > graceNanos) {
            LOG.log(Level.DEBUG, "an event stream did not take its last words in time; ending it");
            end();
        } else {
            wake();
        }
    }

    private void dispatch() {
        try {
            async.start(this::scheduled);
        } catch (IllegalStateException | RejectedExecutionException e) {
            scheduled(); // the exchange is over or the pool refused: the state decides, on this thread
        }
    }

    private void scheduled() {
        if (state.compareAndSet(State.SCHEDULED, State.WRITING)) {
            write();
        }
    }

    // ---------------------------------------------------------------- WriteListener

    @Override
    public void onWritePossible() {
        while (true) {
            State s = state.get();
            switch (s) {
                case BLOCKED -> {
                    if (state.compareAndSet(State.BLOCKED, State.WRITING)) {
                        write();
                        return;
                    }
                }
                case WRITING -> {
                    if (state.compareAndSet(State.WRITING, State.WRITING_NOTIFIED)) {
                        return;
                    }
                }
                case IDLE -> {
                    if (!hasWork()) {
                        return;
                    }
                    if (state.compareAndSet(State.IDLE, State.WRITING)) {
                        write();
                        return;
                    }
                }
                case WRITING_NOTIFIED, SCHEDULED, ENDED -> {
                    return;
                }
            }
        }
    }

    @Override
    public void onError(Throwable t) {
        // Usually the client went away (DEBUG). Before anything was sent the container answers the
        // request with its error page instead of the stream: rare, and worth a line (INFO).
        AsyncContext a = async;
        boolean unsent = a != null && !a.getResponse().isCommitted();
        LOG.log(unsent ? Level.INFO : Level.DEBUG, "an event stream failed{0}: {1}",
                unsent ? " before its first bytes were sent" : "", t.toString());
        end(); // waits for a write under way: the container recycles the response when this returns
    }

    // ---------------------------------------------------------------- writing (the WRITING thread)

    private void write() {
        boolean over;
        io.lock();
        try {
            over = writeHeld();
        } finally {
            io.unlock();
        }
        if (over) {
            end();
        }
    }

    /** Writes while the output takes it, holding {@link #io}; true when the stream is to end (its last words out, or a failure). */
    private boolean writeHeld() {
        try {
            while (true) {
                if (state.get() == State.ENDED) {
                    return false; // ended by another thread: the output is not ours any more
                }
                if (!out.isReady()) {
                    if (block()) {
                        return false;
                    }
                    continue;
                }
                byte[] b = next();
                if (b != null) {
                    out.write(b);
                    dirty = true;
                    lastWriteNanos = System.nanoTime();
                    continue;
                }
                if (dirty) {
                    dirty = false;
                    out.flush();
                    continue;
                }
                if (finishing) {
                    return true;
                }
                if (!rest()) {
                    return false;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "writing an event stream failed: {0}", e.toString());
            return true;
        }
    }

    /** The next bytes to write, or null when there are none now. */
    private byte[] next() {
        if (finishing) {
            return null;
        }
        if (opening != null) {
            byte[] b = opening;
            opening = null;
            return b;
        }
        Next n = subscription.poll();
        if (n instanceof Next.Frame f) {
            return f.bytes();
        }
        if (n instanceof Next.End e) {
            finishing = true;
            return SseFrames.farewell(e.reason());
        }
        long retry = ((Next.Idle) n).retryMillis();
        if (retry >= 0) {
            streams.later(this::wake, retry);
        }
        if (heartbeatDue) {
            heartbeatDue = false;
            return SseFrames.HEARTBEAT;
        }
        return null;
    }

    /** {@code isReady()} was false: BLOCKED (true), or go on when the container said "ready" meanwhile (false). */
    private boolean block() {
        while (true) {
            State s = state.get();
            switch (s) {
                case WRITING -> {
                    if (state.compareAndSet(State.WRITING, State.BLOCKED)) {
                        return true;
                    }
                }
                case WRITING_NOTIFIED -> {
                    if (state.compareAndSet(State.WRITING_NOTIFIED, State.WRITING)) {
                        return false;
                    }
                }
                default -> {
                    return true; // ENDED under us
                }
            }
        }
    }

    /** Everything written and flushed: IDLE; true when there is work again and this thread took it back. */
    private boolean rest() {
        if (!state.compareAndSet(State.WRITING, State.IDLE) && !state.compareAndSet(State.WRITING_NOTIFIED, State.IDLE)) {
            return false; // ENDED under us
        }
        return hasWork() && state.compareAndSet(State.IDLE, State.WRITING);
    }

    private boolean hasWork() {
        Subscription s = subscription;
        return heartbeatDue || (s != null && s.hasNext());
    }

    // ---------------------------------------------------------------- the end

    /**
     * To ENDED (once, by whoever gets there first), after a write under way is over: closes the
     * subscription, forgets the stream, completes.
     */
    void end() {
        State was;
        io.lock();
        try {
            was = state.getAndSet(State.ENDED);
        } finally {
            io.unlock();
        }
        if (was != State.ENDED) {
            ended();
        }
    }

    private void ended() {
        Subscription s = subscription;
        if (s != null) {
            s.close();
        }
        streams.remove(this);
        AsyncContext a = async;
        if (a != null) {
            complete(a);
        }
    }

    private static void complete(AsyncContext a) {
        try {
            a.complete();
        } catch (IllegalStateException ignored) {
            // completed already (the container ended the exchange)
        }
    }

    boolean isEnded() {
        return state.get() == State.ENDED;
    }

    State state() {
        return state.get();
    }

    // ---------------------------------------------------------------- AsyncListener

    /** Does not take {@link #io} (see the class comment): the exchange is over, and so is the stream. */
    @Override
    public void onComplete(AsyncEvent event) {
        if (state.getAndSet(State.ENDED) != State.ENDED) {
            ended();
        }
    }

    /** No timeout is set (a stream lasts as long as its client); if a container times it out anyway, it ends here. */
    @Override
    public void onTimeout(AsyncEvent event) {
        end();
    }

    @Override
    public void onError(AsyncEvent event) {
        onError(event.getThrowable());
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // not restarted
    }
}
