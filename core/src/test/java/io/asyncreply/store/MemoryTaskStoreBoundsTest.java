package io.asyncreply.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Task;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Memory of the in-memory store stays bounded when nothing claims (all workers busy). */
class MemoryTaskStoreBoundsTest {
    private static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");

    private static NewTask task(String id, Instant runAt) {
        Task t = Task.queued(id, "echo", T0);
        if (runAt != null) {
            t = new Task(id, "echo", t.status(), T0, null, null, 0, null, null, null, false, runAt);
        }
        return new NewTask(t, new byte[1024], null, null, null);
    }

    @Test
    void cancelled_queued_tasks_leave_nothing_waiting_to_be_claimed() {
        MemoryTaskStore store = new MemoryTaskStore();
        for (int i = 0; i < 5_000; i++) {
            String id = String.format("id%020d", i);
            store.insert(task(id, i % 2 == 0 ? null : T0.plusSeconds(60)), 10).toCompletableFuture().join();
            assertThat(store.cancel(id, T0).outcome()).isEqualTo(CancelResult.Outcome.CANCELLED);
        }
        assertThat(store.queued()).isZero();
        assertThat(store.indexedForClaim()).isZero();
        assertThat(store.purge(T0.plusSeconds(1), 0)).isEqualTo(5_000);
        assertThat(store.claim("n", T0.plusSeconds(120), T0.plusSeconds(150))).isEmpty();
    }

    @Test
    void finished_tasks_drop_their_payload_and_their_results_are_purged_oldest_first_beyond_the_byte_bound() {
        MemoryTaskStore store = new MemoryTaskStore(1000, 3L << 20); // results of at most 3 MiB
        for (int i = 0; i < 10; i++) {
            String id = String.format("id%020d", i);
            store.insert(new NewTask(Task.queued(id, "echo", T0.plusMillis(i)), new byte[1 << 20], null, null, null),
                    100).toCompletableFuture().join();
            ClaimedTask c = store.claim("n", T0.plusSeconds(1), T0.plusSeconds(60)).orElseThrow();
            store.finish(c.task().id(), c.attempt(), io.asyncreply.task.Outcome.succeeded(
                    io.asyncreply.task.TaskResult.of(new byte[1 << 20], "application/octet-stream")),
                    T0.plusSeconds(2).plusMillis(i));
        }
        assertThat(store.retainedBytes()).isEqualTo(10L << 20);

        int purged = store.purge(T0, Long.MAX_VALUE); // no task is old enough, and no count bound

        assertThat(purged).isEqualTo(7);
        assertThat(store.retainedBytes()).isEqualTo(3L << 20);
        assertThat(store.find(String.format("id%020d", 6))).isEmpty();
        assertThat(store.find(String.format("id%020d", 7))).isPresent();
    }
}
