package io.asyncreply.engine;

import static io.asyncreply.engine.Tasks.accepted;
import static io.asyncreply.engine.Tasks.awaitTerminal;
import static io.asyncreply.engine.Tasks.bytes;
import static io.asyncreply.engine.Tasks.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.task.Rejection;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.webhooks.Delivery;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A retry by hand carries the original's callback over: the new task's terminal event gets a
 * delivery of its own, and the callback is judged again by the {@link CallbackCheck} at the retry.
 */
class TaskServiceRetryCallbackTest {
    private static final String HOOK = "https://hooks.example.com/done";

    private final MemoryTaskStore store = new MemoryTaskStore();
    private final AtomicBoolean fail = new AtomicBoolean(true);
    private final AtomicReference<String> refusal = new AtomicReference<>();

    private TaskService service() {
        return Tasks.builder().store(store).callbackCheck(url -> refusal.get())
                .handler(Tasks.handler("flaky", ctx -> {
                    if (fail.get()) {
                        throw new IllegalStateException("down");
                    }
                    return TaskResult.empty();
                })).build();
    }

    private static Submission retry(TaskService s, String id) throws Exception {
        return s.retry(id, null).orElseThrow().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private Task failedWithCallback(TaskService s) throws Exception {
        Task first = accepted(s.submit(SubmitRequest.of("flaky", bytes("x")).callback(HOOK))
                .toCompletableFuture().get(5, TimeUnit.SECONDS)).task();
        assertThat(awaitTerminal(s, first.id()).status()).isEqualTo(TaskStatus.FAILED);
        return first;
    }

    private List<Delivery> deliveries() {
        Instant later = Instant.now().plusSeconds(3600);
        return store.webhooks().claim("test", later, later.plusSeconds(60), 100);
    }

    @Test
    void aRetriedTasksTerminalEventIsDeliveredToTheOriginalsCallback() throws Exception {
        try (TaskService s = service()) {
            Task first = failedWithCallback(s);
            fail.set(false);

            Task second = accepted(retry(s, first.id())).task();

            assertThat(awaitTerminal(s, second.id()).status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(deliveries()).extracting(Delivery::taskId, Delivery::event, Delivery::url,
                    Delivery::subscriptionId).containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple(first.id(), "failed", HOOK, null),
                            org.assertj.core.groups.Tuple.tuple(second.id(), "succeeded", HOOK, null));
        }
    }

    @Test
    void aRetryWhoseCallbackIsRefusedNowIsRejectedAsASubmissionWouldBeAndQueuesNothing() throws Exception {
        try (TaskService s = service()) {
            Task first = failedWithCallback(s);
            refusal.set("hooks.example.com is not allowed.");

            Submission.Rejected no = rejected(retry(s, first.id()));

            assertThat(no.reason()).isEqualTo(Rejection.INVALID_OPTION);
            assertThat(no.detail()).isEqualTo("Option 'callback': hooks.example.com is not allowed.");
            assertThat(Tasks.all(s)).extracting(Task::id).containsExactly(first.id());
        }
    }
}
