package io.asyncreply.engine;

import io.asyncreply.store.FinishedCount;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Throughput;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tasks that finished in each of the last {@value #MINUTES} minutes, per type and terminal
 * state, for {@link TaskService#throughput()}; cluster-wide, since it counts what the store holds.
 *
 * <p>Kept incrementally, so that a dashboard refreshing every few seconds costs the store a read of
 * the last minute or two of finished tasks, never the last hour's: the first call reads the whole
 * window ({@link TaskStore#finishedCounts} on the finish-time index); later ones read again only
 * from the start of the previous minute, because a minute is <em>settled</em> (its counts final)
 * once the next one has passed: finishes are committed within moments of their time. Minutes that
 * fall out of the window are dropped. Answers are reused for {@link #maxAge}, so any number of
 * clients cost one read per that period.
 *
 * <p>Hazards: a finish recorded by a node whose clock is more than a minute behind lands in a
 * settled minute and is missed; one whose clock is ahead is counted in the current minute. Counts of
 * settled minutes stay as they were read even after the purge deletes those tasks (they happened),
 * but a node that starts reads only what is retained.
 *
 * <p>State: {@link #byMinute}, {@link #settledBefore} and the last answer, all guarded by this.
 */
final class FinishCounts {
    static final int MINUTES = 60;
    /** Minutes before the current one that are read again: finishes still being committed land there. */
    static final int UNSETTLED = 1;

    private final TaskStore store;
    private final Clock clock;
    private final Duration maxAge;

    /** Epoch minute to type to {succeeded, failed, cancelled}. */
    private final TreeMap<Long, Map<String, long[]>> byMinute = new TreeMap<>();
    /** Minutes before this one are final; Long.MIN_VALUE until the first read. */
    private long settledBefore = Long.MIN_VALUE;
    private Throughput last;
    private Instant lastAt;

    FinishCounts(TaskStore store, Clock clock, Duration maxAge) {
        this.store = store;
        this.clock = clock;
        this.maxAge = maxAge;
    }

    /** The counts now (at most {@link #maxAge} old). @throws io.asyncreply.store.StoreException */
    synchronized Throughput now() {
        Instant now = clock.instant();
        if (last != null && !now.isBefore(lastAt) && Duration.between(lastAt, now).compareTo(maxAge) < 0) {
            return last;
        }
        long current = Math.floorDiv(now.getEpochSecond(), 60);
        long first = current - MINUTES + 1;
        long from = Math.max(first, settledBefore);
        List<FinishedCount> rows = store.finishedCounts(Instant.ofEpochSecond(from * 60));
        byMinute.headMap(first).clear();
        byMinute.tailMap(from, true).clear();
        for (FinishedCount r : rows) {
            if (r.minute() < from) {
                continue;
            }
            long minute = Math.min(r.minute(), current); // a node whose clock is ahead
            long[] c = byMinute.computeIfAbsent(minute, m -> new TreeMap<>()).computeIfAbsent(r.type(),
                    t -> new long[3]);
            c[slot(r)] += r.count();
        }
        settledBefore = current - UNSETTLED;
        last = snapshot(first);
        lastAt = now;
        return last;
    }

    private static int slot(FinishedCount r) {
        return switch (r.status()) {
            case SUCCEEDED -> 0;
            case FAILED -> 1;
            default -> 2;
        };
    }

    private Throughput snapshot(long first) {
        Map<String, long[][]> series = new TreeMap<>();
        byMinute.forEach((minute, types) -> types.forEach((type, c) -> {
            long[][] s = series.computeIfAbsent(type, t -> new long[3][MINUTES]);
            int i = (int) (minute - first);
            for (int k = 0; k < 3; k++) {
                s[k][i] += c[k];
            }
        }));
        List<Throughput.Series> out = new ArrayList<>(series.size());
        series.forEach((type, s) -> out.add(new Throughput.Series(type, s[0], s[1], s[2])));
        return new Throughput(Instant.ofEpochSecond(first * 60), MINUTES, out);
    }
}
