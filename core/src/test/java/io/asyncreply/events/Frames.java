package io.asyncreply.events;

import static org.assertj.core.api.Assertions.fail;

import io.asyncreply.task.TaskEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A renderer for tests: each event as {@code id kind taskId status}, notices as {@code !missed N}
 * and {@code !unknown N}; it counts the events it rendered. And a reader of what a subscription
 * hands out.
 */
final class Frames implements Renderer {
    final AtomicInteger rendered = new AtomicInteger();

    @Override
    public byte[] event(TaskEvent e) {
        rendered.incrementAndGet();
        return (e.id() + " " + e.kind().wireName() + " " + e.taskId() + " " + e.task().status())
                .getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] missed(long count) {
        return ("!missed " + count).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] unknownLastEventId(long lastEventId) {
        return ("!unknown " + lastEventId).getBytes(StandardCharsets.UTF_8);
    }

    /** One frame as the test renderer wrote it. */
    record Frame(String text) {
        boolean isNotice() {
            return text.startsWith("!");
        }

        long id() {
            return Long.parseLong(text.split(" ")[0]);
        }

        String kind() {
            return text.split(" ")[1];
        }

        String taskId() {
            return text.split(" ")[2];
        }
    }

    /** What one poll gave, as text; null for nothing yet. */
    static Object next(Subscription s) {
        Next n = s.poll();
        if (n instanceof Next.Frame f) {
            return new Frame(new String(f.bytes(), StandardCharsets.UTF_8));
        }
        if (n instanceof Next.End e) {
            return e.reason();
        }
        return null;
    }

    /**
     * Polls until the subscription has nothing more now (an idle with a retry is polled again) or
     * ends; returns the frames, and the end reason last if it ended.
     */
    static List<Object> drain(Subscription s) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) {
            Next n = s.poll();
            if (n instanceof Next.Frame f) {
                out.add(new Frame(new String(f.bytes(), StandardCharsets.UTF_8)));
            } else if (n instanceof Next.End e) {
                out.add(e.reason());
                return out;
            } else if (((Next.Idle) n).retryMillis() < 0) {
                return out;
            }
        }
        return fail("a subscription that never stops handing out");
    }
}
