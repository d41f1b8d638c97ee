package io.asyncreply.store;

import static org.assertj.core.api.Assertions.assertThat;

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
}
