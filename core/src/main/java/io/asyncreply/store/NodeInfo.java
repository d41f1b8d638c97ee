package io.asyncreply.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * One node of the node registry, as its last heartbeat left it: see {@link TaskStore#heartbeat}.
 *
 * @param id the node id (lease owner)
 * @param startedAt when that node's service started
 * @param lastHeartbeat when it last wrote its row, by its own clock
 * @param running tasks running on its workers at that moment
 * @param types the task types it has handlers for
 */
public record NodeInfo(String id, Instant startedAt, Instant lastHeartbeat, int running, Set<String> types) {
    public NodeInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(lastHeartbeat, "lastHeartbeat");
        types = types == null ? Set.of() : Set.copyOf(types);
    }

    /** A node whose types are not known. */
    public NodeInfo(String id, Instant startedAt, Instant lastHeartbeat, int running) {
        this(id, startedAt, lastHeartbeat, running, Set.of());
    }
}
