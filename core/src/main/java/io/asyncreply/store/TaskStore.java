package io.asyncreply.store;

import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Outcome;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskObserver;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

/**
 * Where tasks and their event log live. The store is the single source of truth and the only
 * place where a task's state changes. It decides nothing itself: every change is one of
 * {@link io.asyncreply.task.Transitions}, applied as a compare-and-set on the state it was decided
 * on (and, for a running task, on its attempt number), so a terminal task never changes and a
 * stale worker cannot overwrite a newer attempt.
 *
 * <p>The event log: every change that is an event ({@link io.asyncreply.task.Transitions.Change#event()})
 * is appended to the log in the same transaction as the change, so an event is never readable
 * before its change is committed and never lost once it is. {@link #readEvents} hands the log out
 * in id order, and never hands out an event while an earlier one may still be committed; the
 * events of one task are in the order of its changes. Events are kept as long as their task.
 *
 * <p>Implementations must be thread-safe. Methods throw {@link StoreException} when the store
 * cannot be reached; then nothing was changed. Several processes may share one store (leases,
 * attempt numbers as fencing tokens, {@link #listen(StoreEvents)}).
 */
public interface TaskStore extends AutoCloseable {

    /**
     * Stores a new {@code QUEUED} task and its {@code queued} event, atomically with its
     * idempotency key, unless the key is known (then {@link InsertResult.Duplicate} or
     * {@link InsertResult.Conflict}) or the store already holds {@code queueLimit} queued tasks
     * ({@link InsertResult.QueueFull}). A store may start the task in the same transaction when
     * {@link NewTask#leaseUntil()} asks it to (see there). The stage completes once the task is durable; it completes
     * exceptionally with {@link StoreException} when it could not be stored, and then nothing was
     * stored.
     */
    CompletionStage<InsertResult> insert(NewTask task, long queueLimit);

    /** The task with its result, or empty when unknown or purged. */
    Optional<Task> find(String id);

    /**
     * The task of {@code owner}, or empty when unknown, purged, or another owner's: the owner is a
     * condition of the read itself, not a check after it. {@code owner} null: any owner.
     * Default: {@link #find(String)} and a comparison, for stores that keep no owners.
     */
    default Optional<Task> find(String id, String owner) {
        return find(id).filter(t -> owner == null || owner.equals(t.owner()));
    }

    /**
     * The task of {@code owner} with its payload, content type and callback (to submit it again),
     * or empty as for {@link #find(String, String)}. A store may drop the payload of a task that
     * succeeded; then it is empty for that task. Default: empty (the store cannot read payloads back, so tasks
     * cannot be retried by hand).
     */
    default Optional<ClaimedTask> findWithPayload(String id, String owner) {
        return Optional.empty();
    }

    /**
     * The task holding idempotency key {@code key} of {@code owner}, or empty when no retained task
     * holds it. Keys are unique per owner, so the owner is part of the look-up: {@code null} is the
     * anonymous owner here (not "any owner"), as it is for the key's uniqueness. Default: empty (the
     * store cannot look keys up).
     */
    default Optional<Task> findByKey(String key, String owner) {
        return Optional.empty();
    }

    /**
     * The size in bytes of the payload of the task of {@code owner} ({@code null}: anyone's), or
     * empty when unknown, another owner's, or when the store no longer holds the payload. Default:
     * the length of {@link #findWithPayload}'s payload.
     */
    default OptionalLong payloadSize(String id, String owner) {
        return findWithPayload(id, owner).map(c -> OptionalLong.of(c.payload().length)).orElse(OptionalLong.empty());
    }

    /**
     * Claims up to {@code request.max()} ready tasks of the requested types, highest priority
     * first, then oldest run time, then oldest submission, each with
     * {@link io.asyncreply.task.Transitions#claim} and a {@code started} event; leased to the
     * request's owner. Tasks other claimers hold at this moment are passed over, never waited for.
     * Empty when none is ready.
     */
    List<ClaimedTask> claim(ClaimRequest request);

    /** {@link #claim(ClaimRequest)} of one task of any type. */
    default Optional<ClaimedTask> claim(String owner, Instant now, Instant leaseUntil) {
        List<ClaimedTask> c = claim(new ClaimRequest(owner, null, 1, now, leaseUntil));
        return c.isEmpty() ? Optional.empty() : Optional.of(c.get(0));
    }

    /** Extends every lease {@code owner} holds to {@code leaseUntil}; returns how many. */
    int renewLeases(String owner, Instant leaseUntil);

    /**
     * Records how attempts ended, each with {@link io.asyncreply.task.Transitions#finish} or
     * {@link io.asyncreply.task.Transitions#requeue} and its event, in one transaction where the
     * store has them. Returns, in the order given, each task's new snapshot, or empty when that
     * change was refused (the attempt is no longer current: lease lost, recovered, cancelled);
     * a refused one does not keep the others from being recorded.
     */
    List<Optional<Task>> complete(List<Completion> completions);

    /** {@link #complete} of one finished attempt. */
    default Optional<Task> finish(String id, int attempt, Outcome outcome, Instant now) {
        return complete(List.of(Completion.finish(id, attempt, outcome, now, null))).get(0);
    }

    /** {@link #complete} of one attempt to be run again at {@code runAt}. */
    default Optional<Task> requeue(String id, int attempt, TaskError lastError, Instant runAt, Instant now) {
        return complete(List.of(Completion.requeue(id, attempt, lastError, runAt, now, null))).get(0);
    }

    /**
     * Records progress of a running attempt ({@link io.asyncreply.task.Transitions#progress}, a
     * {@code progress} event); false when the attempt is no longer current or nothing changed.
     */
    boolean progress(String id, int attempt, int percent, Instant now, String node);

    /** {@link #progress(String, int, int, Instant, String)} by an unnamed node, now. */
    default boolean progress(String id, int attempt, int percent) {
        return progress(id, attempt, percent, Instant.now(), null);
    }

    /** Cancels with {@link io.asyncreply.task.Transitions#cancel}; see {@link CancelResult.Outcome}. */
    CancelResult cancel(String id, Instant now, String node);

    /** {@link #cancel(String, Instant, String)} by an unnamed node. */
    default CancelResult cancel(String id, Instant now) {
        return cancel(id, now, null);
    }

    /**
     * {@link #cancel(String, Instant, String)} of a task of {@code owner} only (null: any owner);
     * another owner's task is {@code NOT_FOUND}, and the owner is a condition of the read.
     * Default: {@link #find(String, String)}, then {@link #cancel(String, Instant, String)}, which
     * is safe because a task's owner never changes.
     */
    default CancelResult cancel(String id, Instant now, String node, String owner) {
        if (owner != null && find(id, owner).isEmpty()) {
            return new CancelResult(CancelResult.Outcome.NOT_FOUND, null);
        }
        return cancel(id, now, node);
    }

    /**
     * Cancels up to {@code max} queued tasks of {@code type} (null: any type) of {@code owner}
     * (null: any owner), oldest first, each with its {@code cancelled} event; returns how many.
     * Default: pages of {@link #list} (newest first) cancelled one by one, so not oldest first.
     */
    default int cancelQueued(String type, String owner, Instant now, String node, int max) {
        int done = 0;
        String cursor = null;
        do {
            TaskPage page = list(new TaskQuery(TaskStatus.QUEUED, type, owner, TaskQuery.MAX_LIMIT, cursor));
            for (Task t : page.items()) {
                if (done < max && cancel(t.id(), now, node).outcome() == CancelResult.Outcome.CANCELLED) {
                    done++;
                }
            }
            cursor = page.next();
        } while (cursor != null && done < max);
        return done;
    }

    /**
     * A page of tasks, newest first. A result is read with its bytes only when it is JSON of at most
     * {@link io.asyncreply.task.Limits#MAX_INLINE_RESULT_BYTES} bytes; otherwise as a
     * {@link io.asyncreply.task.TaskResult#summary}, so that a page never reads large results.
     *
     * @throws IllegalArgumentException for a malformed cursor
     */
    TaskPage list(TaskQuery query);

    /**
     * How many retained tasks finished at or after {@code since}, by type, terminal state and minute
     * (see {@link FinishedCount}), in no particular order. A dashboard asks it every few seconds for
     * the last minute or two, and once for the last hour: it must read only the tasks that finished
     * since {@code since} (an index on the finish time), never every task. Purged tasks are not
     * counted. Default: none known.
     */
    default List<FinishedCount> finishedCounts(Instant since) {
        return List.of();
    }

    /**
     * Tasks {@code RUNNING} whose lease expired before {@code now} (their worker died), changed with
     * {@link io.asyncreply.task.Transitions#recover}, at most a bounded number per call. Returns the
     * tasks changed.
     */
    List<Task> recoverExpired(Instant now, int maxAttempts, String node);

    /** {@link #recoverExpired(Instant, int, String)} by an unnamed node. */
    default List<Task> recoverExpired(Instant now, int maxAttempts) {
        return recoverExpired(now, maxAttempts, null);
    }

    /**
     * Queued tasks past their expiry, ended with {@link io.asyncreply.task.Transitions#expire}, at
     * most {@code max}. Returns the tasks changed.
     */
    List<Task> expire(Instant now, int max, String node);

    /**
     * Deletes terminal tasks (with their idempotency keys and events) that finished before
     * {@code cutoff}, and the oldest beyond {@code keepAtMost} terminal tasks. Returns how many
     * tasks were deleted.
     */
    int purge(Instant cutoff, long keepAtMost);

    /**
     * Housekeeping the store's own storage may need (for a database: statistics and dead rows its
     * server does not take care of). The service calls it every few seconds on a thread that does
     * nothing time-critical; it may take long. Default: nothing.
     */
    default void maintain() {
    }

    /** How many tasks are {@code QUEUED} (possibly a moment old, in a shared store). */
    long queued();

    /**
     * The earliest run time among {@code QUEUED} tasks, or empty when none is queued (or the store
     * cannot tell). When it is not after now, now minus it is how long the task that has been ready
     * longest has waited: the queue's lag. Asked now and then for metrics, never per task; a store
     * should answer it from an index. Default: empty.
     */
    default Optional<Instant> oldestQueuedRunAt() {
        return Optional.empty();
    }

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

    // ---------------------------------------------------------------- the event log

    /** A cursor after the newest event that readers may have now: where a reader that wants only new events starts. */
    EventCursor eventHead();

    /**
     * Up to {@code limit} events after {@code cursor}, in id order; never one while an earlier one
     * may still be committed (then {@link EventPage#pending()} is true).
     */
    EventPage readEvents(EventCursor cursor, int limit);

    /** Up to {@code limit} events of task {@code taskId} with ids after {@code afterId}, in order. */
    List<TaskEvent> taskEvents(String taskId, long afterId, int limit);

    /**
     * {@link #taskEvents(String, long, int)} of a task of {@code owner} only (null: any owner);
     * empty for another owner's task, the owner being a condition of the read.
     */
    default List<TaskEvent> taskEvents(String taskId, long afterId, int limit, String owner) {
        return owner == null || find(taskId, owner).isPresent() ? taskEvents(taskId, afterId, limit) : List.of();
    }

    // ---------------------------------------------------------------- types

    /**
     * Pauses or resumes claims of {@code type} on every node sharing the store (its tasks are still
     * accepted, and queue). Default: not supported.
     */
    default void pause(String type, boolean paused) {
        throw new UnsupportedOperationException("this store cannot pause task types");
    }

    /** Every type with queued or running tasks, or paused, with its counts. Default: none known. */
    default List<TypeState> typeStates() {
        return List.of();
    }

    // ---------------------------------------------------------------- nodes

    /**
     * Records that node {@code nodeId} (started at {@code startedAt}) is alive at {@code now} with
     * {@code running} tasks: inserts or replaces its row in the node registry. The service calls it
     * every third of its lease. Default: no registry.
     */
    default void heartbeat(String nodeId, Instant startedAt, int running, Instant now) {
    }

    /** {@link #heartbeat(String, Instant, int, Instant)} that also records the task types the node serves. */
    default void heartbeat(String nodeId, Instant startedAt, int running, Instant now, java.util.Set<String> types) {
        heartbeat(nodeId, startedAt, running, now);
    }

    /** The node registry, ordered by node id. Default: empty (no registry). */
    default List<NodeInfo> nodes() {
        return List.of();
    }

    /** Removes nodes whose last heartbeat is before {@code silentSince}; returns how many. Default: none. */
    default int forgetNodes(Instant silentSince) {
        return 0;
    }

    /** Removes node {@code nodeId} from the registry (it stops); returns whether it was there. Default: no registry. */
    default boolean forgetNode(String nodeId) {
        return false;
    }

    /**
     * Tells {@code observer} of what only the store sees: the group commits of submissions
     * ({@link TaskObserver#intakeCommitted}), from now on, in place of any observer given before.
     * The service gives it its observer when it starts. Default: nothing to tell.
     */
    default void observe(TaskObserver observer) {
    }

    /** Subscribes to changes made elsewhere. Default: none (a store used by one process). */
    default void listen(StoreEvents events) {
    }

    /** Releases the store's resources. The service never closes a store it was given. */
    @Override
    void close();

    /**
     * The webhook subscriptions and outbox kept with these tasks, or {@code null} when this store
     * keeps none (then no webhook is delivered). A store that returns one writes the deliveries of
     * each terminal event in the same transaction as the event: to the task's callback (see
     * {@link NewTask#callback()}) and to every active subscription that wants it.
     */
    default io.asyncreply.webhooks.WebhookStore webhooks() {
        return null;
    }
}
