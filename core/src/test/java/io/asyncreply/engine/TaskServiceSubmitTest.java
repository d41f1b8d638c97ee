package io.asyncreply.engine;

import static io.asyncreply.engine.Tasks.accepted;
import static io.asyncreply.engine.Tasks.awaitTerminal;
import static io.asyncreply.engine.Tasks.bytes;
import static io.asyncreply.engine.Tasks.rejected;
import static io.asyncreply.engine.Tasks.submission;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.task.InputFormat;
import io.asyncreply.task.InvalidPayloadException;
import io.asyncreply.task.Rejection;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What submit accepts and each reason it refuses, with nothing stored when it refuses. */
class TaskServiceSubmitTest {

    /** A JSON handler that refuses payloads without "ok": true. */
    private static final TaskHandler PICKY = new TaskHandler() {
        @Override
        public String type() {
            return "picky";
        }

        @Override
        public InputFormat input() {
            return InputFormat.JSON;
        }

        @Override
        public void validate(byte[] payload) throws InvalidPayloadException {
            if (!new String(payload, java.nio.charset.StandardCharsets.UTF_8).contains("\"ok\":true")) {
                throw new InvalidPayloadException("\"ok\" must be true.");
            }
        }

        @Override
        public TaskResult handle(TaskContext context) {
            return TaskResult.json("{}");
        }
    };

    /** A handler whose validation breaks (a bug in the handler, not the client's fault). */
    private static final TaskHandler BROKEN_VALIDATION = new TaskHandler() {
        @Override
        public String type() {
            return "broken";
        }

        @Override
        public void validate(byte[] payload) {
            throw new IllegalStateException("internal detail that must not reach a client");
        }

        @Override
        public TaskResult handle(TaskContext context) {
            return null;
        }
    };

    private final List<TaskService> services = new ArrayList<>();

    private TaskService service() {
        TaskService s = Tasks.builder().handler(Tasks.noop("bytes")).handler(PICKY).handler(BROKEN_VALIDATION)
                .build();
        services.add(s);
        return s;
    }

    @AfterEach
    void close() {
        services.forEach(TaskService::close);
    }

    private static void assertNothingStored(TaskService s) {
        assertThat(Tasks.all(s)).isEmpty();
        assertThat(s.store().queued()).isZero();
    }

    @Test
    void an_unknown_type_is_rejected_and_nothing_is_stored() throws Exception {
        TaskService s = service();
        Submission.Rejected r = rejected(submission(s, "nope", bytes("x"), null, null));
        assertThat(r.reason()).isEqualTo(Rejection.UNKNOWN_TYPE);
        assertThat(r.detail()).contains("nope");
        assertThat(rejected(submission(s, null, bytes("x"), null, null)).reason()).isEqualTo(Rejection.UNKNOWN_TYPE);
        assertNothingStored(s);
    }

    @Test
    void an_empty_idempotency_key_is_rejected() throws Exception {
        TaskService s = service();
        assertThat(rejected(submission(s, "bytes", bytes("x"), null, "")).reason())
                .isEqualTo(Rejection.INVALID_IDEMPOTENCY_KEY);
        assertNothingStored(s);
    }

    @Test
    void an_idempotency_key_of_256_characters_is_rejected_and_one_of_255_accepted() throws Exception {
        TaskService s = service();
        Submission.Rejected r = rejected(submission(s, "bytes", bytes("x"), null, "k".repeat(256)));
        assertThat(r.reason()).isEqualTo(Rejection.INVALID_IDEMPOTENCY_KEY);
        assertThat(r.detail()).contains("255");
        assertNothingStored(s);

        accepted(submission(s, "bytes", bytes("x"), null, "k".repeat(255)));
        assertThat(Tasks.all(s)).hasSize(1);
    }

    @Test
    void a_json_handler_rejects_a_content_type_that_is_not_json() throws Exception {
        TaskService s = service();
        Submission.Rejected r = rejected(submission(s, "picky", bytes("{\"ok\":true}"), "text/plain", null));
        assertThat(r.reason()).isEqualTo(Rejection.UNSUPPORTED_CONTENT_TYPE);
        assertThat(rejected(submission(s, "picky", bytes("{\"ok\":true}"), "application/jsonx", null)).reason())
                .isEqualTo(Rejection.UNSUPPORTED_CONTENT_TYPE);
        assertNothingStored(s);
    }

    @Test
    void a_json_handler_accepts_json_content_types_with_parameters_and_suffixes_and_none() throws Exception {
        TaskService s = service();
        for (String ct : new String[] {"application/json", "Application/JSON; charset=utf-8",
                "application/vnd.example+json", null}) {
            accepted(submission(s, "picky", bytes("{\"ok\":true}"), ct, null));
        }
        assertThat(Tasks.all(s)).hasSize(4);
    }

    @Test
    void malformed_json_for_a_json_handler_is_an_invalid_payload() throws Exception {
        TaskService s = service();
        Submission.Rejected r = rejected(submission(s, "picky", bytes("{\"ok\":true"), "application/json", null));
        assertThat(r.reason()).isEqualTo(Rejection.INVALID_PAYLOAD);
        assertThat(r.detail()).contains("not well-formed JSON");
        assertNothingStored(s);
    }

    @Test
    void a_bytes_handler_takes_any_payload_and_content_type() throws Exception {
        TaskService s = service();
        accepted(submission(s, "bytes", new byte[] {(byte) 0xFF, 0, '{'}, "image/png", null));
        accepted(submission(s, "bytes", new byte[0], null, null));
    }

    @Test
    void a_payload_refused_by_the_handlers_validation_is_rejected_with_its_message() throws Exception {
        TaskService s = service();
        Submission.Rejected r = rejected(submission(s, "picky", bytes("{\"ok\":false}"), null, null));
        assertThat(r.reason()).isEqualTo(Rejection.INVALID_PAYLOAD);
        assertThat(r.detail()).isEqualTo("\"ok\" must be true.");
        assertNothingStored(s);
    }

    @Test
    void a_validation_that_throws_unexpectedly_is_an_invalid_payload_without_internals() throws Exception {
        TaskService s = service();
        Submission.Rejected r = rejected(submission(s, "broken", bytes("x"), null, null));
        assertThat(r.reason()).isEqualTo(Rejection.INVALID_PAYLOAD);
        assertThat(r.detail()).doesNotContain("internal detail");
        assertNothingStored(s);
    }

    @Test
    void checks_run_in_the_documented_order() throws Exception {
        TaskService s = service();
        // unknown type before a bad key
        assertThat(rejected(submission(s, "nope", bytes("{"), "text/plain", "")).reason())
                .isEqualTo(Rejection.UNKNOWN_TYPE);
        // bad key before content type and payload
        assertThat(rejected(submission(s, "picky", bytes("{"), "text/plain", "")).reason())
                .isEqualTo(Rejection.INVALID_IDEMPOTENCY_KEY);
        // content type before payload
        assertThat(rejected(submission(s, "picky", bytes("{"), "text/plain", null)).reason())
                .isEqualTo(Rejection.UNSUPPORTED_CONTENT_TYPE);
        assertNothingStored(s);
    }

    @Test
    void submit_while_shutting_down_is_rejected() throws Exception {
        TaskService s = service();
        s.close();
        assertThat(rejected(submission(s, "bytes", bytes("x"), null, null)).reason())
                .isEqualTo(Rejection.SHUTTING_DOWN);
        assertNothingStored(s);
    }

    @Test
    void the_queue_rejects_exactly_at_capacity_and_stores_nothing() throws Exception {
        GateHandler gate = new GateHandler("gate");
        try (TaskService s = Tasks.builder().workers(1).queueCapacity(3).handler(gate).build()) {
            Task running = Tasks.submit(s, "gate", "running");
            gate.awaitStart(); // a running task does not count against the queue
            List<Task> queued = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                queued.add(Tasks.submit(s, "gate", "queued " + i));
            }

            Submission.Rejected full = rejected(submission(s, "gate", bytes("one too many"), null, null));
            assertThat(full.reason()).isEqualTo(Rejection.QUEUE_FULL);
            Submission.Rejected withKey = rejected(submission(s, "gate", bytes("with key"), null, "key-1"));
            assertThat(withKey.reason()).isEqualTo(Rejection.QUEUE_FULL);

            assertThat(s.store().queued()).isEqualTo(3);
            assertThat(Tasks.all(s)).hasSize(4);
            // the rejected key was not recorded: it may be used once there is room
            gate.open();
            for (Task t : queued) {
                awaitTerminal(s, t.id());
            }
            awaitTerminal(s, running.id());
            Submission.Accepted later = accepted(submission(s, "gate", bytes("other payload"), null, "key-1"));
            assertThat(later.replayed()).isFalse();
        }
    }
}
