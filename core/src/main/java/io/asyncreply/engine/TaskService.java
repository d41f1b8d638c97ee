package io.asyncreply.engine;

import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Health;
import io.asyncreply.task.InputFormat;
import io.asyncreply.task.InvalidPayloadException;
import io.asyncreply.task.Rejection;
import io.asyncreply.task.RetryPolicy;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.json.Json;
import io.asyncreply.json.JsonException;
import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.InsertResult;
import io.asyncreply.store.NewTask;
import io.asyncreply.store.NodeInfo;
import io.asyncreply.task.Outcome;
import io.asyncreply.store.StoreEvents;
import io.asyncreply.store.StoreException;
import io.asyncreply.store.TaskStore;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Accepts tasks, runs them on a fixed pool of worker threads, and tells whoever waits when they end.
 *
 * <p>The {@link TaskStore} holds every task; this service never keeps a second queue. Workers claim
 * the next ready task from the store, run its {@link TaskHandler}, and write the outcome back as a
 * compare-and-set on the attempt they claimed. The number of tasks waiting is bounded by
 * {@link Builder#queueCapacity(long)}: beyond it, submissions are rejected with
 * {@link Rejection#QUEUE_FULL}, so memory and latency stay bounded under overload.
 *
 * <p>Threads, all named {@code asyncreply-*} and all stopped by {@link #close()}: the workers, one
 * scheduler (lease renewal, node heartbeat, recovery, retention purge, timeouts, retry wake-ups; it never blocks
 * on a client) and one notifier (completes waiters and calls listeners, so that neither a worker
 * nor the scheduler runs a caller's code).
 *
 * <p>Shutdown ({@link #shutdown(Duration)}): submissions are refused at once; idle workers stop;
 * running tasks get the grace period to finish, then their threads are interrupted and their
 * tasks are put back to {@code QUEUED} (a durable store runs them again at the next start; the
 * memory store loses them with the process, as it loses queued tasks). Queued tasks stay queued.
 * Pending waiters are answered with the task's state at that moment.
 */
public final class TaskService implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TaskService.class.getName());
    private static final Pattern TYPE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    /** Longest idempotency key accepted, in characters. */
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;
    /** Tasks whose last delivered event is remembered, to drop stale events (see isStale). */
    private static final int MAX_TRACKED_EVENTS = 65_536;
    /** Nodes silent for this many leases are removed from the node registry. */
    static final int FORGET_NODES_AFTER_LEASES = 5;
    /** Most waiters and executions looked at again after a store reports lost events. */
    private static final int MAX_RECHECKS = 10_000;

    private final TaskStore store;
    private final Map<String, TaskHandler> handlers;
    private final Clock clock;
    private final int workerCount;
    private final long queueCapacity;
    private final Duration leaseDuration;
    private final Duration pollInterval;
    private final Duration retention;
    private final long retainAtMost;
    private final Duration purgeInterval;
    private final int maxRecoveries;
    private final Duration shutdownGrace;
    private final String nodeId;
    private final Instant startedAt;

    private final WorkSignal signal = new WorkSignal();
    private final Waiters waiters = new Waiters();
    private final Map<String, Execution> executions = new ConcurrentHashMap<>();
    private final Set<String> pendingCancels = ConcurrentHashMap.newKeySet();
    private final List<Consumer<Task>> listeners = new CopyOnWriteArrayList<>();
    /** Accepted tasks whose QUEUED event is not yet published: see {@link #announce(String)}. */
    private final Map<String, Task> unannounced = new ConcurrentHashMap<>();
    /** Notifier thread only: the rank of the last event listeners got per task; see {@link #isStale}. */
    private final Map<String, Integer> lastDelivered = new LinkedHashMap<>(256, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > MAX_TRACKED_EVENTS;
        }
    };
    private final NamedThreadFactory workerThreads = new NamedThreadFactory("asyncreply-worker");
    private final NamedThreadFactory schedulerThreads = new NamedThreadFactory("asyncreply-scheduler");
    private final NamedThreadFactory notifierThreads = new NamedThreadFactory("asyncreply-notifier");
    private final ExecutorService workers;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ExecutorService notifier;

    private volatile boolean accepting = true;
    private volatile boolean stopping;
    private boolean stopped;

    private TaskService(Builder b) {
        this.store = Objects.requireNonNull(b.store, "store");
        this.handlers = Collections.unmodifiableMap(new LinkedHashMap<>(b.handlers));
        this.clock = b.clock;
        this.workerCount = b.workers;
        this.queueCapacity = b.queueCapacity;
        this.leaseDuration = b.leaseDuration;
        this.pollInterval = b.pollInterval;
        this.retention = b.retention;
        this.retainAtMost = b.retainAtMost;
        this.purgeInterval = b.purgeInterval;
        this.maxRecoveries = b.maxAttempts;
        this.shutdownGrace = b.shutdownGrace;
        this.nodeId = b.nodeId != null ? b.nodeId : UUID.randomUUID().toString();
        this.startedAt = now();

        this.scheduler = new ScheduledThreadPoolExecutor(1, schedulerThreads);
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.notifier = Executors.newSingleThreadExecutor(notifierThreads);
        this.workers = Executors.newFixedThreadPool(workerCount, workerThreads);

        store.listen(new RemoteEvents());
        for (int i = 0; i < workerCount; i++) {
            workers.execute(this::work);
        }
        long heartbeat = Math.max(1, leaseDuration.toMillis() / 3);
        scheduler.scheduleWithFixedDelay(guarded("lease renewal", this::renewLeases), heartbeat, heartbeat,
                TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(guarded("recovery", this::recover), 0, heartbeat, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(guarded("heartbeat", this::heartbeat), 0, heartbeat, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(guarded("retention purge", this::purge), purgeInterval.toMillis(),
                purgeInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A builder with defaults: 2 workers, queue of 10,000, memory store not set (required). */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- submit

    /**
     * Submits a task. Checks happen in this order, and the first that fails decides:
     * unknown type, malformed idempotency key, content type (JSON handlers), payload, idempotency
     * key already used, queue full. The stage completes when the task is stored (for a durable
     * store: committed), so an {@link Submission.Accepted} means the task will run.
     *
     * @param type the handler's type name
     * @param payload the payload bytes; shared, not copied: do not modify after the call
     * @param contentType the payload's content type, or {@code null}
     * @param idempotencyKey the client's key, or {@code null}
     */
    public CompletionStage<Submission> submit(String type, byte[] payload, String contentType, String idempotencyKey) {
        Objects.requireNonNull(payload, "payload");
        if (!accepting) {
            return rejected(Rejection.SHUTTING_DOWN, "The service is shutting down.");
        }
        TaskHandler handler = type == null ? null : handlers.get(type);
        if (handler == null) {
            return rejected(Rejection.UNKNOWN_TYPE, "There is no task type '" + type + "'.");
        }
        if (idempotencyKey != null
                && (idempotencyKey.isEmpty() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY_LENGTH)) {
            return rejected(Rejection.INVALID_IDEMPOTENCY_KEY,
                    "An idempotency key must have 1 to " + MAX_IDEMPOTENCY_KEY_LENGTH + " characters.");
        }
        Rejected invalid = checkPayload(handler, payload, contentType);
        if (invalid != null) {
            return CompletableFuture.completedFuture(invalid.submission);
        }
        Instant submittedAt = now();
        Task task = Task.queued(Ids.next(submittedAt.toEpochMilli()), type, submittedAt);
        if (!listeners.isEmpty()) {
            unannounced.put(task.id(), task);
        }
        byte[] digest = idempotencyKey == null ? null : digest(type, payload);
        CompletionStage<InsertResult> inserted;
        try {
            inserted = store.insert(new NewTask(task, payload, contentType, idempotencyKey, digest), queueCapacity);
        } catch (StoreException e) {
            inserted = CompletableFuture.failedFuture(e);
        }
        return inserted.handle((result, failure) -> {
            if (!(result instanceof InsertResult.Inserted)) {
                unannounced.remove(task.id());
            }
            if (failure != null) {
                LOG.log(Level.WARNING, "task of type {0} not stored: {1}", type, failure.getMessage());
                return new Submission.Rejected(Rejection.STORE_UNAVAILABLE,
                        "The task store is unavailable; nothing was stored. Try again later.");
            }
            if (result instanceof InsertResult.Inserted ins) {
                signal.wake();
                announce(task.id());
                return new Submission.Accepted(ins.task(), false);
            }
            if (result instanceof InsertResult.Duplicate dup) {
                return new Submission.Accepted(dup.existing(), true);
            }
            if (result instanceof InsertResult.Conflict) {
                return new Submission.Rejected(Rejection.IDEMPOTENCY_CONFLICT,
                        "This idempotency key was used before with another type or payload.");
            }
            return new Submission.Rejected(Rejection.QUEUE_FULL,
                    "The queue is full (" + queueCapacity + " tasks); try again later.");
        });
    }

    private record Rejected(Submission submission) {
    }

    private static Rejected checkPayload(TaskHandler handler, byte[] payload, String contentType) {
        if (handler.input() == InputFormat.JSON) {
            if (!InputFormat.JSON.accepts(contentType)) {
                return new Rejected(new Submission.Rejected(Rejection.UNSUPPORTED_CONTENT_TYPE,
                        "Task type '" + handler.type() + "' takes JSON (application/json), not " + contentType + "."));
            }
            try {
                Json.check(payload);
            } catch (JsonException e) {
                return new Rejected(new Submission.Rejected(Rejection.INVALID_PAYLOAD,
                        "The payload is not well-formed JSON: " + e.getMessage()));
            }
        }
        try {
            handler.validate(payload);
        } catch (InvalidPayloadException e) {
            return new Rejected(new Submission.Rejected(Rejection.INVALID_PAYLOAD, e.getMessage()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "validation of a payload by handler " + handler.type() + " threw", e);
            return new Rejected(new Submission.Rejected(Rejection.INVALID_PAYLOAD,
                    "The payload was refused by task type '" + handler.type() + "'."));
        }
        return null;
    }

    private static CompletionStage<Submission> rejected(Rejection reason, String detail) {
        return CompletableFuture.completedFuture(new Submission.Rejected(reason, detail));
    }

    private static byte[] digest(String type, byte[] payload) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(type.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(payload);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    // ---------------------------------------------------------------- read, wait, cancel, list

    /** The task, or empty when unknown (or the id is malformed). @throws io.asyncreply.store.StoreException */
    public Optional<Task> find(String id) {
        return Ids.isWellFormed(id) ? store.find(id) : Optional.empty();
    }

    /**
     * Waits, without holding a thread, until the task is terminal or {@code timeout} passes, then
     * completes with its state at that moment (empty when unknown). Completes on the notifier
     * thread or at once; continuations that may block should hop to their own executor.
     */
    public CompletionStage<Optional<Task>> awaitTerminal(String id, Duration timeout) {
        if (!Ids.isWellFormed(id)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Waiters.Waiter w = waiters.add(id); // before the read: see Waiters
        Optional<Task> current;
        try {
            current = store.find(id);
        } catch (RuntimeException e) {
            waiters.remove(w);
            return CompletableFuture.failedFuture(e);
        }
        if (current.isEmpty() || current.get().isTerminal() || timeout.isZero() || timeout.isNegative() || stopping) {
            if (waiters.remove(w)) {
                return CompletableFuture.completedFuture(current);
            }
            return w.future; // completed by a finish that raced with us
        }
        try {
            w.timeout = scheduler.schedule(() -> notifier.execute(() -> {
                if (waiters.remove(w)) {
                    try {
                        w.future.complete(store.find(id));
                    } catch (RuntimeException e) {
                        w.future.completeExceptionally(e);
                    }
                }
            }), timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) { // shutting down right now
            if (waiters.remove(w)) {
                w.future.complete(current);
            }
        }
        return w.future;
    }

    /** Cancels a task; see {@link CancelResult.Outcome}. @throws io.asyncreply.store.StoreException */
    public CancelResult cancel(String id) {
        if (!Ids.isWellFormed(id)) {
            return new CancelResult(CancelResult.Outcome.NOT_FOUND, null);
        }
        CancelResult r = store.cancel(id, now());
        if (r.outcome() == CancelResult.Outcome.CANCELLED) {
            finished(r.task());
        } else if (r.outcome() == CancelResult.Outcome.CANCEL_REQUESTED) {
            cancelLocally(id);
            publish(r.task());
        }
        return r;
    }

    /**
     * Stops the local execution of {@code id}, if any. A worker may have claimed the task but not
     * yet registered its execution: the id goes into {@code pendingCancels} before the lookup, and
     * a worker registers before it checks that set, so one of the two always sees the other.
     * Entries for tasks that run elsewhere are dropped after one lease.
     */
    private void cancelLocally(String id) {
        pendingCancels.add(id);
        Execution ex = executions.get(id);
        if (ex != null) {
            pendingCancels.remove(id);
            ex.cancel();
        } else {
            try {
                scheduler.schedule(() -> pendingCancels.remove(id), leaseDuration.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException ignored) {
                pendingCancels.remove(id);
            }
        }
    }

    /** A page of tasks, newest first. @throws IllegalArgumentException for a malformed cursor */
    public TaskPage list(TaskQuery query) {
        return store.list(query);
    }

    /**
     * Health figures, with the node registry: a node is stale when its last heartbeat is older than
     * one lease (by this node's clock and lease). Asks the store three times (ping, queued, nodes).
     */
    public Health health() {
        try {
            store.ping();
            long queued = store.queued();
            Instant staleBefore = now().minus(leaseDuration);
            List<Health.Node> nodes = new ArrayList<>();
            for (NodeInfo n : store.nodes()) {
                nodes.add(new Health.Node(n.id(), n.startedAt(), n.lastHeartbeat(), n.running(),
                        n.lastHeartbeat().isBefore(staleBefore)));
            }
            return new Health(true, accepting, queued, executions.size(), workerCount, queueCapacity, null, nodeId,
                    nodes);
        } catch (RuntimeException e) {
            return new Health(false, accepting, -1, executions.size(), workerCount, queueCapacity,
                    "The task store is unreachable.", nodeId, List.of());
        }
    }

    /** The registered handler of {@code type}, if any. */
    public Optional<TaskHandler> handler(String type) {
        return Optional.ofNullable(type == null ? null : handlers.get(type));
    }

    /** The registered type names. */
    public Set<String> types() {
        return handlers.keySet();
    }

    /** This node's id, the owner of the leases its workers hold. */
    public String nodeId() {
        return nodeId;
    }

    /** The store this service uses. */
    public TaskStore store() {
        return store;
    }

    /**
     * Calls {@code listener} with every change this node makes or learns of (queued, running,
     * re-queued, terminal), on the notifier thread. It must not block. Close the returned handle
     * to unsubscribe.
     */
    public AutoCloseable subscribe(Consumer<Task> listener) {
        listeners.add(Objects.requireNonNull(listener));
        return () -> listeners.remove(listener);
    }

    // ---------------------------------------------------------------- workers

    private void work() {
        while (!stopping) {
            long seen = signal.generation();
            ClaimedTask claimed;
            try {
                Instant now = now();
                claimed = store.claim(nodeId, now, now.plus(leaseDuration)).orElse(null);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not claim a task: {0}", e.getMessage());
                claimed = null;
            }
            if (claimed == null) {
                try {
                    signal.await(seen, pollInterval.toMillis());
                } catch (InterruptedException e) {
                    if (stopping) {
                        return;
                    }
                }
                continue;
            }
            // There may be more: a wake-up from another node stands for a whole batch, and wakes one
            // worker. Each successful claim wakes one more idle worker, which stops at the first
            // empty claim. Costs nothing while every worker is busy. Skipped when the store knows
            // that nothing is queued (memory store): with short tasks arriving one at a time, the
            // woken worker would only find nothing and park again. A task submitted after this
            // check wakes a worker itself.
            if (store.mayHaveQueued()) {
                signal.wake();
            }
            run(claimed);
        }
    }

    private void run(ClaimedTask claimed) {
        Task task = claimed.task();
        String id = task.id();
        TaskHandler handler = handlers.get(task.type());
        Execution ex = new Execution(claimed, store, Thread.currentThread());
        executions.put(id, ex);
        if (pendingCancels.remove(id)) { // see cancelLocally
            ex.cancel();
        }
        if (stopping) {
            ex.release("the service is shutting down");
        }
        announce(id);
        publish(task);
        TaskResult result = null;
        Throwable failure = null;
        try {
            if (handler == null) {
                throw new IllegalStateException("No handler for task type '" + task.type() + "' on this node.");
            }
            result = handler.handle(ex);
            if (result == null) {
                result = TaskResult.empty();
            }
        } catch (Throwable t) {
            failure = t;
            if (t instanceof VirtualMachineError) {
                LOG.log(Level.ERROR, "task " + id + " hit a virtual machine error", t);
            }
        } finally {
            ex.done();
            executions.remove(id);
            Thread.interrupted(); // clear an interrupt meant for this task only
        }
        record(ex, handler, task, result, failure);
    }

    private void record(Execution ex, TaskHandler handler, Task task, TaskResult result, Throwable failure) {
        String id = task.id();
        int attempt = task.attempts();
        Instant now = now();
        Optional<Task> after;
        try {
            if (ex.wasCancelled()) {
                after = store.finish(id, attempt, Outcome.cancelled(), now);
            } else if (ex.releasedBecause() != null) {
                after = store.requeue(id, attempt, new TaskError("Attempt " + attempt + " was interrupted: "
                        + ex.releasedBecause() + "."), now, now);
            } else if (failure == null) {
                after = store.finish(id, attempt, Outcome.succeeded(result), now);
            } else {
                TaskError error = TaskError.of(failure);
                LOG.log(Level.INFO, "task {0} ({1}) attempt {2} failed: {3}", id, task.type(), attempt,
                        error.message());
                LOG.log(Level.DEBUG, "task " + id + " failure", failure);
                RetryPolicy policy = handler == null ? RetryPolicy.none() : handler.retryPolicy();
                if (policy.allowsAnotherAfter(attempt)) {
                    Duration delay = policy.delayAfter(attempt, ThreadLocalRandom.current());
                    after = store.requeue(id, attempt, error, now.plus(delay), now);
                } else {
                    after = store.finish(id, attempt, Outcome.failed(error), now);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "outcome of task {0} attempt {1} not recorded ({2}); it runs again once its "
                    + "lease expires", id, attempt, e.getMessage());
            return;
        }
        if (after.isEmpty()) {
            LOG.log(Level.DEBUG, "outcome of task {0} attempt {1} refused: the attempt is no longer current", id,
                    attempt);
            return;
        }
        Task t = after.get();
        if (t.isTerminal()) {
            finished(t);
        } else {
            requeued(t);
        }
    }

    // ---------------------------------------------------------------- notifications

    private void finished(Task task) {
        // Skipping the hand-off when nobody waits is safe: the terminal state is already stored,
        // and a waiter registers before it reads the store (see Waiters), so a waiter this check
        // misses reads the terminal state itself.
        if (listeners.isEmpty() && !waiters.isWaitedFor(task.id())) {
            return;
        }
        try {
            notifier.execute(() -> {
                waiters.complete(task);
                callListeners(task);
            });
        } catch (RejectedExecutionException e) { // after shutdown: answer here
            waiters.complete(task);
        }
    }

    private void requeued(Task task) {
        long delay = task.runAt() == null ? 0 : Duration.between(now(), task.runAt()).toMillis();
        if (delay <= 0) {
            signal.wake();
        } else {
            try {
                scheduler.schedule(signal::wake, delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException ignored) {
                // shutting down: nothing will claim it in this process
            }
        }
        publish(task);
    }

    private void publish(Task task) {
        if (listeners.isEmpty()) {
            return;
        }
        try {
            notifier.execute(() -> callListeners(task));
        } catch (RejectedExecutionException ignored) {
            // shut down
        }
    }

    /**
     * Publishes the QUEUED event of a newly accepted task, once. The submitting thread calls this
     * after the insert; but a worker can claim the task (and even finish it) before the submitting
     * thread gets there, so the worker calls it too, before it publishes RUNNING. The entry is
     * taken on the notifier thread, not here: a thread that took it here could be preempted before
     * handing the event over, and the worker's RUNNING would overtake it. On the notifier the
     * worker's announcement runs before its RUNNING, so listeners get QUEUED first.
     */
    private void announce(String id) {
        if (!unannounced.containsKey(id)) { // once taken it never comes back
            return;
        }
        try {
            notifier.execute(() -> {
                Task queued = unannounced.remove(id);
                if (queued != null) {
                    callListeners(queued);
                }
            });
        } catch (RejectedExecutionException e) { // shut down
            unannounced.remove(id);
        }
    }

    /**
     * Whether listeners already got a later event of this task than {@code task}: snapshots are
     * published by several threads (submitter, workers, cancellers), so one taken before a change
     * can reach the notifier after the change's own event, e.g. a cancel's RUNNING snapshot after
     * the CANCELLED that the interrupted worker published at once. Such a stale snapshot is dropped:
     * listeners see a task's events in order and nothing after its terminal event. Events are
     * ranked by attempt and phase; the last rank is remembered for the most recent tasks only.
     * Notifier thread only.
     */
    private boolean isStale(Task task) {
        int rank;
        if (task.isTerminal()) {
            rank = Integer.MAX_VALUE;
        } else if (task.status() == TaskStatus.QUEUED) { // initially, or re-queued after attempt n
            rank = 4 * task.attempts() + 3;
        } else { // RUNNING attempt n, then the same with a cancel request
            rank = 4 * task.attempts() + (task.cancelRequested() ? 2 : 1);
        }
        Integer last = lastDelivered.get(task.id());
        if (last != null && last >= rank) {
            return true;
        }
        lastDelivered.put(task.id(), rank);
        return false;
    }

    private void callListeners(Task task) {
        if (listeners.isEmpty() || isStale(task)) {
            return;
        }
        for (Consumer<Task> l : listeners) {
            try {
                l.accept(task);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a task listener threw", e);
            }
        }
    }

    /** Events from other nodes, delivered by a shared store. */
    private final class RemoteEvents implements StoreEvents {
        @Override
        public void taskQueued() {
            signal.wake();
        }

        @Override
        public void taskFinished(String id) {
            if (!waiters.isWaitedFor(id) && listeners.isEmpty()) {
                return;
            }
            try {
                notifier.execute(() -> {
                    try {
                        store.find(id).filter(Task::isTerminal).ifPresent(t -> {
                            waiters.complete(t);
                            callListeners(t);
                        });
                    } catch (RuntimeException e) {
                        LOG.log(Level.DEBUG, "could not read finished task {0}: {1}", id, e.getMessage());
                    }
                });
            } catch (RejectedExecutionException ignored) {
                // shut down
            }
        }

        @Override
        public void cancelRequested(String id) {
            Execution ex = executions.get(id);
            if (ex != null) {
                ex.cancel();
            }
        }

        /**
         * Wakes a worker, and on the notifier thread reads again every task waited for here (a
         * finish may have been missed) and every task running here (a cancel may have been missed).
         * Bounded by {@link #MAX_RECHECKS} reads.
         */
        @Override
        public void eventsMissed() {
            signal.wake();
            try {
                notifier.execute(this::recheck);
            } catch (RejectedExecutionException ignored) {
                // shut down
            }
        }

        private void recheck() {
            int budget = MAX_RECHECKS;
            try {
                for (String id : waiters.ids()) {
                    if (budget-- <= 0) {
                        return;
                    }
                    store.find(id).filter(Task::isTerminal).ifPresent(t -> {
                        waiters.complete(t);
                        callListeners(t);
                    });
                }
                for (Execution ex : List.copyOf(executions.values())) {
                    if (budget-- <= 0) {
                        return;
                    }
                    Optional<Task> t = store.find(ex.taskId());
                    if (t.isPresent() && t.get().cancelRequested() && t.get().attempts() == ex.attempt()) {
                        ex.cancel();
                    }
                }
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "could not look again at waited and running tasks: {0}", e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- scheduled work

    private Runnable guarded(String what, Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "{0} failed: {1}", what, e.getMessage());
            }
        };
    }

    private void renewLeases() {
        if (executions.isEmpty()) {
            return;
        }
        int expected = executions.size();
        int renewed = store.renewLeases(nodeId, now().plus(leaseDuration));
        if (renewed < expected) {
            // Some lease may be lost (another node recovered the task) or the task just ended.
            for (Execution ex : List.copyOf(executions.values())) {
                Optional<Task> t = store.find(ex.taskId());
                if (t.isEmpty() || t.get().status() != TaskStatus.RUNNING || t.get().attempts() != ex.attempt()) {
                    ex.release("its lease was lost");
                }
            }
        }
    }

    /**
     * Writes this node's row in the node registry (every third of the lease, with lease renewal),
     * and removes nodes silent for {@link #FORGET_NODES_AFTER_LEASES} leases.
     */
    private void heartbeat() {
        Instant now = now();
        store.heartbeat(nodeId, startedAt, executions.size(), now);
        store.forgetNodes(now.minus(leaseDuration.multipliedBy(FORGET_NODES_AFTER_LEASES)));
    }

    private void recover() {
        List<Task> changed = store.recoverExpired(now(), maxRecoveries);
        for (Task t : changed) {
            LOG.log(Level.INFO, "task {0} recovered from an expired lease: now {1}", t.id(), t.status());
            if (t.isTerminal()) {
                finished(t);
            } else {
                requeued(t);
            }
        }
    }

    private void purge() {
        int n = store.purge(now().minus(retention), retainAtMost);
        if (n > 0) {
            LOG.log(Level.DEBUG, "purged {0} finished tasks", n);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    // ---------------------------------------------------------------- shutdown

    /** {@link #shutdown(Duration)} with the configured grace period. */
    @Override
    public void close() {
        shutdown(shutdownGrace);
    }

    /**
     * Stops accepting, lets running tasks finish within {@code grace}, then interrupts them and
     * re-queues their tasks, answers all waiters, and stops every thread. Idempotent.
     */
    public void shutdown(Duration grace) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        accepting = false;
        stopping = true;
        signal.wakeAll();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(Level.INFO, "{0} tasks still running after the grace period; interrupting them",
                        executions.size());
                for (Execution ex : executions.values()) {
                    ex.release("the service is shutting down");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ExecutorStopper.stop(workers, "worker", Duration.ofSeconds(5));
        ExecutorStopper.stop(scheduler, "scheduler", Duration.ofSeconds(2));
        ExecutorStopper.stop(notifier, "notifier", Duration.ofSeconds(2));
        // awaitTermination returns before the pools' last threads have quite ended: wait for them.
        for (NamedThreadFactory f : List.of(workerThreads, schedulerThreads, notifierThreads)) {
            if (!f.join(Duration.ofSeconds(1))) {
                LOG.log(Level.WARNING, "some asyncreply threads are still alive after shutdown");
            }
        }
        waiters.drain(id -> {
            try {
                return store.find(id);
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    /** Whether {@link #shutdown(Duration)} has begun. */
    public boolean isShutdown() {
        return stopping;
    }

    // ---------------------------------------------------------------- builder

    /** Configures and starts a {@link TaskService}. */
    public static final class Builder {
        private TaskStore store;
        private final Map<String, TaskHandler> handlers = new LinkedHashMap<>();
        private Clock clock = Clock.systemUTC();
        private int workers = 2;
        private long queueCapacity = 10_000;
        private Duration leaseDuration = Duration.ofSeconds(30);
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration retention = Duration.ofHours(24);
        private long retainAtMost = 100_000;
        private Duration purgeInterval = Duration.ofSeconds(1);
        private int maxAttempts = 5;
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private String nodeId;

        private Builder() {
        }

        /** Where tasks live. Required. The service does not close it. */
        public Builder store(TaskStore store) {
            this.store = Objects.requireNonNull(store);
            return this;
        }

        /** Registers a handler. @throws IllegalArgumentException for a bad or duplicate type name */
        public Builder handler(TaskHandler handler) {
            String type = handler.type();
            if (type == null || !TYPE_NAME.matcher(type).matches()) {
                throw new IllegalArgumentException("bad task type name: '" + type + "' ("
                        + handler.getClass().getName() + ")");
            }
            if (handlers.putIfAbsent(type, handler) != null) {
                throw new IllegalArgumentException("two handlers for task type '" + type + "': "
                        + handlers.get(type).getClass().getName() + " and " + handler.getClass().getName());
            }
            return this;
        }

        /** Registers several handlers. */
        public Builder handlers(Iterable<? extends TaskHandler> all) {
            for (TaskHandler h : all) {
                handler(h);
            }
            return this;
        }

        /** Registers every handler that {@link ServiceLoader} finds through {@code loader}. */
        public Builder discoverHandlers(ClassLoader loader) {
            List<TaskHandler> found = new ArrayList<>();
            ServiceLoader.load(TaskHandler.class, loader).forEach(found::add);
            return handlers(found);
        }

        /** Worker threads; default 2. */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1");
            }
            this.workers = workers;
            return this;
        }

        /** Most tasks waiting at once; beyond it submissions get {@link Rejection#QUEUE_FULL}. Default 10,000. */
        public Builder queueCapacity(long capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("queue capacity must be at least 1");
            }
            this.queueCapacity = capacity;
            return this;
        }

        /** Source of time; default UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** How long a claim holds without renewal; renewed every third of it. Default 30 s. */
        public Builder leaseDuration(Duration lease) {
            this.leaseDuration = positive(lease, "lease duration");
            return this;
        }

        /** How often an idle worker looks for work without being woken (lost wake-ups, other nodes). Default 1 s. */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = positive(interval, "poll interval");
            return this;
        }

        /**
         * How long finished tasks are kept, and how many at most; older or surplus ones are purged
         * with their idempotency keys. Default 24 h and 100,000.
         */
        public Builder retention(Duration keepFor, long keepAtMost) {
            this.retention = positive(keepFor, "retention");
            if (keepAtMost < 0) {
                throw new IllegalArgumentException("keepAtMost must not be negative");
            }
            this.retainAtMost = keepAtMost;
            return this;
        }

        /** How often the purge runs. Default 1 s. */
        public Builder purgeInterval(Duration interval) {
            this.purgeInterval = positive(interval, "purge interval");
            return this;
        }

        /** Attempts after which a task whose worker died ends FAILED instead of re-queued. Default 5. */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
            this.maxAttempts = attempts;
            return this;
        }

        /** Grace period for running tasks at {@link TaskService#close()}. Default 10 s. */
        public Builder shutdownGrace(Duration grace) {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("grace must not be negative");
            }
            this.shutdownGrace = grace;
            return this;
        }

        /** This node's id (lease owner). Default: a random UUID. */
        public Builder nodeId(String nodeId) {
            this.nodeId = Objects.requireNonNull(nodeId);
            return this;
        }

        /** Starts the service: its threads run from now until {@link TaskService#close()}. */
        public TaskService build() {
            if (store == null) {
                throw new IllegalStateException("a store is required");
            }
            return new TaskService(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return d;
        }
    }
}
