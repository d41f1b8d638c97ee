package io.asyncreply.engine;

import static io.asyncreply.engine.Tasks.awaitTerminal;
import static io.asyncreply.engine.Tasks.find;
import static io.asyncreply.engine.Tasks.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncreply.task.CancelResult;
import io.asyncreply.task.RetryPolicy;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class TaskServiceRetryTest {

    @Test
    void a_failing_task_is_retried_until_it_succeeds_and_its_attempts_are_counted() throws Exception {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        TaskHandler flaky = Tasks.handler("flaky", new RetryPolicy(3, Duration.ZERO, Duration.ZERO, 1), ctx -> {
            attempts.add(ctx.attempt());
            if (ctx.attempt() < 3) {
                throw new IllegalStateException("attempt " + ctx.attempt() + " failed");
            }
            return TaskResult.json("{}");
        });
        try (TaskService s = Tasks.builder().handler(flaky).build()) {
            Task done = awaitTerminal(s, submit(s, "flaky", "").id());
            assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(done.attempts()).isEqualTo(3);
            assertThat(done.error()).isNull();
            assertThat(attempts).containsExactly(1, 2, 3);
        }
    }

    @Test
    void a_task_failing_every_attempt_ends_failed_after_max_attempts_with_the_last_error() throws Exception {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        TaskHandler broken = Tasks.handler("broken", new RetryPolicy(3, Duration.ZERO, Duration.ZERO, 1), ctx -> {
            attempts.add(ctx.attempt());
            throw new IllegalStateException("attempt " + ctx.attempt() + " failed");
        });
        try (TaskService s = Tasks.builder().handler(broken).build()) {
            Task done = awaitTerminal(s, submit(s, "broken", "").id());
            assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(done.attempts()).isEqualTo(3);
            assertThat(done.error().message()).isEqualTo("attempt 3 failed");
            assertThat(attempts).containsExactly(1, 2, 3);
        }
    }

    /**
     * A handler's failure message is logged (INFO), and it is the handler's text, maybe a client's:
     * a newline in it once started a second, forged log record. The log line escapes it; the task's
     * error keeps it as it was said.
     */
    @Test
    void a_failure_message_with_line_breaks_is_logged_on_one_line() throws Exception {
        String forged = "boom\nDec 01, 2026 4:20:24 PM io.asyncreply.engine.Admission x\r\nSEVERE: admin password reset";
        TaskHandler liar = Tasks.handler("liar", ctx -> {
            throw new IllegalStateException(forged);
        });
        java.util.logging.Logger completer = java.util.logging.Logger.getLogger(Completer.class.getName());
        List<String> lines = new CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                lines.add(new java.util.logging.SimpleFormatter().formatMessage(r));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        completer.addHandler(capture);
        try (TaskService s = Tasks.builder().handler(liar).build()) {
            Task done = awaitTerminal(s, submit(s, "liar", "").id());

            assertThat(done.error().message()).isEqualTo(forged);
        } finally {
            completer.removeHandler(capture);
        }
        assertThat(lines).filteredOn(l -> l.contains("boom")).singleElement().satisfies(l -> assertThat(l)
                .doesNotContain("\n").doesNotContain("\r").contains("boom\\nDec 01").contains("\\r\\nSEVERE"));
    }

    @Test
    void without_a_retry_policy_a_failure_is_final_after_one_attempt() throws Exception {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        TaskHandler once = Tasks.handler("once", ctx -> {
            attempts.add(ctx.attempt());
            throw new IllegalStateException("no");
        });
        try (TaskService s = Tasks.builder().handler(once).build()) {
            Task done = awaitTerminal(s, submit(s, "once", "").id());
            assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(done.attempts()).isEqualTo(1);
            assertThat(attempts).containsExactly(1);
        }
    }

    @Test
    void while_waiting_for_its_retry_a_task_is_queued_with_the_last_error_visible() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        RetryPolicy anHourLater = new RetryPolicy(2, Duration.ofHours(1), Duration.ofHours(1), 2);
        TaskHandler flaky = Tasks.handler("flaky", anHourLater, ctx -> {
            attempts.add(ctx.attempt());
            if (ctx.attempt() == 1) {
                throw new IllegalStateException("the first try failed");
            }
            return null;
        });
        // The clock stands still, so the retry is not due until the test moves it; idle workers
        // look for due work every 10 ms.
        try (TaskService s = Tasks.builder().clock(clock).pollInterval(Duration.ofMillis(10)).handler(flaky)
                .build()) {
            Task t = submit(s, "flaky", "");
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> find(s, t.id()).attempts() == 1 && find(s, t.id()).status() == TaskStatus.QUEUED);

            Task waiting = find(s, t.id());
            assertThat(waiting.error().message()).isEqualTo("the first try failed");
            assertThat(waiting.finishedAt()).isNull();
            assertThat(waiting.runAt()).isBetween(clock.instant().plus(Duration.ofMinutes(30)),
                    clock.instant().plus(Duration.ofHours(1)));
            assertThat(s.store().queued()).isEqualTo(1);
            assertThat(attempts).containsExactly(1);

            clock.advance(Duration.ofHours(2));
            Task done = awaitTerminal(s, t.id());
            assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(done.attempts()).isEqualTo(2);
            assertThat(done.error()).isNull();
            assertThat(attempts).containsExactly(1, 2);
        }
    }

    @Test
    void cancelling_a_task_that_waits_for_its_retry_ends_it_cancelled() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        TaskHandler failing = Tasks.handler("failing", RetryPolicy.exponential(5, Duration.ofHours(1)), ctx -> {
            throw new IllegalStateException("no");
        });
        try (TaskService s = Tasks.builder().clock(clock).handler(failing).build()) {
            Task t = submit(s, "failing", "");
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> find(s, t.id()).attempts() == 1 && find(s, t.id()).status() == TaskStatus.QUEUED);
            assertThat(s.cancel(t.id()).outcome()).isEqualTo(CancelResult.Outcome.CANCELLED);
            assertThat(find(s, t.id()).status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(s.store().queued()).isZero();
        }
    }

    // ---------------------------------------------------------------- the policy itself

    private static final RandomGenerator LOWEST = () -> 0L; // nextDouble() == 0.0
    private static final RandomGenerator HIGHEST = () -> -1L; // nextDouble() == 1 - 2^-53: full delay

    @Test
    void the_delay_grows_exponentially_with_jitter_between_half_and_all_of_it() {
        RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1), 2.0);
        assertThat(p.delayAfter(1, LOWEST)).isEqualTo(Duration.ofMillis(50));
        assertThat(p.delayAfter(1, HIGHEST)).isEqualTo(Duration.ofMillis(100));
        assertThat(p.delayAfter(3, LOWEST)).isEqualTo(Duration.ofMillis(200));
        assertThat(p.delayAfter(3, HIGHEST)).isEqualTo(Duration.ofMillis(400));
        assertThat(p.delayAfter(9, HIGHEST)).as("capped").isEqualTo(Duration.ofSeconds(1));
        assertThat(p.delayAfter(9, LOWEST)).isEqualTo(Duration.ofMillis(500));
        assertThat(RetryPolicy.exponential(5, Duration.ofHours(1)).delayAfter(1, HIGHEST))
                .as("exponential() caps every delay at 10 minutes").isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void max_attempts_counts_every_attempt_including_the_first() {
        RetryPolicy p = RetryPolicy.exponential(3, Duration.ofSeconds(1));
        assertThat(p.allowsAnotherAfter(1)).isTrue();
        assertThat(p.allowsAnotherAfter(2)).isTrue();
        assertThat(p.allowsAnotherAfter(3)).isFalse();
        assertThat(RetryPolicy.none().allowsAnotherAfter(1)).isFalse();
    }

    @Test
    void a_policy_with_impossible_values_is_refused() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(2, Duration.ofMillis(-1), Duration.ZERO, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(2, Duration.ZERO, Duration.ZERO, 0.5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
