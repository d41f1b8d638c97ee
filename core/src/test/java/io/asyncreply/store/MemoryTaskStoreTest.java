package io.asyncreply.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Task;
import org.junit.jupiter.api.Test;

/** The store contract on the in-memory store, and what only this store promises. */
class MemoryTaskStoreTest extends TaskStoreContract {
    @Override
    protected TaskStore createStore() {
        return new MemoryTaskStore();
    }

    /** The hint that spares a worker wake-up: this store knows, so it says false when nothing is queued. */
    @Test
    void mayHaveQueuedIsFalseOnceEveryQueuedTaskIsClaimedOrCancelled() throws Exception {
        assertThat(store.mayHaveQueued()).as("empty").isFalse();
        submit(T0);
        Task second = submit(ms(1));

        claim("node-a", ms(2));
        assertThat(store.mayHaveQueued()).as("one left").isTrue();
        assertThat(store.cancel(second.id(), ms(3)).outcome()).isEqualTo(CancelResult.Outcome.CANCELLED);

        assertThat(store.mayHaveQueued()).as("none left").isFalse();
    }
}
