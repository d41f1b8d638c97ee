package io.asyncreply.engine;

import static io.asyncreply.engine.Tasks.awaitTerminal;
import static io.asyncreply.engine.Tasks.bytes;
import static io.asyncreply.engine.Tasks.rejected;
import static io.asyncreply.engine.Tasks.submission;
import static io.asyncreply.engine.Tasks.submit;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.store.StoreException;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Health;
import io.asyncreply.task.Rejection;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskStatus;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What the service does when its store fails: refuse cleanly, report it, keep working after. */
class TaskServiceStoreFailureTest {

    /**
     * A memory store that can be told to fail inserts (at once or in the stage) and pings. A proxy,
     * so that it keeps compiling when the SPI grows.
     */
    private static final class FlakyStore implements InvocationHandler {
        final MemoryTaskStore delegate = new MemoryTaskStore();
        final TaskStore store = (TaskStore) Proxy.newProxyInstance(TaskStore.class.getClassLoader(),
                new Class<?>[] {TaskStore.class}, this);
        volatile boolean throwOnInsert;
        volatile boolean failInsertStage;
        volatile boolean down;

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            if (m.getName().equals("insert")) {
                if (throwOnInsert) {
                    throw new StoreException("connection refused");
                }
                if (failInsertStage) {
                    return CompletableFuture.failedFuture(new StoreException("commit failed"));
                }
            }
            if (m.getName().equals("ping") && down) {
                throw new StoreException("unreachable");
            }
            try {
                return m.invoke(delegate, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    @Test
    void a_store_that_cannot_insert_is_a_store_unavailable_rejection_and_the_service_recovers() throws Exception {
        FlakyStore store = new FlakyStore();
        try (TaskService s = TaskService.builder().store(store.store).handler(Tasks.noop("noop")).build()) {
            store.throwOnInsert = true;
            Submission.Rejected thrown = rejected(submission(s, "noop", bytes("x"), null, "key"));
            assertThat(thrown.reason()).isEqualTo(Rejection.STORE_UNAVAILABLE);
            assertThat(thrown.detail()).doesNotContain("connection refused");

            store.throwOnInsert = false;
            store.failInsertStage = true;
            assertThat(rejected(submission(s, "noop", bytes("x"), null, "key")).reason())
                    .isEqualTo(Rejection.STORE_UNAVAILABLE);
            assertThat(Tasks.all(s)).isEmpty();

            store.failInsertStage = false;
            Task t = Tasks.accepted(submission(s, "noop", bytes("x"), null, "key")).task();
            assertThat(awaitTerminal(s, t.id()).status()).isEqualTo(TaskStatus.SUCCEEDED);
        }
    }

    @Test
    void health_is_down_while_the_store_is_unreachable() throws Exception {
        FlakyStore store = new FlakyStore();
        try (TaskService s = TaskService.builder().store(store.store).handler(Tasks.noop("noop")).build()) {
            assertThat(s.health().isUp()).isTrue();
            store.down = true;
            Health h = s.health();
            assertThat(h.isUp()).isFalse();
            assertThat(h.storeUp()).isFalse();
            assertThat(h.queued()).isEqualTo(-1);
            assertThat(h.storeError()).isNotBlank();
            store.down = false;
            assertThat(s.health().isUp()).isTrue();
            assertThat(awaitTerminal(s, submit(s, "noop", "").id()).status()).isEqualTo(TaskStatus.SUCCEEDED);
        }
    }
}
