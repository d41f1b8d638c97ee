package io.asyncreply.events;

import io.asyncreply.store.EventCursor;
import io.asyncreply.store.EventPage;
import io.asyncreply.task.TaskEvent;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One subscriber's place in an {@link EventHub}: the events it has not taken yet, in order. The
 * subscriber {@link #poll() polls} (one thread at a time) when its {@link Sink} is woken.
 *
 * <p>States, one field, every change a compare-and-set:
 * <pre>
 *                 every task: nothing more in the store     the dispatcher is not ahead
 *   CATCHING_UP ─────────────────────────────────────▶ JOINING ────────────────────────▶ LIVE
 *        │ ▲ one task: nothing more in the store ──────────────────────────────────────────▲
 *        │ └──────────────── the dispatcher is ahead: read on ──┘
 *        ▼ from any of them
 *   COMPLETED (one task: its terminal event was taken) · OVERFLOWED (the buffer would pass the
 *   bound; also when the dispatcher lost events) · SHUT_DOWN (the hub closed) · CLOSED (by the
 *   subscriber, or never opened) · FAILED (an event could not be rendered)
 * </pre>
 * <ul>
 *   <li>{@code CATCHING_UP}: events come from the store. A subscription of one task is already
 *       indexed and keeps the live events of its task meanwhile (bounded like any buffer); one of
 *       every task is not registered and keeps nothing.</li>
 *   <li>{@code JOINING} (every task only): registered, checking the dispatcher's position; keeps
 *       live events after the position it read to, and drops them if it must read on.</li>
 *   <li>{@code LIVE}: events come from the live buffer.</li>
 *   <li>The five ended states: the buffer is let go, the hub forgets the subscription, and every
 *       poll answers {@link Next.End} with the state's {@link EndReason}. Never left.</li>
 * </ul>
 *
 * <p>The live buffer is guarded by this object's monitor: the dispatcher adds to it, the poller
 * takes from it, an ending empties it. Whoever ends the subscription wins one compare-and-set and
 * then empties the buffer under the monitor; an event offered after that finds the state ended and
 * is not kept.
 */
public final class Subscription {

    /** See the class comment. */
    enum State {
        CATCHING_UP(null),
        JOINING(null),
        LIVE(null),
        COMPLETED(EndReason.COMPLETED),
        OVERFLOWED(EndReason.OVERFLOW),
        SHUT_DOWN(EndReason.SHUTDOWN),
        CLOSED(EndReason.CLOSED),
        FAILED(EndReason.ERROR);

        final EndReason reason;

        State(EndReason reason) {
            this.reason = reason;
        }

        boolean isEnded() {
            return reason != null;
        }
    }

    /** A live event as buffered: rendered once, shared by every subscription it goes to. */
    record Item(long id, boolean terminal, byte[] frame) {
        /** Stands for an event the renderer failed on. */
        static final Item UNRENDERED = new Item(-1, false, new byte[0]);
    }

    private final EventHub hub;
    private final String taskId;
    private final String owner;
    private final EventFilter filter;
    private final Sink sink;
    private final AtomicReference<State> state;

    // The live buffer: guarded by this.
    private ArrayDeque<Item> buffer;
    private long bufferedBytes;
    /** Live events with ids up to this one were (or will be) handed out from the store: skipped. */
    private long threshold;

    // The poller's own (one thread at a time).
    private final ArrayDeque<TaskEvent> read = new ArrayDeque<>(0);
    private byte[] notice;
    /** One task: the id of the last event read from the store. */
    private long after;
    /** One task: every event up to {@link #after} is read; the rest comes live. */
    private boolean readAll;
    /** Every task: where the next read of the global log starts. */
    private EventCursor cursor;

    Subscription(EventHub hub, String taskId, String owner, EventFilter filter, Sink sink) {
        this.hub = hub;
        this.taskId = taskId;
        this.owner = owner;
        this.filter = filter;
        this.sink = sink;
        this.state = new AtomicReference<>(State.CATCHING_UP);
    }

    // ---------------------------------------------------------------- set up by the hub

    /** One task: hand out {@code notice} (may be null), then {@code events}, then read on after {@code last} unless {@code done}. */
    void startWith(byte[] notice, List<TaskEvent> events, long last, boolean done) {
        this.notice = notice;
        read.addAll(events);
        this.after = last;
        this.readAll = done;
    }

    /** Every task, from now on. */
    void startLive(byte[] notice) {
        this.notice = notice;
        if (state.compareAndSet(State.CATCHING_UP, State.LIVE)) {
            register();
        }
    }

    /** Registers for live events of every task; undone if it ended meanwhile (its end may have missed the add). */
    private void register() {
        hub.joinLive(this);
        if (state.get().isEnded()) {
            hub.leaveLive(this);
        }
    }

    /** Every task, after event {@code lastEventId}. */
    void startCatchingUp(long lastEventId) {
        this.cursor = EventCursor.after(lastEventId);
    }

    String taskId() {
        return taskId;
    }

    /** Every task: whether {@code e} passes the filter. */
    boolean wants(TaskEvent e) {
        return filter.matches(e);
    }

    /** Whether live events reach this subscription now (or did while it kept some). */
    boolean feedsLive() {
        State s = state.get();
        return !s.isEnded() && (taskId != null || s != State.CATCHING_UP);
    }

    // ---------------------------------------------------------------- the live feed (dispatcher thread)

    /** A live event, rendered; kept unless ended, already handed out, or past the bound (then it ends). */
    void offer(Item item) {
        boolean overflow = false;
        synchronized (this) {
            State s = state.get();
            if (s.isEnded() || (taskId == null && s == State.CATCHING_UP) || item.id() <= threshold) {
                return;
            }
            long size = item.frame().length;
            if (buffer == null) {
                buffer = new ArrayDeque<>(4);
            }
            if (!buffer.isEmpty() && bufferedBytes + size > hub.bound()) {
                overflow = true;
            } else {
                buffer.add(item);
                bufferedBytes += size;
                hub.buffered(size);
            }
        }
        if (overflow) {
            end(State.OVERFLOWED, true);
        } else {
            sink.wake();
        }
    }

    // ---------------------------------------------------------------- the subscriber

    /**
     * What there is now: a frame to send, nothing yet, or the end. One thread at a time. May read
     * the store while the subscription catches up (never while it is live).
     */
    public Next poll() {
        State s = state.get();
        if (s.isEnded()) {
            read.clear();
            notice = null;
            return new Next.End(s.reason);
        }
        if (notice != null) {
            byte[] n = notice;
            notice = null;
            return new Next.Frame(n);
        }
        return switch (s) {
            case LIVE -> pollLive();
            case CATCHING_UP, JOINING -> taskId != null ? catchUpTask() : catchUpAll();
            default -> throw new IllegalStateException(s.name());
        };
    }

    /**
     * Whether a poll now would find something: the end, or a buffered live event. False while
     * catching up: then the last poll said when to poll again.
     */
    public boolean hasNext() {
        State s = state.get();
        if (s.isEnded()) {
            return true;
        }
        if (s != State.LIVE) {
            return false;
        }
        synchronized (this) {
            return buffer != null && !buffer.isEmpty();
        }
    }

    /** Whether it has ended, whether or not the end was polled yet. */
    public boolean isEnded() {
        return state.get().isEnded();
    }

    /** Ends it ({@link EndReason#CLOSED}) unless it ended already; the sink is not woken. */
    public void close() {
        end(State.CLOSED, false);
    }

    /** Bytes buffered now. */
    public synchronized long bufferedBytes() {
        return bufferedBytes;
    }

    private Next pollLive() {
        while (true) {
            Item item;
            synchronized (this) {
                item = buffer == null ? null : buffer.poll();
                if (item != null) {
                    bufferedBytes -= item.frame().length;
                    hub.buffered(-item.frame().length);
                    if (buffer.isEmpty()) {
                        buffer = null; // an idle subscription keeps no array grown by a burst
                    }
                }
            }
            if (item == null) {
                State s = state.get();
                return s.isEnded() ? new Next.End(s.reason) : Next.WAIT;
            }
            if (item.id() <= threshold) {
                continue; // handed out from the store already
            }
            if (taskId != null && item.terminal()) {
                end(State.COMPLETED, false);
            }
            return new Next.Frame(item.frame());
        }
    }

    // ---------------------------------------------------------------- catching up: one task

    private Next catchUpTask() {
        for (int pages = 0; ; pages++) {
            TaskEvent e = read.poll();
            if (e != null) {
                return handOut(e);
            }
            if (readAll) {
                return goLive();
            }
            if (pages == EventHub.PAGES_PER_POLL) {
                return new Next.Idle(0);
            }
            List<TaskEvent> page;
            try {
                page = hub.taskEvents(taskId, after, owner);
            } catch (RuntimeException x) {
                return new Next.Idle(EventHub.STORE_RETRY_MILLIS);
            }
            read.addAll(page);
            if (!page.isEmpty()) {
                after = page.get(page.size() - 1).id();
            }
            readAll = page.size() < EventHub.TASK_PAGE;
        }
    }

    /** One task: the store has nothing more; drop the kept live events it already handed out. */
    private Next goLive() {
        synchronized (this) {
            threshold = after;
            while (buffer != null && !buffer.isEmpty() && buffer.peek().id() <= after) {
                Item dup = buffer.poll();
                bufferedBytes -= dup.frame().length;
                hub.buffered(-dup.frame().length);
            }
        }
        state.compareAndSet(State.CATCHING_UP, State.LIVE);
        return poll();
    }

    /** One task: renders an event read from the store; after the terminal one, the subscription is complete. */
    private Next handOut(TaskEvent e) {
        byte[] frame;
        try {
            frame = hub.renderer().event(e);
        } catch (RuntimeException x) {
            end(State.FAILED, false);
            return new Next.End(EndReason.ERROR);
        }
        if (e.kind().isTerminal()) {
            end(State.COMPLETED, false);
        }
        return new Next.Frame(frame);
    }

    // ---------------------------------------------------------------- catching up: every task

    private Next catchUpAll() {
        for (int pages = 0; ; ) {
            if (notice != null) { // before the events after it
                byte[] n = notice;
                notice = null;
                return new Next.Frame(n);
            }
            TaskEvent e;
            while ((e = read.poll()) != null) {
                if (filter.matches(e)) {
                    try {
                        return new Next.Frame(hub.renderer().event(e));
                    } catch (RuntimeException x) {
                        end(State.FAILED, false);
                        return new Next.End(EndReason.ERROR);
                    }
                }
            }
            if (pages == EventHub.PAGES_PER_POLL) {
                return new Next.Idle(0);
            }
            EventPage page;
            try {
                page = hub.store().readEvents(cursor, EventHub.LOG_PAGE);
            } catch (RuntimeException x) {
                return new Next.Idle(EventHub.STORE_RETRY_MILLIS);
            }
            pages++;
            cursor = page.next();
            read.addAll(page.events());
            if (page.missed() != 0) {
                notice = hub.renderer().missed(page.missed());
            }
            if (!read.isEmpty() || notice != null || page.events().size() == EventHub.LOG_PAGE) {
                continue;
            }
            if (page.pending()) {
                return new Next.Idle(EventHub.PENDING_RETRY_MILLIS);
            }
            if (tryJoin()) {
                return poll();
            }
            if (state.get().isEnded()) {
                return poll();
            }
        }
    }

    /**
     * Every task, caught up with the store at {@link #cursor}: registers for live events after it,
     * unless the dispatcher has delivered beyond it already (then it reads on).
     *
     * <p>Why no event is lost: the hub raises its last delivered id <em>before</em> it offers an
     * event to anyone. If that id is still at most our position after we registered, every event
     * beyond the position is offered after our registration, so it reaches us (an iteration that
     * starts after an add sees it). Events up to the position came from the store.
     */
    private boolean tryJoin() {
        long position = cursor.position();
        synchronized (this) {
            threshold = position;
        }
        if (!state.compareAndSet(State.CATCHING_UP, State.JOINING)) {
            return false;
        }
        register();
        if (hub.lastDelivered() <= position) {
            return state.compareAndSet(State.JOINING, State.LIVE);
        }
        hub.leaveLive(this);
        if (state.compareAndSet(State.JOINING, State.CATCHING_UP)) {
            synchronized (this) { // after the change: an event offered from now on is not kept
                dropBuffer();
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- ending

    /**
     * Moves to the ended state {@code to} unless it has ended already; then lets the buffer go, the
     * hub forget it, and (if {@code wake}) the sink know. Returns whether this call ended it.
     */
    boolean end(State to, boolean wake) {
        while (true) {
            State s = state.get();
            if (s.isEnded()) {
                return false;
            }
            if (state.compareAndSet(s, to)) {
                break;
            }
        }
        synchronized (this) {
            dropBuffer();
        }
        hub.ended(this);
        if (wake) {
            sink.wake();
        }
        return true;
    }

    /** Guarded by this. */
    private void dropBuffer() {
        if (bufferedBytes != 0) {
            hub.buffered(-bufferedBytes);
        }
        bufferedBytes = 0;
        buffer = null;
    }
}
