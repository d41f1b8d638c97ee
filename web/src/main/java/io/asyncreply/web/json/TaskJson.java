package io.asyncreply.web.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.asyncreply.internal.json.Json;
import io.asyncreply.internal.json.JsonException;
import io.asyncreply.task.Health;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes the API's JSON with Jackson's streaming generator: one shape of a task everywhere
 * (status, list, intake, cancel). A JSON result is inlined as raw JSON when it is well-formed and
 * at most {@link #INLINE_RESULT_MAX} bytes; every successful task also gets a {@code resultUrl}.
 */
public final class TaskJson {
    public static final JsonFactory FACTORY = new JsonFactory();
    /** Largest JSON result inlined in the task's JSON. */
    public static final int INLINE_RESULT_MAX = 256 * 1024;
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private TaskJson() {
    }

    /** The path of a task relative to the server: {@code contextPath + /tasks/ + id}. */
    public static String taskPath(String contextPath, String id) {
        return contextPath + "/tasks/" + id;
    }

    public static byte[] task(Task t, String contextPath) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(384);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, t, contextPath);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] page(TaskPage page, String contextPath) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + 384 * page.items().size());
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("items");
            for (Task t : page.items()) {
                write(g, t, contextPath);
            }
            g.writeEndArray();
            if (page.next() == null) {
                g.writeNullField("next");
            } else {
                g.writeStringField("next", page.next());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] health(Health h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("status", h.isUp() ? "UP" : "DOWN");
            g.writeStringField("store", h.storeUp() ? "UP" : "DOWN");
            g.writeBooleanField("accepting", h.accepting());
            if (h.queued() >= 0) {
                g.writeNumberField("queueDepth", h.queued());
            }
            g.writeNumberField("queueCapacity", h.queueCapacity());
            g.writeNumberField("running", h.running());
            g.writeNumberField("workers", h.workers());
            if (h.storeError() != null) {
                g.writeStringField("detail", h.storeError());
            }
            if (h.nodeId() != null) {
                g.writeStringField("node", h.nodeId());
            }
            g.writeArrayFieldStart("nodes");
            for (Health.Node n : h.nodes()) {
                g.writeStartObject();
                g.writeStringField("id", n.id());
                time(g, "startedAt", n.startedAt());
                time(g, "lastHeartbeat", n.lastHeartbeat());
                g.writeNumberField("running", n.running());
                g.writeBooleanField("stale", n.stale());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, Task t, String contextPath) throws IOException {
        String path = taskPath(contextPath, t.id());
        g.writeStartObject();
        g.writeStringField("id", t.id());
        g.writeStringField("type", t.type());
        g.writeStringField("status", t.status().name());
        g.writeStringField("url", path);
        time(g, "submittedAt", t.submittedAt());
        time(g, "startedAt", t.startedAt());
        time(g, "finishedAt", t.finishedAt());
        g.writeNumberField("attempts", t.attempts());
        if (t.progress() != null) {
            g.writeNumberField("progress", t.progress());
        }
        if (t.cancelRequested()) {
            g.writeBooleanField("cancelRequested", true);
        }
        TaskResult r = t.result();
        if (r != null) {
            g.writeStringField("resultUrl", path + "/result");
            g.writeStringField("resultContentType", r.contentType());
            if (r.isJson() && r.bytes().length <= INLINE_RESULT_MAX && isWellFormed(r.bytes())) {
                g.writeFieldName("result");
                g.writeRawValue(new String(r.bytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        if (t.error() != null) {
            g.writeObjectFieldStart(t.isTerminal() ? "error" : "lastError");
            g.writeStringField("message", t.error().message());
            g.writeEndObject();
        }
        if (!t.isTerminal() && t.runAt() != null && t.attempts() > 0) {
            time(g, "nextAttemptAt", t.runAt());
        }
        g.writeEndObject();
    }

    private static boolean isWellFormed(byte[] json) {
        try {
            Json.check(json);
            return true;
        } catch (JsonException e) {
            return false;
        }
    }

    private static void time(JsonGenerator g, String name, Instant at) throws IOException {
        if (at != null) {
            g.writeStringField(name, time(at));
        }
    }

    /**
     * {@code at} as RFC 3339 in UTC with milliseconds (truncated), e.g. {@code 2026-11-25T10:15:30.123Z}.
     * Written by hand for years 0 to 9999: the {@link DateTimeFormatter} with a zone builds a new
     * {@code ZoneRules} for every call on JDK 17, and this runs for every time field of every answer.
     */
    public static String time(Instant at) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(at.getEpochSecond(), at.getNano(), ZoneOffset.UTC);
        int year = t.getYear();
        if (year < 0 || year > 9999) {
            return RFC3339.format(at);
        }
        char[] c = new char[24];
        digits(c, 0, year, 4);
        c[4] = '-';
        digits(c, 5, t.getMonthValue(), 2);
        c[7] = '-';
        digits(c, 8, t.getDayOfMonth(), 2);
        c[10] = 'T';
        digits(c, 11, t.getHour(), 2);
        c[13] = ':';
        digits(c, 14, t.getMinute(), 2);
        c[16] = ':';
        digits(c, 17, t.getSecond(), 2);
        c[19] = '.';
        digits(c, 20, t.getNano() / 1_000_000, 3);
        c[23] = 'Z';
        return new String(c);
    }

    private static void digits(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
