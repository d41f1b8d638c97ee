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

    @Test
    void noMoreThanMaxAreHeldAndAReleaseMakesRoom() {
        Pending bounded = new Pending(2);
        Pending.Answer a = () -> { };
        Pending.Answer b = () -> { };
        Pending.Answer c = () -> { };

        assertThat(bounded.admit(a)).isEqualTo(Pending.Admission.HELD);
        assertThat(bounded.admit(b)).isEqualTo(Pending.Admission.HELD);
        assertThat(bounded.admit(c)).isEqualTo(Pending.Admission.FULL);
        assertThat(bounded.size()).isEqualTo(2);

        bounded.release(a);
        bounded.release(a); // twice: counted once
        assertThat(bounded.size()).isEqualTo(1);
        assertThat(bounded.admit(c)).isEqualTo(Pending.Admission.HELD);
        bounded.answerAll();
        assertThat(bounded.admit(a)).isEqualTo(Pending.Admission.CLOSED);
        assertThat(bounded.size()).isZero();
    }

    @Test
    void concurrentHoldsNeverExceedTheBound() throws Exception {
        Pending bounded = new Pending(100);
        java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int j = 0; j < 50; j++) {
                    Pending.Answer distinct = new Pending.Answer() { // a lambda here would be one shared instance
                        @Override
                        public void now() {
                        }
                    };
                    if (bounded.admit(distinct) == Pending.Admission.HELD) {
                        held.incrementAndGet();
                    }
                }
            }, "pending-test-" + i);
            threads.add(th);
            th.start();
        }
        start.countDown();
        for (Thread th : threads) {
            th.join(10_000);
        }

        assertThat(held).hasValue(100);
        assertThat(bounded.size()).isEqualTo(100);
    }
}
