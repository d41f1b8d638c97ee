package io.asyncreply.engine;

import io.asyncreply.internal.json.Json;
import io.asyncreply.internal.json.JsonException;
import io.asyncreply.store.InsertResult;
import io.asyncreply.store.NewTask;
import io.asyncreply.store.StoreException;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.InputFormat;
import io.asyncreply.task.InvalidPayloadException;
import io.asyncreply.task.Limits;
import io.asyncreply.task.Rejection;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskObserver;
import io.asyncreply.task.TypePolicy;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The submit rules, written once: which submissions are refused and with which words, and the
 * insert of the ones accepted. The HTTP intake asks {@link #precheck} for what it decides from the
 * headers alone (before it reads a body), and {@link #submit} checks everything again, in the same
 * order, with the same words.
 *
 * <p>Order (the first that fails decides): shutting down, unknown type, malformed idempotency key,
 * content type (JSON handlers), options (the callback last, by the {@link CallbackCheck}), payload
 * (JSON well-formedness, then the handler's own validation), then the store's answer: key used
 * before, queue full, store unreachable.
 */
final class Admission {
    private static final System.Logger LOG = System.getLogger(Admission.class.getName());

    /** Tells the rest of the engine that a task was stored. */
    interface Accepted {
        void stored(Task task);
    }

    private final TaskStore store;
    private final Map<String, TaskHandler> handlers;
    private final long queueCapacity;
    private final Map<String, TypePolicy> policies;
    private final String nodeId;
    private final Accepted accepted;
    private final TaskObserver observer;
    private final CallbackCheck callbacks;
    private final DirectStart direct;
    private volatile boolean open = true;

    /**
     * {@code observer}: told of every submission stored and every one refused, once;
     * {@code callbacks}: judges the callback URL of every submission that has one.
     */
    Admission(TaskStore store, Map<String, TaskHandler> handlers, Map<String, TypePolicy> policies, long queueCapacity,
            String nodeId, Accepted accepted, TaskObserver observer, CallbackCheck callbacks, DirectStart direct) {
        this.direct = direct;
        this.observer = observer;
        this.callbacks = callbacks;
        this.store = store;
        this.handlers = handlers;
        this.policies = policies;
        this.queueCapacity = queueCapacity;
        this.nodeId = nodeId;
        this.accepted = accepted;
    }

    /** Refuses every submission from now on (shutdown). */
    void close() {
        open = false;
    }

    boolean isOpen() {
        return open;
    }

    /**
     * What can be decided before the payload is read: shutdown, unknown type, malformed key, a
     * content type a JSON handler does not take. Empty when the submission may go on. A refusal
     * is told to the observer: the caller refuses the submission with it.
     */
    Optional<Submission.Rejected> precheck(String type, String idempotencyKey, String contentType) {
        Optional<Submission.Rejected> r = check(type, idempotencyKey, contentType);
        r.ifPresent(x -> observer.rejected(type, x.reason()));
        return r;
    }

    private Optional<Submission.Rejected> check(String type, String idempotencyKey, String contentType) {
        if (!open) {
            return Optional.of(new Submission.Rejected(Rejection.SHUTTING_DOWN, "The service is shutting down."));
        }
        TaskHandler handler = type == null ? null : handlers.get(type);
        if (handler == null) {
            return Optional.of(new Submission.Rejected(Rejection.UNKNOWN_TYPE, "There is no task type '" + type
                    + "'."));
        }
        if (idempotencyKey != null && !Limits.isIdempotencyKey(idempotencyKey)) {
            return Optional.of(new Submission.Rejected(Rejection.INVALID_IDEMPOTENCY_KEY,
                    "An idempotency key must have 1 to " + Limits.MAX_IDEMPOTENCY_KEY_LENGTH + " characters."));
        }
        if (!handler.input().accepts(contentType)) {
            return Optional.of(new Submission.Rejected(Rejection.UNSUPPORTED_CONTENT_TYPE,
                    "Task type '" + type + "' takes JSON (application/json), not " + contentType + "."));
        }
        return Optional.empty();
    }

    /**
     * Checks everything and stores the task. The stage completes when the task is stored (for a
     * durable store: committed), so an {@link Submission.Accepted} means the task will run.
     */
    CompletionStage<Submission> submit(SubmitRequest r, Instant now) {
        String type = r.type();
        Optional<Submission.Rejected> early = precheck(type, r.idempotencyKey(), r.contentType());
        if (early.isPresent()) {
            return CompletableFuture.completedFuture(early.get());
        }
        Task task;
        try {
            task = newTask(r, now);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(refused(type, new Submission.Rejected(Rejection.INVALID_OPTION,
                    e.getMessage())));
        }
        Submission.Rejected invalid = checkPayload(handlers.get(type), r.payload());
        if (invalid != null) {
            return CompletableFuture.completedFuture(refused(type, invalid));
        }
        byte[] digest = r.idempotencyKey() == null ? null : Digests.of(task.type(), r.payload());
        Instant leaseUntil = direct.leaseFor(task, now);
        CompletionStage<InsertResult> inserted;
        try {
            inserted = store.insert(new NewTask(task, r.payload(), r.contentType(), r.idempotencyKey(), digest, nodeId,
                    r.callback(), leaseUntil), queueCapacity);
        } catch (StoreException e) {
            inserted = CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            if (leaseUntil != null) {
                direct.notStarted();
            }
            throw e;
        }
        return inserted.handle((result, failure) -> {
            if (leaseUntil != null && (failure != null || !(result instanceof InsertResult.Inserted))) {
                direct.notStarted();
            }
            if (failure != null) {
                LOG.log(Level.WARNING, "task of type {0} not stored: {1}", task.type(), failure.getMessage());
                return refused(type, new Submission.Rejected(Rejection.STORE_UNAVAILABLE,
                        "The task store is unavailable; nothing was stored. Try again later."));
            }
            if (result instanceof InsertResult.Inserted ins) {
                observer.submitted(ins.task());
                if (leaseUntil != null) {
                    direct.inserted(ins, r.payload(), r.contentType());
                }
                if (!ins.started()) { // one started at once is running already: nothing to wake
                    accepted.stored(ins.task());
                }
                return new Submission.Accepted(ins.task(), false);
            }
            if (result instanceof InsertResult.Duplicate dup) {
                return new Submission.Accepted(dup.existing(), true);
            }
            if (result instanceof InsertResult.Conflict) {
                return refused(type, new Submission.Rejected(Rejection.IDEMPOTENCY_CONFLICT,
                        "This idempotency key was used before with another type or payload."));
            }
            return refused(type, new Submission.Rejected(Rejection.QUEUE_FULL,
                    "The queue is full (" + queueCapacity + " tasks); try again later."));
        });
    }

    private Submission.Rejected refused(String type, Submission.Rejected r) {
        observer.rejected(type, r.reason());
        return r;
    }

    /**
     * The new task's first snapshot from the request's options. @throws IllegalArgumentException with
     * the words for the client when an option is not valid
     */
    private Task newTask(SubmitRequest r, Instant now) {
        TypePolicy policy = policies.getOrDefault(r.type(), TypePolicy.DEFAULT);
        int priority = r.priority() == null ? policy.priority() : r.priority();
        if (priority < Task.MIN_PRIORITY || priority > Task.MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be a whole number from " + Task.MIN_PRIORITY + " to "
                    + Task.MAX_PRIORITY + ".");
        }
        if (r.runAt() != null && r.delay() != null) {
            throw new IllegalArgumentException("Give a run time or a delay, not both.");
        }
        if (r.delay() != null && r.delay().isNegative()) {
            throw new IllegalArgumentException("delay must not be negative.");
        }
        Instant runAt = r.runAt() != null ? (r.runAt().isBefore(now) ? now : r.runAt().truncatedTo(
                ChronoUnit.MILLIS)) : r.delay() != null ? now.plus(r.delay()) : now;
        Instant expiresAt = null;
        if (r.ttl() != null) {
            if (r.ttl().isZero() || r.ttl().isNegative()) {
                throw new IllegalArgumentException("ttl must be more than zero.");
            }
            expiresAt = now.plus(r.ttl());
            if (!expiresAt.isAfter(runAt)) {
                throw new IllegalArgumentException("The task would expire (ttl) before its run time (delay, runAt).");
            }
        }
        if (r.owner() != null && (r.owner().isEmpty() || r.owner().length() > Limits.MAX_OWNER_LENGTH)) {
            throw new IllegalArgumentException("An owner has 1 to " + Limits.MAX_OWNER_LENGTH + " characters.");
        }
        String refused = r.callback() == null ? null : callbacks.refusal(r.callback());
        if (refused != null) {
            throw new IllegalArgumentException("Option 'callback': " + refused);
        }
        return Task.queued(Ids.next(now.toEpochMilli()), r.type(), now).toBuilder().runAt(runAt).priority(priority)
                .expiresAt(expiresAt).owner(r.owner()).retryOf(r.retryOf()).traceparent(Traceparent.valid(
                        r.traceparent())).build();
    }

    private static Submission.Rejected checkPayload(TaskHandler handler, byte[] payload) {
        if (handler.input() == InputFormat.JSON) {
            try {
                Json.check(payload);
            } catch (JsonException e) {
                return new Submission.Rejected(Rejection.INVALID_PAYLOAD,
                        "The payload is not well-formed JSON: " + e.getMessage());
            }
        }
        try {
            handler.validate(payload);
        } catch (InvalidPayloadException e) {
            return new Submission.Rejected(Rejection.INVALID_PAYLOAD, e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "validation of a payload by handler " + handler.type() + " threw", e);
            return new Submission.Rejected(Rejection.INVALID_PAYLOAD,
                    "The payload was refused by task type '" + handler.type() + "'.");
        }
        return null;
    }
}
