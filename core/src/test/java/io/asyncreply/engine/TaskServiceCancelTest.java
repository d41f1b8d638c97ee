package io.asyncreply.engine;

import static io.asyncreply.engine.Tasks.awaitTerminal;
import static io.asyncreply.engine.Tasks.find;
import static io.asyncreply.engine.Tasks.submit;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TaskServiceCancelTest {

    @Test
    void cancelling_a_queued_task_means_it_never_runs() throws Exception {
        GateHandler gate = new GateHandler("gate");
        AtomicInteger counted = new AtomicInteger();
        TaskHandler count = Tasks.handler("count", ctx -> {
            counted.incrementAndGet();
            return null;
        });
        try (TaskService s = Tasks.builder().workers(1).handler(gate).handler(count).build()) {
            Task blocker = submit(s, "gate", "");
            gate.awaitStart();
            Task victim = submit(s, "count", "victim");

            CancelResult r = s.cancel(victim.id());
            assertThat(r.outcome()).isEqualTo(CancelResult.Outcome.CANCELLED);
            assertThat(r.task().status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(r.task().finishedAt()).isNotNull();
            assertThat(s.store().queued()).isZero();

            gate.open();
            awaitTerminal(s, blocker.id());
            // one worker, FIFO: had the victim been runnable it would have run before this one
            Task after = submit(s, "count", "after");
            assertThat(awaitTerminal(s, after.id()).status()).isEqualTo(TaskStatus.SUCCEEDED);

            assertThat(counted).hasValue(1);
            Task v = find(s, victim.id());
            assertThat(v.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(v.attempts()).isZero();
            assertThat(v.startedAt()).isNull();
            assertThat(v.result()).isNull();
        }
    }

    @Test
    void cancelling_a_running_task_interrupts_its_handler_and_it_ends_cancelled() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().handler(gate).build()) {
            Task t = submit(s, "gate", "");
            gate.awaitStart();

            CancelResult r = s.cancel(t.id());
            assertThat(r.outcome()).isEqualTo(CancelResult.Outcome.CANCEL_REQUESTED);
            assertThat(r.task().status()).isEqualTo(TaskStatus.RUNNING);
            assertThat(r.task().cancelRequested()).isTrue();

            assertThat(gate.awaitInterrupt()).isEqualTo(t.id());
            Task done = awaitTerminal(s, t.id());
            assertThat(done.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(done.result()).isNull();
            assertThat(done.error()).isNull();
            assertThat(done.finishedAt()).isNotNull();
        }
    }

    @Test
    void a_cancelled_running_task_ends_cancelled_even_if_its_handler_then_returns_normally() throws Exception {
        GateHandler stubborn = new GateHandler("stubborn", true);
        try (TaskService s = Tasks.builder().handler(stubborn).build()) {
            Task t = submit(s, "stubborn", "");
            stubborn.awaitStart();

            assertThat(s.cancel(t.id()).outcome()).isEqualTo(CancelResult.Outcome.CANCEL_REQUESTED);

            assertThat(stubborn.awaitInterrupt()).isEqualTo(t.id());
            Task done = awaitTerminal(s, t.id());
            assertThat(stubborn.returned).as("the handler returned a result").contains(t.id());
            assertThat(done.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(done.result()).isNull();
        }
    }

    @Test
    void cancelling_a_running_task_twice_still_answers_cancel_requested() throws Exception {
        GateHandler stubborn = new GateHandler("stubborn", true);
        try (TaskService s = Tasks.builder().handler(stubborn).build()) {
            Task t = submit(s, "stubborn", "");
            stubborn.awaitStart();
            // A first cancel request recorded in the store only (as another node would): no interrupt
            // here, so the task is still running when the service is asked to cancel it again.
            assertThat(s.store().cancel(t.id(), java.time.Instant.now()).outcome())
                    .isEqualTo(CancelResult.Outcome.CANCEL_REQUESTED);
            assertThat(s.cancel(t.id()).outcome()).isEqualTo(CancelResult.Outcome.CANCEL_REQUESTED);
            assertThat(awaitTerminal(s, t.id()).status()).isEqualTo(TaskStatus.CANCELLED);
        }
    }

    @Test
    void the_interrupt_of_a_cancel_does_not_leak_into_the_next_task_on_that_worker() throws Exception {
        GateHandler stubborn = new GateHandler("stubborn", true);
        TaskHandler probe = Tasks.handler("probe", ctx -> TaskResult.of(
                String.valueOf(Thread.currentThread().isInterrupted()).getBytes(StandardCharsets.UTF_8),
                "text/plain"));
        try (TaskService s = Tasks.builder().workers(1).handler(stubborn).handler(probe).build()) {
            Task t = submit(s, "stubborn", "");
            stubborn.awaitStart();
            Task next = submit(s, "probe", "");
            s.cancel(t.id());
            assertThat(awaitTerminal(s, t.id()).status()).isEqualTo(TaskStatus.CANCELLED);
            Task p = awaitTerminal(s, next.id());
            assertThat(p.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(new String(p.result().bytes(), StandardCharsets.UTF_8)).isEqualTo("false");
        }
    }

    @Test
    void cancelling_a_terminal_task_answers_already_finished_and_changes_nothing() throws Exception {
        TaskHandler fails = Tasks.handler("fails", ctx -> {
            throw new IllegalStateException("no");
        });
        try (TaskService s = Tasks.builder().handler(Tasks.noop("noop")).handler(fails).build()) {
            for (String type : new String[] {"noop", "fails"}) {
                Task done = awaitTerminal(s, submit(s, type, "").id());
                CancelResult r = s.cancel(done.id());
                assertThat(r.outcome()).isEqualTo(CancelResult.Outcome.ALREADY_FINISHED);
                assertThat(r.task()).isEqualTo(done);
                assertThat(find(s, done.id())).isEqualTo(done);
            }
            Task cancelledEarlier = submit(s, "noop", "");
            s.cancel(cancelledEarlier.id());
            Task c = awaitTerminal(s, cancelledEarlier.id());
            assertThat(s.cancel(c.id()).outcome()).isEqualTo(CancelResult.Outcome.ALREADY_FINISHED);
        }
    }

    @Test
    void cancelling_an_unknown_or_malformed_id_answers_not_found() {
        try (TaskService s = Tasks.builder().handler(Tasks.noop("noop")).build()) {
            for (String id : new String[] {"AAAAAAAAAAAAAAAAAAAAAA", "short", "a/b", "", null,
                    "AAAAAAAAAAAAAAAAAAAAA=", "AAAAAAAAAAAAAAAAAAAAAAA"}) {
                CancelResult r = s.cancel(id);
                assertThat(r.outcome()).as("cancel(%s)", id).isEqualTo(CancelResult.Outcome.NOT_FOUND);
                assertThat(r.task()).isNull();
            }
        }
    }
}
