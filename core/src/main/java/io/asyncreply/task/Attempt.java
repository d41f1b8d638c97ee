package io.asyncreply.task;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One attempt of a task, as its events tell it.
 *
 * @param attempt its number, from 1
 * @param node the node that ran it, or {@code null} when unknown
 * @param startedAt when it started
 * @param finishedAt when it ended, or {@code null} while it runs
 * @param outcome how it ended: {@code succeeded}, {@code failed}, {@code cancelled}, {@code requeued}
 *     (another attempt follows), or {@code null} while it runs
 * @param error why it failed or was requeued, or {@code null}
 */
public record Attempt(int attempt, String node, Instant startedAt, Instant finishedAt, String outcome,
        TaskError error) {

    public Attempt {
        Objects.requireNonNull(startedAt, "startedAt");
    }

    /** The attempts a task's events (in order) tell of, oldest first. */
    public static List<Attempt> of(List<TaskEvent> events) {
        List<Attempt> out = new ArrayList<>();
        Attempt open = null;
        for (TaskEvent e : events) {
            switch (e.kind()) {
                case STARTED -> {
                    if (open != null) { // an attempt without an end in the log: its worker was lost
                        out.add(open);
                    }
                    open = new Attempt(e.task().attempts(), e.node(), e.at(), null, null, null);
                }
                case REQUEUED, SUCCEEDED, FAILED, CANCELLED -> {
                    if (open != null && e.task().attempts() == open.attempt()) {
                        out.add(new Attempt(open.attempt(), open.node(), open.startedAt(), e.at(),
                                e.kind().wireName(), e.task().error()));
                        open = null;
                    }
                }
                default -> {
                    // queued, progress: not an end of an attempt
                }
            }
        }
        if (open != null) {
            out.add(open);
        }
        return out;
    }
}
