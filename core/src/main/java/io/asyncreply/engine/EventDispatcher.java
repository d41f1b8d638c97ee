package io.asyncreply.engine;

import io.asyncreply.store.EventCursor;
import io.asyncreply.store.EventPage;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskListener;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Reads the store's event log and hands every event to the subscribed {@link TaskListener}s, on
 * one thread ({@value #THREAD}): events of every node sharing the store, each once, in log order
 * (so each task's in the order of its changes), never before their commit. It also answers
 * waiters of tasks that ended on other nodes.
 *
 * <p>It reads when woken: after this node wrote ({@link #poke()}), when the store says another
 * node appended ({@link io.asyncreply.store.StoreEvents#eventsAppended()}), and every
 * {@code pollMillis} in case a wake-up was lost; soon again while the store holds events back for
 * a transaction still open ({@link EventPage#pending()}).
 *
 * <p>States: idle (nobody listens or waits: the log is not read at all), then active for the
 * rest of the service's life from the first {@link #activate()}, which places the cursor at the
 * head of the log, then stopped. A waiter activates it <em>before</em> it reads its task, so an end
 * committed after that read is in the log after the cursor.
 */
final class EventDispatcher {
    static final String THREAD = "asyncreply-events";
    private static final System.Logger LOG = System.getLogger(EventDispatcher.class.getName());
    /** Events read per query. */
    static final int PAGE = 512;
    private static final long MIN_PENDING_WAIT_MILLIS = 1;
    private static final long MAX_PENDING_WAIT_MILLIS = 50;
    /** How long a stopping dispatcher goes on delivering what is in the log. */
    private static final long DRAIN_NANOS = 1_000_000_000L;

    /** Answers waiters of tasks that ended elsewhere. */
    interface Ended {
        void ended(TaskEvent event);
    }

    private final TaskStore store;
    private final long pollMillis;
    private final Ended ended;
    private final List<TaskListener> listeners = new CopyOnWriteArrayList<>();
    private final WorkSignal signal = new WorkSignal();
    private final NamedThreadFactory threads = new NamedThreadFactory(THREAD);
    private final Object lock = new Object();
    private Thread thread; // guarded by lock
    private EventCursor cursor; // guarded by lock until the thread starts, then the thread's
    private volatile boolean active;
    private volatile boolean stopping;

    EventDispatcher(TaskStore store, long pollMillis, Ended ended) {
        this.store = store;
        this.pollMillis = pollMillis;
        this.ended = ended;
    }

    /**
     * Starts reading the log from its head, unless already reading. Reads the head here, on the
     * caller's thread, so that whatever the caller reads afterwards is older than what the
     * dispatcher will deliver. @throws io.asyncreply.store.StoreException when the head cannot be read
     */
    void activate() {
        if (active) {
            return;
        }
        synchronized (lock) {
            if (active || stopping) {
                return;
            }
            cursor = store.eventHead();
            thread = threads.newThread(this::run);
            active = true;
            thread.start();
        }
    }

    /** Subscribes {@code l}; starts reading the log if nobody did yet. Close the handle to unsubscribe. */
    AutoCloseable subscribe(TaskListener l) {
        listeners.add(l);
        try {
            activate();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the event log cannot be read yet ({0}); events reach listeners once it can",
                    e.getMessage());
            activateLater();
        }
        return () -> listeners.remove(l);
    }

    /** Activates from the dispatcher's own thread, which reads the head once the store answers. */
    private void activateLater() {
        synchronized (lock) {
            if (active || stopping) {
                return;
            }
            cursor = null;
            thread = threads.newThread(this::run);
            active = true;
            thread.start();
        }
    }

    /** Something was appended to the log, here or elsewhere: read on. Cheap; does nothing while idle. */
    void poke() {
        if (active) {
            signal.wake();
        }
    }

    boolean isActive() {
        return active;
    }

    private void run() {
        EventCursor at;
        synchronized (lock) {
            at = cursor;
        }
        long pendingWait = MIN_PENDING_WAIT_MILLIS;
        long drainDeadline = 0;
        while (true) {
            boolean draining = stopping;
            if (draining && drainDeadline == 0) {
                drainDeadline = System.nanoTime() + DRAIN_NANOS;
            }
            long seen = signal.generation();
            long wait = pollMillis;
            boolean caughtUp = false;
            try {
                if (at == null) {
                    at = store.eventHead();
                }
                EventPage page = store.readEvents(at, PAGE);
                if (page.missed() != 0) {
                    missed(page.missed());
                }
                for (TaskEvent e : page.events()) {
                    deliver(e);
                }
                at = page.next();
                if (page.events().size() == PAGE) {
                    continue; // more to read at once
                }
                caughtUp = !page.pending();
                if (page.pending()) {
                    wait = pendingWait;
                    pendingWait = Math.min(MAX_PENDING_WAIT_MILLIS, pendingWait * 2);
                } else {
                    pendingWait = MIN_PENDING_WAIT_MILLIS;
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not read the event log: {0}", e.getMessage());
                caughtUp = draining; // no more waiting for a store that fails while we stop
            }
            if (draining && (caughtUp || System.nanoTime() - drainDeadline > 0)) {
                return; // everything written before the stop was delivered (or the bound ran out)
            }
            try {
                signal.await(seen, draining ? Math.min(wait, 5) : wait);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void deliver(TaskEvent e) {
        if (e.kind().isTerminal()) {
            try {
                ended.ended(e);
            } catch (RuntimeException x) {
                LOG.log(Level.WARNING, "answering the waiters of a task failed", x);
            }
        }
        for (TaskListener l : listeners) {
            try {
                l.onEvent(e);
            } catch (RuntimeException x) {
                LOG.log(Level.WARNING, "a task listener threw", x);
            }
        }
    }

    private void missed(long count) {
        LOG.log(Level.WARNING, "the event log dropped events before this node delivered them ({0})",
                count < 0 ? "some" : Long.toString(count));
        for (TaskListener l : listeners) {
            try {
                l.onEventsMissed(count);
            } catch (RuntimeException x) {
                LOG.log(Level.WARNING, "a task listener threw", x);
            }
        }
    }

    /**
     * Stops the thread: it first delivers what is in the log now (within {@link #DRAIN_NANOS}; call
     * this after the workers stopped, so that their last events are delivered), then ends.
     */
    void stop() {
        Thread t;
        synchronized (lock) {
            stopping = true;
            t = thread;
        }
        signal.wakeAll();
        if (t != null && !threads.join(java.time.Duration.ofSeconds(2))) {
            t.interrupt();
            if (!threads.join(java.time.Duration.ofSeconds(1))) {
                LOG.log(Level.WARNING, "{0} did not stop within 3 s", THREAD);
            }
        }
    }
}
