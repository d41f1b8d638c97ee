package io.asyncreply.web.events;

import io.asyncreply.engine.TaskService;
import io.asyncreply.events.EndReason;
import io.asyncreply.events.Renderer;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskResult;
import io.asyncreply.web.json.TaskJson;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The text/event-stream format (WHATWG HTML, "Server-sent events"): one event per task change,
 * <pre>
 * event: succeeded
 * id: 1234
 * data: {"id":"...","type":"sleep","status":"SUCCEEDED",...}
 *
 * </pre>
 * with {@code data} the task after the change in the shape of {@code GET /tasks/{id}}; and comment
 * lines (a colon first) for everything that is not an event: heartbeats and notices, which clients
 * ignore and people reading the stream can understand.
 *
 * <p>A result is inlined in {@code data} when it is JSON of at most {@link #INLINE_RESULT_MAX}
 * bytes (less than {@code GET /tasks/{id}}, whose limit is {@link TaskJson#INLINE_RESULT_MAX}):
 * each stream buffers what its client has not read, so frames are kept small; a larger result is
 * read from {@code resultUrl}. An event read from a database log carries a summary of its result:
 * for a small JSON one the task is read once, for every stream at once.
 *
 * <p>Hazard: a JSON result is inlined as it was written, and may hold line breaks between its
 * tokens. {@code data} is one line per line of the JSON, as the format requires; a client joins
 * them with {@code \n}, which keeps the JSON the same.
 */
final class SseFrames implements Renderer {
    /** Largest JSON result inlined in an event's data. */
    static final int INLINE_RESULT_MAX = 16 * 1024;

    static final byte[] OPEN = comment("asyncreply event stream");
    static final byte[] HEARTBEAT = comment("heartbeat");
    static final byte[] MALFORMED_LAST_EVENT_ID = comment(
            "Last-Event-ID is not an event id of this server; starting from the current state");

    private final TaskService service;
    private final String contextPath;

    SseFrames(TaskService service, String contextPath) {
        this.service = service;
        this.contextPath = contextPath;
    }

    @Override
    public byte[] event(TaskEvent e) {
        Task t = e.task();
        TaskResult r = t.result();
        if (r != null && !r.hasBytes() && r.isJson() && r.size() <= INLINE_RESULT_MAX) {
            try {
                t = service.find(t.id()).filter(Task::isTerminal).orElse(t);
            } catch (RuntimeException unreadable) {
                // the store is unreachable: the event as it is, its result at resultUrl
            }
        }
        return event(e.kind().wireName(), e.id(), TaskJson.task(t, contextPath, false, INLINE_RESULT_MAX));
    }

    @Override
    public byte[] missed(long count) {
        return comment((count < 0 ? "some" : Long.toString(count))
                + " events after Last-Event-ID are no longer retained and were missed; the stream goes on with the"
                + " oldest retained");
    }

    @Override
    public byte[] unknownLastEventId(long lastEventId) {
        return comment("Last-Event-ID " + lastEventId + " is not an event id of this server; starting from the"
                + " current state");
    }

    /** The last words of a stream the server ends, or null when none are needed. */
    static byte[] farewell(EndReason reason) {
        return switch (reason) {
            case COMPLETED, CLOSED -> null;
            case OVERFLOW -> comment("dropped: this client read too slowly and the events it had not read were let"
                    + " go; reconnect with Last-Event-ID to resume");
            case SHUTDOWN -> comment("the server is stopping; reconnect with Last-Event-ID to resume");
            case ERROR -> comment("an event could not be sent; reconnect with Last-Event-ID to resume");
        };
    }

    /** One event: {@code event}, {@code id} and one {@code data} line per line of {@code json}. */
    static byte[] event(String name, long id, byte[] json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length + 48);
        out.writeBytes(("event: " + name + "\nid: " + id + "\n").getBytes(StandardCharsets.UTF_8));
        byte[] data = "data: ".getBytes(StandardCharsets.US_ASCII);
        int start = 0;
        for (int i = 0; i <= json.length; i++) {
            if (i == json.length || json[i] == '\n' || json[i] == '\r') {
                out.write(data, 0, data.length);
                out.write(json, start, i - start);
                out.write('\n');
                if (i < json.length && json[i] == '\r' && i + 1 < json.length && json[i + 1] == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** A comment line (ignored by clients), ending the block. {@code text} holds no line break. */
    static byte[] comment(String text) {
        return (": " + text + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
