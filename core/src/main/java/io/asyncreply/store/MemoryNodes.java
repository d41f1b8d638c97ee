package io.asyncreply.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The memory store's node registry: the services using the store (one, unless tests share it). */
final class MemoryNodes {
    private final Map<String, NodeInfo> nodes = new ConcurrentHashMap<>();

    void heartbeat(String nodeId, Instant startedAt, int running, Instant now, Set<String> served) {
        nodes.put(nodeId, new NodeInfo(nodeId, startedAt, now, running, served));
    }

    /** Every node, by id. */
    List<NodeInfo> nodes() {
        List<NodeInfo> all = new ArrayList<>(nodes.values());
        all.sort(Comparator.comparing(NodeInfo::id));
        return all;
    }

    int forgetNodes(Instant silentSince) {
        int[] n = new int[1];
        nodes.values().removeIf(x -> x.lastHeartbeat().isBefore(silentSince) && ++n[0] > 0);
        return n[0];
    }

    boolean forgetNode(String nodeId) {
        return nodes.remove(nodeId) != null;
    }
}
