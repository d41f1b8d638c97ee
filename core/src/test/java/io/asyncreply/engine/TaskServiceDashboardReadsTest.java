package io.asyncreply.engine;

import static io.asyncreply.engine.Tasks.accepted;
import static io.asyncreply.engine.Tasks.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.task.Task;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.Throughput;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The reads a dashboard needs: a task by idempotency key, payload sizes, throughput per type. */
class TaskServiceDashboardReadsTest {

    private static Task accept(TaskService s, SubmitRequest r) throws Exception {
        return accepted(s.submit(r).toCompletableFuture().get(5, TimeUnit.SECONDS)).task();
    }

    @Test
    void aTaskIsFoundByItsOwnersIdempotencyKeyOnly() throws Exception {
        try (TaskService s = Tasks.builder().handler(new GateHandler("gate")).build()) {
            Task anon = accept(s, SubmitRequest.of("gate", bytes("a")).idempotencyKey("order-1"));
            Task alice = accept(s, SubmitRequest.of("gate", bytes("a")).idempotencyKey("order-1").owner("alice"));

            assertThat(s.findByKey("order-1", null)).get().extracting(Task::id).isEqualTo(anon.id());
            assertThat(s.findByKey("order-1", "alice")).get().extracting(Task::id).isEqualTo(alice.id());
            assertThat(s.findByKey("order-1", "bob")).isEmpty();
            assertThat(s.findByKey("", null)).isEmpty();
            assertThat(s.findByKey("x".repeat(TaskService.MAX_IDEMPOTENCY_KEY_LENGTH + 1), null)).isEmpty();
        }
    }

    @Test
    void payloadSizeIsKnownForTheOwnerAndUnknownForOthersAndMalformedIds() throws Exception {
        try (TaskService s = Tasks.builder().handler(new GateHandler("gate")).build()) {
            Task t = accept(s, SubmitRequest.of("gate", bytes("twelve bytes")).owner("alice"));

            assertThat(s.payloadSize(t.id(), null)).hasValue(12);
            assertThat(s.payloadSize(t.id(), "alice")).hasValue(12);
            assertThat(s.payloadSize(t.id(), "bob")).isEmpty();
            assertThat(s.payloadSize("not an id", null)).isEmpty();
        }
    }

    @Test
    void throughputCountsFinishedTasksOfEachTypeInTheCurrentMinute() throws Exception {
        try (TaskService s = Tasks.builder().handler(Tasks.handler("ok", ctx -> TaskResult.empty()))
                .handler(Tasks.handler("bad", ctx -> {
                    throw new IllegalStateException("no");
                })).build()) {
            accept(s, SubmitRequest.of("ok", bytes("1")));
            accept(s, SubmitRequest.of("ok", bytes("2")));
            accept(s, SubmitRequest.of("bad", bytes("3")));

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Throughput t = s.throughput();
                assertThat(t.minutes()).isEqualTo(60);
                assertThat(t.of("ok")).isNotNull();
                assertThat(t.of("ok").total()).isEqualTo(2);
                assertThat(t.of("bad")).isNotNull();
                assertThat(t.of("bad").totalFailed()).isEqualTo(1);
            });
        }
    }
}
