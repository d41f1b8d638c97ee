package io.asyncreply.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.InsertResult;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskObserver;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.task.TypePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When a submission is granted a start at once, and what the reservation of a worker does. */
class DirectStartTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final AtomicInteger wakes = new AtomicInteger();
    private final Handoff handoff = new Handoff(wakes::incrementAndGet);
    private final AtomicBoolean drained = new AtomicBoolean(true);
    private final AtomicInteger pokes = new AtomicInteger();
    private final DirectStart direct = new DirectStart(handoff, drained::get,
            Map.of("limited", TypePolicy.DEFAULT.withConcurrency(2)), LEASE, TaskObserver.NONE, pokes::incrementAndGet);
    private final CompletableFuture<ClaimedTask> taken = new CompletableFuture<>();
    private Thread worker;

    /** One worker waiting in the hand-off for a task. */
    private void idleWorker() {
        worker = new Thread(() -> {
            try {
                taken.complete(handoff.take());
            } catch (InterruptedException e) {
                taken.completeExceptionally(e);
            }
        }, "test-worker");
        worker.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> handoff.wanted() == 1);
    }

    @AfterEach
    void stopWorker() throws InterruptedException {
        if (worker != null) {
            worker.interrupt();
            worker.join(5_000);
        }
    }

    private static Task task(String type) {
        return Task.queued("t-" + type, type, T0);
    }

    @Test
    void aReservedWorkerIsNotCountedAsIdleAndGetsTheClaimSnapshotOnceStarted() throws Exception {
        idleWorker();

        assertThat(direct.leaseFor(task("echo"), T0)).isEqualTo(T0.plus(LEASE));
        assertThat(handoff.wanted()).isZero();
        assertThat(direct.leaseFor(task("other"), T0)).as("no second idle worker").isNull();

        direct.inserted(new InsertResult.Inserted(task("echo"), true), new byte[] {1}, "text/plain");

        ClaimedTask c = taken.get(5, TimeUnit.SECONDS);
        assertThat(c.task().status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(c.attempt()).isEqualTo(1);
        assertThat(c.task().startedAt()).isEqualTo(T0);
        assertThat(c.readyAt()).isEqualTo(T0);
        assertThat(c.payload()).containsExactly(1);
        assertThat(pokes.get()).isEqualTo(1);
    }

    @Test
    void aTaskTheStoreQueuedGivesTheWorkerBackAndWakesTheClaimer() {
        idleWorker();
        int before = wakes.get();
        assertThat(direct.leaseFor(task("echo"), T0)).isNotNull();

        direct.inserted(new InsertResult.Inserted(task("echo"), false), new byte[0], null);

        assertThat(handoff.wanted()).isEqualTo(1);
        assertThat(wakes.get()).isGreaterThan(before);
        assertThat(taken).isNotDone();
    }

    @Test
    void nothingStartsAtOnceUnlessDrainedUnlimitedReadyAndOpen() {
        idleWorker();
        drained.set(false);
        assertThat(direct.leaseFor(task("echo"), T0)).as("not drained").isNull();
        drained.set(true);
        assertThat(direct.leaseFor(task("limited"), T0)).as("a limited type").isNull();
        Task later = task("echo").toBuilder().runAt(T0.plusSeconds(1)).build();
        assertThat(direct.leaseFor(later, T0)).as("a delayed task").isNull();
        assertThat(handoff.wanted()).isEqualTo(1);

        assertThat(direct.close(1_000)).isTrue();
        assertThat(direct.leaseFor(task("echo"), T0)).as("closed").isNull();
        assertThat(handoff.wanted()).isEqualTo(1);
    }

    @Test
    void closeWaitsForTheInsertsUnderWay() throws Exception {
        idleWorker();
        assertThat(direct.leaseFor(task("echo"), T0)).isNotNull();

        CompletableFuture<Boolean> closed = CompletableFuture.supplyAsync(() -> direct.close(30_000));
        assertThat(direct.close(50)).as("a reservation is open").isFalse();
        assertThat(closed).isNotDone();
        direct.notStarted();

        assertThat(closed.get(5, TimeUnit.SECONDS)).isTrue();
    }
}
