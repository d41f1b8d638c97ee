package io.asyncreply.engine;

import io.asyncreply.store.NodeInfo;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Health;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The service's health: whether the store answers and submissions are accepted, the queue depth,
 * what runs here, and the node registry, where a node is stale when its last heartbeat is older
 * than one lease (by this node's clock and lease).
 */
final class HealthCheck {
    private final TaskStore store;
    private final Clock clock;
    private final Admission admission;
    private final RunningTasks running;
    private final int workers;
    private final long queueCapacity;
    private final String nodeId;
    private final Duration lease;

    HealthCheck(TaskStore store, Clock clock, Admission admission, RunningTasks running, int workers,
            long queueCapacity, String nodeId, Duration lease) {
        this.store = store;
        this.clock = clock;
        this.admission = admission;
        this.running = running;
        this.workers = workers;
        this.queueCapacity = queueCapacity;
        this.nodeId = nodeId;
        this.lease = lease;
    }

    /**
     * How long the task that has waited longest since it became ready to run has waited (see
     * {@link TaskService#oldestQueuedAge()}): one store read.
     */
    Duration oldestQueuedAge() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return store.oldestQueuedRunAt().filter(at -> at.isBefore(now)).map(at -> Duration.between(at, now))
                .orElse(Duration.ZERO);
    }

    /**
     * What a readiness probe asks, often: whether the store answers and how many tasks wait; no
     * nodes. Asks the store twice (ping, queued); DOWN when either fails.
     */
    Health readiness() {
        boolean accepting = admission.isOpen();
        try {
            store.ping();
            return new Health(true, accepting, store.queued(), running.size(), workers, queueCapacity, null, nodeId,
                    List.of());
        } catch (RuntimeException e) {
            return new Health(false, accepting, -1, running.size(), workers, queueCapacity,
                    "The task store is unreachable.", nodeId, List.of());
        }
    }

    /** Asks the store three times (ping, queued, nodes); DOWN when any of them fails. */
    Health now() {
        boolean accepting = admission.isOpen();
        try {
            store.ping();
            long queued = store.queued();
            Instant staleBefore = clock.instant().truncatedTo(ChronoUnit.MILLIS).minus(lease);
            List<Health.Node> nodes = new ArrayList<>();
            for (NodeInfo n : store.nodes()) {
                nodes.add(new Health.Node(n.id(), n.startedAt(), n.lastHeartbeat(), n.running(),
                        n.lastHeartbeat().isBefore(staleBefore)));
            }
            return new Health(true, accepting, queued, running.size(), workers, queueCapacity, null, nodeId, nodes);
        } catch (RuntimeException e) {
            return new Health(false, accepting, -1, running.size(), workers, queueCapacity,
                    "The task store is unreachable.", nodeId, List.of());
        }
    }
}
