package io.asyncreply.engine;

import static io.asyncreply.engine.Tasks.accepted;
import static io.asyncreply.engine.Tasks.awaitTerminal;
import static io.asyncreply.engine.Tasks.bytes;
import static io.asyncreply.engine.Tasks.find;
import static io.asyncreply.engine.Tasks.rejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.task.Attempt;
import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Rejection;
import io.asyncreply.task.RetryPolicy;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.task.TypeInfo;
import io.asyncreply.task.TypePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Owners, submission options, per-type policies and the admin operations, on one node. */
class TaskServiceSteeringTest {

    private static Submission submit(TaskService s, SubmitRequest r) throws Exception {
        return s.submit(r).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static Task accept(TaskService s, SubmitRequest r) throws Exception {
        return accepted(submit(s, r)).task();
    }

    // ---------------------------------------------------------------- owners

    @Test
    void twoOwnersWithTheSameIdempotencyKeyGetTwoTasksAndEachGetsItsOwnBack() throws Exception {
        try (TaskService s = Tasks.builder().handler(new GateHandler("gate")).build()) {
            SubmitRequest r = SubmitRequest.of("gate", bytes("same")).idempotencyKey("key-1");
            Task alice = accept(s, r.owner("alice"));
            Task bob = accept(s, r.owner("bob"));
            Submission again = submit(s, r.owner("alice"));

            assertThat(bob.id()).isNotEqualTo(alice.id());
            assertThat(accepted(again).replayed()).isTrue();
            assertThat(accepted(again).task().id()).isEqualTo(alice.id());
        }
    }

    @Test
    void anotherOwnerFindsWaitsCancelsRetriesAndReadsNothingOfATask() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().handler(gate).workers(1).build()) {
            Task mine = accept(s, SubmitRequest.of("gate", bytes("x")).owner("alice"));

            assertThat(s.find(mine.id(), "bob")).isEmpty();
            assertThat(s.awaitTerminal(mine.id(), "bob", Duration.ofSeconds(5)).toCompletableFuture()
                    .get(1, TimeUnit.SECONDS)).as("answered at once, as unknown").isEmpty();
            assertThat(s.cancel(mine.id(), "bob").outcome()).isEqualTo(CancelResult.Outcome.NOT_FOUND);
            assertThat(s.taskEvents(mine.id(), 0, 10, "bob")).isEmpty();
            assertThat(s.attempts(mine.id(), "bob")).isEmpty();
            assertThat(s.retry(mine.id(), "bob")).isEmpty();
            assertThat(s.list(new TaskQuery(null, null, "bob", 10, null)).items()).isEmpty();

            assertThat(s.find(mine.id(), "alice")).isPresent();
            assertThat(s.list(new TaskQuery(null, null, "alice", 10, null)).items()).extracting(Task::id)
                    .containsExactly(mine.id());
            gate.open();
            assertThat(s.awaitTerminal(mine.id(), "alice", Duration.ofSeconds(10)).toCompletableFuture()
                    .get(15, TimeUnit.SECONDS)).get().extracting(Task::status).isEqualTo(TaskStatus.SUCCEEDED);
        }
    }

    // ---------------------------------------------------------------- options

    @Test
    void aDelayedTaskWaitsQueuedUntilItsRunTime() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        try (TaskService s = Tasks.builder().clock(clock).handler(Tasks.noop("noop")).build()) {
            Task later = accept(s, SubmitRequest.of("noop", bytes("x")).delay(Duration.ofMinutes(5)));
            Task now = accept(s, SubmitRequest.of("noop", bytes("y")));

            assertThat(later.runAt()).isEqualTo(Instant.parse("2026-03-01T10:05:00Z"));
            awaitTerminal(s, now.id());
            assertThat(find(s, later.id()).status()).as("not before its time").isEqualTo(TaskStatus.QUEUED);

            clock.advance(Duration.ofMinutes(5));
            assertThat(awaitTerminal(s, later.id()).status()).isEqualTo(TaskStatus.SUCCEEDED);
        }
    }

    @Test
    void aRunTimeInThePastRunsAtOnce() throws Exception {
        try (TaskService s = Tasks.builder().handler(Tasks.noop("noop")).build()) {
            Task t = accept(s, SubmitRequest.of("noop", bytes("x")).runAt(Instant.now().minusSeconds(60)));
            assertThat(awaitTerminal(s, t.id()).status()).isEqualTo(TaskStatus.SUCCEEDED);
        }
    }

    @Test
    void theHighestPriorityReadyTaskStartsFirstAndATypesDefaultPriorityApplies() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().handler(gate).workers(1)
                .policy("gate", TypePolicy.DEFAULT.withPriority(2)).build()) {
            Task blocker = accept(s, SubmitRequest.of("gate", bytes("0")));
            assertThat(gate.awaitStart()).isEqualTo(blocker.id());
            Task low = accept(s, SubmitRequest.of("gate", bytes("1")).priority(-3));
            Task byDefault = accept(s, SubmitRequest.of("gate", bytes("2")));
            Task high = accept(s, SubmitRequest.of("gate", bytes("3")).priority(9));
            assertThat(byDefault.priority()).isEqualTo(2);

            gate.open();
            assertThat(List.of(gate.awaitStart(), gate.awaitStart(), gate.awaitStart()))
                    .containsExactly(high.id(), byDefault.id(), low.id());
        }
    }

    @Test
    void aTaskNotStartedWithinItsTtlEndsFailedExpiredWithItsEvent() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().handler(gate).workers(1).purgeInterval(Duration.ofMillis(50)).build()) {
            accept(s, SubmitRequest.of("gate", bytes("blocker")));
            gate.awaitStart();
            Task t = accept(s, SubmitRequest.of("gate", bytes("x")).ttl(Duration.ofMillis(200)));
            assertThat(t.expiresAt()).isNotNull();

            Task done = awaitTerminal(s, t.id());
            assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(done.error().code()).isEqualTo(TaskError.EXPIRED);
            assertThat(s.taskEvents(t.id(), 0, 10)).extracting(TaskEvent::kind)
                    .containsExactly(TaskEvent.Kind.QUEUED, TaskEvent.Kind.FAILED);
            gate.open();
        }
    }

    @Test
    void badOptionsAreRejectedWithWordsForTheClientAndNothingIsStored() throws Exception {
        try (TaskService s = Tasks.builder().handler(Tasks.noop("noop")).build()) {
            SubmitRequest r = SubmitRequest.of("noop", bytes("x"));
            for (SubmitRequest bad : List.of(r.priority(11), r.priority(-11), r.delay(Duration.ofSeconds(-1)),
                    r.ttl(Duration.ZERO), r.runAt(Instant.now()).delay(Duration.ofSeconds(1)),
                    r.delay(Duration.ofMinutes(10)).ttl(Duration.ofMinutes(1)), r.owner(""))) {
                Submission.Rejected no = rejected(submit(s, bad));
                assertThat(no.reason()).as("%s", bad).isEqualTo(Rejection.INVALID_OPTION);
                assertThat(no.detail()).isNotBlank();
            }
            assertThat(Tasks.all(s)).isEmpty();
        }
    }

    @Test
    void aMalformedTraceparentIsDroppedAndAWellFormedOneKept() throws Exception {
        try (TaskService s = Tasks.builder().handler(Tasks.noop("noop")).build()) {
            String good = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
            assertThat(accept(s, SubmitRequest.of("noop", bytes("x")).traceparent(good)).traceparent()).isEqualTo(good);
            assertThat(accept(s, SubmitRequest.of("noop", bytes("x")).traceparent("00-xyz\r\nforged")).traceparent())
                    .isNull();
        }
    }

    // ---------------------------------------------------------------- timeouts

    @Test
    void aCooperativeHandlerIsInterruptedAtItsTimeoutAndTheTaskRetriesThenFailsWithTimeout() throws Exception {
        CountDownLatch interrupts = new CountDownLatch(2);
        try (TaskService s = Tasks.builder().handler(Tasks.handler("slow", ctx -> {
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                interrupts.countDown();
                throw e;
            }
            return TaskResult.empty();
        })).policy("slow", TypePolicy.DEFAULT.withTimeout(Duration.ofMillis(100))
                .withRetry(new RetryPolicy(2, Duration.ZERO, Duration.ZERO, 1))).build()) {
            Task t = accept(s, SubmitRequest.of("slow", bytes("x")));

            Task done = awaitTerminal(s, t.id());
            assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(done.attempts()).isEqualTo(2);
            assertThat(done.error().code()).isEqualTo(TaskError.TIMEOUT);
            assertThat(interrupts.await(1, TimeUnit.SECONDS)).isTrue();
            assertThat(s.attempts(t.id(), null)).get().asList().extracting("outcome")
                    .containsExactly("requeued", "failed");
        }
    }

    @Test
    void aHandlerThatIgnoresTheInterruptLosesItsAttemptAndItsLateOutcomeIsDropped() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch returned = new CountDownLatch(1);
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        try (TaskService s = Tasks.builder().workers(2).handler(Tasks.handler("stubborn", ctx -> {
            while (release.getCount() > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
                if (Thread.interrupted()) { // swallowed: this handler does not stop
                    sawInterrupt.set(true);
                }
            }
            returned.countDown();
            return TaskResult.of(bytes("too late"), "text/plain");
        })).policy("stubborn", TypePolicy.DEFAULT.withTimeout(Duration.ofMillis(100))).build()) {
            Task t = accept(s, SubmitRequest.of("stubborn", bytes("x")));

            Task done = awaitTerminal(s, t.id());
            assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(done.error().code()).isEqualTo(TaskError.TIMEOUT);
            assertThat(sawInterrupt).isTrue();

            release.countDown();
            assertThat(returned.await(5, TimeUnit.SECONDS)).isTrue();
            Task other = accept(s, SubmitRequest.of("stubborn", bytes("y")));
            awaitTerminal(s, other.id()); // the worker is free again; the late outcome was handled before this
            assertThat(find(s, t.id()).status()).as("terminal: never changes").isEqualTo(TaskStatus.FAILED);
            assertThat(find(s, t.id()).result()).isNull();
        }
    }

    // ---------------------------------------------------------------- pause, bulk cancel, retry, attempts

    @Test
    void aPausedTypeStartsNothingWhileOtherTypesRunAndResumingStartsItsTasks() throws Exception {
        try (TaskService s = Tasks.builder().workers(1).handler(Tasks.noop("paused")).handler(Tasks.noop("other"))
                .build()) {
            s.pause("paused");
            Task held = accept(s, SubmitRequest.of("paused", bytes("x")));
            Task other = accept(s, SubmitRequest.of("other", bytes("y")));

            awaitTerminal(s, other.id()); // submitted later, ran: the paused one was passed over
            assertThat(find(s, held.id()).status()).isEqualTo(TaskStatus.QUEUED);
            assertThat(s.typeInfos()).filteredOn(TypeInfo::type, "paused").singleElement()
                    .satisfies(i -> {
                        assertThat(i.paused()).isTrue();
                        assertThat(i.queued()).isEqualTo(1);
                    });

            s.resume("paused");
            assertThat(awaitTerminal(s, held.id()).status()).isEqualTo(TaskStatus.SUCCEEDED);
        }
    }

    @Test
    void bulkCancelEndsTheQueuedTasksOfATypeAndTheirWaitersHearIt() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().workers(1).handler(gate).build()) {
            Task running = accept(s, SubmitRequest.of("gate", bytes("0")));
            gate.awaitStart();
            Task q1 = accept(s, SubmitRequest.of("gate", bytes("1")));
            Task q2 = accept(s, SubmitRequest.of("gate", bytes("2")));
            var waiter = s.awaitTerminal(q1.id(), Duration.ofSeconds(10)).toCompletableFuture();

            assertThat(s.cancelQueued("gate", null, 100)).isEqualTo(2);

            assertThat(waiter.get(10, TimeUnit.SECONDS)).get().extracting(Task::status)
                    .isEqualTo(TaskStatus.CANCELLED);
            assertThat(find(s, q2.id()).status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(find(s, running.id()).status()).isEqualTo(TaskStatus.RUNNING);
            gate.open();
        }
    }

    @Test
    void aFailedTaskIsRetriedAsANewTaskWithTheSamePayloadAndRetryOf() throws Exception {
        AtomicBoolean fail = new AtomicBoolean(true);
        try (TaskService s = Tasks.builder().handler(Tasks.handler("flaky", ctx -> {
            if (fail.get()) {
                throw new IllegalStateException("down");
            }
            return TaskResult.of(ctx.payload(), "text/plain");
        })).build()) {
            Task first = accept(s, SubmitRequest.of("flaky", bytes("hello")).owner("alice").priority(3));
            assertThat(awaitTerminal(s, first.id()).status()).isEqualTo(TaskStatus.FAILED);
            fail.set(false);

            Optional<java.util.concurrent.CompletionStage<Submission>> retry = s.retry(first.id(), "alice");
            Task second = accepted(retry.orElseThrow().toCompletableFuture().get(5, TimeUnit.SECONDS)).task();

            assertThat(second.id()).isNotEqualTo(first.id());
            assertThat(second.retryOf()).isEqualTo(first.id());
            assertThat(second.owner()).isEqualTo("alice");
            assertThat(second.priority()).isEqualTo(3);
            Task done = awaitTerminal(s, second.id());
            assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(new String(done.result().bytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(find(s, first.id()).status()).as("the original is left as it was").isEqualTo(TaskStatus.FAILED);
        }
    }

    @Test
    void onlyAFailedOrCancelledTaskCanBeRetried() throws Exception {
        try (TaskService s = Tasks.builder().handler(Tasks.noop("noop")).build()) {
            Task t = accept(s, SubmitRequest.of("noop", bytes("x")));
            awaitTerminal(s, t.id());

            Submission no = s.retry(t.id(), null).orElseThrow().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(rejected(no).reason()).isEqualTo(Rejection.NOT_RETRYABLE);
            assertThat(s.retry("no-such-task-id-aaaaaaaaaaaaaaa", null)).isEmpty();
        }
    }

    @Test
    void attemptsTellEveryAttemptWithItsNodeOutcomeAndError() throws Exception {
        try (TaskService s = Tasks.builder().nodeId("node-1").handler(Tasks.handler("flaky",
                new RetryPolicy(3, Duration.ZERO, Duration.ZERO, 1), ctx -> {
                    if (ctx.attempt() < 3) {
                        throw new IllegalStateException("attempt " + ctx.attempt());
                    }
                    return TaskResult.empty();
                })).build()) {
            Task t = accept(s, SubmitRequest.of("flaky", bytes("x")));
            awaitTerminal(s, t.id());

            List<Attempt> attempts = s.attempts(t.id(), null).orElseThrow();
            assertThat(attempts).extracting(Attempt::attempt).containsExactly(1, 2, 3);
            assertThat(attempts).extracting(Attempt::outcome).containsExactly("requeued", "requeued", "succeeded");
            assertThat(attempts).extracting(Attempt::node).containsOnly("node-1");
            assertThat(attempts.get(0).error().message()).isEqualTo("attempt 1");
            assertThat(attempts.get(2).error()).isNull();
            assertThat(attempts).allSatisfy(a -> assertThat(a.finishedAt()).isAfterOrEqualTo(a.startedAt()));
        }
    }

    @Test
    void aTypeNobodyServesAnyMoreStaysQueuedAndShowsWithoutNodesUntilANodeServesItAgain() throws Exception {
        MemoryTaskStore store = new MemoryTaskStore();
        Task orphan;
        try (TaskService newer = Tasks.builder().store(store).nodeId("newer").handler(Tasks.noop("echo"))
                .handler(Tasks.noop("fresh")).build()) {
            newer.pause("fresh");
            orphan = accept(newer, SubmitRequest.of("fresh", bytes("x")));
        }
        store.pause("fresh", false);
        try (TaskService older = Tasks.builder().store(store).nodeId("older").handler(Tasks.noop("echo"))
                .policy("echo", TypePolicy.DEFAULT.withConcurrency(4)).build()) {
            Task echo = accept(older, SubmitRequest.of("echo", bytes("y")));
            awaitTerminal(older, echo.id());

            assertThat(find(older, orphan.id()).status()).as("never claimed, never failed for it")
                    .isEqualTo(TaskStatus.QUEUED);
            List<TypeInfo> types = older.typeInfos();
            assertThat(types).filteredOn(TypeInfo::type, "fresh").singleElement().satisfies(i -> {
                assertThat(i.nodes()).isEmpty();
                assertThat(i.queued()).isEqualTo(1);
                assertThat(i.policy()).as("not served here").isNull();
            });
            assertThat(types).filteredOn(TypeInfo::type, "echo").singleElement().satisfies(i -> {
                assertThat(i.nodes()).containsExactly("older");
                assertThat(i.policy().concurrency()).isEqualTo(4);
            });

            try (TaskService newer = Tasks.builder().store(store).nodeId("newer").handler(Tasks.noop("echo"))
                    .handler(Tasks.noop("fresh")).build()) {
                assertThat(awaitTerminal(newer, orphan.id()).status()).isEqualTo(TaskStatus.SUCCEEDED);
            }
        }
    }
}
