package io.asyncreply.engine;

import io.asyncreply.store.TaskStore;
import io.asyncreply.task.CancelResult;
import io.asyncreply.task.TaskObserver;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Cancels tasks in the store and tells whoever must know: a task cancelled at once (it was queued)
 * answers its waiters here and its listeners through the event log; a running task's cancel is
 * only requested in the store, and its attempt on this node is stopped through {@link RunningTasks}
 * (an attempt on another node is stopped by that node's {@link RemoteEvents}).
 */
final class Cancels {
    private final TaskStore store;
    private final Clock clock;
    private final String nodeId;
    private final RunningTasks running;
    private final TerminalWaits waits;
    private final EventDispatcher events;
    private final TaskObserver observer;

    Cancels(TaskStore store, Clock clock, String nodeId, RunningTasks running, TerminalWaits waits,
            EventDispatcher events, TaskObserver observer) {
        this.store = store;
        this.clock = clock;
        this.nodeId = nodeId;
        this.running = running;
        this.waits = waits;
        this.events = events;
        this.observer = observer;
    }

    /** Cancels a task of {@code owner} ({@code null}: anyone's). @throws io.asyncreply.store.StoreException */
    CancelResult cancel(String id, String owner) {
        if (!Ids.isWellFormed(id)) {
            return new CancelResult(CancelResult.Outcome.NOT_FOUND, null);
        }
        CancelResult r = store.cancel(id, now(), nodeId, owner);
        if (r.outcome() == CancelResult.Outcome.CANCELLED) {
            events.poke();
            waits.finished(r.task());
            observer.finished(r.task());
        } else if (r.outcome() == CancelResult.Outcome.CANCEL_REQUESTED) {
            running.cancel(id);
        }
        return r;
    }

    /** Cancels up to {@code max} queued tasks of {@code type} and {@code owner}; returns how many. */
    int cancelQueued(String type, String owner, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1");
        }
        int n = store.cancelQueued(type, owner, now(), nodeId, max);
        if (n > 0) {
            observer.cancelledQueued(type, n);
            events.poke();
            // Waiters of those tasks learn of it from their cancelled events.
        }
        return n;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
