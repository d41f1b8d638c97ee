package io.asyncreply.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class LocalSequencerTest {

    @Test
    void theHorizonStopsBeforeTheOldestRangeStillInFlight() {
        LocalSequencer s = new LocalSequencer(10);

        long a = s.begin(1);
        long b = s.begin(3);
        long c = s.begin(1);

        assertThat(a).isEqualTo(11);
        assertThat(b).isEqualTo(12);
        assertThat(c).isEqualTo(15);
        assertThat(s.horizon()).isEqualTo(10);
        s.end(b);
        assertThat(s.horizon()).as("a is still in flight").isEqualTo(10);
        s.end(a);
        assertThat(s.horizon()).as("c is still in flight").isEqualTo(14);
        s.end(c);
        assertThat(s.horizon()).isEqualTo(15);
        assertThat(s.last()).isEqualTo(15);
    }

    @Test
    void advancingPastIdsFoundInTheLogKeepsIdsIncreasing() {
        LocalSequencer s = new LocalSequencer(0);
        s.advanceTo(100);
        s.advanceTo(50);

        assertThat(s.begin(1)).isEqualTo(101);
    }

    @Test
    void theHorizonIsReadWhileWritersEndWithoutTheLock() throws Exception {
        LocalSequencer s = new LocalSequencer(0);
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            while (!stop.get()) {
                s.end(s.begin(1));
            }
        }, "sequencer-test-writer");
        writer.start();
        try {
            long previous = 0;
            for (int i = 0; i < 2_000_000; i++) {
                long h = s.horizon(); // threw NoSuchElementException when the last writer ended mid-read
                assertThat(h).isGreaterThanOrEqualTo(previous);
                previous = h;
            }
        } finally {
            stop.set(true);
            writer.join();
        }
    }
}
