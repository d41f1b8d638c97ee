package io.asyncreply.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.task.RetryPolicy;
import io.asyncreply.task.Submission;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Listeners get typed events from the log: every change, in order, with the node that made it. */
class TaskServiceEventsTest {

    /** Fails its first attempt, reports progress on the second, then succeeds. */
    private static final class SecondTime implements TaskHandler {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String type() {
            return "second-time";
        }

        @Override
        public RetryPolicy retryPolicy() {
            return new RetryPolicy(2, Duration.ZERO, Duration.ZERO, 1);
        }

        @Override
        public TaskResult handle(TaskContext context) {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("first time");
            }
            context.progress(50);
            return TaskResult.json("{\"ok\":true}");
        }
    }

    @Test
    void aListenerHearsEveryChangeOfATaskInOrderWithTheNodeThatMadeIt() throws Exception {
        List<TaskEvent> heard = Collections.synchronizedList(new ArrayList<>());
        try (TaskService s = TaskService.builder().store(new MemoryTaskStore()).handler(new SecondTime())
                .nodeId("node-1").workers(1).build()) {
            s.listen(heard::add);
            Submission sub = s.submit("second-time", new byte[0], null, null).toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            String id = ((Submission.Accepted) sub).task().id();

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(kinds(heard, id)).containsExactly(
                    TaskEvent.Kind.QUEUED, TaskEvent.Kind.STARTED, TaskEvent.Kind.REQUEUED, TaskEvent.Kind.STARTED,
                    TaskEvent.Kind.PROGRESS, TaskEvent.Kind.SUCCEEDED));
            List<TaskEvent> mine = events(heard, id);
            assertThat(mine).extracting(TaskEvent::node).containsOnly("node-1");
            assertThat(mine).extracting(TaskEvent::id).isSorted().doesNotHaveDuplicates();
            assertThat(mine.get(2).task().error().message()).isEqualTo("first time");
            assertThat(mine.get(3).task().attempts()).isEqualTo(2);
            assertThat(mine.get(5).task().progress()).isEqualTo(50);
            assertThat(s.taskEvents(id, 0, 100)).extracting(TaskEvent::id)
                    .isEqualTo(mine.stream().map(TaskEvent::id).toList());
        }
    }

    @Test
    void eventsWrittenBeforeShutdownAreDeliveredBeforeItEnds() throws Exception {
        List<TaskEvent> heard = Collections.synchronizedList(new ArrayList<>());
        TaskService s = TaskService.builder().store(new MemoryTaskStore()).handler(new SecondTime()).workers(1)
                .build();
        s.listen(heard::add);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(((Submission.Accepted) s.submit("second-time", new byte[0], null, null).toCompletableFuture()
                    .get(5, TimeUnit.SECONDS)).task().id());
        }

        s.shutdown(Duration.ofSeconds(5));

        for (String id : ids) {
            assertThat(kinds(heard, id)).as(id).startsWith(TaskEvent.Kind.QUEUED);
        }
        assertThat(heard).extracting(TaskEvent::id).doesNotHaveDuplicates();
    }

    private static List<TaskEvent> events(List<TaskEvent> all, String id) {
        synchronized (all) {
            return all.stream().filter(e -> e.taskId().equals(id)).toList();
        }
    }

    private static List<TaskEvent.Kind> kinds(List<TaskEvent> all, String id) {
        return events(all, id).stream().map(TaskEvent::kind).toList();
    }
}
