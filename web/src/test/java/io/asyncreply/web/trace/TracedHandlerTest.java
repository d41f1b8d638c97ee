package io.asyncreply.web.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.engine.SubmitRequest;
import io.asyncreply.engine.TaskService;
import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each attempt runs in a span of the submitter's trace, recorded by the OpenTelemetry SDK into its
 * in-memory exporter: the trace id and parent span id are the submitted {@code traceparent}'s.
 */
class TracedHandlerTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_SPAN_ID = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01";

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private OpenTelemetrySdk otel;
    private TaskService service;
    /** The span current while each task's handler ran, by task id. */
    private final Map<String, Span> current = new ConcurrentHashMap<>();

    @BeforeEach
    void start() {
        otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
        TaskHandler work = new TaskHandler() {
            @Override
            public String type() {
                return "work";
            }

            @Override
            public TaskResult handle(TaskContext context) {
                current.put(context.taskId(), Span.current());
                if (new String(context.payload(), StandardCharsets.UTF_8).equals("fail")) {
                    throw new IllegalStateException("it went wrong");
                }
                return TaskResult.empty();
            }
        };
        service = TaskService.builder().store(new MemoryTaskStore()).shutdownGrace(Duration.ofSeconds(2))
                .handlers(TracedHandler.all(List.of(work), otel)).build();
    }

    @AfterEach
    void stop() {
        service.close();
        otel.close();
    }

    private Task run(String payload, String traceparent) throws Exception {
        Submission s = service.submit(SubmitRequest.of("work", payload.getBytes(StandardCharsets.UTF_8))
                .traceparent(traceparent)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        String id = ((Submission.Accepted) s).task().id();
        Task done = service.awaitTerminal(id, Duration.ofSeconds(10)).toCompletableFuture().get(15, TimeUnit.SECONDS)
                .orElseThrow();
        await().atMost(Duration.ofSeconds(5)).until(() -> span(id) != null);
        return done;
    }

    private SpanData span(String taskId) {
        return exporter.getFinishedSpanItems().stream()
                .filter(d -> taskId.equals(d.getAttributes().get(AttributeKey.stringKey("messaging.message.id"))))
                .findFirst().orElse(null);
    }

    @Test
    void theAttemptsSpanContinuesTheSubmittedTraceWithTheMessagingAttributes() throws Exception {
        Task t = run("ok", TRACEPARENT);
        assertThat(t.status()).isEqualTo(TaskStatus.SUCCEEDED);
        assertThat(t.traceparent()).isEqualTo(TRACEPARENT);

        SpanData span = span(t.id());
        assertThat(span.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(span.getParentSpanId()).isEqualTo(PARENT_SPAN_ID);
        assertThat(span.getParentSpanContext().isRemote()).isTrue();
        assertThat(span.getName()).isEqualTo("process work");
        assertThat(span.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(span.getAttributes().get(AttributeKey.stringKey("messaging.system"))).isEqualTo("asyncreply");
        assertThat(span.getAttributes().get(AttributeKey.stringKey("messaging.operation.name"))).isEqualTo("process");
        assertThat(span.getAttributes().get(AttributeKey.stringKey("messaging.destination.name"))).isEqualTo("work");
        assertThat(span.getAttributes().get(AttributeKey.longKey("asyncreply.task.attempt"))).isEqualTo(1L);
        assertThat(current.get(t.id()).getSpanContext().getSpanId()).as("the span is current in the handler")
                .isEqualTo(span.getSpanId());
    }

    @Test
    void aFailedAttemptsSpanHasStatusErrorAndTheErrorType() throws Exception {
        Task t = run("fail", TRACEPARENT);
        assertThat(t.status()).isEqualTo(TaskStatus.FAILED);

        SpanData span = span(t.id());
        assertThat(span.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(span.getAttributes().get(AttributeKey.stringKey("error.type")))
                .isEqualTo(IllegalStateException.class.getName());
        assertThat(span.getEvents()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("exception"));
    }

    @Test
    void aTaskSubmittedWithoutTraceContextStartsATraceOfItsOwn() throws Exception {
        Task t = run("ok", null);

        SpanData span = span(t.id());
        assertThat(span.getParentSpanContext().isValid()).isFalse();
        assertThat(span.getTraceId()).isNotEqualTo(TRACE_ID);
    }

    @Test
    void withoutAnSdkNothingIsRecordedAndTheSubmittedTraceIsStillCurrentForTheHandlersOwnCalls() throws Exception {
        try (TaskService plain = TaskService.builder().store(new MemoryTaskStore()).shutdownGrace(Duration.ofSeconds(2))
                .handlers(TracedHandler.all(List.of(new TaskHandler() {
                    @Override
                    public String type() {
                        return "work";
                    }

                    @Override
                    public TaskResult handle(TaskContext context) {
                        Span span = Span.current();
                        return TaskResult.json("{\"trace\":\"" + span.getSpanContext().getTraceId() + "\",\"recording\":"
                                + span.isRecording() + "}");
                    }
                }), io.opentelemetry.api.OpenTelemetry.noop())).build()) {
            Submission s = plain.submit(SubmitRequest.of("work", new byte[0]).traceparent(TRACEPARENT))
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
            Task done = plain.awaitTerminal(((Submission.Accepted) s).task().id(), Duration.ofSeconds(10))
                    .toCompletableFuture().get(15, TimeUnit.SECONDS).orElseThrow();
            assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(new String(done.result().bytes(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"trace\":\"" + TRACE_ID + "\",\"recording\":false}");
        }
    }
}
