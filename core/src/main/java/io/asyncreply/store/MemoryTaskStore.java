package io.asyncreply.store;

import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Limits;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.task.Transitions.Change;
import io.asyncreply.task.Transitions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A store in this process's heap: fast, bounded by the queue capacity and the retention settings,
 * and gone when the process ends. Tasks accepted but not yet finished are lost on a restart, so
 * use it for development, tests, and work that may be lost.
 *
 * <p>Each task is an {@link MemoryEntry} whose state is one {@link AtomicReference} to an immutable
 * {@code MemoryEntry.Row}; every transition is decided by {@link Transitions} on the row read, then applied by
 * a compare-and-set of that reference; a lost race reads again and decides again. The indexes
 * around it (ready sets per type, delayed and expiring sets, running set, finished queue) may
 * briefly hold entries whose state has moved on; whoever takes an entry from an index decides on
 * its current row, so stale index entries are skipped, never acted upon.
 *
 * <p>The event log: an event's id is taken after the row it changes was read and before the
 * compare-and-set (see {@link LocalSequencer}), the event is added to the log after it, and the id
 * is released: readers see events up to the sequencer's horizon only, in id order, and a task's
 * events in the order of its changes. The log keeps at most {@code maxLogEvents} events (the
 * oldest are evicted; a reader that falls that far behind is told it missed some); each task also
 * keeps its own events until it is purged.
 *
 * <p>Memory: a finished task keeps its result but drops its payload (idempotency needs only the
 * digest). Finished tasks are purged by age and count ({@link #purge}) and also, oldest first,
 * while their results take more than {@code maxRetainedBytes}.
 *
 * <p>Its parts: this class holds the maps by id, sequence and key, and decides each change;
 * {@link MemoryWrites} applies a decided change and keeps the indexes and counters in step;
 * {@link MemoryClaims} claims ready tasks (type pauses and limits, with {@link MemoryTypes}) and
 * renews leases; {@link MemoryEventLog} is the bounded global log; {@link MemoryRetention} counts
 * and purges finished tasks; {@link MemoryNodes} is the node registry.
 */
public final class MemoryTaskStore implements TaskStore {
    /** Default bound of the global event log. */
    public static final int DEFAULT_MAX_LOG_EVENTS = 100_000;
    /** Default bound of the bytes of finished tasks' results. */
    public static final long DEFAULT_MAX_RETAINED_BYTES = 256L << 20;
    private static final int MAX_EXPIRE_PER_CALL = 10_000;

    private final AtomicLong nextSeq = new AtomicLong();
    private final Map<String, MemoryEntry> byId = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Long, MemoryEntry> bySeq = new ConcurrentSkipListMap<>();
    private final Map<String, MemoryEntry> byKey = new ConcurrentHashMap<>();
    private final MemoryNodes nodes = new MemoryNodes();
    private final MemoryTypes types = new MemoryTypes();
    private final MemoryRetention retention;
    private final MemoryWrites writes;
    private final MemoryClaims claims;
    private final MemoryEventLog log;
    private final MemoryWebhookStore webhooks = new MemoryWebhookStore(MemoryWebhookStore.DEFAULT_MAX_ENDED);

    /** A store with the default bounds. */
    public MemoryTaskStore() {
        this(DEFAULT_MAX_LOG_EVENTS, DEFAULT_MAX_RETAINED_BYTES);
    }

    /**
     * @param maxLogEvents most events in the global log (each task also keeps its own until purged)
     * @param maxRetainedBytes most bytes of results that finished tasks keep; beyond it the oldest
     *     finished tasks are purged
     */
    public MemoryTaskStore(int maxLogEvents, long maxRetainedBytes) {
        if (maxLogEvents < 1 || maxRetainedBytes < 0) {
            throw new IllegalArgumentException("maxLogEvents must be positive and maxRetainedBytes not negative");
        }
        this.log = new MemoryEventLog(maxLogEvents);
        this.retention = new MemoryRetention(maxRetainedBytes);
        this.writes = new MemoryWrites(types, log, retention, webhooks);
        this.claims = new MemoryClaims(writes, types);
    }

    /** The webhook subscriptions and outbox kept with these tasks. */
    @Override
    public MemoryWebhookStore webhooks() {
        return webhooks;
    }

    // ---------------------------------------------------------------- insert, find

    @Override
    public CompletionStage<InsertResult> insert(NewTask t, long queueLimit) {
        return CompletableFuture.completedFuture(insertNow(t, queueLimit));
    }

    private static String scopedKey(Task t, String key) {
        return key == null ? null : (t.owner() == null ? "" : t.owner()) + '\u0000' + key;
    }

    private InsertResult insertNow(NewTask t, long queueLimit) {
        if (t.task().status() != TaskStatus.QUEUED) {
            throw new StoreException("cannot store this task: a new task must be QUEUED");
        }
        String key = scopedKey(t.task(), t.idempotencyKey());
        if (key != null) {
            MemoryEntry existing = byKey.get(key);
            if (existing != null) {
                return known(existing, t);
            }
        }
        long full = writes.reserveQueued(queueLimit); // reserve a place in the queue
        if (full >= 0) {
            return new InsertResult.QueueFull(full);
        }
        MemoryEntry e = new MemoryEntry(nextSeq.incrementAndGet(), t, key);
        if (key != null) {
            MemoryEntry existing = byKey.putIfAbsent(key, e);
            if (existing != null) { // lost a race for the key: undo; nobody can know our id yet
                writes.releaseQueued();
                return known(existing, t);
            }
        }
        writes.inserted(e, t, () -> {
            byId.put(e.id, e);
            bySeq.put(e.seq, e);
        });
        return new InsertResult.Inserted(t.task());
    }

    private static InsertResult known(MemoryEntry existing, NewTask t) {
        return Arrays.equals(existing.digest, t.payloadDigest()) ? new InsertResult.Duplicate(existing.task())
                : new InsertResult.Conflict(existing.id);
    }

    @Override
    public Optional<Task> find(String id) {
        MemoryEntry e = byId.get(id);
        return e == null ? Optional.empty() : Optional.of(e.task());
    }

    @Override
    public Optional<Task> find(String id, String owner) {
        MemoryEntry e = byId.get(id);
        return e == null || !owns(e, owner) ? Optional.empty() : Optional.of(e.task());
    }

    @Override
    public Optional<ClaimedTask> findWithPayload(String id, String owner) {
        MemoryEntry e = byId.get(id);
        byte[] p = e == null ? null : e.payload;
        return p == null || !owns(e, owner) ? Optional.empty()
                : Optional.of(new ClaimedTask(e.task(), p, e.contentType, null, e.callback));
    }

    @Override
    public Optional<Task> findByKey(String key, String owner) {
        if (key == null) {
            return Optional.empty();
        }
        MemoryEntry e = byKey.get((owner == null ? "" : owner) + '\u0000' + key);
        return e == null ? Optional.empty() : Optional.of(e.task());
    }

    /** Known for every retained task: the size is kept when a finished task drops its payload. */
    @Override
    public OptionalLong payloadSize(String id, String owner) {
        MemoryEntry e = byId.get(id);
        return e == null || !owns(e, owner) ? OptionalLong.empty() : OptionalLong.of(e.payloadSize);
    }

    /** Walks the finished tasks (bounded by retention), oldest first. */
    @Override
    public List<FinishedCount> finishedCounts(Instant since) {
        return retention.finishedCounts(since);
    }

    private static boolean owns(MemoryEntry e, String owner) {
        return owner == null || owner.equals(e.task().owner());
    }

    // ---------------------------------------------------------------- transitions

    /** See {@link MemoryClaims#claim}: paused types are passed over, limited types claimed under a lock. */
    @Override
    public List<ClaimedTask> claim(ClaimRequest request) {
        return claims.claim(request);
    }

    @Override
    public int renewLeases(String owner, Instant leaseUntil) {
        return claims.renewLeases(owner, leaseUntil);
    }

    @Override
    public List<Optional<Task>> complete(List<Completion> completions) {
        List<Optional<Task>> out = new ArrayList<>(completions.size());
        for (Completion c : completions) {
            out.add(completeOne(c));
        }
        return out;
    }

    private Optional<Task> completeOne(Completion c) {
        MemoryEntry e = byId.get(c.id());
        if (e == null) {
            return Optional.empty();
        }
        while (true) {
            MemoryEntry.Row r = e.row.get();
            Optional<Change> change = c.isRequeue()
                    ? Transitions.requeue(r.task(), c.attempt(), c.lastError(), c.runAt(), c.now())
                    : Transitions.finish(r.task(), c.attempt(), c.outcome(), c.now());
            if (change.isEmpty()) {
                return Optional.empty();
            }
            Task after = change.get().after();
            if (writes.apply(e, r, new MemoryEntry.Row(after, null, null), change.get(), c.node(), c.now())) {
                writes.moved(e, r.task(), after, c.now());
                return Optional.of(after);
            }
        }
    }

    @Override
    public boolean progress(String id, int attempt, int percent, Instant now, String node) {
        MemoryEntry e = byId.get(id);
        if (e == null) {
            return false;
        }
        while (true) {
            MemoryEntry.Row r = e.row.get();
            Optional<Change> c = Transitions.progress(r.task(), attempt, percent);
            if (c.isEmpty()) {
                return false;
            }
            if (writes.apply(e, r, new MemoryEntry.Row(c.get().after(), r.leaseOwner(), r.leaseUntil()), c.get(), node, now)) {
                return true;
            }
        }
    }

    @Override
    public CancelResult cancel(String id, Instant now, String node) {
        return cancel(id, now, node, null);
    }

    @Override
    public CancelResult cancel(String id, Instant now, String node, String owner) {
        MemoryEntry e = byId.get(id);
        if (e == null || !owns(e, owner)) {
            return new CancelResult(CancelResult.Outcome.NOT_FOUND, null);
        }
        while (true) {
            MemoryEntry.Row r = e.row.get();
            Transitions.CancelDecision d = Transitions.cancel(r.task(), now);
            if (d.change() == null) {
                return new CancelResult(d.outcome(), r.task());
            }
            Task after = d.change().after();
            MemoryEntry.Row next = after.status() == TaskStatus.RUNNING ? new MemoryEntry.Row(after, r.leaseOwner(), r.leaseUntil())
                    : new MemoryEntry.Row(after, null, null);
            if (writes.apply(e, r, next, d.change(), node, now)) {
                writes.moved(e, r.task(), after, now);
                if (after.isTerminal()) {
                    // Drop the index entries now, so that memory stays bounded by the queue capacity
                    // even when all workers are busy and clients submit and cancel in a loop.
                    writes.unindex(e, r.task());
                }
                return new CancelResult(d.outcome(), after);
            }
        }
    }

    @Override
    public List<Task> recoverExpired(Instant now, int maxAttempts, String node) {
        List<Task> changed = new ArrayList<>();
        for (MemoryEntry e : writes.running) {
            while (true) {
                MemoryEntry.Row r = e.row.get();
                if (r.task().status() != TaskStatus.RUNNING || r.leaseUntil() == null
                        || !r.leaseUntil().isBefore(now)) {
                    break;
                }
                Optional<Change> c = Transitions.recover(r.task(), now, maxAttempts);
                if (c.isEmpty()) {
                    break;
                }
                Task after = c.get().after();
                if (writes.apply(e, r, new MemoryEntry.Row(after, null, null), c.get(), node, now)) {
                    writes.moved(e, r.task(), after, now);
                    changed.add(after);
                    break;
                }
            }
        }
        return changed;
    }

    @Override
    public List<Task> expire(Instant now, int max, String node) {
        List<Task> changed = new ArrayList<>();
        int limit = Math.min(max, MAX_EXPIRE_PER_CALL);
        while (changed.size() < limit) {
            MemoryEntry e = writes.index.takeExpired(now);
            if (e == null) {
                break;
            }
            while (true) {
                MemoryEntry.Row r = e.row.get();
                Optional<Change> c = Transitions.expire(r.task(), now);
                if (c.isEmpty()) {
                    break; // started, cancelled or gone meanwhile
                }
                Task after = c.get().after();
                if (writes.apply(e, r, new MemoryEntry.Row(after, null, null), c.get(), node, now)) {
                    writes.moved(e, r.task(), after, now);
                    writes.unindex(e, r.task());
                    changed.add(after);
                    break;
                }
            }
        }
        return changed;
    }

    // ---------------------------------------------------------------- reads

    @Override
    public TaskPage list(TaskQuery query) {
        ConcurrentNavigableMap<Long, MemoryEntry> view = bySeq.descendingMap();
        if (query.cursor() != null) {
            view = view.tailMap(SeqCursor.decode(query.cursor()), false);
        }
        List<Task> items = new ArrayList<>(Math.min(query.limit(), 64));
        long lastSeq = -1;
        for (MemoryEntry e : view.values()) {
            Task t = e.task();
            if (!query.matches(t)) {
                continue;
            }
            if (items.size() == query.limit()) {
                return new TaskPage(items, SeqCursor.encode(lastSeq)); // there is at least one more
            }
            items.add(forPage(t));
            lastSeq = e.seq;
        }
        return new TaskPage(items, null);
    }

    /** {@code t} with its result as a summary unless it is JSON small enough to inline. */
    static Task forPage(Task t) {
        TaskResult r = t.result();
        if (r == null || !r.hasBytes() || (r.isJson() && r.size() <= Limits.MAX_INLINE_RESULT_BYTES)) {
            return t;
        }
        return t.toBuilder().result(TaskResult.summary(r.contentType(), r.size())).build();
    }

    @Override
    public int purge(Instant cutoff, long keepAtMost) {
        return retention.purge(cutoff, keepAtMost, e -> {
            byId.remove(e.id, e);
            bySeq.remove(e.seq, e);
            if (e.key != null) {
                byKey.remove(e.key, e);
            }
            log.remove(e.eventsAfter(0, Integer.MAX_VALUE)); // events are kept as long as their task
        });
    }

    /** Entries in the ready sets and the delayed set, stale ones included (for tests). */
    int indexedForClaim() {
        return writes.index.size();
    }

    /** Bytes of results finished tasks keep (for tests). */
    long retainedBytes() {
        return retention.retainedBytes();
    }

    @Override
    public long queued() {
        return writes.queued();
    }

    /** Walks every task held: this store is for development and tests, and this is asked now and then. */
    @Override
    public Optional<Instant> oldestQueuedRunAt() {
        Instant oldest = null;
        for (MemoryEntry e : bySeq.values()) {
            Task t = e.task();
            if (t.status() == TaskStatus.QUEUED && t.runAt() != null && (oldest == null || t.runAt().isBefore(oldest))) {
                oldest = t.runAt();
            }
        }
        return Optional.ofNullable(oldest);
    }

    @Override
    public boolean mayHaveQueued() {
        return writes.queued() > 0;
    }

    @Override
    public void ping() {
        // always reachable
    }

    // ---------------------------------------------------------------- the event log

    @Override
    public EventCursor eventHead() {
        return log.head();
    }

    @Override
    public EventPage readEvents(EventCursor cursor, int limit) {
        return log.read(cursor, limit);
    }

    @Override
    public List<TaskEvent> taskEvents(String taskId, long afterId, int limit, String owner) {
        MemoryEntry e = byId.get(taskId);
        return e == null || !owns(e, owner) ? List.of() : e.eventsAfter(afterId, limit);
    }

    @Override
    public List<TaskEvent> taskEvents(String taskId, long afterId, int limit) {
        MemoryEntry e = byId.get(taskId);
        return e == null ? List.of() : e.eventsAfter(afterId, limit);
    }

    // ---------------------------------------------------------------- nodes

    @Override
    public void heartbeat(String nodeId, Instant startedAt, int running, Instant now) {
        heartbeat(nodeId, startedAt, running, now, java.util.Set.of());
    }

    @Override
    public void heartbeat(String nodeId, Instant startedAt, int running, Instant now, java.util.Set<String> served) {
        nodes.heartbeat(nodeId, startedAt, running, now, served);
    }

    @Override
    public void pause(String type, boolean paused) {
        types.pause(type, paused);
    }

    @Override
    public List<TypeState> typeStates() {
        return types.states();
    }

    @Override
    public int cancelQueued(String type, String owner, Instant now, String node, int max) {
        int n = 0;
        for (MemoryEntry e : List.copyOf(bySeq.values())) {
            if (n >= max) {
                break;
            }
            Task t = e.task();
            if (t.status() == TaskStatus.QUEUED && (type == null || type.equals(t.type())) && owns(e, owner)
                    && cancel(e.id, now, node, owner).outcome() == CancelResult.Outcome.CANCELLED) {
                n++;
            }
        }
        return n;
    }

    @Override
    public List<NodeInfo> nodes() {
        return nodes.nodes();
    }

    @Override
    public int forgetNodes(Instant silentSince) {
        return nodes.forgetNodes(silentSince);
    }

    @Override
    public boolean forgetNode(String nodeId) {
        return nodes.forgetNode(nodeId);
    }

    @Override
    public void close() {
        // nothing to release
    }

    @Override
    public String toString() {
        return "MemoryTaskStore[" + byId.size() + " tasks, " + writes.queued() + " queued]";
    }
}
