package io.asyncreply.engine;

import io.asyncreply.store.ClaimRequest;
import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskObserver;
import io.asyncreply.task.TypePolicy;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one thread of a node that claims ({@value #THREAD}-1): when woken (a submission here, another
 * node's queued tasks, a retry that falls due, a worker that became idle) it claims as many ready
 * tasks of this node's types as there are idle workers without a task, in one store call, and hands
 * them over ({@link Handoff}). A full batch is followed by another claim at once (there may be
 * more); otherwise it sleeps until woken, or for the poll interval, which only covers lost
 * wake-ups. Idle, a node asks the store once per poll interval, not once per worker.
 */
final class Claimer {
    static final String THREAD = "asyncreply-claimer";
    private static final System.Logger LOG = System.getLogger(Claimer.class.getName());
    /** Longest pause after a failed claim, doubling from the poll interval's tenth. */
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final TaskStore store;
    private final Set<String> types;
    private final String nodeId;
    private final Clock clock;
    private final Duration lease;
    private final long pollMillis;
    private final int maxBatch;
    private final Map<String, TypePolicy> policies;
    private final Handoff handoff;
    private final Runnable claimed;
    private final WorkSignal signal;
    private final TaskObserver observer;
    private final NamedThreadFactory threads = new NamedThreadFactory(THREAD);
    private Thread thread;
    private volatile boolean stopping;
    /**
     * The signal's generation before the last claim that got fewer tasks than it asked for (nothing
     * more was ready then), or -1. While the generation is still that one, nothing has been queued,
     * announced or requeued since, and no worker has become idle: see {@link #drained()}.
     */
    private volatile long drainedAt = -1;

    /**
     * {@code claimed}: called after every claim that got tasks (pokes the event dispatcher);
     * {@code observer}: told of each attempt started, after the claim committed.
     */
    Claimer(TaskStore store, Set<String> types, Map<String, TypePolicy> policies,
            String nodeId, Clock clock, Duration lease, long pollMillis, int maxBatch, Handoff handoff,
            WorkSignal signal, Runnable claimed, TaskObserver observer) {
        this.observer = observer;
        this.store = store;
        this.policies = policies;
        this.types = Set.copyOf(types);
        this.nodeId = nodeId;
        this.clock = clock;
        this.lease = lease;
        this.pollMillis = pollMillis;
        this.maxBatch = maxBatch;
        this.handoff = handoff;
        this.signal = signal;
        this.claimed = claimed;
    }

    void start() {
        thread = threads.newThread(this::run);
        thread.start();
    }

    private void run() {
        long backoff = 0;
        while (!stopping) {
            long seen = signal.generation();
            int want = types.isEmpty() ? 0 : Math.min(maxBatch, handoff.wanted());
            long wait = pollMillis;
            if (want > 0) {
                List<ClaimedTask> got = List.of();
                try {
                    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
                    got = store.claim(new ClaimRequest(nodeId, types, want, now, now.plus(lease), policies));
                    backoff = 0;
                    drainedAt = got.size() < want ? seen : -1;
                } catch (RuntimeException e) {
                    drainedAt = -1;
                    backoff = backoff == 0 ? Math.max(1, pollMillis / 10) : Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
                    wait = backoff;
                    LOG.log(Level.WARNING, "could not claim tasks: {0}", e.getMessage());
                }
                if (!got.isEmpty()) {
                    started(got); // before the hand-over, so that no attempt is seen to end before it started
                    handoff.give(got);
                    claimed.run();
                    if (got.size() == want) {
                        continue; // there may be more, and workers may be idle still
                    }
                }
            }
            try {
                signal.await(seen, wait);
            } catch (InterruptedException e) {
                if (stopping) {
                    return;
                }
            }
        }
    }

    /**
     * Whether this node's last claim found nothing more to claim and nothing has happened since that
     * could have made a task ready (no wake-up): a task submitted now would be the only one waiting,
     * so starting it at once ({@link DirectStart}) passes no task that was queued before it. Hazard:
     * another node may queue a task a moment before the wake-up it sends arrives; the node then
     * starts its own submission first, as it would if that wake-up were a moment later.
     */
    boolean drained() {
        long at = drainedAt;
        return at >= 0 && at == signal.generation();
    }

    /** Tells the observer of the attempts just claimed, with how long each task waited while ready. */
    private void started(List<ClaimedTask> got) {
        for (int i = 0; i < got.size(); i++) {
            ClaimedTask c = got.get(i);
            Task t = c.task();
            Instant ready = c.readyAt() != null ? c.readyAt() : t.submittedAt();
            long wait = t.startedAt() == null ? 0 : Math.max(0, t.startedAt().toEpochMilli() - ready.toEpochMilli());
            observer.started(t, wait);
        }
    }

    /** Stops claiming and waits for the thread to end. */
    void stop() {
        stopping = true;
        signal.wakeAll();
        if (thread != null && !threads.join(Duration.ofSeconds(5))) {
            thread.interrupt();
            threads.join(Duration.ofSeconds(1));
        }
    }
}
