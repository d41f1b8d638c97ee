package io.asyncreply.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.engine.TaskService;
import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Rejection;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The built-in handlers run by a TaskService, as the HTTP contract describes them. */
class BuiltinsServiceTest {
    private TaskService service;

    @BeforeEach
    void start() {
        service = TaskService.builder().store(new MemoryTaskStore()).handlers(Builtins.all())
                .shutdownGrace(Duration.ofSeconds(2)).build();
    }

    @AfterEach
    void stop() {
        service.close();
    }

    private Submission submit(String type, String payload, String contentType) throws Exception {
        return service.submit(type, payload.getBytes(StandardCharsets.UTF_8), contentType, null)
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private Task accepted(String type, String payload, String contentType) throws Exception {
        Submission s = submit(type, payload, contentType);
        assertThat(s).isInstanceOf(Submission.Accepted.class);
        return ((Submission.Accepted) s).task();
    }

    private Task done(Task t) throws Exception {
        Optional<Task> end = service.awaitTerminal(t.id(), Duration.ofSeconds(10)).toCompletableFuture()
                .get(15, TimeUnit.SECONDS);
        assertThat(end).hasValueSatisfying(x -> assertThat(x.isTerminal()).isTrue());
        return end.get();
    }

    private static String text(Task t) {
        return new String(t.result().bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void echo_answers_the_same_bytes_and_content_type() throws Exception {
        Task t = done(accepted("echo", "hello", "text/x-hello"));
        assertThat(t.status()).isEqualTo(TaskStatus.SUCCEEDED);
        assertThat(text(t)).isEqualTo("hello");
        assertThat(t.result().contentType()).isEqualTo("text/x-hello");
    }

    @Test
    void sha256_answers_the_digest() throws Exception {
        Task t = done(accepted("sha256", "abc", "text/plain"));
        assertThat(text(t)).isEqualTo(
                "{\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}");
    }

    @Test
    void sleep_answers_slept_ms() throws Exception {
        Task t = done(accepted("sleep", "{\"ms\":20}", "application/json"));
        assertThat(t.status()).isEqualTo(TaskStatus.SUCCEEDED);
        assertThat(text(t)).isEqualTo("{\"sleptMs\":20}");
        assertThat(t.result().isJson()).isTrue();
        assertThat(t.progress()).isEqualTo(100);
    }

    @Test
    void sleep_with_fail_ends_failed_with_that_message() throws Exception {
        Task t = done(accepted("sleep", "{\"ms\":5,\"fail\":\"as requested\"}", null));
        assertThat(t.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(t.error().message()).isEqualTo("as requested");
        assertThat(t.result()).isNull();
    }

    @Test
    void a_bad_sleep_payload_is_refused_at_submit_with_its_message() throws Exception {
        Submission s = submit("sleep", "{\"ms\":-5}", "application/json");
        assertThat(s).isInstanceOfSatisfying(Submission.Rejected.class, r -> {
            assertThat(r.reason()).isEqualTo(Rejection.INVALID_PAYLOAD);
            assertThat(r.detail()).isEqualTo("\"ms\" must be between 0 and 86400000.");
        });
        assertThat(submit("sleep", "{\"ms\":5}", "text/plain")).isInstanceOfSatisfying(Submission.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(Rejection.UNSUPPORTED_CONTENT_TYPE));
        assertThat(service.list(io.asyncreply.task.TaskQuery.firstPage()).items()).isEmpty();
    }

    @Test
    void a_sleep_of_60_seconds_is_accepted_without_waiting_for_it() throws Exception {
        CompletableFuture<Submission> f = service.submit("sleep",
                "{\"ms\":60000}".getBytes(StandardCharsets.UTF_8), "application/json", null).toCompletableFuture();
        Submission s = f.get(5, TimeUnit.SECONDS); // never waits for the sleep itself
        assertThat(s).isInstanceOf(Submission.Accepted.class);
        assertThat(((Submission.Accepted) s).task().status()).isEqualTo(TaskStatus.QUEUED);
        service.cancel(((Submission.Accepted) s).task().id());
    }

    @Test
    void cancelling_a_sleep_stops_it_early() throws Exception {
        Task t = accepted("sleep", "{\"ms\":60000}", null);
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> service.find(t.id()).map(Task::status).orElseThrow() == TaskStatus.RUNNING);
        assertThat(service.cancel(t.id()).outcome()).isEqualTo(CancelResult.Outcome.CANCEL_REQUESTED);
        // 60 s of sleep would outlast this wait by far
        Task end = done(t);
        assertThat(end.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(end.result()).isNull();
    }
}
