package io.asyncreply.engine;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The attempts running on this node's workers, and cancel coordination.
 *
 * <p>Race: a worker can claim a task a moment before its cancel arrives and register its execution
 * a moment after. {@link #cancel} adds the id to a pending set <em>before</em> it looks for the
 * execution, and {@link #register} adds the execution <em>before</em> it checks that set, so one of
 * them always sees the other. Pending entries for tasks that run elsewhere are dropped after one
 * lease.
 */
final class RunningTasks {
    private final Map<String, Execution> executions = new ConcurrentHashMap<>();
    private final Set<String> pendingCancels = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService scheduler;
    private final long leaseMillis;

    RunningTasks(ScheduledExecutorService scheduler, long leaseMillis) {
        this.scheduler = scheduler;
        this.leaseMillis = leaseMillis;
    }

    /** Registers an attempt that starts now; applies a cancel that arrived before it. */
    void register(Execution ex) {
        String id = ex.taskId();
        executions.put(id, ex);
        if (pendingCancels.remove(id)) {
            ex.cancel();
        }
    }

    /** The attempt ended (its handler returned). */
    void remove(Execution ex) {
        executions.remove(ex.taskId(), ex);
    }

    /** Stops the local execution of {@code id}, if any, now or as soon as it registers. */
    void cancel(String id) {
        pendingCancels.add(id);
        Execution ex = executions.get(id);
        if (ex != null) {
            pendingCancels.remove(id);
            ex.cancel();
        } else {
            try {
                scheduler.schedule(() -> pendingCancels.remove(id), leaseMillis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException ignored) {
                pendingCancels.remove(id);
            }
        }
    }

    Execution get(String id) {
        return executions.get(id);
    }

    /** A snapshot of the running attempts. */
    List<Execution> all() {
        return List.copyOf(executions.values());
    }

    int size() {
        return executions.size();
    }

    boolean isEmpty() {
        return executions.isEmpty();
    }

    /** Gives every running attempt up (shutdown): interrupts them; their tasks are re-queued. */
    void releaseAll(String reason) {
        for (Execution ex : executions.values()) {
            ex.release(reason);
        }
    }
}
