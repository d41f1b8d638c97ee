package io.asyncreply.web.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.asyncreply.internal.json.Json;
import io.asyncreply.internal.json.JsonException;
import io.asyncreply.task.Health;
import io.asyncreply.task.Limits;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes the API's JSON with Jackson's streaming generator: one shape of a task everywhere
 * (status, list, intake, cancel). Every successful task gets a {@code resultUrl} and
 * {@code resultContentType}; its result is inlined too when it is JSON of at most
 * {@link #INLINE_RESULT_MAX} bytes that can be embedded as is (see {@link #embeddable}).
 *
 * <p>A page of tasks inlines results only up to {@link #PAGE_INLINE_BUDGET} bytes in all, newest
 * first; the results after that are left out (their {@code resultUrl} stays), so that what a page
 * holds and writes is bounded by the page, not by the sizes of the results in it. Results the store
 * did not read for the page ({@link TaskResult#hasBytes()} false: summaries) are never inlined.
 */
public final class TaskJson {
    public static final JsonFactory FACTORY = new JsonFactory();
    /** Largest JSON result inlined in the task's JSON. */
    public static final int INLINE_RESULT_MAX = Limits.MAX_INLINE_RESULT_BYTES;
    /** Most result bytes inlined in one page of a list, in all. */
    public static final int PAGE_INLINE_BUDGET = 1 << 20;
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private TaskJson() {
    }

    /** The path of a task relative to the server: {@code contextPath + /tasks/ + id}. */
    public static String taskPath(String contextPath, String id) {
        return contextPath + "/tasks/" + id;
    }

    public static byte[] task(Task t, String contextPath) {
        return task(t, contextPath, false);
    }

    /** The task's JSON; {@code showOwner}: with its {@code owner} (for admins, when it has one). */
    public static byte[] task(Task t, String contextPath, boolean showOwner) {
        return task(t, contextPath, showOwner, INLINE_RESULT_MAX);
    }

    /** {@link #task(Task, String, boolean)} inlining a result of at most {@code inlineMax} bytes (event streams). */
    public static byte[] task(Task t, String contextPath, boolean showOwner, int inlineMax) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(384);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, t, contextPath, Math.min(inlineMax, INLINE_RESULT_MAX), showOwner);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A page of tasks: {@code {"items": [...], "next": next}}. {@code next} is the cursor to give
     * the client (the caller's, not the store's), or null on the last page.
     */
    public static byte[] page(TaskPage page, String next, String contextPath) {
        PageWriter w = new PageWriter(contextPath);
        page.items().forEach(w::add);
        return w.finish(next);
    }

    /**
     * Writes a page one task at a time, so that the caller can read the page from the store in
     * small chunks and let each chunk go once written: what a page holds is then bounded by the
     * chunk and {@link #PAGE_INLINE_BUDGET}, not by the page's length times the largest result.
     * Not thread-safe; {@link #finish} once.
     */
    public static final class PageWriter {
        private final String contextPath;
        private final boolean showOwner;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        private final JsonGenerator g;
        private long budget = PAGE_INLINE_BUDGET;

        public PageWriter(String contextPath) {
            this(contextPath, false);
        }

        /** {@code showOwner}: each task with its {@code owner} (for admins). */
        public PageWriter(String contextPath, boolean showOwner) {
            this.contextPath = contextPath;
            this.showOwner = showOwner;
            try {
                g = FACTORY.createGenerator(out);
                g.writeStartObject();
                g.writeArrayFieldStart("items");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Appends {@code t}, inlining its result while the page's inline budget lasts. */
        public void add(Task t) {
            try {
                budget -= write(g, t, contextPath, (int) Math.min(budget, INLINE_RESULT_MAX), showOwner);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The page's JSON, with {@code next} (null on the last page). */
        public byte[] finish(String next) {
            try {
                g.writeEndArray();
                if (next == null) {
                    g.writeNullField("next");
                } else {
                    g.writeStringField("next", next);
                }
                g.writeEndObject();
                g.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }
    }

    /** The answer of {@code GET /health/ready} when ready: {@code {"status":"READY","queueDepth":n,"queueCapacity":n}}. */
    public static byte[] ready(Health h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(96);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("status", "READY");
            g.writeNumberField("queueDepth", h.queued());
            g.writeNumberField("queueCapacity", h.queueCapacity());
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

    /**
     * Writes {@code t}, inlining its result when it is embeddable JSON of at most
     * {@code inlineMax} bytes; returns the number of result bytes inlined.
     */
    private static int write(JsonGenerator g, Task t, String contextPath, int inlineMax, boolean showOwner)
            throws IOException {
        String path = taskPath(contextPath, t.id());
        g.writeStartObject();
        g.writeStringField("id", t.id());
        g.writeStringField("type", t.type());
        g.writeStringField("status", t.status().name());
        g.writeStringField("url", path);
        if (showOwner && t.owner() != null) {
            g.writeStringField("owner", t.owner());
        }
        g.writeNumberField("priority", t.priority());
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
        int inlined = 0;
        if (r != null) {
            g.writeStringField("resultUrl", path + "/result");
            g.writeStringField("resultContentType", r.contentType());
            if (r.hasBytes() && r.isJson() && r.size() <= inlineMax && embeddable(r.bytes())) {
                g.writeFieldName("result");
                g.writeRawValue(new String(r.bytes(), StandardCharsets.UTF_8));
                inlined = r.bytes().length;
            }
        }
        if (t.error() != null) {
            g.writeObjectFieldStart(t.isTerminal() ? "error" : "lastError");
            g.writeStringField("code", t.error().code());
            g.writeStringField("message", t.error().message());
            g.writeEndObject();
        }
        if (!t.isTerminal() && t.runAt() != null && t.attempts() > 0) {
            time(g, "nextAttemptAt", t.runAt());
        }
        if (t.status() == TaskStatus.QUEUED && t.attempts() == 0 && t.runAt() != null
                && t.runAt().isAfter(t.submittedAt())) {
            time(g, "runAt", t.runAt()); // delayed: not before then
        }
        if (t.status() == TaskStatus.QUEUED) {
            time(g, "expiresAt", t.expiresAt());
        }
        if (t.retryOf() != null) {
            g.writeStringField("retryOf", t.retryOf());
        }
        if (t.traceparent() != null) {
            g.writeStringField("traceparent", t.traceparent());
        }
        g.writeEndObject();
        return inlined;
    }

    /**
     * Whether {@code json} can be written into our JSON as it is: one well-formed JSON text in
     * valid UTF-8 ({@link Json#check}) that does not begin with a byte order mark. Json.check
     * skips a BOM (a payload may carry one), but inside our document it is a stray U+FEFF before
     * the value, which makes the whole answer invalid JSON.
     */
    static boolean embeddable(byte[] json) {
        if (json.length >= 3 && (json[0] & 0xFF) == 0xEF && (json[1] & 0xFF) == 0xBB && (json[2] & 0xFF) == 0xBF) {
            return false;
        }
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
