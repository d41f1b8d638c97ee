package io.asyncreply.store;

import io.asyncreply.task.Outcome;
import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where tasks live. The store is the single source of truth and the only place where a task's
 * state changes; every change is a compare-and-set on the current state (and, for a running task,
 * on its attempt number), so a terminal task never changes and a stale worker cannot overwrite a
 * newer attempt.
 *
 * <p>Implementations must be thread-safe. Methods throw {@link StoreException} when the store
 * cannot be reached; then nothing was changed. Several processes may share one store (leases,
 * attempt numbers as fencing tokens, {@link #listen(StoreEvents)}).
 */
public interface TaskStore extends AutoCloseable {

    /**
     * Stores a new {@code QUEUED} task, atomically with its idempotency key, unless the key is
     * known (then {@link InsertResult.Duplicate} or {@link InsertResult.Conflict}) or the store
     * already holds {@code queueLimit} queued tasks ({@link InsertResult.QueueFull}). The stage
     * completes once the task is durable; it completes exceptionally with {@link StoreException}
     * when it could not be stored, and then nothing was stored.
     */
    CompletionStage<InsertResult> insert(NewTask task, long queueLimit);

    /** The task, or empty when unknown or purged. */
    Optional<Task> find(String id);

    /**
     * Claims the oldest queued task whose run time has come: {@code QUEUED -> RUNNING}, attempts
     * incremented, lease held by {@code owner} until {@code leaseUntil}. Empty when none is ready.
     */
    Optional<ClaimedTask> claim(String owner, Instant now, Instant leaseUntil);

    /** Extends every lease {@code owner} holds to {@code leaseUntil}; returns how many. */
    int renewLeases(String owner, Instant leaseUntil);

    /**
     * Ends attempt {@code attempt}: {@code RUNNING -> outcome.status()} if and only if the task is
     * still running that attempt. When a cancel was requested meanwhile, the task ends
     * {@code CANCELLED} whatever the outcome. Returns the new snapshot, or empty when the write was
     * refused (the attempt is no longer current: lease lost, recovered, or cancelled).
     */
    Optional<Task> finish(String id, int attempt, Outcome outcome, Instant now);

    /**
     * Queues attempt {@code attempt}'s task again to run at {@code runAt}: {@code RUNNING -> QUEUED}
     * if and only if the task is still running that attempt, with {@code lastError} recorded. When
     * a cancel was requested meanwhile the task ends {@code CANCELLED} instead. Returns the new
     * snapshot, or empty when refused.
     */
    Optional<Task> requeue(String id, int attempt, TaskError lastError, Instant runAt, Instant now);

    /** Records progress of a running attempt; false when the attempt is no longer current. */
    boolean progress(String id, int attempt, int percent);

    /**
     * Cancels: {@code QUEUED -> CANCELLED} at once; for a {@code RUNNING} task records a cancel
     * request (the worker stops it); a terminal task is left alone.
     */
    CancelResult cancel(String id, Instant now);

    /** A page of tasks, newest first. @throws IllegalArgumentException for a malformed cursor */
    TaskPage list(TaskQuery query);

    /**
     * Tasks {@code RUNNING} whose lease expired before {@code now} (their worker died): queued again
     * when they have had fewer than {@code maxAttempts} attempts, else {@code FAILED}; a task with a
     * cancel request ends {@code CANCELLED}. Returns the tasks changed.
     */
    java.util.List<Task> recoverExpired(Instant now, int maxAttempts);

    /**
     * Deletes terminal tasks (and their idempotency keys) that finished before {@code cutoff}, and
     * the oldest beyond {@code keepAtMost} terminal tasks. Returns how many were deleted.
     */
    int purge(Instant cutoff, long keepAtMost);

    /** How many tasks are {@code QUEUED} (possibly a moment old, in a shared store). */
    long queued();

    /**
     * A cheap hint, asked after every successful claim: whether another claim now might find a
     * task. {@code false} must mean that none was queued a moment ago; the service then does not
     * wake another idle worker for it (tasks submitted later wake workers themselves). Default:
     * {@code true} (unsure, or knowing would cost a query).
     */
    default boolean mayHaveQueued() {
        return true;
    }

    /** Checks the store is reachable. @throws StoreException when not */
    void ping();

    /**
     * Records that node {@code nodeId} (started at {@code startedAt}) is alive at {@code now} with
     * {@code running} tasks: inserts or replaces its row in the node registry. The service calls it
     * every third of its lease. Default: no registry.
     */
    default void heartbeat(String nodeId, Instant startedAt, int running, Instant now) {
    }

    /** The node registry, ordered by node id. Default: empty (no registry). */
    default java.util.List<NodeInfo> nodes() {
        return java.util.List.of();
    }

    /** Removes nodes whose last heartbeat is before {@code silentSince}; returns how many. Default: none. */
    default int forgetNodes(Instant silentSince) {
        return 0;
    }

    /** Subscribes to changes made elsewhere. Default: none (a store used by one process). */
    default void listen(StoreEvents events) {
    }

    /** Releases the store's resources. The service never closes a store it was given. */
    @Override
    void close();
}
