package io.asyncreply.engine;

import static io.asyncreply.engine.Tasks.awaitTerminal;
import static io.asyncreply.engine.Tasks.bytes;
import static io.asyncreply.engine.Tasks.find;
import static io.asyncreply.engine.Tasks.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TaskServiceStateMachineTest {

    @Test
    void a_task_goes_from_queued_to_running_to_succeeded_with_its_times_and_attempts() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().handler(gate).build()) {
            Task accepted = submit(s, "gate", "payload");
            assertThat(accepted.status()).isEqualTo(TaskStatus.QUEUED);
            assertThat(accepted.type()).isEqualTo("gate");
            assertThat(accepted.attempts()).isZero();
            assertThat(accepted.submittedAt()).isNotNull();
            assertThat(accepted.startedAt()).isNull();
            assertThat(accepted.finishedAt()).isNull();
            assertThat(accepted.result()).isNull();
            assertThat(Ids.isWellFormed(accepted.id())).isTrue();

            assertThat(gate.awaitStart()).isEqualTo(accepted.id());
            Task running = find(s, accepted.id());
            assertThat(running.status()).isEqualTo(TaskStatus.RUNNING);
            assertThat(running.attempts()).isEqualTo(1);
            assertThat(running.startedAt()).isNotNull().isAfterOrEqualTo(running.submittedAt());
            assertThat(running.finishedAt()).isNull();

            gate.open();
            Task done = awaitTerminal(s, accepted.id());
            assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(done.attempts()).isEqualTo(1);
            assertThat(done.startedAt()).isEqualTo(running.startedAt());
            assertThat(done.finishedAt()).isNotNull().isAfterOrEqualTo(done.startedAt());
            assertThat(done.error()).isNull();
            assertThat(new String(done.result().bytes(), StandardCharsets.UTF_8)).isEqualTo("done " + done.id());
            assertThat(done.result().contentType()).isEqualTo("text/plain");
            assertThat(find(s, done.id())).isEqualTo(done);
        }
    }

    @Test
    void a_task_stays_queued_while_every_worker_is_busy() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().workers(1).handler(gate).build()) {
            Task first = submit(s, "gate", "1");
            gate.awaitStart();
            Task second = submit(s, "gate", "2");

            Task waiting = find(s, second.id());
            assertThat(waiting.status()).isEqualTo(TaskStatus.QUEUED);
            assertThat(waiting.attempts()).isZero();
            assertThat(waiting.startedAt()).isNull();
            assertThat(s.health().queued()).isEqualTo(1);
            assertThat(s.health().running()).isEqualTo(1);

            gate.open();
            assertThat(awaitTerminal(s, first.id()).status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(awaitTerminal(s, second.id()).status()).isEqualTo(TaskStatus.SUCCEEDED);
        }
    }

    @Test
    void a_handler_that_throws_ends_failed_with_its_message_and_no_result() throws Exception {
        TaskHandler h = Tasks.handler("boom", ctx -> {
            throw new IllegalStateException("the disk is full");
        });
        try (TaskService s = Tasks.builder().handler(h).build()) {
            Task t = awaitTerminal(s, submit(s, "boom", "").id());
            assertThat(t.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(t.error().message()).isEqualTo("the disk is full");
            assertThat(t.result()).isNull();
            assertThat(t.attempts()).isEqualTo(1);
            assertThat(t.finishedAt()).isNotNull();
        }
    }

    @Test
    void a_failure_without_a_message_is_reported_by_its_class_name() throws Exception {
        TaskHandler h = Tasks.handler("npe", ctx -> {
            throw new NullPointerException();
        });
        try (TaskService s = Tasks.builder().handler(h).build()) {
            Task t = awaitTerminal(s, submit(s, "npe", "").id());
            assertThat(t.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(t.error().message()).isEqualTo("NullPointerException");
        }
    }

    @Test
    void a_handler_returning_null_succeeds_with_an_empty_result() throws Exception {
        try (TaskService s = Tasks.builder().handler(Tasks.handler("nothing", ctx -> null)).build()) {
            Task t = awaitTerminal(s, submit(s, "nothing", "").id());
            assertThat(t.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(t.result().bytes()).isEmpty();
            assertThat(t.result().contentType()).isEqualTo("application/octet-stream");
        }
    }

    @Test
    void the_handler_sees_the_tasks_id_type_payload_content_type_and_attempt() throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        TaskHandler h = Tasks.handler("look", ctx -> {
            seen.complete(ctx.taskId() + "|" + ctx.type() + "|" + new String(ctx.payload(), StandardCharsets.UTF_8)
                    + "|" + ctx.contentType() + "|" + ctx.attempt() + "|" + ctx.isCancelled());
            return null;
        });
        try (TaskService s = Tasks.builder().handler(h).build()) {
            Task t = Tasks.accepted(Tasks.submission(s, "look", bytes("hello"), "text/x-greeting", null)).task();
            assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(t.id() + "|look|hello|text/x-greeting|1|false");
        }
    }

    @Test
    void progress_reported_by_the_handler_is_visible_while_it_runs_and_kept_at_the_end() throws Exception {
        CountDownLatch reported = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        CompletableFuture<Throwable> outOfRange = new CompletableFuture<>();
        TaskHandler h = Tasks.handler("progress", ctx -> {
            ctx.progress(40);
            try {
                ctx.progress(101);
                outOfRange.complete(null);
            } catch (IllegalArgumentException e) {
                outOfRange.complete(e);
            }
            reported.countDown();
            proceed.await(10, TimeUnit.SECONDS);
            ctx.progress(90);
            return null;
        });
        try (TaskService s = Tasks.builder().handler(h).build()) {
            Task t = submit(s, "progress", "");
            assertThat(reported.await(10, TimeUnit.SECONDS)).isTrue();
            Task running = find(s, t.id());
            assertThat(running.status()).isEqualTo(TaskStatus.RUNNING);
            assertThat(running.progress()).isEqualTo(40);
            assertThat(outOfRange.get(1, TimeUnit.SECONDS)).isInstanceOf(IllegalArgumentException.class);

            proceed.countDown();
            Task done = awaitTerminal(s, t.id());
            assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(done.progress()).isEqualTo(90);
        }
    }

    @Test
    void a_terminal_task_never_changes_again() throws Exception {
        try (TaskService s = Tasks.builder().handler(Tasks.noop("noop")).build()) {
            Task done = awaitTerminal(s, submit(s, "noop", "").id());
            assertThat(s.cancel(done.id()).outcome()).isEqualTo(CancelResult.Outcome.ALREADY_FINISHED);
            assertThat(find(s, done.id())).isEqualTo(done);
        }
    }

    @Test
    void find_of_an_unknown_or_malformed_id_is_empty() {
        try (TaskService s = Tasks.builder().handler(Tasks.noop("noop")).build()) {
            assertThat(s.find("AAAAAAAAAAAAAAAAAAAAAA")).isEmpty();
            assertThat(s.find("not-an-id")).isEmpty();
            assertThat(s.find("../../etc/passwd")).isEmpty();
            assertThat(s.find(null)).isEmpty();
        }
    }

    @Test
    void list_answers_newest_first_and_filters_by_status_and_type() throws Exception {
        try (TaskService s = Tasks.builder().handler(Tasks.noop("a")).handler(Tasks.noop("b")).build()) {
            Task a1 = awaitTerminal(s, submit(s, "a", "").id());
            Task b1 = awaitTerminal(s, submit(s, "b", "").id());
            Task a2 = awaitTerminal(s, submit(s, "a", "").id());

            assertThat(Tasks.map(Tasks.all(s), Task::id)).containsExactly(a2.id(), b1.id(), a1.id());
            TaskPage page = s.list(new TaskQuery(TaskStatus.SUCCEEDED, "a", 1, null));
            assertThat(Tasks.map(page.items(), Task::id)).containsExactly(a2.id());
            TaskPage next = s.list(new TaskQuery(TaskStatus.SUCCEEDED, "a", 1, page.next()));
            assertThat(Tasks.map(next.items(), Task::id)).containsExactly(a1.id());
            assertThat(next.next()).isNull();
            assertThat(s.list(new TaskQuery(TaskStatus.FAILED, null, 10, null)).items()).isEmpty();
            assertThatThrownBy(() -> s.list(new TaskQuery(null, null, 10, "garbage!"))).isInstanceOf(
                    IllegalArgumentException.class);
        }
    }
}
