package io.asyncreply.web.dashboard;

import com.fasterxml.jackson.core.JsonGenerator;
import io.asyncreply.task.Attempt;
import io.asyncreply.task.Health;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.Throughput;
import io.asyncreply.task.TypeInfo;
import io.asyncreply.web.json.TaskJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * The JSON of the dashboard's API: tasks as an operator sees them (owner included, the result as a
 * link with its type and size, never inlined), attempts, types, nodes and throughput. Strings are
 * written by Jackson, so task data (types, errors, owners) cannot break out of its string; the
 * pages then show it as text, never as markup.
 */
final class DashboardJson {
    private DashboardJson() {
    }

    /** Writes one JSON document. */
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    static byte[] of(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = TaskJson.FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static void task(JsonGenerator g, Task t, String contextPath) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", t.id());
        g.writeStringField("type", t.type());
        g.writeStringField("status", t.status().name());
        g.writeStringField("owner", t.owner()); // null: the anonymous owner
        g.writeNumberField("priority", t.priority());
        time(g, "submittedAt", t.submittedAt());
        time(g, "startedAt", t.startedAt());
        time(g, "finishedAt", t.finishedAt());
        time(g, "runAt", t.isTerminal() ? null : t.runAt());
        time(g, "expiresAt", t.expiresAt());
        g.writeNumberField("attempts", t.attempts());
        if (t.progress() != null) {
            g.writeNumberField("progress", t.progress());
        }
        g.writeBooleanField("cancelRequested", t.cancelRequested());
        if (t.retryOf() != null) {
            g.writeStringField("retryOf", t.retryOf());
        }
        error(g, "error", t.error());
        TaskResult r = t.result();
        if (r != null) {
            g.writeObjectFieldStart("result");
            g.writeStringField("url", TaskJson.taskPath(contextPath, t.id()) + "/result");
            g.writeStringField("contentType", r.contentType());
            g.writeNumberField("size", r.size());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    static void tasks(JsonGenerator g, String name, List<Task> tasks, String contextPath) throws IOException {
        g.writeArrayFieldStart(name);
        for (Task t : tasks) {
            task(g, t, contextPath);
        }
        g.writeEndArray();
    }

    static void attempts(JsonGenerator g, List<Attempt> attempts) throws IOException {
        g.writeArrayFieldStart("attempts");
        for (Attempt a : attempts) {
            g.writeStartObject();
            g.writeNumberField("attempt", a.attempt());
            g.writeStringField("node", a.node());
            time(g, "startedAt", a.startedAt());
            time(g, "finishedAt", a.finishedAt());
            g.writeStringField("outcome", a.outcome());
            error(g, "error", a.error());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static void health(JsonGenerator g, Health h) throws IOException {
        g.writeObjectFieldStart("health");
        g.writeBooleanField("up", h.isUp());
        g.writeBooleanField("storeUp", h.storeUp());
        g.writeBooleanField("accepting", h.accepting());
        g.writeNumberField("queued", h.queued());
        g.writeNumberField("queueCapacity", h.queueCapacity());
        g.writeNumberField("running", h.running());
        g.writeNumberField("workers", h.workers());
        g.writeStringField("node", h.nodeId());
        g.writeEndObject();
        g.writeArrayFieldStart("nodes");
        for (Health.Node n : h.nodes()) {
            g.writeStartObject();
            g.writeStringField("id", n.id());
            time(g, "startedAt", n.startedAt());
            time(g, "lastHeartbeat", n.lastHeartbeat());
            g.writeNumberField("running", n.running());
            g.writeBooleanField("stale", n.stale());
            g.writeBooleanField("self", n.id().equals(h.nodeId()));
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** One entry per type: its counts and state, and its finished and failed tasks of the window. */
    static void types(JsonGenerator g, List<TypeInfo> infos, Throughput tp) throws IOException {
        java.util.Map<String, TypeInfo> byName = new java.util.TreeMap<>();
        infos.forEach(i -> byName.put(i.type(), i));
        tp.types().forEach(s -> byName.putIfAbsent(s.type(), null));
        g.writeArrayFieldStart("types");
        for (java.util.Map.Entry<String, TypeInfo> e : byName.entrySet()) {
            TypeInfo i = e.getValue();
            Throughput.Series s = tp.of(e.getKey());
            g.writeStartObject();
            g.writeStringField("type", e.getKey());
            g.writeNumberField("queued", i == null ? 0 : i.queued());
            g.writeNumberField("running", i == null ? 0 : i.running());
            g.writeBooleanField("paused", i != null && i.paused());
            g.writeArrayFieldStart("nodes");
            for (String n : i == null ? List.<String>of() : i.nodes()) {
                g.writeString(n);
            }
            g.writeEndArray();
            g.writeNumberField("finishedLastHour", s == null ? 0 : s.total());
            g.writeNumberField("failedLastHour", s == null ? 0 : s.totalFailed());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static void throughput(JsonGenerator g, Throughput tp) throws IOException {
        g.writeObjectFieldStart("throughput");
        time(g, "from", tp.from());
        g.writeNumberField("minutes", tp.minutes());
        g.writeArrayFieldStart("types");
        for (Throughput.Series s : tp.types()) {
            g.writeStartObject();
            g.writeStringField("type", s.type());
            counts(g, "succeeded", s.succeeded());
            counts(g, "failed", s.failed());
            counts(g, "cancelled", s.cancelled());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void counts(JsonGenerator g, String name, long[] counts) throws IOException {
        g.writeFieldName(name);
        g.writeArray(counts, 0, counts.length);
    }

    private static void error(JsonGenerator g, String name, TaskError e) throws IOException {
        if (e != null) {
            g.writeObjectFieldStart(name);
            g.writeStringField("code", e.code());
            g.writeStringField("message", e.message());
            g.writeEndObject();
        }
    }

    static void time(JsonGenerator g, String name, Instant at) throws IOException {
        if (at != null) {
            g.writeStringField(name, TaskJson.time(at));
        }
    }
}
