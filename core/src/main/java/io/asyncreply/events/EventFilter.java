package io.asyncreply.events;

import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskStatus;

/**
 * Which events of every task a subscription wants, judged on the task after each change: its owner,
 * its type and its status. A {@code null} condition admits everything.
 *
 * @param owner only tasks of this owner; {@code null}: every owner's (the caller may see them all)
 * @param type only tasks of this type, or {@code null}
 * @param status only changes that leave the task in this status, or {@code null}
 */
public record EventFilter(String owner, String type, TaskStatus status) {
    /** Every event of every task. */
    public static final EventFilter ALL = new EventFilter(null, null, null);

    /** Whether {@code e} passes. */
    public boolean matches(TaskEvent e) {
        Task t = e.task();
        return (owner == null || owner.equals(t.owner()))
                && (type == null || type.equals(t.type()))
                && (status == null || status == t.status());
    }
}
