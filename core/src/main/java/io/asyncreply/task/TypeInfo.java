package io.asyncreply.task;

import java.util.List;
import java.util.Objects;

/**
 * A task type as the cluster sees it: how many of its tasks wait and run on every node, whether
 * it is paused, which live nodes serve it, and its policy on this node.
 *
 * @param type the type
 * @param queued its tasks waiting
 * @param running its tasks running
 * @param paused whether claims of it are paused
 * @param nodes the live nodes that have a handler for it, by id (empty: nobody serves it; its tasks
 *     stay queued)
 * @param policy its policy on this node, or {@code null} when this node does not serve it
 */
public record TypeInfo(String type, long queued, long running, boolean paused, List<String> nodes,
        TypePolicy policy) {
    public TypeInfo {
        Objects.requireNonNull(type, "type");
        nodes = List.copyOf(nodes);
    }
}
