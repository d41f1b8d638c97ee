package io.asyncreply.store;

import io.asyncreply.task.Task;
import io.asyncreply.task.TaskResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The memory store's finished tasks, oldest first: how many there are and how many bytes their
 * results take, the counts per minute read from them, and their purge by age, by count and,
 * oldest first, while their results take more than {@code maxRetainedBytes}.
 */
final class MemoryRetention {
    private final long maxRetainedBytes;
    private final ConcurrentLinkedQueue<MemoryEntry> finished = new ConcurrentLinkedQueue<>();
    private final AtomicLong finishedCount = new AtomicLong();
    private final AtomicLong retainedBytes = new AtomicLong();

    MemoryRetention(long maxRetainedBytes) {
        this.maxRetainedBytes = maxRetainedBytes;
    }

    /** {@code e} has just become terminal as {@code after}. */
    void finished(MemoryEntry e, Task after) {
        TaskResult r = after.result();
        if (r != null) {
            retainedBytes.addAndGet(r.size());
        }
        finishedCount.incrementAndGet();
        finished.add(e);
    }

    /** Walks the finished tasks (bounded by retention), oldest first. */
    List<FinishedCount> finishedCounts(Instant since) {
        Map<FinishedCount, long[]> counts = new HashMap<>();
        for (MemoryEntry e : finished) {
            Task t = e.task();
            if (t.finishedAt() == null || t.finishedAt().isBefore(since)) {
                continue;
            }
            long minute = Math.floorDiv(t.finishedAt().getEpochSecond(), 60);
            counts.computeIfAbsent(new FinishedCount(t.type(), t.status(), minute, 0), k -> new long[1])[0]++;
        }
        List<FinishedCount> out = new ArrayList<>(counts.size());
        counts.forEach((k, n) -> out.add(new FinishedCount(k.type(), k.status(), k.minute(), n[0])));
        return out;
    }

    /**
     * Purges finished tasks, oldest first, while they are older than {@code cutoff}, more than
     * {@code keepAtMost}, or their results too many bytes; {@code forget} removes each from the
     * store's maps and log. Returns how many.
     */
    synchronized int purge(Instant cutoff, long keepAtMost, Consumer<MemoryEntry> forget) {
        int n = 0;
        MemoryEntry e;
        while ((e = finished.peek()) != null) {
            Task t = e.task();
            boolean expired = t.finishedAt() == null || t.finishedAt().isBefore(cutoff);
            if (!expired && finishedCount.get() <= keepAtMost && retainedBytes.get() <= maxRetainedBytes) {
                break;
            }
            finished.poll();
            finishedCount.decrementAndGet();
            if (t.result() != null) {
                retainedBytes.addAndGet(-t.result().size());
            }
            forget.accept(e);
            n++;
        }
        return n;
    }

    /** Bytes of results finished tasks keep. */
    long retainedBytes() {
        return retainedBytes.get();
    }
}
