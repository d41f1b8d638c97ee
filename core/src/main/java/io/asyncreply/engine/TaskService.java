package io.asyncreply.engine;

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
import io.asyncreply.task.TaskObserver;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.Throughput;
import io.asyncreply.task.TypeInfo;
import io.asyncreply.task.TypePolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Accepts tasks, runs them on a fixed pool of worker threads, and tells whoever waits or listens
 * what happens to them. A façade over small units, each with one job (docs/architecture.md draws
 * them): {@link Admission} (the submit rules), {@link Workers} and {@link AttemptRunner} (claim and
 * run), {@link Completer} (record outcomes and retries), {@link Cancels} and {@link RunningTasks}
 * (cancel coordination), {@link TerminalWaits} (waiting without threads), {@link EventDispatcher}
 * (the event log to listeners), {@link Maintenance} (leases, recovery, expiry, purge, heartbeat)
 * and {@link RemoteEvents} (other nodes' wake-ups). {@link ServiceSettings} checks what the
 * {@link Builder} is given; {@link ServiceAssembly} builds, wires, starts and stops the units.
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
    /** Most attempts {@link #attempts(String, String)} lists: the latest ones. */
    public static final int MAX_ATTEMPTS_LISTED = 100;
    /** Longest idempotency key accepted, in characters. */
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = Limits.MAX_IDEMPOTENCY_KEY_LENGTH;

    /** The units behind this façade, built and started from the builder's settings. */
    private final ServiceAssembly units;
    private final TaskStore store;

    private TaskService(ServiceSettings.Checked settings) {
        this.units = new ServiceAssembly(settings);
        this.store = units.store;
        units.start();
    }

    /** A builder with defaults: 2 workers, queue of 10,000, memory store not set (required). */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether a ready submission of a type without limits would be started at once now (for the engine's tests). */
    boolean startsAtOnce() {
        return units.startsAtOnce();
    }

    private Instant now() {
        return units.now();
    }

    // ---------------------------------------------------------------- submit

    /**
     * What can be decided from a submission's type, idempotency key and content type alone, before
     * its payload is read: the same rules and words as {@link #submit}, which checks them again.
     * Empty when the submission may go on.
     */
    public Optional<Submission.Rejected> precheck(String type, String idempotencyKey, String contentType) {
        return units.admission.precheck(type, idempotencyKey, contentType);
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
        return units.admission.submit(request, now());
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
        return units.waits.await(id, owner, timeout, units.isStopping());
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
        return units.cancels.cancel(id, owner);
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
        return units.cancels.cancelQueued(type, owner, max);
    }

    // ---------------------------------------------------------------- admin

    /**
     * Submits a {@code FAILED} or {@code CANCELLED} task of {@code owner} ({@code null}: anyone's)
     * again, as a new task with {@link Task#retryOf()} set, the same type, payload, content type,
     * owner, priority and callback, and no idempotency key, through the checks of
     * {@link #submit(SubmitRequest)} (a callback the {@link Builder#callbackCheck} refuses now is a
     * {@link Rejection#INVALID_OPTION}). Empty when the task is unknown or another owner's; a
     * {@link Rejection#NOT_RETRYABLE} when it is not {@code FAILED} or {@code CANCELLED}.
     */
    public Optional<CompletionStage<Submission>> retry(String id, String owner) {
        return Ids.isWellFormed(id) ? units.resubmission.retry(id, owner) : Optional.empty();
    }

    /**
     * The attempts of a task of {@code owner} ({@code null}: anyone's), oldest first, from its event
     * log; at most {@link #MAX_ATTEMPTS_LISTED} (the latest). Empty when unknown or another owner's.
     */
    public Optional<List<Attempt>> attempts(String id, String owner) {
        return Ids.isWellFormed(id) ? units.attemptHistory.of(id, owner) : Optional.empty();
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
        units.claims.wake();
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
        return units.typeCatalog.all(now().minus(units.leaseDuration));
    }

    /**
     * How long the task that has waited longest since it became ready to run has waited: now minus
     * the earliest run time of a queued task, or zero when no queued task is due (a task delayed into
     * the future has not begun to wait). One store read ({@link TaskStore#oldestQueuedRunAt()});
     * zero for a store that cannot tell. @throws StoreException
     */
    public Duration oldestQueuedAge() {
        return units.healthCheck.oldestQueuedAge();
    }

    /** This node's policy of {@code type}: the configured one, or {@link TypePolicy#DEFAULT}. */
    public TypePolicy policy(String type) {
        return units.policies.getOrDefault(type, TypePolicy.DEFAULT);
    }

    /**
     * Tasks that finished in each of the last 60 minutes, per type and terminal state, on every
     * node sharing the store. Kept incrementally and reused for a second, so that asking often costs
     * the store a read of the last minute or two of finished tasks (see {@code FinishCounts}).
     * @throws StoreException
     */
    public Throughput throughput() {
        return units.finishCounts.now();
    }

    /**
     * Health figures, with the node registry: a node is stale when its last heartbeat is older than
     * one lease (by this node's clock and lease). Asks the store three times (ping, queued, nodes).
     */
    public Health health() {
        return units.healthCheck.now();
    }

    /**
     * {@link #health()} without the node registry, for probes that ask often: whether the store
     * answers, whether submissions are accepted, and how many tasks wait (the queue is full when
     * that reaches the capacity). Asks the store twice (ping, queued).
     */
    public Health readiness() {
        return units.healthCheck.readiness();
    }

    /** The registered handler of {@code type}, if any. */
    public Optional<TaskHandler> handler(String type) {
        return Optional.ofNullable(type == null ? null : units.handlers.get(type));
    }

    /** The registered type names. */
    public Set<String> types() {
        return units.handlers.keySet();
    }

    /** This node's id, the owner of the leases its workers hold. */
    public String nodeId() {
        return units.nodeId;
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
        return units.events.subscribe(Objects.requireNonNull(listener, "listener"));
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
        shutdown(units.shutdownGrace);
    }

    /**
     * Stops accepting, lets running tasks finish within {@code grace}, then interrupts them and
     * re-queues their tasks, delivers the events written until then, answers all waiters, leaves
     * the node registry, and stops every thread. Idempotent.
     */
    public void shutdown(Duration grace) {
        units.shutdown(grace);
    }

    /** Whether {@link #shutdown(Duration)} has begun. */
    public boolean isShutdown() {
        return units.isStopping();
    }

    // ---------------------------------------------------------------- builder

    /** Configures and starts a {@link TaskService}. */
    public static final class Builder {
        private final ServiceSettings settings = new ServiceSettings();

        private Builder() {
        }

        /**
         * Told of what this node does with tasks, as it happens, for metrics (see {@link TaskObserver}:
         * it runs on the engine's write path and must return at once). The service also gives it to
         * the store ({@link TaskStore#observe}). Default: {@link TaskObserver#NONE}.
         */
        public Builder observer(TaskObserver observer) {
            settings.observer(observer);
            return this;
        }

        /** Where tasks live. Required. The service does not close it. */
        public Builder store(TaskStore store) {
            settings.store(store);
            return this;
        }

        /** Registers a handler. @throws IllegalArgumentException for a bad or duplicate type name */
        public Builder handler(TaskHandler handler) {
            settings.handler(handler);
            return this;
        }

        /** Registers several handlers. */
        public Builder handlers(Iterable<? extends TaskHandler> all) {
            settings.handlers(all);
            return this;
        }

        /** Registers every handler that {@link ServiceLoader} finds through {@code loader}. */
        public Builder discoverHandlers(ClassLoader loader) {
            settings.discoverHandlers(loader);
            return this;
        }

        /** Worker threads; default 2. */
        public Builder workers(int workers) {
            settings.workers(workers);
            return this;
        }

        /** Most tasks waiting at once; beyond it submissions get {@link Rejection#QUEUE_FULL}. Default 10,000. */
        public Builder queueCapacity(long capacity) {
            settings.queueCapacity(capacity);
            return this;
        }

        /** Source of time; default UTC system clock. */
        public Builder clock(Clock clock) {
            settings.clock(clock);
            return this;
        }

        /** How long a claim holds without renewal; renewed every third of it. Default 30 s. */
        public Builder leaseDuration(Duration lease) {
            settings.leaseDuration(lease);
            return this;
        }

        /**
         * How often an idle worker looks for work, and the event dispatcher reads the log, without
         * being woken (lost wake-ups, other nodes without notifications). Default 1 s.
         */
        public Builder pollInterval(Duration interval) {
            settings.pollInterval(interval);
            return this;
        }

        /**
         * How long finished tasks are kept, and how many at most; older or surplus ones are purged
         * with their idempotency keys and events. Default 24 h and 100,000.
         */
        public Builder retention(Duration keepFor, long keepAtMost) {
            settings.retention(keepFor, keepAtMost);
            return this;
        }

        /** How often the purge and the expiry of queued tasks run. Default 1 s. */
        public Builder purgeInterval(Duration interval) {
            settings.purgeInterval(interval);
            return this;
        }

        /** Attempts after which a task whose worker died ends FAILED instead of re-queued. Default 5. */
        public Builder maxAttempts(int attempts) {
            settings.maxAttempts(attempts);
            return this;
        }

        /** Grace period for running tasks at {@link TaskService#close()}. Default 10 s. */
        public Builder shutdownGrace(Duration grace) {
            settings.shutdownGrace(grace);
            return this;
        }

        /**
         * The policy of {@code type} on this node: limits, timeout, default priority, retries.
         * Limits are enforced across every node sharing the store; give every node serving the
         * type the same policy (the store applies the limits of the node that claims).
         */
        public Builder policy(String type, TypePolicy policy) {
            settings.policy(type, policy);
            return this;
        }

        /**
         * Judges the callback URL of every submission that has one, retries by hand included: a
         * refused one is rejected as {@link Rejection#INVALID_OPTION}. Default:
         * {@link CallbackCheck#ANY}.
         */
        public Builder callbackCheck(CallbackCheck check) {
            settings.callbackCheck(check);
            return this;
        }

        /** This node's id (lease owner). Default: a random UUID. */
        public Builder nodeId(String nodeId) {
            settings.nodeId(nodeId);
            return this;
        }

        /** Starts the service: its threads run from now until {@link TaskService#close()}. */
        public TaskService build() {
            return new TaskService(settings.checked());
        }
    }
}
