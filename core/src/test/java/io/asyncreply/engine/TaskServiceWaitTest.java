package io.asyncreply.engine;

import static io.asyncreply.engine.Tasks.awaitTerminal;
import static io.asyncreply.engine.Tasks.submit;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.task.RetryPolicy;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** awaitTerminal and subscribe: woken by the finish, not by polling. */
class TaskServiceWaitTest {

    private static CompletableFuture<Optional<Task>> await(TaskService s, String id, Duration timeout) {
        return s.awaitTerminal(id, timeout).toCompletableFuture();
    }

    @Test
    void a_waiter_is_woken_when_the_task_finishes_not_when_its_timeout_passes() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().handler(gate).build()) {
            Task t = submit(s, "gate", "");
            gate.awaitStart();
            CompletableFuture<Optional<Task>> w = await(s, t.id(), Duration.ofMinutes(5));
            assertThat(w).isNotDone();

            gate.open();
            // the wait would last 5 minutes; it must end as soon as the task does
            Optional<Task> done = w.get(5, TimeUnit.SECONDS);
            assertThat(done).hasValueSatisfying(x -> assertThat(x.status()).isEqualTo(TaskStatus.SUCCEEDED));
        }
    }

    @Test
    void every_waiter_of_a_task_is_woken_including_waiters_of_a_queued_task() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().workers(1).handler(gate).build()) {
            Task running = submit(s, "gate", "1");
            gate.awaitStart();
            Task queued = submit(s, "gate", "2");
            List<CompletableFuture<Optional<Task>>> waits = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                waits.add(await(s, running.id(), Duration.ofMinutes(5)));
                waits.add(await(s, queued.id(), Duration.ofMinutes(5)));
            }
            gate.open();
            for (CompletableFuture<Optional<Task>> w : waits) {
                assertThat(w.get(5, TimeUnit.SECONDS)).hasValueSatisfying(x -> assertThat(x.isTerminal()).isTrue());
            }
        }
    }

    @Test
    void a_waiter_of_a_cancelled_task_is_woken() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().workers(1).handler(gate).build()) {
            Task running = submit(s, "gate", "1");
            gate.awaitStart();
            Task queued = submit(s, "gate", "2");
            CompletableFuture<Optional<Task>> wRunning = await(s, running.id(), Duration.ofMinutes(5));
            CompletableFuture<Optional<Task>> wQueued = await(s, queued.id(), Duration.ofMinutes(5));

            s.cancel(queued.id());
            assertThat(wQueued.get(5, TimeUnit.SECONDS)).hasValueSatisfying(
                    x -> assertThat(x.status()).isEqualTo(TaskStatus.CANCELLED));
            s.cancel(running.id());
            assertThat(wRunning.get(5, TimeUnit.SECONDS)).hasValueSatisfying(
                    x -> assertThat(x.status()).isEqualTo(TaskStatus.CANCELLED));
        }
    }

    @Test
    void a_wait_that_times_out_answers_the_current_snapshot() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().handler(gate).build()) {
            Task t = submit(s, "gate", "");
            gate.awaitStart();
            Optional<Task> current = await(s, t.id(), Duration.ofMillis(50)).get(5, TimeUnit.SECONDS);
            assertThat(current).hasValueSatisfying(x -> {
                assertThat(x.id()).isEqualTo(t.id());
                assertThat(x.status()).isEqualTo(TaskStatus.RUNNING);
            });
            gate.open();
        }
    }

    @Test
    void a_wait_of_zero_answers_the_current_snapshot_at_once() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().handler(gate).build()) {
            Task t = submit(s, "gate", "");
            gate.awaitStart();
            CompletableFuture<Optional<Task>> w = await(s, t.id(), Duration.ZERO);
            assertThat(w).isDone();
            assertThat(w.get()).hasValueSatisfying(x -> assertThat(x.status()).isEqualTo(TaskStatus.RUNNING));
            gate.open();
        }
    }

    @Test
    void a_wait_for_an_unknown_or_malformed_id_answers_empty_at_once() throws Exception {
        try (TaskService s = Tasks.builder().handler(Tasks.noop("noop")).build()) {
            for (String id : new String[] {"AAAAAAAAAAAAAAAAAAAAAA", "bad id", null}) {
                CompletableFuture<Optional<Task>> w = await(s, id, Duration.ofMinutes(5));
                assertThat(w).as("wait for %s", id).isDone();
                assertThat(w.get()).isEmpty();
            }
        }
    }

    @Test
    void a_wait_for_a_terminal_task_answers_at_once() throws Exception {
        try (TaskService s = Tasks.builder().handler(Tasks.noop("noop")).build()) {
            Task done = awaitTerminal(s, submit(s, "noop", "").id());
            CompletableFuture<Optional<Task>> w = await(s, done.id(), Duration.ofMinutes(5));
            assertThat(w).isDone();
            assertThat(w.get()).contains(done);
        }
    }

    @Test
    void a_listener_sees_queued_running_and_the_terminal_state_last() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().handler(gate).build()) {
            List<Task> events = new CopyOnWriteArrayList<>();
            CompletableFuture<Task> terminal = new CompletableFuture<>();
            s.subscribe(t -> {
                events.add(t);
                if (t.isTerminal()) {
                    terminal.complete(t);
                }
            });
            Task t = submit(s, "gate", "");
            gate.awaitStart();
            gate.open();
            assertThat(terminal.get(5, TimeUnit.SECONDS).status()).isEqualTo(TaskStatus.SUCCEEDED);

            assertThat(events).allSatisfy(e -> assertThat(e.id()).isEqualTo(t.id()));
            assertThat(Tasks.map(events, Task::status)).containsExactlyInAnyOrder(TaskStatus.QUEUED,
                    TaskStatus.RUNNING, TaskStatus.SUCCEEDED);
            assertThat(events.get(events.size() - 1).status()).isEqualTo(TaskStatus.SUCCEEDED);
        }
    }

    @Test
    void a_listener_sees_retries_and_cancels() throws Exception {
        GateHandler gate = new GateHandler("gate");
        TaskHandler flaky = Tasks.handler("flaky", new RetryPolicy(2, Duration.ZERO, Duration.ZERO, 1), ctx -> {
            if (ctx.attempt() == 1) {
                throw new IllegalStateException("once");
            }
            return null;
        });
        try (TaskService s = Tasks.builder().workers(1).handler(gate).handler(flaky).build()) {
            List<Task> events = new CopyOnWriteArrayList<>();
            s.subscribe(events::add);
            Task blocker = submit(s, "gate", "");
            gate.awaitStart();
            Task cancelled = submit(s, "gate", "");
            s.cancel(cancelled.id());
            gate.open();
            Task retried = submit(s, "flaky", "");
            awaitTerminal(s, retried.id());
            awaitTerminal(s, blocker.id());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> events.stream()
                    .anyMatch(e -> e.id().equals(retried.id()) && e.isTerminal()));

            assertThat(events).anySatisfy(e -> {
                assertThat(e.id()).isEqualTo(cancelled.id());
                assertThat(e.status()).isEqualTo(TaskStatus.CANCELLED);
            });
            assertThat(events).anySatisfy(e -> {
                assertThat(e.id()).isEqualTo(retried.id());
                assertThat(e.status()).isEqualTo(TaskStatus.QUEUED);
                assertThat(e.attempts()).isEqualTo(1);
                assertThat(e.error().message()).isEqualTo("once");
            });
        }
    }

    @Test
    void an_unsubscribed_listener_hears_nothing_more_and_a_throwing_one_harms_nobody() throws Exception {
        try (TaskService s = Tasks.builder().handler(Tasks.noop("noop")).build()) {
            List<Task> gone = new CopyOnWriteArrayList<>();
            List<Task> staying = new CopyOnWriteArrayList<>();
            AutoCloseable handle = s.subscribe(gone::add);
            s.subscribe(t -> {
                throw new IllegalStateException("a listener bug");
            });
            s.subscribe(staying::add);
            handle.close();

            Task t = submit(s, "noop", "");
            awaitTerminal(s, t.id());
            // listeners are called in order on one thread: once the later one heard the end, the
            // removed one would have heard it too
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> staying.stream().anyMatch(Task::isTerminal));
            assertThat(gone).isEmpty();
        }
    }
}
