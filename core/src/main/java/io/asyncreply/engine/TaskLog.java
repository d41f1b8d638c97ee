package io.asyncreply.engine;

import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import java.lang.System.Logger.Level;
import java.time.Instant;

/**
 * The log of what happened to tasks on this node, on the logger {@code io.asyncreply.engine.TaskLog}
 * (set its level to turn it down): one INFO line per task this node ended, written right after
 * the write that ended it, and one DEBUG line per submission stored.
 *
 * <pre>
 * task ended: id=P7m... type=sleep status=SUCCEEDED attempts=1 waitMs=3 runMs=5002 totalMs=5005
 * task ended: id=P7n... type=sleep status=FAILED attempts=3 waitMs=4012 runMs=11 totalMs=4023 error.code=handler-error error.message="disk full"
 * task ended: id=P7o... type=echo status=CANCELLED attempts=0 waitMs=840 totalMs=840
 * </pre>
 *
 * <p>Fields: {@code waitMs} from the submission to the start of the last attempt (to the end for a
 * task that never started: delays, earlier attempts and retry back-offs included); {@code runMs}
 * the last attempt's run time (absent when it never started); {@code totalMs} from the submission
 * to the end. Never the payload or the result. A handler's error message is the one text a task
 * brings in: it is quoted and escaped ({@link LogText}), so no task can start a log record of its own.
 */
final class TaskLog {
    static final System.Logger LOG = System.getLogger(TaskLog.class.getName());

    void submitted(Task t) {
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "task submitted: id=" + t.id() + " type=" + t.type() + " priority=" + t.priority());
        }
    }

    void finished(Task t) {
        if (LOG.isLoggable(Level.INFO)) {
            LOG.log(Level.INFO, line(t));
        }
    }

    void cancelledQueued(String type, int count) {
        if (count > 0 && LOG.isLoggable(Level.INFO)) {
            LOG.log(Level.INFO, "tasks cancelled while queued: count=" + count + " type=" + (type == null ? "*" : type));
        }
    }

    /** The line of a terminal task. */
    static String line(Task t) {
        Instant end = t.finishedAt();
        Instant start = t.startedAt();
        StringBuilder sb = new StringBuilder(160).append("task ended: id=").append(t.id()).append(" type=")
                .append(t.type()).append(" status=").append(t.status()).append(" attempts=").append(t.attempts());
        if (end != null) {
            sb.append(" waitMs=").append(millis(t.submittedAt(), start != null ? start : end));
            if (start != null) {
                sb.append(" runMs=").append(millis(start, end));
            }
            sb.append(" totalMs=").append(millis(t.submittedAt(), end));
        }
        TaskError e = t.error();
        if (e != null) {
            sb.append(" error.code=").append(e.code()).append(" error.message=");
            LogText.appendQuoted(sb, e.message());
        }
        return sb.toString();
    }

    private static long millis(Instant from, Instant to) {
        return Math.max(0, to.toEpochMilli() - from.toEpochMilli());
    }
}
