package io.asyncreply.web.timer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class OneThreadTimerTest {

    @Test
    void closeInterruptsTheRunningTaskAndReturnsOnlyOnceItsNamedThreadHasEnded() throws Exception {
        OneThreadTimer timer = OneThreadTimer.create("test-timer", true);
        CompletableFuture<Thread> ran = new CompletableFuture<>();
        CountDownLatch interrupted = new CountDownLatch(1);
        timer.executor().execute(() -> {
            ran.complete(Thread.currentThread());
            try {
                new CountDownLatch(1).await(); // until interrupted
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        Thread thread = ran.get(5, TimeUnit.SECONDS);
        assertThat(thread.getName()).isEqualTo("test-timer");
        assertThat(thread.isDaemon()).isTrue();

        timer.close();

        assertThat(interrupted.getCount()).isZero();
        assertThat(thread.isAlive()).isFalse();
    }

    @Test
    void aDelayedTaskDoesNotRunAfterCloseAndNewOnesAreRefused() {
        OneThreadTimer timer = OneThreadTimer.create("test-timer", false);
        AtomicBoolean ran = new AtomicBoolean();
        timer.executor().schedule(() -> ran.set(true), 200, TimeUnit.MILLISECONDS);

        timer.close();

        assertThat(timer.executor().isTerminated()).isTrue();
        assertThat(ran).isFalse();
        assertThatThrownBy(() -> timer.executor().schedule(() -> { }, 1, TimeUnit.MILLISECONDS))
                .isInstanceOf(RejectedExecutionException.class);
    }
}
