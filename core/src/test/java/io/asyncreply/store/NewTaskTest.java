package io.asyncreply.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncreply.task.Task;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What a new task asked to start at once must be: ready at its submission, and from a named node. */
class NewTaskTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant LEASE_UNTIL = T0.plusSeconds(30);

    private static NewTask startingAtOnce(Task task, String node) {
        return new NewTask(task, new byte[0], null, null, null, node, null, LEASE_UNTIL);
    }

    @Test
    void aReadyTaskFromANamedNodeMayAskToStartAtOnce() {
        assertThat(startingAtOnce(Task.queued("a", "echo", T0), "node-a").leaseUntil()).isEqualTo(LEASE_UNTIL);
    }

    @Test
    void aDelayedOrAlreadyExpiredTaskOrOneWithoutANodeCannot() {
        Task delayed = Task.queued("a", "echo", T0).toBuilder().runAt(T0.plusMillis(1)).build();
        Task expired = Task.queued("b", "echo", T0).toBuilder().expiresAt(T0).build();

        assertThatThrownBy(() -> startingAtOnce(delayed, "node-a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> startingAtOnce(expired, "node-a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> startingAtOnce(Task.queued("c", "echo", T0), null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
