package io.asyncreply.events;

import io.asyncreply.engine.TaskService;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskListener;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node's fan-out of the event log: a single listener of the service's event dispatcher (so the
 * log is read once per node, however many subscribe) that hands each event to the subscriptions
 * that want it, rendered once for all of them.
 *
 * <ul>
 *   <li>{@link #task}: the events of one task, found through an index by task id. Without an id to
 *       resume after, the subscription starts with the task's latest event (its current state);
 *       with one, with every event after it. It ends after the task's terminal event.</li>
 *   <li>{@link #all}: the events of every task that pass an {@link EventFilter}, from now on, or,
 *       with an id to resume after, every retained event after it first.</li>
 * </ul>
 *
 * <p>At most {@code maxSubscriptions} are open at once ({@link Start.Full} beyond). Each buffers
 * at most {@code bufferBytes} of rendered events waiting to be polled (one event alone is always
 * taken, however large); an event that would go past the bound ends the subscription with
 * {@link EndReason#OVERFLOW} and its buffer is let go, so a subscriber that does not read costs a
 * bounded amount of memory and then nothing.
 *
 * <p>How a resuming subscription joins the live feed without losing or repeating an event:
 * <ul>
 *   <li>one task: it is indexed <em>before</em> it reads the task's events from the store, and keeps
 *       the live events that arrive meanwhile; once the store has nothing more, it drops the kept
 *       events it already read and goes on with the rest. An event committed after the index took
 *       it is delivered by the dispatcher; one committed before is in the read. A task's events
 *       are in the order of its changes, so comparing ids is enough.</li>
 *   <li>every task: it reads the global log from the store, as the dispatcher does and in the same
 *       order, until the store has nothing more; then it registers, and checks that the dispatcher
 *       has delivered nothing beyond the position it read to. If so, every later event reaches it
 *       live (those up to its position are skipped); if not, it unregisters and reads on.</li>
 * </ul>
 *
 * <p>Threads: none of its own. Live events are rendered and queued on the event dispatcher's
 * thread ({@code asyncreply-events-1}); a subscriber polls on its own thread, which may read the
 * store while the subscription catches up.
 *
 * <p>Hazard: the dispatcher reads the log from its head at the moment it starts (on PostgreSQL an
 * event still being committed then, with an id below the head, is never delivered live). Build the
 * hub when the service starts, before anyone subscribes.
 */
public final class EventHub implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventHub.class.getName());
    /** Default of the bound on open subscriptions. */
    public static final int DEFAULT_MAX_SUBSCRIPTIONS = 10_000;
    /** Default of the bound on the bytes one subscription buffers. */
    public static final long DEFAULT_BUFFER_BYTES = 256 * 1024;
    /** Events of one task read per query. */
    static final int TASK_PAGE = 256;
    /** Events of the global log read per query while a subscription catches up. */
    static final int LOG_PAGE = 32;
    /** Queries one poll may make before it yields its thread ({@link Next.Idle} of 0). */
    static final int PAGES_PER_POLL = 8;
    /** When to read again while the store holds events back for a transaction still open. */
    static final long PENDING_RETRY_MILLIS = 10;
    /** When to read again after the store could not be read. */
    static final long STORE_RETRY_MILLIS = 1_000;

    private final TaskService service;
    private final Renderer renderer;
    private final int max;
    private final long bufferBytes;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong buffered = new AtomicLong();
    /** Subscriptions of one task, by task id: an immutable array per task, replaced on change. */
    private final ConcurrentHashMap<String, Subscription[]> byTask = new ConcurrentHashMap<>();
    /** Subscriptions of every task that take live events (joining or live). */
    private final Set<Subscription> everyTask = ConcurrentHashMap.newKeySet();
    /** Every open subscription, to end them all on close. */
    private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
    /** The id of the last event the dispatcher handed to this hub (or the log's head when it started). */
    private final AtomicLong lastDelivered;
    private final AutoCloseable listening;
    private volatile boolean closed;

    /**
     * Subscribes to {@code service}'s events (starting its event dispatcher if nobody listened yet).
     *
     * @param maxSubscriptions most subscriptions open at once
     * @param bufferBytes most bytes of rendered events one subscription buffers
     * @throws io.asyncreply.store.StoreException when the log's head cannot be read
     */
    public EventHub(TaskService service, Renderer renderer, int maxSubscriptions, long bufferBytes) {
        this.service = Objects.requireNonNull(service, "service");
        this.renderer = Objects.requireNonNull(renderer, "renderer");
        if (maxSubscriptions < 0) {
            throw new IllegalArgumentException("maxSubscriptions must not be negative");
        }
        if (bufferBytes < 1) {
            throw new IllegalArgumentException("bufferBytes must be positive");
        }
        this.max = maxSubscriptions;
        this.bufferBytes = bufferBytes;
        this.listening = service.listen(new TaskListener() {
            @Override
            public void onEvent(TaskEvent event) {
                deliver(event);
            }

            @Override
            public void onEventsMissed(long count) {
                lagged();
            }
        });
        try {
            // Read after listening: whatever the dispatcher delivers from now on is after this head
            // or after its own (older) one.
            this.lastDelivered = new AtomicLong(service.store().eventHead().position());
        } catch (RuntimeException e) {
            closeQuietly(listening);
            throw e;
        }
    }

    // ---------------------------------------------------------------- subscribe

    /**
     * Subscribes to the events of task {@code taskId} of {@code owner} ({@code null}: anyone's).
     * Without {@code lastEventId} the first event is the task's latest (its current state), then
     * every later one; with it, every event of the task after that id. Ends after the terminal
     * event. Reads the store on the caller's thread.
     *
     * @throws io.asyncreply.store.StoreException when the store cannot be read (nothing subscribed)
     */
    public Start task(String taskId, String owner, OptionalLong lastEventId, Sink sink) {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(sink, "sink");
        if (!reserve()) {
            return closed ? new Start.Closed() : new Start.Full(max);
        }
        Subscription s = new Subscription(this, taskId, owner, null, sink);
        boolean opened = false;
        try {
            subscriptions.add(s);
            if (closed) {
                return new Start.Closed();
            }
            index(s); // before reading: a change committed from here on reaches it live
            if (s.isEnded()) { // closed meanwhile: its end may have come before the index
                unindex(s);
                return new Start.Closed();
            }
            Optional<Task> task = service.find(taskId, owner);
            if (task.isEmpty()) {
                return new Start.NotFound();
            }
            long after = usable(lastEventId);
            if (after < 0 && lastEventId.isPresent() && isEventOf(taskId, owner, lastEventId.getAsLong())) {
                after = lastEventId.getAsLong();
            }
            byte[] notice = lastEventId.isPresent() && after < 0 ? renderer.unknownLastEventId(lastEventId.getAsLong())
                    : null;
            if (after < 0) {
                TaskEvent latest = latestEvent(taskId, owner);
                if (latest == null) {
                    return new Start.NotFound(); // purged between the two reads
                }
                s.startWith(notice, List.of(latest), latest.id(), true);
            } else {
                List<TaskEvent> page = service.taskEvents(taskId, after, TASK_PAGE, owner);
                if (page.isEmpty() && task.get().isTerminal()) {
                    return new Start.Finished();
                }
                s.startWith(null, page, page.isEmpty() ? after : page.get(page.size() - 1).id(),
                        page.size() < TASK_PAGE);
            }
            opened = true;
            return new Start.Opened(s);
        } finally {
            if (!opened) {
                s.end(Subscription.State.CLOSED, false);
            }
        }
    }

    /**
     * Subscribes to the events of every task that pass {@code filter}: from now on, or, with
     * {@code lastEventId}, every event after that id still in the log first (events of purged
     * tasks are gone with them). Reads the store only when polled.
     */
    public Start all(EventFilter filter, OptionalLong lastEventId, Sink sink) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(sink, "sink");
        if (!reserve()) {
            return closed ? new Start.Closed() : new Start.Full(max);
        }
        Subscription s = new Subscription(this, null, null, filter, sink);
        boolean opened = false;
        try {
            subscriptions.add(s);
            if (closed) {
                return new Start.Closed();
            }
            long after = usable(lastEventId);
            if (after < 0) {
                s.startLive(lastEventId.isPresent() ? renderer.unknownLastEventId(lastEventId.getAsLong()) : null);
            } else {
                s.startCatchingUp(after);
            }
            opened = true;
            return new Start.Opened(s);
        } finally {
            if (!opened) {
                s.end(Subscription.State.CLOSED, false);
            }
        }
    }

    /** {@code lastEventId} when it may be resumed from; -1 when absent or newer than the log. */
    private long usable(OptionalLong lastEventId) {
        if (lastEventId.isEmpty()) {
            return -1;
        }
        long id = lastEventId.getAsLong();
        if (id < 0) {
            return -1;
        }
        return id <= Math.max(lastDelivered.get(), service.store().eventHead().position()) ? id : -1;
    }

    /**
     * Whether {@code id} is one of the task's events. A task's events are read as soon as they are
     * committed, while the log's head waits for every writer below it: a client may hold an id above
     * the head, and resuming from it is right.
     */
    private boolean isEventOf(String taskId, String owner, long id) {
        if (id < 1) {
            return false;
        }
        List<TaskEvent> next = service.taskEvents(taskId, id - 1, 1, owner);
        return !next.isEmpty() && next.get(0).id() == id;
    }

    /** The task's latest event, or null when it has none (it was purged). */
    private TaskEvent latestEvent(String taskId, String owner) {
        TaskEvent latest = null;
        long after = 0;
        while (true) {
            List<TaskEvent> page = service.taskEvents(taskId, after, TASK_PAGE, owner);
            if (!page.isEmpty()) {
                latest = page.get(page.size() - 1);
                after = latest.id();
            }
            if (page.size() < TASK_PAGE) {
                return latest;
            }
        }
    }

    private boolean reserve() {
        while (true) {
            if (closed) {
                return false;
            }
            int n = open.get();
            if (n >= max) {
                return false;
            }
            if (open.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    // ---------------------------------------------------------------- figures

    /** How many subscriptions are open. */
    public int size() {
        return open.get();
    }

    /** The most subscriptions open at once. */
    public int max() {
        return max;
    }

    /** The most bytes one subscription buffers. */
    public long bufferBytes() {
        return bufferBytes;
    }

    /** Bytes of rendered events buffered by every subscription together (shared events counted for each). */
    public long bufferedBytes() {
        return buffered.get();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- the live feed (dispatcher thread)

    private void deliver(TaskEvent e) {
        lastDelivered.accumulateAndGet(e.id(), Math::max); // first: see Subscription#tryJoin
        Subscription.Item item = null;
        Subscription[] ofTask = byTask.get(e.taskId());
        if (ofTask != null) {
            for (Subscription s : ofTask) {
                item = item != null ? item : rendered(e);
                offer(s, item);
            }
        }
        for (Subscription s : everyTask) {
            if (s.wants(e)) {
                item = item != null ? item : rendered(e);
                offer(s, item);
            }
        }
    }

    private static void offer(Subscription s, Subscription.Item item) {
        if (item == Subscription.Item.UNRENDERED) {
            s.end(Subscription.State.FAILED, true);
        } else {
            s.offer(item);
        }
    }

    private Subscription.Item rendered(TaskEvent e) {
        try {
            byte[] frame = renderer.event(e);
            return new Subscription.Item(e.id(), e.kind().isTerminal(), frame);
        } catch (RuntimeException x) {
            LOG.log(Level.WARNING, "an event could not be rendered; its subscribers are ended and resume", x);
            return Subscription.Item.UNRENDERED;
        }
    }

    /** The dispatcher lost events: every subscription fed live may have missed some; they resume. */
    private void lagged() {
        for (Subscription s : subscriptions) {
            if (s.feedsLive()) {
                s.end(Subscription.State.OVERFLOWED, true);
            }
        }
    }

    // ---------------------------------------------------------------- for subscriptions

    Renderer renderer() {
        return renderer;
    }

    TaskStore store() {
        return service.store();
    }

    List<TaskEvent> taskEvents(String taskId, long after, String owner) {
        return service.taskEvents(taskId, after, TASK_PAGE, owner);
    }

    long lastDelivered() {
        return lastDelivered.get();
    }

    long bound() {
        return bufferBytes;
    }

    void buffered(long delta) {
        buffered.addAndGet(delta);
    }

    void joinLive(Subscription s) {
        everyTask.add(s);
    }

    void leaveLive(Subscription s) {
        everyTask.remove(s);
    }

    private void index(Subscription s) {
        byTask.compute(s.taskId(), (k, a) -> {
            if (a == null) {
                return new Subscription[] {s};
            }
            Subscription[] b = Arrays.copyOf(a, a.length + 1);
            b[a.length] = s;
            return b;
        });
    }

    /** A subscription ended (once): forget it everywhere and give its place back. */
    void ended(Subscription s) {
        unindex(s);
        everyTask.remove(s);
        subscriptions.remove(s);
        open.decrementAndGet();
    }

    private void unindex(Subscription s) {
        if (s.taskId() != null) {
            byTask.computeIfPresent(s.taskId(), (k, a) -> {
                int i = Arrays.asList(a).indexOf(s);
                if (i < 0) {
                    return a;
                }
                if (a.length == 1) {
                    return null;
                }
                Subscription[] b = new Subscription[a.length - 1];
                System.arraycopy(a, 0, b, 0, i);
                System.arraycopy(a, i + 1, b, i, a.length - i - 1);
                return b;
            });
        }
    }

    // ---------------------------------------------------------------- close

    /**
     * Ends every subscription ({@link EndReason#SHUTDOWN}, each {@link Sink} woken), refuses new
     * ones and stops listening. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        for (Subscription s : subscriptions) {
            s.end(Subscription.State.SHUT_DOWN, true);
        }
        closeQuietly(listening);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(Level.DEBUG, "could not stop listening: {0}", e.toString());
        }
    }
}
