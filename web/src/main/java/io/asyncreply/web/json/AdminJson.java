package io.asyncreply.web.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.asyncreply.task.Attempt;
import io.asyncreply.task.RetryPolicy;
import io.asyncreply.task.TypeInfo;
import io.asyncreply.task.TypePolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Function;

/**
 * The JSON of the admin API: task types ({@code GET /types}, pause and resume), a task's attempts
 * ({@code GET /tasks/{id}/attempts}) and bulk cancel's count. Durations are ISO-8601
 * ({@code PT30S}); times RFC 3339 as everywhere ({@link TaskJson#time}).
 */
public final class AdminJson {
    private AdminJson() {
    }

    /**
     * {@code {"items": [type...]}}; {@code retryOf} gives the retry policy in force for a type this
     * node serves (the handler's, unless its policy overrides it).
     */
    public static byte[] types(List<TypeInfo> types, Function<String, RetryPolicy> retryOf) {
        return write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("items");
            for (TypeInfo t : types) {
                type(g, t, retryOf);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** One type. */
    public static byte[] type(TypeInfo t, Function<String, RetryPolicy> retryOf) {
        return write(g -> type(g, t, retryOf));
    }

    private static void type(JsonGenerator g, TypeInfo t, Function<String, RetryPolicy> retryOf) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", t.type());
        g.writeNumberField("queued", t.queued());
        g.writeNumberField("running", t.running());
        g.writeBooleanField("paused", t.paused());
        g.writeArrayFieldStart("nodes");
        for (String n : t.nodes()) {
            g.writeString(n);
        }
        g.writeEndArray();
        TypePolicy p = t.policy();
        if (p == null) {
            g.writeNullField("policy");
        } else {
            g.writeObjectFieldStart("policy");
            g.writeNumberField("concurrency", p.concurrency());
            g.writeNumberField("rate", p.rate());
            if (p.timeout() == null) {
                g.writeNullField("timeout");
            } else {
                g.writeStringField("timeout", p.timeout().toString());
            }
            g.writeNumberField("priority", p.priority());
            RetryPolicy r = p.retry() != null ? p.retry() : retryOf.apply(t.type());
            if (r != null) {
                g.writeObjectFieldStart("retry");
                g.writeNumberField("maxAttempts", r.maxAttempts());
                g.writeStringField("delay", r.initialDelay().toString());
                g.writeStringField("maxDelay", r.maxDelay().toString());
                g.writeNumberField("multiplier", r.multiplier());
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    /** {@code {"items": [{"attempt", "node", "startedAt", "finishedAt", "outcome", "error"}...]}}, oldest first. */
    public static byte[] attempts(List<Attempt> attempts) {
        return write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("items");
            for (Attempt a : attempts) {
                g.writeStartObject();
                g.writeNumberField("attempt", a.attempt());
                nullable(g, "node", a.node());
                g.writeStringField("startedAt", TaskJson.time(a.startedAt()));
                nullable(g, "finishedAt", a.finishedAt() == null ? null : TaskJson.time(a.finishedAt()));
                nullable(g, "outcome", a.outcome());
                if (a.error() == null) {
                    g.writeNullField("error");
                } else {
                    g.writeObjectFieldStart("error");
                    g.writeStringField("code", a.error().code());
                    g.writeStringField("message", a.error().message());
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** {@code {"cancelled": n}}. */
    public static byte[] cancelled(long n) {
        return write(g -> {
            g.writeStartObject();
            g.writeNumberField("cancelled", n);
            g.writeEndObject();
        });
    }


    private static void nullable(JsonGenerator g, String name, String value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeStringField(name, value);
        }
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = TaskJson.FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
