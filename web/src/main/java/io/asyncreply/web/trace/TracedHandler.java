package io.asyncreply.web.trace;

import io.asyncreply.task.InputFormat;
import io.asyncreply.task.InvalidPayloadException;
import io.asyncreply.task.RetryPolicy;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs a handler inside an OpenTelemetry span that continues the submitter's trace: its parent is
 * the W3C {@code traceparent} the submission carried (stored with the task), so an attempt on any
 * node, after any delay or restart, shows under the request that submitted it. A task submitted
 * without one starts a trace of its own.
 *
 * <p>The span follows the OpenTelemetry messaging conventions for processing a message: name
 * {@code process <type>}, kind {@code CONSUMER}, {@code messaging.system=asyncreply},
 * {@code messaging.operation.name} and {@code .type} {@code process},
 * {@code messaging.destination.name} the task type, {@code messaging.message.id} the task id, and
 * {@code asyncreply.task.attempt} the attempt number. An attempt that throws sets the span's status
 * to ERROR with {@code error.type} the exception's class (a cancelled one is marked
 * {@code asyncreply.task.cancelled} instead). The span is current while the handler runs, so spans
 * the handler makes (its HTTP calls under the agent) are its children.
 *
 * <p>With neither the OpenTelemetry Java agent nor an SDK registered as
 * {@code GlobalOpenTelemetry} the API is a no-op: nothing is recorded and the cost is a few
 * objects per attempt.
 */
public final class TracedHandler implements TaskHandler {
    /** The instrumentation scope of the spans. */
    public static final String SCOPE = "io.asyncreply";

    private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    private final TaskHandler handler;
    private final Tracer tracer;
    private final String spanName;

    /** {@code handler}, traced by {@code otel}. */
    public TracedHandler(TaskHandler handler, OpenTelemetry otel) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.tracer = otel.getTracer(SCOPE);
        this.spanName = "process " + handler.type();
    }

    /** Each of {@code handlers}, traced by {@code otel}. */
    public static List<TaskHandler> all(List<? extends TaskHandler> handlers, OpenTelemetry otel) {
        List<TaskHandler> out = new ArrayList<>(handlers.size());
        for (TaskHandler h : handlers) {
            out.add(new TracedHandler(h, otel));
        }
        return out;
    }

    /** The handler this one traces. */
    public TaskHandler traced() {
        return handler;
    }

    @Override
    public String type() {
        return handler.type();
    }

    @Override
    public InputFormat input() {
        return handler.input();
    }

    @Override
    public void validate(byte[] payload) throws InvalidPayloadException {
        handler.validate(payload);
    }

    @Override
    public RetryPolicy retryPolicy() {
        return handler.retryPolicy();
    }

    @Override
    public TaskResult handle(TaskContext context) throws Exception {
        String traceparent = context.traceparent();
        Context parent = traceparent == null ? Context.root()
                : W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, TRACEPARENT);
        Span span = tracer.spanBuilder(spanName).setParent(parent).setSpanKind(SpanKind.CONSUMER)
                .setAttribute("messaging.system", "asyncreply")
                .setAttribute("messaging.operation.name", "process")
                .setAttribute("messaging.operation.type", "process")
                .setAttribute("messaging.destination.name", context.type())
                .setAttribute("messaging.message.id", context.taskId())
                .setAttribute("asyncreply.task.attempt", context.attempt())
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return handler.handle(context);
        } catch (Throwable t) {
            if (context.isCancelled()) {
                span.setAttribute("asyncreply.task.cancelled", true);
            } else {
                span.setStatus(StatusCode.ERROR);
                span.setAttribute("error.type", t.getClass().getName());
                span.recordException(t);
            }
            throw t;
        } finally {
            span.end();
        }
    }

    @Override
    public String toString() {
        return "traced " + handler;
    }
}
