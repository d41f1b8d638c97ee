package io.asyncreply.engine;

import static io.asyncreply.engine.Tasks.bytes;
import static io.asyncreply.engine.Tasks.find;
import static io.asyncreply.engine.Tasks.rejected;
import static io.asyncreply.engine.Tasks.submission;
import static io.asyncreply.engine.Tasks.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.task.Rejection;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TaskServiceShutdownTest {

    private static Set<Thread> liveAsyncreplyThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("asyncreply-") && t.isAlive())
                .collect(Collectors.toSet());
    }

    @Test
    void a_stopped_node_leaves_the_node_registry_so_a_redeploy_is_not_listed_twice() throws Exception {
        MemoryTaskStore store = new MemoryTaskStore();
        TaskService first = TaskService.builder().store(store).nodeId("first").build();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.nodes().stream().anyMatch(n -> n.id().equals("first")));

        first.close();
        try (TaskService second = TaskService.builder().store(store).nodeId("second").build()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> second.health().nodes().size() == 1);
            assertThat(second.health().nodes()).extracting(n -> n.id()).containsExactly("second");
        }
    }

    @Test
    void close_leaves_no_live_asyncreply_thread() throws Exception {
        Set<Thread> before = liveAsyncreplyThreads(); // leaks of other tests are not ours to judge here
        for (int round = 0; round < 20; round++) {
            TaskService s = Tasks.builder().workers(4).handler(Tasks.noop("noop")).build();
            try {
                Set<Thread> started = liveAsyncreplyThreads();
                started.removeAll(before);
                assertThat(started).as("the service runs its threads").isNotEmpty();
                for (int i = 0; i < 10; i++) {
                    submit(s, "noop", "x");
                }
                s.awaitTerminal(submit(s, "noop", "last").id(), Duration.ofMinutes(1)); // a waiter
            } finally {
                s.close();
            }

            Set<Thread> left = liveAsyncreplyThreads();
            left.removeAll(before);
            assertThat(left).as("threads alive right after close(), round %d", round).isEmpty();
        }
    }

    @Test
    void running_tasks_get_the_grace_period_to_finish() throws Exception {
        GateHandler gate = new GateHandler("gate");
        TaskService s = Tasks.builder().handler(gate).shutdownGrace(Duration.ofSeconds(20)).build();
        try {
            Task t = submit(s, "gate", "");
            gate.awaitStart();

            CompletableFuture<Void> closing = new CompletableFuture<>();
            Thread closer = new Thread(() -> {
                s.close();
                closing.complete(null);
            }, "test-closer");
            closer.start();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(s::isShutdown);
            assertThat(closing).as("close waits for the running task").isNotDone();

            gate.open();
            closing.get(10, TimeUnit.SECONDS);
            assertThat(gate.interrupted).as("finished within the grace period: never interrupted").isEmpty();
            Task after = find(s, t.id());
            assertThat(after.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(after.result()).isNotNull();
        } finally {
            gate.open();
            s.close();
        }
    }

    @Test
    void a_task_still_running_after_the_grace_period_is_interrupted_and_requeued() throws Exception {
        GateHandler gate = new GateHandler("gate");
        MemoryTaskStore store = new MemoryTaskStore();
        TaskService s = TaskService.builder().store(store).handler(gate).shutdownGrace(Duration.ofMillis(100))
                .build();
        try {
            Task t = submit(s, "gate", "");
            gate.awaitStart();

            s.close();

            assertThat(gate.awaitInterrupt()).isEqualTo(t.id());
            Task after = store.find(t.id()).orElseThrow();
            assertThat(after.status()).isEqualTo(TaskStatus.QUEUED);
            assertThat(after.attempts()).isEqualTo(1);
            assertThat(after.finishedAt()).isNull();
            assertThat(after.error()).isNotNull();
            assertThat(after.error().message()).contains("interrupted").contains("shutting down");
            assertThat(store.queued()).isEqualTo(1);
        } finally {
            gate.open();
            s.close();
        }
    }

    @Test
    void queued_tasks_stay_queued_and_pending_waiters_are_answered_at_shutdown() throws Exception {
        GateHandler gate = new GateHandler("gate");
        TaskService s = Tasks.builder().workers(1).handler(gate).shutdownGrace(Duration.ofMillis(50)).build();
        try {
            Task running = submit(s, "gate", "1");
            gate.awaitStart();
            Task queued = submit(s, "gate", "2");
            CompletableFuture<Optional<Task>> waitRunning = s.awaitTerminal(running.id(), Duration.ofMinutes(5))
                    .toCompletableFuture();
            CompletableFuture<Optional<Task>> waitQueued = s.awaitTerminal(queued.id(), Duration.ofMinutes(5))
                    .toCompletableFuture();
            assertThat(waitRunning).isNotDone();
            assertThat(waitQueued).isNotDone();

            s.close();

            assertThat(waitQueued).isDone();
            assertThat(waitQueued.get()).hasValueSatisfying(t -> {
                assertThat(t.status()).isEqualTo(TaskStatus.QUEUED);
                assertThat(t.attempts()).isZero();
            });
            assertThat(waitRunning).isDone();
            assertThat(waitRunning.get()).hasValueSatisfying(t -> assertThat(t.status()).isEqualTo(TaskStatus.QUEUED));
            assertThat(gate.runs).as("the queued task never started").hasValue(1);
        } finally {
            gate.open();
            s.close();
        }
    }

    @Test
    void submit_after_shutdown_is_rejected_as_shutting_down_and_nothing_is_stored() throws Exception {
        TaskService s = Tasks.builder().handler(Tasks.noop("noop")).build();
        s.close();
        s.close(); // idempotent

        assertThat(s.isShutdown()).isTrue();
        assertThat(s.health().accepting()).isFalse();
        assertThat(rejected(submission(s, "noop", bytes("x"), null, null)).reason())
                .isEqualTo(Rejection.SHUTTING_DOWN);
        assertThat(Tasks.all(s)).isEmpty();
    }

    @Test
    void await_terminal_after_shutdown_answers_at_once() throws Exception {
        GateHandler gate = new GateHandler("gate");
        TaskService s = Tasks.builder().handler(gate).shutdownGrace(Duration.ofMillis(50)).build();
        try {
            Task t = submit(s, "gate", "");
            gate.awaitStart();
            s.close();
            CompletableFuture<Optional<Task>> w = s.awaitTerminal(t.id(), Duration.ofMinutes(5)).toCompletableFuture();
            assertThat(w).isDone();
            assertThat(w.get()).hasValueSatisfying(x -> assertThat(x.status()).isEqualTo(TaskStatus.QUEUED));
        } finally {
            gate.open();
            s.close();
        }
    }
}
