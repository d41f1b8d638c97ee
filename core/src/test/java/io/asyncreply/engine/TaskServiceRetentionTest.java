package io.asyncreply.engine;

import static io.asyncreply.engine.Tasks.accepted;
import static io.asyncreply.engine.Tasks.awaitTerminal;
import static io.asyncreply.engine.Tasks.bytes;
import static io.asyncreply.engine.Tasks.submission;
import static io.asyncreply.engine.Tasks.submit;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class TaskServiceRetentionTest {

    private static final Duration PURGE_EVERY = Duration.ofMillis(20);

    @Test
    void finished_tasks_are_purged_once_older_than_the_retention_period() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (TaskService s = Tasks.builder().clock(clock).retention(Duration.ofHours(1), 1000)
                .purgeInterval(PURGE_EVERY).handler(Tasks.noop("noop")).build()) {
            Task old = awaitTerminal(s, accepted(submission(s, "noop", bytes("a"), null, "key-a")).task().id());
            clock.advance(Duration.ofMinutes(59));
            Task young = awaitTerminal(s, submit(s, "noop", "b").id());

            clock.advance(Duration.ofMinutes(2)); // old finished 61 min ago, young 2 min ago
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> s.find(old.id()).isEmpty());
            assertThat(s.find(young.id())).isPresent();

            // the purged task's idempotency key is free again, even for another payload
            Submission.Accepted again = accepted(submission(s, "noop", bytes("other"), null, "key-a"));
            assertThat(again.replayed()).isFalse();
            assertThat(again.task().id()).isNotEqualTo(old.id());
        }
    }

    @Test
    void finished_tasks_beyond_the_retention_count_are_purged_oldest_first() throws Exception {
        try (TaskService s = Tasks.builder().retention(Duration.ofDays(1), 3).purgeInterval(PURGE_EVERY)
                .handler(Tasks.noop("noop")).build()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String key = "key-" + i;
                ids.add(awaitTerminal(s, accepted(submission(s, "noop", bytes("p" + i), null, key)).task().id()).id());
            }
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> s.find(ids.get(0)).isEmpty() && s.find(ids.get(1)).isEmpty());
            for (String id : ids.subList(2, 5)) {
                assertThat(s.find(id)).as("one of the 3 newest").isPresent();
            }
            assertThat(Tasks.all(s)).hasSize(3);

            Submission.Accepted reused = accepted(submission(s, "noop", bytes("new"), null, "key-0"));
            assertThat(reused.replayed()).isFalse();
            Submission.Accepted kept = accepted(submission(s, "noop", bytes("p4"), null, "key-4"));
            assertThat(kept.replayed()).as("a retained key still replays").isTrue();
            assertThat(kept.task().id()).isEqualTo(ids.get(4));
        }
    }

    @Test
    void queued_and_running_tasks_are_never_purged() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        GateHandler gate = new GateHandler("gate");
        // a long lease, so that moving the clock does not look like a dead worker
        try (TaskService s = Tasks.builder().clock(clock).leaseDuration(Duration.ofDays(10)).workers(1)
                .retention(Duration.ofMinutes(1), 0).purgeInterval(PURGE_EVERY).handler(gate)
                .handler(Tasks.noop("noop")).build()) {
            // Kept at most 0: it may be purged as soon as it finishes, so nobody waits for it here.
            Task finished = submit(s, "noop", "");
            Task running = submit(s, "gate", "");
            gate.awaitStart();
            Task queued = submit(s, "gate", "");

            clock.advance(Duration.ofDays(1));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> s.find(finished.id()).isEmpty());
            assertThat(s.find(running.id())).hasValueSatisfying(t -> assertThat(t.status())
                    .isEqualTo(TaskStatus.RUNNING));
            assertThat(s.find(queued.id())).hasValueSatisfying(t -> assertThat(t.status())
                    .isEqualTo(TaskStatus.QUEUED));

            gate.open();
            // Kept at most 0: it may be purged the moment it finishes, before a wait could begin.
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> s.find(queued.id()).map(Task::isTerminal).orElse(true));
        }
    }
}
