package io.asyncreply.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.store.FinishedCount;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.task.Throughput;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link FinishCounts} over a store that records what it was asked: the last hour is read once,
 * then only the unsettled minutes; answers are reused for their maximum age.
 */
class FinishCountsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private static final long M0 = T0.getEpochSecond() / 60;

    /** Finished counts set by the test; records every range asked. */
    private static final class CountingStore {
        final List<Instant> asked = new ArrayList<>();
        final List<FinishedCount> rows = new ArrayList<>();

        List<FinishedCount> finishedCounts(Instant since) {
            asked.add(since);
            long from = since.getEpochSecond() / 60;
            return rows.stream().filter(r -> r.minute() >= from).toList();
        }

        /** A store that answers finishedCounts from here and nothing else. */
        TaskStore asStore() {
            return (TaskStore) Proxy.newProxyInstance(TaskStore.class.getClassLoader(), new Class<?>[] {TaskStore.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("finishedCounts")) {
                            return finishedCounts((Instant) args[0]);
                        }
                        throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    private final CountingStore store = new CountingStore();
    private final MutableClock clock = new MutableClock(T0.plusSeconds(30));
    private final FinishCounts counts = new FinishCounts(store.asStore(), clock, Duration.ofSeconds(1));

    @Test
    void theFirstCallReadsTheWholeHourAndPutsEachCountInItsMinute() {
        store.rows.add(new FinishedCount("echo", TaskStatus.SUCCEEDED, M0, 5));
        store.rows.add(new FinishedCount("echo", TaskStatus.FAILED, M0 - 1, 2));
        store.rows.add(new FinishedCount("sleep", TaskStatus.CANCELLED, M0 - 59, 1));

        Throughput t = counts.now();

        assertThat(store.asked).containsExactly(Instant.ofEpochSecond((M0 - 59) * 60));
        assertThat(t.from()).isEqualTo(Instant.ofEpochSecond((M0 - 59) * 60));
        assertThat(t.minutes()).isEqualTo(60);
        assertThat(t.types()).extracting(Throughput.Series::type).containsExactly("echo", "sleep");
        assertThat(t.of("echo").succeeded()[59]).isEqualTo(5);
        assertThat(t.of("echo").failed()[58]).isEqualTo(2);
        assertThat(t.of("echo").total()).isEqualTo(7);
        assertThat(t.of("echo").totalFailed()).isEqualTo(2);
        assertThat(t.of("sleep").cancelled()[0]).isEqualTo(1);
    }

    @Test
    void laterCallsReadOnlyFromThePreviousMinuteAndKeepSettledCounts() {
        store.rows.add(new FinishedCount("echo", TaskStatus.SUCCEEDED, M0 - 10, 3));
        counts.now();
        store.rows.clear(); // the purge deleted them: the counts stay, they happened
        store.rows.add(new FinishedCount("echo", TaskStatus.SUCCEEDED, M0, 4));
        clock.advance(Duration.ofSeconds(60)); // now in minute M0 + 1

        Throughput t = counts.now();

        assertThat(store.asked).last().isEqualTo(Instant.ofEpochSecond((M0 - 1) * 60));
        assertThat(t.of("echo").succeeded()[58]).as("minute M0, now the previous one").isEqualTo(4);
        assertThat(t.of("echo").succeeded()[48]).as("minute M0 - 10, settled").isEqualTo(3);
    }

    @Test
    void anUnsettledMinuteIsReadAgainNotAddedTwice() {
        store.rows.add(new FinishedCount("echo", TaskStatus.SUCCEEDED, M0, 1));
        counts.now();
        store.rows.set(0, new FinishedCount("echo", TaskStatus.SUCCEEDED, M0, 2));
        clock.advance(Duration.ofSeconds(2));

        assertThat(counts.now().of("echo").succeeded()[59]).isEqualTo(2);
    }

    @Test
    void minutesThatLeaveTheWindowAreDropped() {
        store.rows.add(new FinishedCount("echo", TaskStatus.SUCCEEDED, M0 - 59, 1));
        counts.now();
        clock.advance(Duration.ofMinutes(1));

        assertThat(counts.now().types()).isEmpty();
    }

    @Test
    void anAnswerIsReusedWithinItsMaximumAge() {
        counts.now();
        clock.advance(Duration.ofMillis(999));
        counts.now();
        assertThat(store.asked).hasSize(1);

        clock.advance(Duration.ofMillis(1));
        counts.now();
        assertThat(store.asked).hasSize(2);
    }

    @Test
    void aFinishAheadOfThisClockCountsInTheCurrentMinute() {
        store.rows.add(new FinishedCount("echo", TaskStatus.SUCCEEDED, M0 + 3, 1));

        assertThat(counts.now().of("echo").succeeded()[59]).isEqualTo(1);
    }
}
