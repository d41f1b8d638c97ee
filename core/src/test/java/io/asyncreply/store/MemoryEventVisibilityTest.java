package io.asyncreply.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.engine.SubmitRequest;
import io.asyncreply.engine.TaskService;
import io.asyncreply.handlers.EchoHandler;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A reader that sees a task's new row must find the event of that change: an event stream resumed
 * after a task's last-but-one event reads the row (terminal) and then the events after the id, and
 * answers "finished, nothing more" when there are none. When the memory store swapped the row before
 * it added the event, that reader lost the terminal event (EventHubTest saw it in CI).
 */
class MemoryEventVisibilityTest {

    @Test
    void aTaskSeenTerminalAlreadyHasItsTerminalEvent() {
        MemoryTaskStore store = new MemoryTaskStore();
        try (TaskService service = TaskService.builder().store(store).workers(2).shutdownGrace(Duration.ofSeconds(2))
                .handlers(List.of(new EchoHandler())).build()) {
            for (int i = 0; i < 3_000; i++) {
                Submission s = service.submit(SubmitRequest.of("echo", new byte[0])).toCompletableFuture().join();
                String id = ((Submission.Accepted) s).task().id();
                // Reads as fast as it can while a worker finishes the task: the window between the
                // row's swap and its event is a few instructions wide, so this spins on purpose.
                Task seen;
                do {
                    seen = store.find(id).orElseThrow();
                } while (!seen.isTerminal());
                List<TaskEvent> events = store.taskEvents(id, 0, 100);
                assertThat(events).as("events of a task seen %s", seen.status()).isNotEmpty();
                assertThat(events.get(events.size() - 1).kind().isTerminal())
                        .as("the last event of a task seen %s is terminal", seen.status()).isTrue();
            }
        }
    }
}
