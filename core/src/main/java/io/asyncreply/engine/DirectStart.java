package io.asyncreply.engine;

import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.InsertResult;
import io.asyncreply.store.NewTask;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskObserver;
import io.asyncreply.task.Transitions;
import io.asyncreply.task.TypePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Starts a local submission at once, in the transaction that inserts it, when a worker of this
 * node is idle and nothing else is waiting: the store writes the task RUNNING with its
 * {@code queued} and {@code started} events ({@link NewTask#leaseUntil()}), and the worker gets it
 * when the insert commits. An idle node's pickup is then one transaction (the submission's own
 * group commit), not that transaction, a wake-up of the claimer, a claim and a hand-over; and the
 * task's row is written once instead of twice.
 *
 * <p>Granted only when all of these hold, so that a task started at once passes no other task:
 * the claimer's last claim found nothing more and nothing has happened since
 * ({@link Claimer#drained()}); the type has no concurrency or rate limit (those are enforced by
 * the claim); the task is ready at submission (no delay or run time); an idle worker can be
 * reserved ({@link Handoff#reserve()}). A store that cannot start a task at once, or a type paused
 * meanwhile, queues it as usual ({@link InsertResult.Inserted#started()} false): the reservation is
 * given back and the claimer woken.
 *
 * <p>The snapshot the worker runs is {@link Transitions#claim} at the task's submission time,
 * which is what the store wrote. Hazard: the worker gets the task on the thread that completes
 * the insert (the store's writer), so {@link #inserted} only hands it over and returns.
 */
final class DirectStart {
    private final Handoff handoff;
    private final BooleanSupplier drained;
    private final Map<String, TypePolicy> policies;
    private final Duration lease;
    private final TaskObserver observer;
    private final Runnable startedHere;
    private volatile boolean closed;

    /**
     * {@code drained}: {@link Claimer#drained()}; {@code startedHere}: called after a task was
     * started at once (pokes the event dispatcher, as a claim does).
     */
    DirectStart(Handoff handoff, BooleanSupplier drained, Map<String, TypePolicy> policies, Duration lease,
            TaskObserver observer, Runnable startedHere) {
        this.handoff = handoff;
        this.drained = drained;
        this.policies = policies;
        this.lease = lease;
        this.observer = observer;
        this.startedHere = startedHere;
    }

    /**
     * The lease to ask the store for when {@code task}, submitted at {@code now}, may start at once
     * (an idle worker is then reserved for it), or {@code null}: queue it. Every non-null answer
     * must be followed by {@link #inserted} or {@link #notStarted}.
     */
    Instant leaseFor(Task task, Instant now) {
        if (closed || !drained.getAsBoolean() || !Transitions.isReady(task, task.submittedAt())) { // NewTask's rule
            return null;
        }
        TypePolicy p = policies.get(task.type());
        if (p != null && p.limitsClaims()) {
            return null;
        }
        if (!handoff.reserve()) {
            return null;
        }
        if (closed) { // close() may have waited for the reservations before ours was counted
            handoff.unreserve();
            return null;
        }
        return now.plus(lease);
    }

    /** The insert asked for by {@link #leaseFor} stored the task: hands it to the reserved worker if started. */
    void inserted(InsertResult.Inserted result, byte[] payload, String contentType) {
        if (!result.started()) {
            handoff.unreserve();
            return;
        }
        Task queued = result.task();
        Task running = Transitions.claim(queued, queued.submittedAt()).orElseThrow(() -> new IllegalStateException(
                "the store started a task that Transitions.claim refuses: " + queued.id())).after();
        observer.started(running, 0); // before the hand-over, so that no attempt is seen to end before it started
        handoff.giveReserved(new ClaimedTask(running, payload, contentType, queued.submittedAt()));
        startedHere.run();
    }

    /** The insert asked for by {@link #leaseFor} did not store the task (refused, a duplicate, failed). */
    void notStarted() {
        handoff.unreserve();
    }

    /**
     * Grants nothing from now on and waits up to {@code maxMillis} for the inserts already granted
     * to end (shutdown: their tasks must reach the workers before those stop). Returns whether they did.
     */
    boolean close(long maxMillis) {
        closed = true;
        try {
            return handoff.awaitNoReservations(maxMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
