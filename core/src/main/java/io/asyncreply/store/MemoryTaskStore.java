package io.asyncreply.store;

import io.asyncreply.task.Outcome;
import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A store in this process's heap: fast, bounded by the queue capacity and the retention settings,
 * and gone when the process ends. Tasks accepted but not yet finished are lost on a restart, so
 * use it for development, tests, and work that may be lost.
 *
 * <p>Each task is an {@link Entry} whose state is one {@link AtomicReference} to an immutable
 * {@link Row}; every transition is a compare-and-set of that reference. The indexes around it
 * (ready queue, delayed set, running set, finished queue) may briefly hold entries whose state has
 * moved on; whoever takes an entry from an index re-checks its state with a CAS, so stale index
 * entries are skipped, never acted upon.
 */
public final class MemoryTaskStore implements TaskStore {

    /** The mutable part of a task: its snapshot and its lease. Immutable; replaced by CAS. */
    private record Row(Task task, String leaseOwner, Instant leaseUntil) {
    }

    private static final class Entry {
        final long seq;
        final String id;
        final byte[] payload;
        final String contentType;
        final String idempotencyKey;
        final byte[] digest;
        final AtomicReference<Row> row;

        Entry(long seq, NewTask t) {
            this.seq = seq;
            this.id = t.task().id();
            this.payload = t.payload();
            this.contentType = t.contentType();
            this.idempotencyKey = t.idempotencyKey();
            this.digest = t.payloadDigest();
            this.row = new AtomicReference<>(new Row(t.task(), null, null));
        }

        Task task() {
            return row.get().task();
        }
    }

    /** A queued entry waiting for its run time. */
    private record Delayed(Instant runAt, long seq, Entry entry) {
    }

    private final AtomicLong nextSeq = new AtomicLong();
    private final Map<String, Entry> byId = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Long, Entry> bySeq = new ConcurrentSkipListMap<>();
    private final Map<String, Entry> byKey = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Entry> ready = new ConcurrentLinkedQueue<>();
    private final ConcurrentSkipListSet<Delayed> delayed = new ConcurrentSkipListSet<>(
            Comparator.comparing(Delayed::runAt).thenComparingLong(Delayed::seq));
    private final Set<Entry> running = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Entry> finished = new ConcurrentLinkedQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong finishedCount = new AtomicLong();
    /** The node registry: the services using this store (one, unless tests share it). */
    private final Map<String, NodeInfo> nodes = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<InsertResult> insert(NewTask t, long queueLimit) {
        return CompletableFuture.completedFuture(insertNow(t, queueLimit));
    }

    private InsertResult insertNow(NewTask t, long queueLimit) {
        String key = t.idempotencyKey();
        if (key != null) {
            Entry existing = byKey.get(key);
            if (existing != null) {
                return known(existing, t);
            }
        }
        long q;
        do { // reserve a place in the queue
            q = queued.get();
            if (q >= queueLimit) {
                return new InsertResult.QueueFull(q);
            }
        } while (!queued.compareAndSet(q, q + 1));
        Entry e = new Entry(nextSeq.incrementAndGet(), t);
        byId.put(e.id, e);
        if (key != null) {
            Entry existing = byKey.putIfAbsent(key, e);
            if (existing != null) { // lost a race for the key: undo; nobody can know our id yet
                byId.remove(e.id);
                queued.decrementAndGet();
                return known(existing, t);
            }
        }
        bySeq.put(e.seq, e);
        Instant runAt = t.task().runAt();
        if (runAt != null && runAt.isAfter(t.task().submittedAt())) { // to run later: wait for its time
            delayed.add(new Delayed(runAt, e.seq, e));
        } else {
            ready.add(e);
        }
        return new InsertResult.Inserted(t.task());
    }

    private static InsertResult known(Entry existing, NewTask t) {
        return Arrays.equals(existing.digest, t.payloadDigest()) ? new InsertResult.Duplicate(existing.task())
                : new InsertResult.Conflict(existing.id);
    }

    @Override
    public Optional<Task> find(String id) {
        Entry e = byId.get(id);
        return e == null ? Optional.empty() : Optional.of(e.task());
    }

    @Override
    public Optional<ClaimedTask> claim(String owner, Instant now, Instant leaseUntil) {
        while (true) {
            Entry e = nextReady(now);
            if (e == null) {
                return Optional.empty();
            }
            Row r = e.row.get();
            if (r.task().status() != TaskStatus.QUEUED) {
                continue; // stale: cancelled while queued
            }
            Row claimed = new Row(r.task().started(now), owner, leaseUntil);
            if (e.row.compareAndSet(r, claimed)) {
                queued.decrementAndGet();
                running.add(e);
                return Optional.of(new ClaimedTask(claimed.task(), e.payload, e.contentType));
            }
        }
    }

    /** Due delayed entries first (they are older), then the ready queue in submission order. */
    private Entry nextReady(Instant now) {
        while (true) {
            Delayed d = delayed.isEmpty() ? null : delayed.first();
            if (d == null || d.runAt().isAfter(now)) {
                break;
            }
            if (delayed.remove(d)) {
                return d.entry();
            }
        }
        return ready.poll();
    }

    @Override
    public int renewLeases(String owner, Instant leaseUntil) {
        int n = 0;
        for (Entry e : running) {
            Row r = e.row.get();
            if (r.task().status() == TaskStatus.RUNNING && owner.equals(r.leaseOwner())
                    && e.row.compareAndSet(r, new Row(r.task(), owner, leaseUntil))) {
                n++;
            }
        }
        return n;
    }

    @Override
    public Optional<Task> finish(String id, int attempt, Outcome outcome, Instant now) {
        Entry e = byId.get(id);
        if (e == null) {
            return Optional.empty();
        }
        while (true) {
            Row r = e.row.get();
            if (!isCurrent(r, attempt)) {
                return Optional.empty();
            }
            TaskStatus status = r.task().cancelRequested() ? TaskStatus.CANCELLED : outcome.status();
            Task t = r.task().finished(status, outcome.result(), outcome.error(), now);
            if (e.row.compareAndSet(r, new Row(t, null, null))) {
                running.remove(e);
                finishedNow(e);
                return Optional.of(t);
            }
        }
    }

    @Override
    public Optional<Task> requeue(String id, int attempt, TaskError lastError, Instant runAt, Instant now) {
        Entry e = byId.get(id);
        if (e == null) {
            return Optional.empty();
        }
        while (true) {
            Row r = e.row.get();
            if (!isCurrent(r, attempt)) {
                return Optional.empty();
            }
            Task t = r.task().cancelRequested() ? r.task().finished(TaskStatus.CANCELLED, null, null, now)
                    : r.task().requeued(runAt, lastError);
            if (e.row.compareAndSet(r, new Row(t, null, null))) {
                running.remove(e);
                if (t.isTerminal()) {
                    finishedNow(e);
                } else {
                    enqueue(e, t, now);
                }
                return Optional.of(t);
            }
        }
    }

    private void enqueue(Entry e, Task t, Instant now) {
        queued.incrementAndGet();
        if (t.runAt().isAfter(now)) {
            delayed.add(new Delayed(t.runAt(), e.seq, e));
        } else {
            ready.add(e);
        }
    }

    private static boolean isCurrent(Row r, int attempt) {
        return r.task().status() == TaskStatus.RUNNING && r.task().attempts() == attempt;
    }

    private void finishedNow(Entry e) {
        finishedCount.incrementAndGet();
        finished.add(e);
    }

    @Override
    public boolean progress(String id, int attempt, int percent) {
        Entry e = byId.get(id);
        if (e == null) {
            return false;
        }
        while (true) {
            Row r = e.row.get();
            if (!isCurrent(r, attempt)) {
                return false;
            }
            if (e.row.compareAndSet(r, new Row(r.task().withProgress(percent), r.leaseOwner(), r.leaseUntil()))) {
                return true;
            }
        }
    }

    @Override
    public CancelResult cancel(String id, Instant now) {
        Entry e = byId.get(id);
        if (e == null) {
            return new CancelResult(CancelResult.Outcome.NOT_FOUND, null);
        }
        while (true) {
            Row r = e.row.get();
            Task t = r.task();
            switch (t.status()) {
                case QUEUED: {
                    Task c = t.finished(TaskStatus.CANCELLED, null, null, now);
                    if (e.row.compareAndSet(r, new Row(c, null, null))) {
                        queued.decrementAndGet();
                        // Drop the index entries now, so that memory stays bounded by the queue
                        // capacity even when all workers are busy and clients submit and cancel
                        // in a loop. ready.remove is linear, but in at most capacity entries.
                        if (t.runAt() != null) {
                            delayed.remove(new Delayed(t.runAt(), e.seq, e));
                        }
                        ready.remove(e);
                        finishedNow(e);
                        return new CancelResult(CancelResult.Outcome.CANCELLED, c);
                    }
                    break;
                }
                case RUNNING: {
                    if (t.cancelRequested()) {
                        return new CancelResult(CancelResult.Outcome.CANCEL_REQUESTED, t);
                    }
                    Task c = t.withCancelRequested();
                    if (e.row.compareAndSet(r, new Row(c, r.leaseOwner(), r.leaseUntil()))) {
                        return new CancelResult(CancelResult.Outcome.CANCEL_REQUESTED, c);
                    }
                    break;
                }
                default:
                    return new CancelResult(CancelResult.Outcome.ALREADY_FINISHED, t);
            }
        }
    }

    @Override
    public TaskPage list(TaskQuery query) {
        ConcurrentNavigableMap<Long, Entry> view = bySeq.descendingMap();
        if (query.cursor() != null) {
            view = view.tailMap(SeqCursor.decode(query.cursor()), false);
        }
        List<Task> items = new ArrayList<>(Math.min(query.limit(), 64));
        long lastSeq = -1;
        for (Entry e : view.values()) {
            Task t = e.task();
            if (!query.matches(t)) {
                continue;
            }
            if (items.size() == query.limit()) {
                return new TaskPage(items, SeqCursor.encode(lastSeq)); // there is at least one more
            }
            items.add(t);
            lastSeq = e.seq;
        }
        return new TaskPage(items, null);
    }

    @Override
    public List<Task> recoverExpired(Instant now, int maxAttempts) {
        List<Task> changed = new ArrayList<>();
        for (Entry e : running) {
            Row r = e.row.get();
            Task t = r.task();
            if (t.status() != TaskStatus.RUNNING || r.leaseUntil() == null || !r.leaseUntil().isBefore(now)) {
                continue;
            }
            Task next;
            if (t.cancelRequested()) {
                next = t.finished(TaskStatus.CANCELLED, null, null, now);
            } else if (t.attempts() >= maxAttempts) {
                next = t.finished(TaskStatus.FAILED, null, new TaskError("Abandoned after " + t.attempts()
                        + " attempts whose workers stopped without finishing."), now);
            } else {
                next = t.requeued(now, new TaskError("Attempt " + t.attempts()
                        + " stopped without finishing (its worker's lease expired)."));
            }
            if (e.row.compareAndSet(r, new Row(next, null, null))) {
                running.remove(e);
                if (next.isTerminal()) {
                    finishedNow(e);
                } else {
                    enqueue(e, next, now);
                }
                changed.add(next);
            }
        }
        return changed;
    }

    @Override
    public synchronized int purge(Instant cutoff, long keepAtMost) {
        int n = 0;
        Entry e;
        while ((e = finished.peek()) != null) {
            Task t = e.task();
            boolean expired = t.finishedAt() == null || t.finishedAt().isBefore(cutoff);
            if (!expired && finishedCount.get() <= keepAtMost) {
                break;
            }
            finished.poll();
            finishedCount.decrementAndGet();
            byId.remove(e.id, e);
            bySeq.remove(e.seq, e);
            if (e.idempotencyKey != null) {
                byKey.remove(e.idempotencyKey, e);
            }
            n++;
        }
        return n;
    }

    /** Entries in the ready queue and the delayed set, stale ones included (for tests). */
    int indexedForClaim() {
        return ready.size() + delayed.size();
    }

    @Override
    public long queued() {
        return queued.get();
    }

    @Override
    public boolean mayHaveQueued() {
        return queued.get() > 0;
    }

    @Override
    public void ping() {
        // always reachable
    }

    @Override
    public void heartbeat(String nodeId, Instant startedAt, int running, Instant now) {
        nodes.put(nodeId, new NodeInfo(nodeId, startedAt, now, running));
    }

    @Override
    public List<NodeInfo> nodes() {
        List<NodeInfo> all = new ArrayList<>(nodes.values());
        all.sort(Comparator.comparing(NodeInfo::id));
        return all;
    }

    @Override
    public int forgetNodes(Instant silentSince) {
        int[] n = new int[1];
        nodes.values().removeIf(x -> x.lastHeartbeat().isBefore(silentSince) && ++n[0] > 0);
        return n[0];
    }

    @Override
    public void close() {
        // nothing to release
    }

    @Override
    public String toString() {
        return "MemoryTaskStore[" + byId.size() + " tasks, " + queued.get() + " queued]";
    }
}
