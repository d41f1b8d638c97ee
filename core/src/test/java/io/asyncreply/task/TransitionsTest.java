package io.asyncreply.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The state machine's table, row by row (docs/architecture.md shows the same table). */
class TransitionsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static Instant ms(long n) {
        return T0.plusMillis(n);
    }

    private static Task queued() {
        return Task.queued("id-1", "echo", T0);
    }

    private static Task running(int attempt) {
        return Transitions.claim(queued().toBuilder().attempts(attempt - 1).build(), ms(1)).orElseThrow().after();
    }

    @Test
    void aClaimStartsTheNextAttemptAndRecordsStarted() {
        Task before = queued().toBuilder().progress(40).error(new TaskError("last time")).build();

        Transitions.Change c = Transitions.claim(before, ms(5)).orElseThrow();

        assertThat(c.event()).isEqualTo(TaskEvent.Kind.STARTED);
        assertThat(c.before()).isSameAs(before);
        Task t = c.after();
        assertThat(t.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(t.attempts()).isEqualTo(1);
        assertThat(t.startedAt()).isEqualTo(ms(5));
        assertThat(t.runAt()).isNull();
        assertThat(t.progress()).as("progress belongs to an attempt").isNull();
        assertThat(t.error()).as("why it runs again").isEqualTo(new TaskError("last time"));
    }

    @Test
    void onlyAReadyTaskCanBeClaimed() {
        assertThat(Transitions.claim(queued().toBuilder().runAt(ms(10)).build(), ms(9))).as("not due").isEmpty();
        assertThat(Transitions.claim(queued().toBuilder().runAt(ms(10)).build(), ms(10))).as("due").isPresent();
        assertThat(Transitions.claim(queued().toBuilder().expiresAt(ms(10)).build(), ms(10))).as("expired").isEmpty();
        assertThat(Transitions.claim(running(1), ms(10))).as("running").isEmpty();
        Task done = Transitions.finish(running(1), 1, Outcome.cancelled(), ms(2)).orElseThrow().after();
        assertThat(Transitions.claim(done, ms(10))).as("terminal").isEmpty();
    }

    @Test
    void finishRecordsTheOutcomeOfTheCurrentAttemptOnly() {
        Task r = running(2);
        TaskResult result = TaskResult.json("{}");

        Transitions.Change ok = Transitions.finish(r, 2, Outcome.succeeded(result), ms(9)).orElseThrow();
        assertThat(ok.event()).isEqualTo(TaskEvent.Kind.SUCCEEDED);
        assertThat(ok.after().result()).isSameAs(result);
        assertThat(ok.after().finishedAt()).isEqualTo(ms(9));

        Transitions.Change failed = Transitions.finish(r, 2, Outcome.failed(new TaskError("no")), ms(9)).orElseThrow();
        assertThat(failed.event()).isEqualTo(TaskEvent.Kind.FAILED);
        assertThat(failed.after().error().message()).isEqualTo("no");
        assertThat(failed.after().result()).isNull();

        assertThat(Transitions.finish(r, 1, Outcome.succeeded(result), ms(9))).as("a stale attempt").isEmpty();
        assertThat(Transitions.finish(ok.after(), 2, Outcome.succeeded(result), ms(10))).as("terminal").isEmpty();
    }

    @Test
    void aRequestedCancelWinsOverWhateverTheAttemptReturns() {
        Task r = Transitions.cancel(running(1), ms(3)).change().after();
        assertThat(r.cancelRequested()).isTrue();

        assertThat(Transitions.finish(r, 1, Outcome.succeeded(TaskResult.empty()), ms(4)).orElseThrow().after().status())
                .isEqualTo(TaskStatus.CANCELLED);
        Transitions.Change requeued = Transitions.requeue(r, 1, new TaskError("x"), ms(9), ms(4)).orElseThrow();
        assertThat(requeued.after().status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(requeued.event()).isEqualTo(TaskEvent.Kind.CANCELLED);
        assertThat(Transitions.recover(r, ms(4), 5).orElseThrow().after().status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void requeueWaitsForTheNextAttemptWithTheLastError() {
        Transitions.Change c = Transitions.requeue(running(1), 1, new TaskError("try later"), ms(100), ms(4))
                .orElseThrow();

        assertThat(c.event()).isEqualTo(TaskEvent.Kind.REQUEUED);
        assertThat(c.after().status()).isEqualTo(TaskStatus.QUEUED);
        assertThat(c.after().runAt()).isEqualTo(ms(100));
        assertThat(c.after().error().message()).isEqualTo("try later");
        assertThat(c.after().attempts()).as("the attempt is counted").isEqualTo(1);
        assertThat(Transitions.requeue(running(1), 2, new TaskError("x"), ms(9), ms(4))).as("stale").isEmpty();
    }

    @Test
    void cancelEndsAQueuedTaskRequestsARunningOneAndLeavesATerminalOne() {
        Transitions.CancelDecision q = Transitions.cancel(queued(), ms(2));
        assertThat(q.outcome()).isEqualTo(CancelResult.Outcome.CANCELLED);
        assertThat(q.change().event()).isEqualTo(TaskEvent.Kind.CANCELLED);
        assertThat(q.change().after().finishedAt()).isEqualTo(ms(2));

        Transitions.CancelDecision r = Transitions.cancel(running(1), ms(2));
        assertThat(r.outcome()).isEqualTo(CancelResult.Outcome.CANCEL_REQUESTED);
        assertThat(r.change().event()).as("a request is not an event").isNull();
        assertThat(Transitions.cancel(r.change().after(), ms(3)).change()).as("asked twice: no change").isNull();

        Transitions.CancelDecision t = Transitions.cancel(q.change().after(), ms(3));
        assertThat(t.outcome()).isEqualTo(CancelResult.Outcome.ALREADY_FINISHED);
        assertThat(t.change()).isNull();
    }

    @Test
    void recoveryQueuesAgainFailsAfterTheLastAttemptOrCancels() {
        Transitions.Change again = Transitions.recover(running(2), ms(50), 3).orElseThrow();
        assertThat(again.after().status()).isEqualTo(TaskStatus.QUEUED);
        assertThat(again.after().error().code()).isEqualTo(TaskError.LEASE_EXPIRED);
        assertThat(again.after().runAt()).isEqualTo(ms(50));
        assertThat(again.event()).isEqualTo(TaskEvent.Kind.REQUEUED);

        Transitions.Change abandoned = Transitions.recover(running(3), ms(50), 3).orElseThrow();
        assertThat(abandoned.after().status()).isEqualTo(TaskStatus.FAILED);
        assertThat(abandoned.after().error().code()).isEqualTo(TaskError.ABANDONED);
        assertThat(abandoned.after().error().message()).isEqualTo(
                "Abandoned after 3 attempts whose workers stopped without finishing.");

        assertThat(Transitions.recover(queued(), ms(50), 3)).as("only a running task").isEmpty();
    }

    @Test
    void expiryEndsAQueuedTaskPastItsTimeToLiveOnly() {
        Task ttl = queued().toBuilder().expiresAt(ms(10)).build();

        assertThat(Transitions.expire(ttl, ms(9))).isEmpty();
        Transitions.Change c = Transitions.expire(ttl, ms(10)).orElseThrow();
        assertThat(c.after().status()).isEqualTo(TaskStatus.FAILED);
        assertThat(c.after().error().code()).isEqualTo(TaskError.EXPIRED);
        assertThat(c.event()).isEqualTo(TaskEvent.Kind.FAILED);
        assertThat(Transitions.expire(queued(), ms(1_000_000))).as("no time to live").isEmpty();
        assertThat(Transitions.expire(running(1).toBuilder().expiresAt(ms(1)).build(), ms(10))).as("started").isEmpty();
    }

    @Test
    void progressIsAnEventOfTheCurrentAttemptWhenItChanges() {
        Task r = running(1);
        Transitions.Change p = Transitions.progress(r, 1, 30).orElseThrow();

        assertThat(p.event()).isEqualTo(TaskEvent.Kind.PROGRESS);
        assertThat(p.after().progress()).isEqualTo(30);
        assertThat(Transitions.progress(p.after(), 1, 30)).as("unchanged").isEmpty();
        assertThat(Transitions.progress(r, 2, 30)).as("another attempt").isEmpty();
        assertThatThrownBy(() -> Transitions.progress(r, 1, 101)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void terminalTasksNeverChange() {
        Task done = Transitions.finish(running(1), 1, Outcome.succeeded(TaskResult.empty()), ms(2)).orElseThrow()
                .after();
        assertThat(Transitions.claim(done, ms(9))).isEmpty();
        assertThat(Transitions.progress(done, 1, 5)).isEmpty();
        assertThat(Transitions.finish(done, 1, Outcome.cancelled(), ms(9))).isEmpty();
        assertThat(Transitions.requeue(done, 1, new TaskError("x"), ms(9), ms(9))).isEmpty();
        assertThat(Transitions.cancel(done, ms(9)).change()).isNull();
        assertThat(Transitions.expire(done, ms(9))).isEmpty();
        assertThat(Transitions.recover(done, ms(9), 1)).isEmpty();
    }

    @Test
    void errorMessagesAreCleanedForEveryStoreAndEveryScreen() {
        assertThat(new TaskError("a\u0000b").message()).isEqualTo("a\uFFFDb");
        assertThat(new TaskError("line1\nline2\tx").message()).isEqualTo("line1\nline2\tx");
        String pair = "\uD83D\uDE00"; // one emoji, two chars
        String longText = "x".repeat(TaskError.MAX_MESSAGE_LENGTH - 1) + pair;
        assertThat(new TaskError(longText).message()).hasSize(TaskError.MAX_MESSAGE_LENGTH - 1)
                .as("not half a pair").doesNotEndWith("\uD83D");
        assertThat(new TaskError("lone \uD800 surrogate").message()).isEqualTo("lone \uFFFD surrogate");
        assertThat(new TaskError("ok " + pair).message()).isEqualTo("ok " + pair);
        assertThat(Optional.of(TaskError.of(new RuntimeException())).get().message()).isEqualTo("RuntimeException");
        assertThatThrownBy(() -> new TaskError("Bad Code", "m")).isInstanceOf(IllegalArgumentException.class);
    }
}
