package io.asyncreply.web.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PendingTest {
    private final Pending pending = new Pending();

    @Test
    void heldAnswersAreCountedAndReleased() {
        Pending.Answer a = () -> { };
        assertThat(pending.hold(a)).isTrue();
        assertThat(pending.size()).isEqualTo(1);
        pending.release(a);
        assertThat(pending.size()).isZero();
    }

    @Test
    void answerAllAnswersEveryHeldRequestOnceAndRefusesNewHolds() {
        AtomicInteger answered = new AtomicInteger();
        pending.hold(answered::incrementAndGet);
        pending.hold(answered::incrementAndGet);
        Pending.Answer released = answered::incrementAndGet;
        pending.hold(released);
        pending.release(released);

        pending.answerAll();

        assertThat(answered).hasValue(2);
        assertThat(pending.size()).isZero();
        assertThat(pending.hold(answered::incrementAndGet)).as("closed: the caller answers itself").isFalse();
        assertThat(pending.size()).isZero();
    }

    @Test
    void oneFailingAnswerDoesNotStopTheOthers() {
        AtomicInteger answered = new AtomicInteger();
        pending.hold(() -> {
            throw new IllegalStateException("client gone");
        });
        pending.hold(answered::incrementAndGet);

        pending.answerAll();

        assertThat(answered).hasValue(1);
    }
}
