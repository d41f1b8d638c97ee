package io.asyncreply.engine;

import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.StoreException;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Attempt;
import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Health;
import io.asyncreply.task.Limits;
import io.asyncreply.task.Rejection;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskListener;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.Throughput;
import io.asyncreply.task.TypeInfo;
import io.asyncreply.task.TypePolicy;
import java.lang.System.Logger.Level;
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
import java.util.OptionalLong;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Accepts tasks, runs them on a fixed pool of worker threads, and tells whoever waits or listens
 * what happens to them. A façade over small units, each with one job (docs/architecture.md draws
 * them): {@link Admission} (the submit rules), {@link Workers} and {@link AttemptRunner} (claim and
 * run), {@link Completer} (record outcomes and retries), {@link RunningTasks} (cancel
 * coordination), {@link TerminalWaits} (waiting without threads), {@link EventDispatcher} (the
 * event log to listeners), {@link Maintenance} (leases, recovery, expiry, purge, heartbeat) and
 * {@link RemoteEvents} (other nodes' wake-ups).
 *
 * <p>The {@link TaskStore} holds every task; this service never keeps a second queue. The number of
 * tasks waiting is bounded by {@link Builder#queueCapacity(long)}: beyond it, submissions are
 * rejected with {@link Rejection#QUEUE_FULL}, so memory and latency stay bounded under overload.
 *
 * <p>Threads, all named {@code asyncreply-*} and all stopped by {@link #close()}: the workers, one
 * scheduler (housekeeping, wait timeouts, retry wake-ups; it never blocks on a client), one
 * notifier (completes waiters, so that neither a worker nor the scheduler runs a caller's code),
 * and, once someone listens or waits, one event dispatcher.
 *
 * <p>Shutdown ({@link #shutdown(Duration)}): submissions are refused at once; idle workers stop;
 * running tasks get the grace period to finish, then their threads are interrupted and their
 * tasks are put back to {@code QUEUED} (a durable store runs them again at the next start; the
 * memory store loses them with the process, as it loses queued tasks). Queued tasks stay queued.
 * Listeners get the events written until then; pending waiters are answered with the task's state
 * at that moment; the node leaves the node registry.
 */
public final class TaskService implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TaskService.class.getName());
    /** Most attempts {@link #attempts(String, String)} lists: the latest ones. */
    public static final int MAX_ATTEMPTS_LISTED = 100;
    /** Longest idempotency key accepted, in characters. */
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = Limits.MAX_IDEMPOTENCY_KEY_LENGTH;

    private final TaskStore store;
    private final Map<String, TaskHandler> handlers;
    private final Clock clock;
    private final int workerCount;
    private final long queueCapacity;
    private final Duration leaseDuration;
    private final Duration shutdownGrace;
    private final String nodeId;
    private final Map<String, TypePolicy> policies;

    private final NamedThreadFactory schedulerThreads = new NamedThreadFactory("asyncreply-scheduler");
    private final NamedThreadFactory notifierThreads = new NamedThreadFactory("asyncreply-notifier");
    private final NamedThreadFactory housekeeperThreads = new NamedThreadFactory("asyncreply-housekeeper");
    private final ScheduledThreadPoolExecutor scheduler;
    private final ScheduledThreadPoolExecutor housekeeper;
    private final ExecutorService notifier;

    private final Admission admission;
    private final RunningTasks running;
    private final EventDispatcher events;
    private final TerminalWaits waits;
    private final WorkSignal claims = new WorkSignal();
    private final Completer completer;
    private final Claimer claimer;
    private final Handoff handoff;
    private final Workers workers;
    private final Maintenance maintenance;
    private final HealthCheck healthCheck;
    private final TypeCatalog typeCatalog;
    private final AttemptHistory attemptHistory;
    private final Resubmission resubmission;
    private final FinishCounts finishCounts;

    private volatile boolean stopping;
    private boolean stopped; // guarded by this

    private TaskService(Builder b) {
        this.store = Objects.requireNonNull(b.store, "store");
        this.handlers = Collections.unmodifiableMap(new LinkedHashMap<>(b.handlers));
        this.clock = b.clock;
        this.workerCount = b.workers;
        this.queueCapacity = b.queueCapacity;
        this.leaseDuration = b.leaseDuration;
        this.shutdownGrace = b.shutdownGrace;
        this.nodeId = b.nodeId != null ? b.nodeId : UUID.randomUUID().toString();
        this.policies = Map.copyOf(b.policies);
        Instant startedAt = now();

        this.scheduler = new ScheduledThreadPoolExecutor(1, schedulerThreads);
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.notifier = Executors.newSingleThreadExecutor(notifierThreads);
        this.housekeeper = new ScheduledThreadPoolExecutor(1, housekeeperThreads);
        housekeeper.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);

        this.running = new RunningTasks(scheduler, leaseDuration.toMillis());
        this.events = new EventDispatcher(store, b.pollInterval.toMillis(), this::endedElsewhere);
        this.waits = new TerminalWaits(store, scheduler, notifier, events);
        this.completer = new Completer(store, clock, nodeId, policies, new Completer.After() {
            @Override
            public void finished(Task task) {
                waits.finished(task);
            }

            @Override
            public void requeued(Task task) {
                wakeAt(task.runAt());
            }
        }, events::poke);
        AttemptRunner runner = new AttemptRunner(handlers, policies, running, completer, this::progress,
                () -> stopping, scheduler);
        this.handoff = new Handoff(claims::wake);
        this.claimer = new Claimer(store, handlers.keySet(), policies, nodeId, clock, leaseDuration, b.pollInterval.toMillis(),
                workerCount, handoff, claims, events::poke);
        this.workers = new Workers(workerCount, handoff, runner);
        this.admission = new Admission(store, handlers, policies, queueCapacity, nodeId, task -> {
            claims.wake();
            events.poke();
        });
        this.maintenance = new Maintenance(store, scheduler, housekeeper, clock, nodeId, handlers.keySet(), startedAt,
                leaseDuration,
                b.retention, b.retainAtMost, b.purgeInterval, b.maxAttempts, running, new Maintenance.Changed() {
                    @Override
                    public void finished(Task task) {
                        waits.finished(task);
                    }

                    @Override
                    public void requeued(Task task) {
                        wakeAt(task.runAt());
                    }

                    @Override
                    public void wrote() {
                        events.poke();
                    }
                });
        this.healthCheck = new HealthCheck(store, clock, admission, running, workerCount, queueCapacity, nodeId,
                leaseDuration);
        this.typeCatalog = new TypeCatalog(store, nodeId, handlers.keySet(), policies);
        this.attemptHistory = new AttemptHistory(store, MAX_ATTEMPTS_LISTED);
        this.resubmission = new Resubmission(store, this::submit);
        this.finishCounts = new FinishCounts(store, clock, Duration.ofSeconds(1));
        // In the registry before listening: a node that says hello to the others (PostgreSQL) must be
        // found there by a node that reads the registry after the hello.
        maintenance.heartbeatOnce();
        store.listen(new RemoteEvents(store, claims::wake, events, running, notifier));
        completer.start();
        workers.start();
        claimer.start();
        maintenance.start();
    }

    /** A builder with defaults: 2 workers, queue of 10,000, memory store not set (required). */
    public static Builder builder() {
        return new Builder();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private void wakeAt(Instant at) {
        long delay = at == null ? 0 : Duration.between(now(), at).toMillis();
        if (delay <= 0) {
            claims.wake();
            return;
        }
        try {
            scheduler.schedule(claims::wake, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException ignored) {
            // shutting down: nothing will claim it in this process
        }
    }

    private boolean progress(String id, int attempt, int percent) {
        boolean written = store.progress(id, attempt, percent, now(), nodeId);
        if (written) {
            events.poke();
        }
        return written;
    }

    /** A terminal event from the log: answers this node's waiters of that task (it may have ended elsewhere). */
    private void endedElsewhere(TaskEvent e) {
        if (!waits.isWaitedFor(e.taskId())) {
            return;
        }
        // The event carries a summary of the result; waiters get the task as stored, result included.
        store.find(e.taskId()).filter(Task::isTerminal).ifPresent(waits::completeNow);
    }

    // ---------------------------------------------------------------- submit

    /**
     * What can be decided from a submission's type, idempotency key and content type alone, before
     * its payload is read: the same rules and words as {@link #submit}, which checks them again.
     * Empty when the submission may go on.
     */
    public Optional<Submission.Rejected> precheck(String type, String idempotencyKey, String contentType) {
        return admission.precheck(type, idempotencyKey, contentType);
    }

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
        return submit(SubmitRequest.of(type, payload).contentType(contentType).idempotencyKey(idempotencyKey));
    }

    /**
     * Submits a task with options (owner, priority, delay or run time, time to live, trace context,
     * callback). The checks of {@link #submit(String, byte[], String, String)}, with a bad option
     * rejected as {@link Rejection#INVALID_OPTION} after the idempotency key's form and before the
     * payload. An idempotency key is unique per owner: two owners may use the same key.
     */
    public CompletionStage<Submission> submit(SubmitRequest request) {
        Objects.requireNonNull(request, "request");
        return admission.submit(request, now());
    }

    // ---------------------------------------------------------------- read, wait, cancel, list

    /** The task, or empty when unknown (or the id is malformed). @throws StoreException */
    public Optional<Task> find(String id) {
        return find(id, null);
    }

    /**
     * The task if it belongs to {@code owner} ({@code null}: anyone's, for admins), or empty when
     * unknown or another owner's: the owner is a condition of the store's read.
     */
    public Optional<Task> find(String id, String owner) {
        return Ids.isWellFormed(id) ? store.find(id, owner) : Optional.empty();
    }

    /**
     * The task holding idempotency key {@code key} of {@code owner} ({@code null}: the anonymous
     * owner; keys are unique per owner, so there is no look-up across owners), or empty when no
     * retained task holds it or the key is not one a submission could carry.
     * @throws StoreException
     */
    public Optional<Task> findByKey(String key, String owner) {
        if (key == null || key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
            return Optional.empty();
        }
        return store.findByKey(key, owner);
    }

    /**
     * The size in bytes of the payload of a task of {@code owner} ({@code null}: anyone's), or empty
     * when unknown, another owner's, or no longer held by the store. @throws StoreException
     */
    public OptionalLong payloadSize(String id, String owner) {
        return Ids.isWellFormed(id) ? store.payloadSize(id, owner) : OptionalLong.empty();
    }

    /**
     * Waits, without holding a thread, until the task is terminal or {@code timeout} passes, then
     * completes with its state at that moment (empty when unknown). Completes on the notifier
     * thread (or the event dispatcher's, for a task that ended on another node) or at once;
     * continuations that may block should hop to their own executor.
     */
    public CompletionStage<Optional<Task>> awaitTerminal(String id, Duration timeout) {
        return awaitTerminal(id, null, timeout);
    }

    /**
     * {@link #awaitTerminal(String, Duration)} of a task of {@code owner} ({@code null}: anyone's):
     * another owner's task completes empty at once, as an unknown one.
     */
    public CompletionStage<Optional<Task>> awaitTerminal(String id, String owner, Duration timeout) {
        if (!Ids.isWellFormed(id)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        try {
            if (owner != null && store.find(id, owner).isEmpty()) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            return waits.await(id, timeout, stopping);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Cancels a task; see {@link CancelResult.Outcome}. @throws StoreException */
    public CancelResult cancel(String id) {
        return cancel(id, null);
    }

    /**
     * Cancels a task of {@code owner} ({@code null}: anyone's); another owner's task is
     * {@code NOT_FOUND}. @throws StoreException
     */
    public CancelResult cancel(String id, String owner) {
        if (!Ids.isWellFormed(id)) {
            return new CancelResult(CancelResult.Outcome.NOT_FOUND, null);
        }
        CancelResult r = store.cancel(id, now(), nodeId, owner);
        if (r.outcome() == CancelResult.Outcome.CANCELLED) {
            events.poke();
            waits.finished(r.task());
        } else if (r.outcome() == CancelResult.Outcome.CANCEL_REQUESTED) {
            running.cancel(id);
        }
        return r;
    }

    /** A page of tasks, newest first. @throws IllegalArgumentException for a malformed cursor */
    public TaskPage list(TaskQuery query) {
        return store.list(query);
    }

    /**
     * Cancels up to {@code max} queued tasks of {@code type} ({@code null}: every type) of
     * {@code owner} ({@code null}: everyone's), oldest first; returns how many. Running tasks are
     * not touched (cancel them one by one).
     */
    public int cancelQueued(String type, String owner, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1");
        }
        int n = store.cancelQueued(type, owner, now(), nodeId, max);
        if (n > 0) {
            events.poke();
            // Waiters of those tasks learn of it from their cancelled events.
        }
        return n;
    }

    // ---------------------------------------------------------------- admin

    /**
     * Submits a {@code FAILED} or {@code CANCELLED} task of {@code owner} ({@code null}: anyone's)
     * again, as a new task with {@link Task#retryOf()} set, the same type, payload, content type,
     * owner and priority, and no idempotency key. Empty when the task is unknown or another
     * owner's; a {@link Rejection#INVALID_OPTION} when it is not {@code FAILED} or
     * {@code CANCELLED}.
     */
    public Optional<CompletionStage<Submission>> retry(String id, String owner) {
        return Ids.isWellFormed(id) ? resubmission.retry(id, owner) : Optional.empty();
    }

    /**
     * The attempts of a task of {@code owner} ({@code null}: anyone's), oldest first, from its event
     * log; at most {@link #MAX_ATTEMPTS_LISTED} (the latest). Empty when unknown or another owner's.
     */
    public Optional<List<Attempt>> attempts(String id, String owner) {
        return Ids.isWellFormed(id) ? attemptHistory.of(id, owner) : Optional.empty();
    }

    /**
     * Pauses claims of {@code type} on every node sharing the store: its tasks are accepted and
     * queue, running ones go on, none starts until {@link #resume(String)}.
     * @throws UnsupportedOperationException when the store cannot pause
     */
    public void pause(String type) {
        store.pause(requireType(type), true);
    }

    /** Resumes claims of {@code type} on every node. */
    public void resume(String type) {
        store.pause(requireType(type), false);
        claims.wake();
    }

    private static String requireType(String type) {
        if (!Limits.isTypeName(type)) {
            throw new IllegalArgumentException("bad task type name");
        }
        return type;
    }

    /**
     * Every task type the cluster knows of, by name: those a live node (heartbeat within one lease)
     * serves, those with queued or running tasks, and paused ones; with counts, the live nodes
     * that serve it, and this node's policy when it serves it.
     */
    public List<TypeInfo> typeInfos() {
        return typeCatalog.all(now().minus(leaseDuration));
    }

    /** This node's policy of {@code type}: the configured one, or {@link TypePolicy#DEFAULT}. */
    public TypePolicy policy(String type) {
        return policies.getOrDefault(type, TypePolicy.DEFAULT);
    }

    /**
     * Tasks that finished in each of the last 60 minutes, per type and terminal state, on every
     * node sharing the store. Kept incrementally and reused for a second, so that asking often costs
     * the store a read of the last minute or two of finished tasks (see {@code FinishCounts}).
     * @throws StoreException
     */
    public Throughput throughput() {
        return finishCounts.now();
    }

    /**
     * Health figures, with the node registry: a node is stale when its last heartbeat is older than
     * one lease (by this node's clock and lease). Asks the store three times (ping, queued, nodes).
     */
    public Health health() {
        return healthCheck.now();
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

    // ---------------------------------------------------------------- events

    /**
     * Calls {@code listener} with every event of the store's log from now on: every change of every
     * task on every node sharing the store, after its commit, once, in order for each task; on the
     * event dispatcher thread ({@code asyncreply-events-1}). It must not block. Close the returned
     * handle to unsubscribe.
     */
    public AutoCloseable listen(TaskListener listener) {
        return events.subscribe(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * {@link #listen(TaskListener)} for a listener that wants the task after each change only.
     */
    public AutoCloseable subscribe(Consumer<Task> listener) {
        Objects.requireNonNull(listener, "listener");
        return listen(e -> listener.accept(e.task()));
    }

    /**
     * Up to {@code limit} events of task {@code id} after event {@code afterId} (0: from its first),
     * in order, while they are retained (as long as the task). Empty for an unknown task.
     */
    public List<TaskEvent> taskEvents(String id, long afterId, int limit) {
        return taskEvents(id, afterId, limit, null);
    }

    /**
     * {@link #taskEvents(String, long, int)} of a task of {@code owner} ({@code null}: anyone's);
     * empty for another owner's task.
     */
    public List<TaskEvent> taskEvents(String id, long afterId, int limit, String owner) {
        if (!Ids.isWellFormed(id)) {
            return List.of();
        }
        return store.taskEvents(id, afterId, limit, owner);
    }

    // ---------------------------------------------------------------- shutdown

    /** {@link #shutdown(Duration)} with the configured grace period. */
    @Override
    public void close() {
        shutdown(shutdownGrace);
    }

    /**
     * Stops accepting, lets running tasks finish within {@code grace}, then interrupts them and
     * re-queues their tasks, delivers the events written until then, answers all waiters, leaves
     * the node registry, and stops every thread. Idempotent.
     */
    public void shutdown(Duration grace) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        admission.close();
        stopping = true;
        claimer.stop();
        if (!workers.stopAfter(grace)) {
            LOG.log(Level.INFO, "{0} tasks still running after the grace period; interrupting them", running.size());
            running.releaseAll("the service is shutting down");
        }
        workers.stop();
        for (ClaimedTask t : handoff.drain()) {
            completer.giveBack(t);
        }
        completer.stop();
        ExecutorStopper.stop(scheduler, "scheduler", Duration.ofSeconds(2));
        ExecutorStopper.stop(housekeeper, "housekeeper", Duration.ofSeconds(5));
        events.stop();
        ExecutorStopper.stop(notifier, "notifier", Duration.ofSeconds(2));
        // awaitTermination returns before the pools' last threads have quite ended: wait for them.
        for (NamedThreadFactory f : List.of(schedulerThreads, notifierThreads, housekeeperThreads)) {
            if (!f.join(Duration.ofSeconds(1))) {
                LOG.log(Level.WARNING, "some asyncreply threads are still alive after shutdown");
            }
        }
        waits.drain();
        try {
            store.forgetNode(nodeId);
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "could not leave the node registry: {0}", e.getMessage());
        }
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
        private final Map<String, TypePolicy> policies = new LinkedHashMap<>();

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
            if (!Limits.isTypeName(type)) {
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

        /**
         * How often an idle worker looks for work, and the event dispatcher reads the log, without
         * being woken (lost wake-ups, other nodes without notifications). Default 1 s.
         */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = positive(interval, "poll interval");
            return this;
        }

        /**
         * How long finished tasks are kept, and how many at most; older or surplus ones are purged
         * with their idempotency keys and events. Default 24 h and 100,000.
         */
        public Builder retention(Duration keepFor, long keepAtMost) {
            this.retention = positive(keepFor, "retention");
            if (keepAtMost < 0) {
                throw new IllegalArgumentException("keepAtMost must not be negative");
            }
            this.retainAtMost = keepAtMost;
            return this;
        }

        /** How often the purge and the expiry of queued tasks run. Default 1 s. */
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

        /**
         * The policy of {@code type} on this node: limits, timeout, default priority, retries.
         * Limits are enforced across every node sharing the store; give every node serving the
         * type the same policy (the store applies the limits of the node that claims).
         */
        public Builder policy(String type, TypePolicy policy) {
            if (!Limits.isTypeName(type)) {
                throw new IllegalArgumentException("bad task type name: '" + type + "'");
            }
            policies.put(type, Objects.requireNonNull(policy, "policy"));
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
