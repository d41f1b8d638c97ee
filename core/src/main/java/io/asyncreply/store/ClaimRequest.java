package io.asyncreply.store;

import io.asyncreply.task.TypePolicy;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a node asks of {@link TaskStore#claim(ClaimRequest)}: up to {@code max} ready tasks of the
 * given types, each leased to {@code owner} until {@code leaseUntil}, within the types' limits.
 *
 * @param owner the claiming node's id (the lease owner)
 * @param types the task types the node has handlers for; {@code null} means every type
 * @param max most tasks to claim, at least 1
 * @param now the claim time: tasks whose run time is later are not ready
 * @param leaseUntil when the leases expire unless renewed
 * @param limits per type, the concurrency and rate the store must enforce across every node; a
 *     type not in it is not limited
 */
public record ClaimRequest(String owner, Set<String> types, int max, Instant now, Instant leaseUntil,
        Map<String, TypePolicy> limits) {
    public ClaimRequest {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1");
        }
        if (types != null) {
            types = Set.copyOf(types);
        }
        Map<String, TypePolicy> only = new TreeMap<>();
        if (limits != null) {
            limits.forEach((type, p) -> {
                if (p.limitsClaims()) {
                    only.put(type, p);
                }
            });
        }
        limits = Collections.unmodifiableMap(only);
    }

    /** A request without limits. */
    public ClaimRequest(String owner, Set<String> types, int max, Instant now, Instant leaseUntil) {
        this(owner, types, max, now, leaseUntil, Map.of());
    }

    /** Whether a task of {@code type} may be claimed by this request. */
    public boolean serves(String type) {
        return types == null || types.contains(type);
    }
}
