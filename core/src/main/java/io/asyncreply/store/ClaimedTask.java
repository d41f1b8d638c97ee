package io.asyncreply.store;

import io.asyncreply.task.Task;
import java.time.Instant;

/**
 * A task a worker claimed: its {@code RUNNING} snapshot (whose {@code attempts} is this attempt's
 * number and fencing token), its payload, and when it became ready to run.
 *
 * <p>Hazard: {@code payload} is shared, not copied.
 *
 * @param task the task as claimed ({@code RUNNING})
 * @param payload the payload as submitted
 * @param contentType the payload's content type, or {@code null}
 * @param readyAt the run time of the {@code QUEUED} snapshot the claim took (the submission, the
 *     end of a delay, a retry's due time), from which its queue wait is counted; {@code null} when
 *     the store does not say (then the submission time is taken)
 * @param callback the task's callback URL ({@link NewTask#callback()}) as read by
 *     {@link TaskStore#findWithPayload}, which a retry by hand carries over; {@code null} when it has
 *     none. Hazard: a claim does not read it (a worker has no use for it) and leaves it {@code null}
 */
public record ClaimedTask(Task task, byte[] payload, String contentType, Instant readyAt, String callback) {
    /** A claimed task whose store does not say when it became ready. */
    public ClaimedTask(Task task, byte[] payload, String contentType) {
        this(task, payload, contentType, null, null);
    }

    /** A claimed task (a claim does not read the callback). */
    public ClaimedTask(Task task, byte[] payload, String contentType, Instant readyAt) {
        this(task, payload, contentType, readyAt, null);
    }

    /** This attempt's number: the fencing token every later write of this attempt must present. */
    public int attempt() {
        return task.attempts();
    }
}
