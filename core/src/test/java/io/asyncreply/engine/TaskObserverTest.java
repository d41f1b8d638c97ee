package io.asyncreply.engine;

import static io.asyncreply.engine.Tasks.accepted;
import static io.asyncreply.engine.Tasks.awaitTerminal;
import static io.asyncreply.engine.Tasks.bytes;
import static io.asyncreply.engine.Tasks.rejected;
import static io.asyncreply.engine.Tasks.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.store.NewTask;
import io.asyncreply.store.jdbc.JdbcTaskStore;
import io.asyncreply.task.InputFormat;
import io.asyncreply.task.Rejection;
import io.asyncreply.task.RetryPolicy;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import io.asyncreply.task.TaskObserver;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The observer seam: every unit tells what this node did, once, right after its write, on its own
 * thread, with the figures metrics need.
 */
class TaskObserverTest {

    /** Records every call. */
    static final class Recorder implements TaskObserver {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final Map<String, Long> queueWaits = new ConcurrentHashMap<>();
        final Map<String, Long> runTimes = new ConcurrentHashMap<>();
        final List<Task> finished = new CopyOnWriteArrayList<>();
        final List<int[]> batches = new CopyOnWriteArrayList<>();
        final List<Long> commitNanos = new CopyOnWriteArrayList<>();

        @Override
        public void submitted(Task task) {
            calls.add("submitted " + task.id());
        }

        @Override
        public void rejected(String type, Rejection reason) {
            calls.add("rejected " + type + " " + reason);
        }

        @Override
        public void started(Task task, long queueWaitMillis) {
            calls.add("started " + task.id() + " " + task.attempts());
            queueWaits.put(task.id() + "/" + task.attempts(), queueWaitMillis);
        }

        @Override
        public void ran(Task task, long runMillis) {
            calls.add("ran " + task.id());
            runTimes.put(task.id() + "/" + task.attempts(), runMillis);
        }

        @Override
        public void retried(Task task) {
            calls.add("retried " + task.id() + " " + task.error().code());
        }

        @Override
        public void finished(Task task) {
            calls.add("finished " + task.id() + " " + task.status());
            finished.add(task);
        }

        @Override
        public void expired(Task task) {
            calls.add("expired " + task.id());
        }

        @Override
        public void recovered(Task task) {
            calls.add("recovered " + task.id() + " " + task.status());
        }

        @Override
        public void cancelledQueued(String type, int count) {
            calls.add("cancelledQueued " + type + " " + count);
        }

        @Override
        public void intakeCommitted(int size, long nanos) {
            batches.add(new int[] {size});
            commitNanos.add(nanos);
        }

        List<String> about(String id) {
            return calls.stream().filter(c -> c.contains(" " + id)).toList();
        }

        /**
         * What was told of {@code id} once it was told {@code n} things: a waiter may learn of the end
         * from the store a moment before the unit that wrote it tells its observer.
         */
        List<String> about(String id, int n) {
            await().atMost(Duration.ofSeconds(5)).until(() -> about(id).size() >= n);
            return about(id);
        }

        /**
         * {@link #about(String, int)} without its one "submitted": a claimer polling on its own may
         * start a task stored a moment before the submitter's thread tells of its submission.
         */
        List<String> afterSubmission(String id, int n) {
            List<String> all = about(id, n);
            assertThat(all).containsOnlyOnce("submitted " + id);
            return all.stream().filter(c -> !c.equals("submitted " + id)).toList();
        }

        long count(String prefix) {
            return calls.stream().filter(c -> c.startsWith(prefix)).count();
        }
    }

    @Test
    void aTaskThatSucceedsIsSubmittedStartedRanAndFinishedOnceEachInThatOrder() throws Exception {
        Recorder r = new Recorder();
        try (TaskService s = Tasks.builder().observer(r).handler(Tasks.handler("work", ctx -> {
            Thread.sleep(30);
            return TaskResult.empty();
        })).build()) {
            Task t = Tasks.submit(s, "work", "x");
            Task done = awaitTerminal(s, t.id());

            assertThat(r.afterSubmission(t.id(), 4)).containsExactly("started " + t.id() + " 1",
                    "ran " + t.id(), "finished " + t.id() + " SUCCEEDED");
            assertThat(r.queueWaits.get(t.id() + "/1")).isBetween(0L, 5_000L);
            assertThat(r.runTimes.get(t.id() + "/1")).isGreaterThanOrEqualTo(30L)
                    .isEqualTo(done.finishedAt().toEpochMilli() - done.startedAt().toEpochMilli());
        }
    }

    @Test
    void theQueueWaitOfADelayedTaskCountsFromItsRunTimeNotItsSubmission() throws Exception {
        Recorder r = new Recorder();
        try (TaskService s = Tasks.builder().observer(r).handler(Tasks.noop("work")).build()) {
            Task t = accepted(s.submit(SubmitRequest.of("work", bytes("x")).delay(Duration.ofMillis(400)))
                    .toCompletableFuture().get(5, TimeUnit.SECONDS)).task();
            awaitTerminal(s, t.id());

            // it waited 400 ms since its submission, but only for the poll interval at most since it was due
            Task done = Tasks.find(s, t.id());
            assertThat(done.startedAt().toEpochMilli() - done.submittedAt().toEpochMilli()).isGreaterThanOrEqualTo(400);
            assertThat(r.queueWaits.get(t.id() + "/1")).isLessThan(
                    done.startedAt().toEpochMilli() - done.submittedAt().toEpochMilli());
        }
    }

    @Test
    void everyRefusalIsToldOnceWithItsReasonWhetherFromThePrecheckOrTheSubmit() throws Exception {
        Recorder r = new Recorder();
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().observer(r).workers(1).queueCapacity(1).handler(gate)
                .handler(new io.asyncreply.task.TaskHandler() {
                    @Override
                    public String type() {
                        return "json";
                    }

                    @Override
                    public InputFormat input() {
                        return InputFormat.JSON;
                    }

                    @Override
                    public TaskResult handle(io.asyncreply.task.TaskContext context) {
                        return TaskResult.empty();
                    }
                }).build()) {
            assertThat(s.precheck("nope", null, null)).isPresent();
            rejected(submission(s, "nope", bytes("x"), null, null));
            rejected(submission(s, "json", bytes("{"), "application/json", null));
            rejected(s.submit(SubmitRequest.of("json", bytes("{}")).priority(99)).toCompletableFuture().get());
            assertThat(s.precheck("json", null, "text/plain")).isPresent();

            Tasks.submit(s, "gate", "runs");
            gate.started.poll(5, TimeUnit.SECONDS);
            Tasks.submit(s, "gate", "waits");
            rejected(submission(s, "gate", bytes("no room"), null, null));
            gate.gate.countDown();

            assertThat(r.calls.stream().filter(c -> c.startsWith("rejected")).toList()).containsExactly(
                    "rejected nope UNKNOWN_TYPE", "rejected nope UNKNOWN_TYPE", "rejected json INVALID_PAYLOAD",
                    "rejected json INVALID_OPTION", "rejected json UNSUPPORTED_CONTENT_TYPE",
                    "rejected gate QUEUE_FULL");
            assertThat(s.precheck("gate", null, null)).isEmpty();
            assertThat(r.count("rejected")).isEqualTo(6);
        }
    }

    @Test
    void aFailedAttemptWithRetriesLeftIsRetriedAndTheLastOneFinishesFailed() throws Exception {
        Recorder r = new Recorder();
        AtomicInteger runs = new AtomicInteger();
        try (TaskService s = Tasks.builder().observer(r).handler(Tasks.handler("flaky",
                RetryPolicy.exponential(2, Duration.ofMillis(10)), ctx -> {
                    runs.incrementAndGet();
                    throw new IllegalStateException("boom");
                })).build()) {
            Task t = Tasks.submit(s, "flaky", "x");
            awaitTerminal(s, t.id());

            assertThat(r.afterSubmission(t.id(), 7)).containsExactly("started " + t.id() + " 1",
                    "ran " + t.id(), "retried " + t.id() + " " + TaskError.HANDLER_ERROR, "started " + t.id() + " 2",
                    "ran " + t.id(), "finished " + t.id() + " FAILED");
            assertThat(runs).hasValue(2);
            assertThat(r.queueWaits).containsKeys(t.id() + "/1", t.id() + "/2");
        }
    }

    @Test
    void cancelsAreFinishedWhereTheyAreWrittenAndABulkCancelIsToldAsACount() throws Exception {
        Recorder r = new Recorder();
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().observer(r).workers(1).handler(gate).build()) {
            Task running = Tasks.submit(s, "gate", "runs");
            gate.started.poll(5, TimeUnit.SECONDS);
            Task queued = Tasks.submit(s, "gate", "waits");
            Task more1 = Tasks.submit(s, "gate", "more");
            Task more2 = Tasks.submit(s, "gate", "more");

            s.cancel(queued.id());
            assertThat(r.about(queued.id())).containsExactly("submitted " + queued.id(),
                    "finished " + queued.id() + " CANCELLED");

            assertThat(s.cancelQueued("gate", null, 10)).isEqualTo(2);
            assertThat(r.calls).contains("cancelledQueued gate 2");
            assertThat(r.about(more1.id())).containsExactly("submitted " + more1.id());
            assertThat(r.about(more2.id())).containsExactly("submitted " + more2.id());

            s.cancel(running.id()); // its worker is interrupted; the completer writes CANCELLED
            awaitTerminal(s, running.id());
            assertThat(r.afterSubmission(running.id(), 4)).containsExactly("started " + running.id() + " 1",
                    "ran " + running.id(), "finished " + running.id() + " CANCELLED");
        }
    }

    @Test
    void aTaskExpiredByHousekeepingIsExpiredThenFinishedFailed() throws Exception {
        Recorder r = new Recorder();
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().observer(r).workers(1).handler(gate).purgeInterval(Duration.ofMillis(50))
                .build()) {
            Tasks.submit(s, "gate", "blocker");
            gate.started.poll(5, TimeUnit.SECONDS);
            Task t = accepted(s.submit(SubmitRequest.of("gate", bytes("x")).ttl(Duration.ofMillis(100)))
                    .toCompletableFuture().get(5, TimeUnit.SECONDS)).task();

            awaitTerminal(s, t.id());
            assertThat(r.afterSubmission(t.id(), 3)).containsExactly("expired " + t.id(),
                    "finished " + t.id() + " FAILED");
            gate.gate.countDown();
        }
    }

    @Test
    void aTaskWhoseWorkerDiedIsRecoveredThenRunsHere() throws Exception {
        Recorder r = new Recorder();
        MemoryTaskStore store = new MemoryTaskStore();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Task orphan = Task.queued(Ids.next(now.toEpochMilli()), "work", now);
        store.insert(new NewTask(orphan, bytes("x"), null, null, null), 100).toCompletableFuture().get();
        assertThat(store.claim("a-node-that-dies", now, now.plusMillis(50))).isPresent();

        try (TaskService s = TaskService.builder().store(store).observer(r).handler(Tasks.noop("work"))
                .leaseDuration(Duration.ofMillis(300)).shutdownGrace(Duration.ofSeconds(2)).build()) {
            Task done = awaitTerminal(s, orphan.id());

            assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
            List<String> told = r.about(orphan.id(), 4);
            // the recovery is told right after its write, when a polling claimer may already have it
            assertThat(told).containsExactlyInAnyOrder("recovered " + orphan.id() + " QUEUED",
                    "started " + orphan.id() + " 2", "ran " + orphan.id(), "finished " + orphan.id() + " SUCCEEDED");
            assertThat(told.subList(2, 4)).containsExactly("ran " + orphan.id(), "finished " + orphan.id()
                    + " SUCCEEDED");
        }
    }

    @Test
    void aGroupCommittingStoreTellsTheSizeAndTimeOfEachBatchOfSubmissions(@TempDir Path dir) throws Exception {
        Recorder r = new Recorder();
        JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("tasks").toAbsolutePath(),
                "sa", "");
        try (JdbcTaskStore store = JdbcTaskStore.builder(pool).build();
                TaskService s = TaskService.builder().store(store).observer(r).handler(Tasks.noop("work"))
                        .shutdownGrace(Duration.ofSeconds(2)).build()) {
            List<java.util.concurrent.CompletableFuture<io.asyncreply.task.Submission>> all = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                all.add(s.submit("work", bytes("x" + i), null, null).toCompletableFuture());
            }
            for (var f : all) {
                accepted(f.get(10, TimeUnit.SECONDS));
            }

            await().atMost(Duration.ofSeconds(5)).until(() -> r.batches.stream().mapToInt(b -> b[0]).sum() == 50);
            assertThat(r.batches).allSatisfy(b -> assertThat(b[0]).isBetween(1, 50));
            assertThat(r.commitNanos).allSatisfy(n -> assertThat(n).isPositive());
            assertThat(r.count("submitted")).isEqualTo(50);
        } finally {
            pool.dispose();
        }
    }

    @Test
    void anObserverThatThrowsNeitherStopsTheWorkNorReachesTheCaller() throws Exception {
        TaskObserver broken = new TaskObserver() {
            @Override
            public void submitted(Task task) {
                throw new IllegalStateException("broken observer");
            }

            @Override
            public void started(Task task, long queueWaitMillis) {
                throw new IllegalStateException("broken observer");
            }

            @Override
            public void finished(Task task) {
                throw new IllegalStateException("broken observer");
            }
        };
        try (TaskService s = Tasks.builder().observer(broken).handler(Tasks.noop("work")).build()) {
            Task t = Tasks.submit(s, "work", "x");
            assertThat(awaitTerminal(s, t.id()).status()).isEqualTo(TaskStatus.SUCCEEDED);
        }
    }
}
