package io.asyncreply.engine;

import io.asyncreply.store.NodeInfo;
import io.asyncreply.store.TaskStore;
import io.asyncreply.store.TypeState;
import io.asyncreply.task.TypeInfo;
import io.asyncreply.task.TypePolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the cluster knows of its task types ({@link TaskService#typeInfos()}): the types live nodes
 * serve (from the node registry, where each heartbeat records its node's types), the types with
 * queued or running tasks or paused (from the store), and this node's policies. Two store reads per
 * call; nothing cached.
 *
 * <p>A node counts as live while its last heartbeat is within one lease of this node's clock, as in
 * {@link HealthCheck}. A type that only a stale node serves shows without nodes: its tasks wait.
 */
final class TypeCatalog {
    private final TaskStore store;
    private final String nodeId;
    private final Set<String> served;
    private final Map<String, TypePolicy> policies;

    TypeCatalog(TaskStore store, String nodeId, Set<String> served, Map<String, TypePolicy> policies) {
        this.store = store;
        this.nodeId = nodeId;
        this.served = Set.copyOf(served);
        this.policies = policies;
    }

    /** Every known type, by name. {@code staleBefore}: heartbeats older than this are of dead nodes. */
    List<TypeInfo> all(Instant staleBefore) {
        Map<String, List<String>> servedBy = new TreeMap<>();
        for (NodeInfo n : store.nodes()) {
            boolean self = n.id().equals(nodeId);
            if (self || !n.lastHeartbeat().isBefore(staleBefore)) {
                for (String t : self ? served : n.types()) {
                    servedBy.computeIfAbsent(t, k -> new ArrayList<>()).add(n.id());
                }
            }
        }
        for (String t : served) { // this node, also with a store that keeps no registry
            List<String> nodes = servedBy.computeIfAbsent(t, k -> new ArrayList<>());
            if (!nodes.contains(nodeId)) {
                nodes.add(nodeId);
            }
        }
        Map<String, TypeState> states = new HashMap<>();
        for (TypeState s : store.typeStates()) {
            states.put(s.type(), s);
            servedBy.computeIfAbsent(s.type(), k -> new ArrayList<>());
        }
        List<TypeInfo> out = new ArrayList<>(servedBy.size());
        servedBy.forEach((type, nodes) -> {
            TypeState s = states.get(type);
            Collections.sort(nodes);
            out.add(new TypeInfo(type, s == null ? 0 : s.queued(), s == null ? 0 : s.running(),
                    s != null && s.paused(), nodes,
                    served.contains(type) ? policies.getOrDefault(type, TypePolicy.DEFAULT) : null));
        });
        return out;
    }
}
