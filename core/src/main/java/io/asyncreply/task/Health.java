package io.asyncreply.task;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A health snapshot of a {@link io.asyncreply.engine.TaskService}.
 *
 * @param storeUp whether the store answered
 * @param accepting whether submissions are accepted (false once shutdown began)
 * @param queued tasks waiting in the store (all nodes), or -1 when the store did not answer
 * @param running tasks running on this node's workers
 * @param workers size of this node's worker pool
 * @param queueCapacity the bound on queued tasks
 * @param storeError why the store is down, or {@code null}
 * @param nodeId this node's id (the owner of its leases)
 * @param nodes the node registry: every node sharing the store that heart-beat lately, this one
 *     included; empty when the store keeps none or did not answer
 */
public record Health(boolean storeUp, boolean accepting, long queued, int running, int workers, long queueCapacity,
        String storeError, String nodeId, List<Node> nodes) {

    public Health {
        nodes = List.copyOf(nodes);
    }

    /** A snapshot without node information (a node id of {@code null}, no nodes). */
    public Health(boolean storeUp, boolean accepting, long queued, int running, int workers, long queueCapacity,
            String storeError) {
        this(storeUp, accepting, queued, running, workers, queueCapacity, storeError, null, List.of());
    }

    /** Up when the store answers and submissions are accepted. */
    public boolean isUp() {
        return storeUp && accepting;
    }

    /**
     * One node of the registry.
     *
     * @param id its node id
     * @param startedAt when its service started
     * @param lastHeartbeat its last heartbeat, by its clock
     * @param running tasks it was running then
     * @param stale whether it has been silent for longer than one lease (by this node's lease and
     *     clock): it is presumably gone, and its tasks are being taken over by the other nodes
     */
    public record Node(String id, Instant startedAt, Instant lastHeartbeat, int running, boolean stale) {
        public Node {
            Objects.requireNonNull(id, "id");
        }
    }
}
