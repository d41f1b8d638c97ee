package io.asyncreply.engine;

import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskObserver;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.task.Transitions;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The engine's housekeeping, as named tasks, each guarded so that one failing run (store unreachable)
 * neither stops the others nor the next. The time-critical ones run on the scheduler thread
 * ({@code asyncreply-scheduler-1}); those that may take long (deletes, the store's own upkeep) on the
 * housekeeper thread ({@code asyncreply-housekeeper-1}), so that they never delay a lease renewal:
 * <ul>
 *   <li><b>lease renewal</b> (every third of the lease): extends this node's leases; an attempt
 *       whose lease turns out lost (another node recovered its task) is given up.</li>
 *   <li><b>recovery</b> (every third of the lease): tasks of any node whose lease expired are
 *       queued again, or end (see {@link Transitions#recover}).</li>
 *   <li><b>heartbeat</b> (every third of the lease): this node's row in the node registry, with the
 *       task types it serves; nodes
 *       silent for {@value #FORGET_NODES_AFTER_LEASES} leases are removed.</li>
 *   <li><b>expiry</b> (housekeeper, every purge interval): queued tasks past their time to live end FAILED.</li>
 *   <li><b>retention purge</b> (housekeeper, every purge interval): finished tasks beyond retention are
 *       deleted.</li>
 *   <li><b>store upkeep</b> (housekeeper, every {@value #UPKEEP_SECONDS} s): {@link TaskStore#maintain()}.</li>
 * </ul>
 */
final class Maintenance {
    private static final System.Logger LOG = System.getLogger(Maintenance.class.getName());
    /** Nodes silent for this many leases are removed from the node registry. */
    static final int FORGET_NODES_AFTER_LEASES = 5;
    /** Seconds between runs of the store's own upkeep. */
    static final int UPKEEP_SECONDS = 10;
    /** Most tasks one expiry run ends. */
    private static final int EXPIRE_PER_RUN = 1000;

    /** What the rest of the engine does with tasks that maintenance changed. */
    interface Changed {
        /** A task ended (recovered as failed or cancelled, or expired). */
        void finished(Task task);

        /** A task was queued again. */
        void requeued(Task task);

        /** Events were appended to the log. */
        void wrote();
    }

    private final TaskStore store;
    private final ScheduledExecutorService scheduler;
    private final ScheduledExecutorService housekeeper;
    private final Clock clock;
    private final String nodeId;
    private final Set<String> types;
    private final Instant startedAt;
    private final Duration lease;
    private final Duration retention;
    private final long retainAtMost;
    private final Duration purgeInterval;
    private final int maxAttempts;
    private final RunningTasks running;
    private final Changed changed;
    private final TaskObserver observer;

    /** {@code observer}: told of each task recovered or expired here, after the write. */
    Maintenance(TaskStore store, ScheduledExecutorService scheduler, ScheduledExecutorService housekeeper, Clock clock, String nodeId, Set<String> types,
            Instant startedAt, Duration lease, Duration retention, long retainAtMost, Duration purgeInterval, int maxAttempts,
            RunningTasks running, Changed changed, TaskObserver observer) {
        this.observer = observer;
        this.store = store;
        this.scheduler = scheduler;
        this.housekeeper = housekeeper;
        this.clock = clock;
        this.nodeId = nodeId;
        this.types = Set.copyOf(types);
        this.startedAt = startedAt;
        this.lease = lease;
        this.retention = retention;
        this.retainAtMost = retainAtMost;
        this.purgeInterval = purgeInterval;
        this.maxAttempts = maxAttempts;
        this.running = running;
        this.changed = changed;
    }

    void start() {
        long beat = Math.max(1, lease.toMillis() / 3);
        long purge = purgeInterval.toMillis();
        every(scheduler, "lease renewal", this::renewLeases, beat, beat);
        every(scheduler, "recovery", this::recover, 0, beat);
        every(scheduler, "heartbeat", this::heartbeat, 0, beat);
        every(housekeeper, "expiry", this::expire, purge, purge);
        every(housekeeper, "retention purge", this::purge, purge, purge);
        every(housekeeper, "store upkeep", store::maintain, UPKEEP_SECONDS * 1000L, UPKEEP_SECONDS * 1000L);
    }

    private static void every(ScheduledExecutorService on, String what, Runnable r, long initialMillis,
            long periodMillis) {
        on.scheduleWithFixedDelay(() -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "{0} failed: {1}", what, e.getMessage());
            }
        }, initialMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    void renewLeases() {
        if (running.isEmpty()) {
            return;
        }
        List<Execution> all = running.all();
        int renewed = store.renewLeases(nodeId, now().plus(lease));
        if (renewed < all.size()) {
            // Some lease may be lost (another node recovered the task) or the task just ended.
            for (Execution ex : all) {
                Optional<Task> t = store.find(ex.taskId());
                if (t.isEmpty() || t.get().status() != TaskStatus.RUNNING || t.get().attempts() != ex.attempt()) {
                    ex.release("its lease was lost");
                }
            }
        }
    }

    void recover() {
        List<Task> done = store.recoverExpired(now(), maxAttempts, nodeId);
        if (done.isEmpty()) {
            return;
        }
        changed.wrote();
        for (Task t : done) {
            LOG.log(Level.INFO, "task {0} recovered from an expired lease: now {1}", t.id(), t.status());
            observer.recovered(t); // before a worker is woken for it: a recovery is told before its next start
            if (t.isTerminal()) {
                changed.finished(t);
                observer.finished(t);
            } else {
                changed.requeued(t);
            }
        }
    }

    /** One heartbeat now, on the caller's thread; a failure is logged (the scheduler tries again). */
    void heartbeatOnce() {
        try {
            heartbeat();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "heartbeat failed: {0}", e.getMessage());
        }
    }

    void heartbeat() {
        Instant now = now();
        store.heartbeat(nodeId, startedAt, running.size(), now, types);
        store.forgetNodes(now.minus(lease.multipliedBy(FORGET_NODES_AFTER_LEASES)));
    }

    void expire() {
        List<Task> done = store.expire(now(), EXPIRE_PER_RUN, nodeId);
        if (done.isEmpty()) {
            return;
        }
        changed.wrote();
        for (Task t : done) {
            changed.finished(t);
            observer.expired(t);
            observer.finished(t); // its log line says error.code=expired
        }
    }

    void purge() {
        int n = store.purge(now().minus(retention), retainAtMost);
        if (n > 0) {
            LOG.log(Level.DEBUG, "purged {0} finished tasks", n);
        }
    }
}
