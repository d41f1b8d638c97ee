package io.asyncreply.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.task.RetryPolicy;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Helpers shared by the TaskService tests. */
final class Tasks {
    private Tasks() {
    }

    /** A builder on a fresh memory store, with a short grace so that a failing test does not hang at close. */
    static TaskService.Builder builder() {
        return TaskService.builder().store(new MemoryTaskStore()).shutdownGrace(Duration.ofSeconds(2));
    }

    /** A handler of {@code type} whose work is {@code work}. */
    static TaskHandler handler(String type, Work work) {
        return new TaskHandler() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public TaskResult handle(TaskContext context) throws Exception {
                return work.run(context);
            }
        };
    }

    /** A handler whose work is {@code work} and whose retries follow {@code policy}. */
    static TaskHandler handler(String type, RetryPolicy policy, Work work) {
        return new TaskHandler() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public RetryPolicy retryPolicy() {
                return policy;
            }

            @Override
            public TaskResult handle(TaskContext context) throws Exception {
                return work.run(context);
            }
        };
    }

    /** A handler that returns "ok" at once. */
    static TaskHandler noop(String type) {
        return handler(type, ctx -> TaskResult.of(bytes("ok"), "text/plain"));
    }

    @FunctionalInterface
    interface Work {
        TaskResult run(TaskContext context) throws Exception;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Submission submission(TaskService s, String type, byte[] payload, String contentType, String key)
            throws Exception {
        return s.submit(type, payload, contentType, key).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    /** Submits and asserts acceptance; returns the accepted snapshot. */
    static Task submit(TaskService s, String type, String payload) throws Exception {
        return accepted(submission(s, type, bytes(payload), null, null)).task();
    }

    static Submission.Accepted accepted(Submission sub) {
        assertThat(sub).isInstanceOf(Submission.Accepted.class);
        return (Submission.Accepted) sub;
    }

    static Submission.Rejected rejected(Submission sub) {
        assertThat(sub).isInstanceOf(Submission.Rejected.class);
        return (Submission.Rejected) sub;
    }

    /** Waits (up to 10 s) until the task is terminal; returns it. */
    static Task awaitTerminal(TaskService s, String id) throws Exception {
        Optional<Task> t = s.awaitTerminal(id, Duration.ofSeconds(10)).toCompletableFuture()
                .get(15, TimeUnit.SECONDS);
        assertThat(t).isPresent();
        assertThat(t.get().isTerminal()).as("task %s terminal: %s", id, t.get()).isTrue();
        return t.get();
    }

    static Task find(TaskService s, String id) {
        return s.find(id).orElseThrow(() -> new AssertionError("task " + id + " not found"));
    }

    /** Every task in the store, following cursors. */
    static List<Task> all(TaskService s) {
        List<Task> out = new ArrayList<>();
        String cursor = null;
        do {
            TaskPage page = s.list(new TaskQuery(null, null, TaskQuery.MAX_LIMIT, cursor));
            out.addAll(page.items());
            cursor = page.next();
        } while (cursor != null);
        return out;
    }

    static <T> List<T> map(List<Task> tasks, Function<Task, T> f) {
        return tasks.stream().map(f).toList();
    }
}
