package io.asyncreply.engine;

import static io.asyncreply.engine.Tasks.accepted;
import static io.asyncreply.engine.Tasks.awaitTerminal;
import static io.asyncreply.engine.Tasks.bytes;
import static io.asyncreply.engine.Tasks.rejected;
import static io.asyncreply.engine.Tasks.submission;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.task.Rejection;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TaskServiceIdempotencyTest {

    @Test
    void the_same_key_type_and_body_answer_the_same_task_replayed_and_queue_nothing_new() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().workers(1).handler(gate).build()) {
            Submission.Accepted first = accepted(submission(s, "gate", bytes("body"), "text/plain", "k1"));
            assertThat(first.replayed()).isFalse();
            gate.awaitStart();

            Submission.Accepted again = accepted(submission(s, "gate", bytes("body"), "text/plain", "k1"));
            assertThat(again.replayed()).isTrue();
            assertThat(again.task().id()).isEqualTo(first.task().id());
            assertThat(again.task().status()).as("the current snapshot").isEqualTo(TaskStatus.RUNNING);
            assertThat(Tasks.all(s)).hasSize(1);
            assertThat(s.store().queued()).isZero();

            gate.open();
            Task done = awaitTerminal(s, first.task().id());
            Submission.Accepted afterwards = accepted(submission(s, "gate", bytes("body"), "text/plain", "k1"));
            assertThat(afterwards.replayed()).isTrue();
            assertThat(afterwards.task()).isEqualTo(done);
            assertThat(gate.runs).hasValue(1);
        }
    }

    @Test
    void the_same_key_with_another_body_is_a_conflict_and_queues_nothing() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().workers(1).handler(gate).build()) {
            accepted(submission(s, "gate", bytes("body"), null, "k1"));
            Submission.Rejected r = rejected(submission(s, "gate", bytes("body!"), null, "k1"));
            assertThat(r.reason()).isEqualTo(Rejection.IDEMPOTENCY_CONFLICT);
            assertThat(Tasks.all(s)).hasSize(1);
            gate.open();
        }
    }

    @Test
    void the_same_key_and_body_for_another_type_is_a_conflict() throws Exception {
        try (TaskService s = Tasks.builder().handler(Tasks.noop("a")).handler(Tasks.noop("b")).build()) {
            accepted(submission(s, "a", bytes("body"), null, "k1"));
            assertThat(rejected(submission(s, "b", bytes("body"), null, "k1")).reason())
                    .isEqualTo(Rejection.IDEMPOTENCY_CONFLICT);
            assertThat(Tasks.all(s)).hasSize(1);
        }
    }

    @Test
    void different_keys_with_the_same_body_are_different_tasks() throws Exception {
        try (TaskService s = Tasks.builder().handler(Tasks.noop("a")).build()) {
            String one = accepted(submission(s, "a", bytes("body"), null, "k1")).task().id();
            String two = accepted(submission(s, "a", bytes("body"), null, "k2")).task().id();
            String none = accepted(submission(s, "a", bytes("body"), null, null)).task().id();
            assertThat(List.of(one, two, none)).doesNotHaveDuplicates();
        }
    }

    @Test
    void concurrent_submits_with_one_key_make_exactly_one_task() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (TaskService s = Tasks.builder().handler(Tasks.noop("a")).build()) {
            for (int round = 0; round < 50; round++) {
                String key = "key-" + round;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Submission>> results = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    results.add(pool.submit(() -> {
                        go.await();
                        return submission(s, "a", bytes("same"), null, key);
                    }));
                }
                go.countDown();
                List<Submission.Accepted> accepted = new ArrayList<>();
                for (Future<Submission> f : results) {
                    accepted.add(accepted(f.get(10, TimeUnit.SECONDS)));
                }
                assertThat(accepted.stream().map(a -> a.task().id()).distinct()).hasSize(1);
                assertThat(accepted.stream().filter(a -> !a.replayed())).hasSize(1);
            }
            assertThat(Tasks.all(s)).hasSize(50);
        } finally {
            pool.shutdownNow();
        }
    }
}
