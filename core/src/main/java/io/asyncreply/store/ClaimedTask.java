package io.asyncreply.store;

import io.asyncreply.task.Task;

/**
 * A task a worker claimed: its {@code RUNNING} snapshot (whose {@code attempts} is this attempt's
 * number and fencing token) and its payload.
 *
 * <p>Hazard: {@code payload} is shared, not copied.
 */
public record ClaimedTask(Task task, byte[] payload, String contentType) {
    /** This attempt's number: the fencing token every later write of this attempt must present. */
    public int attempt() {
        return task.attempts();
    }
}
