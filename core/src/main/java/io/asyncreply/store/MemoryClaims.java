package io.asyncreply.store;

import io.asyncreply.task.Task;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.task.Transitions;
import io.asyncreply.task.Transitions.Change;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The memory store's claims and the leases they hold: takes ready entries from the ready index for
 * a claim, passing over paused types and keeping within the types' limits ({@link MemoryTypes}),
 * and renews the leases of a node's running tasks.
 */
final class MemoryClaims {
    private final MemoryWrites writes;
    private final MemoryTypes types;
    /** Held by claims of limited types (see {@link #claim}). */
    private final Object limits = new Object();

    MemoryClaims(MemoryWrites writes, MemoryTypes types) {
        this.writes = writes;
        this.types = types;
    }

    /**
     * Paused types are passed over (their entries stay in the index). A request with limited types
     * claims under {@link #limits}, so that counting what runs and taking more cannot interleave with
     * another claim of the same types.
     */
    List<ClaimedTask> claim(ClaimRequest request) {
        if (request.limits().isEmpty()) {
            return claim(request, null);
        }
        synchronized (limits) {
            return claim(request, types.allowances(request.limits(), request.now()));
        }
    }

    private List<ClaimedTask> claim(ClaimRequest request, Map<String, Integer> allowances) {
        Instant now = request.now();
        List<ClaimedTask> out = new ArrayList<>(Math.min(request.max(), 16));
        Predicate<String> serves = type -> request.serves(type) && !types.isPaused(type)
                && (allowances == null || allowances.getOrDefault(type, 1) > 0);
        while (out.size() < request.max()) {
            MemoryEntry e = writes.index.take(serves, now, x -> {
                Task t = x.task();
                return t.status() == TaskStatus.QUEUED ? MemoryWrites.key(x, t) : null;
            });
            if (e == null) {
                break;
            }
            ClaimedTask c = claimMemoryEntry(e, request, now);
            if (c != null) {
                out.add(c);
                String type = c.task().type();
                if (allowances != null && allowances.containsKey(type)) {
                    allowances.merge(type, -1, Integer::sum);
                    types.took(type, request.limits().get(type));
                }
            }
        }
        return out;
    }

    /** Claims the entry taken from the ready index, or returns null when it is not claimable (stale, expired). */
    private ClaimedTask claimMemoryEntry(MemoryEntry e, ClaimRequest request, Instant now) {
        while (true) {
            MemoryEntry.Row r = e.row.get();
            Optional<Change> c = Transitions.claim(r.task(), now);
            if (c.isEmpty()) {
                Task t = r.task();
                if (t.status() == TaskStatus.QUEUED && !Transitions.isExpired(t, now) && t.runAt() != null) {
                    writes.index.delay(e, t.runAt(), e.seq); // not due by this claim's clock: keep it
                }
                return null; // otherwise cancelled or expired while queued: the index entry was stale
            }
            Task after = c.get().after();
            if (writes.apply(e, r, new MemoryEntry.Row(after, request.owner(), request.leaseUntil()), c.get(),
                    request.owner(), now)) {
                writes.moved(e, r.task(), after, now);
                return new ClaimedTask(after, e.payload, e.contentType, r.task().runAt());
            }
        }
    }

    int renewLeases(String owner, Instant leaseUntil) {
        int n = 0;
        for (MemoryEntry e : writes.running) {
            MemoryEntry.Row r = e.row.get();
            if (r.task().status() == TaskStatus.RUNNING && owner.equals(r.leaseOwner())
                    && e.row.compareAndSet(r, new MemoryEntry.Row(r.task(), owner, leaseUntil))) {
                n++;
            }
        }
        return n;
    }
}
