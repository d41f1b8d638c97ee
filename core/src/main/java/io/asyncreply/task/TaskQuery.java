package io.asyncreply.task;

import java.util.Objects;

/**
 * A page request for {@link io.asyncreply.engine.TaskService#list}: newest first.
 *
 * @param status only tasks in this state, or {@code null} for any
 * @param type only tasks of this type, or {@code null} for any
 * @param limit page size, 1 to {@link #MAX_LIMIT}
 * @param cursor the {@link TaskPage#next()} of the previous page, or {@code null} for the first
 */
public record TaskQuery(TaskStatus status, String type, int limit, String cursor) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    public TaskQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        }
    }

    /** The first page of all tasks, default size. */
    public static TaskQuery firstPage() {
        return new TaskQuery(null, null, DEFAULT_LIMIT, null);
    }

    /** Whether {@code task} passes this query's filters (not the cursor). */
    public boolean matches(Task task) {
        return (status == null || task.status() == status) && (type == null || Objects.equals(type, task.type()));
    }
}
