package io.asyncreply.task;

import java.util.Objects;

/**
 * A page request for {@link io.asyncreply.engine.TaskService#list}: newest first.
 *
 * @param status only tasks in this state, or {@code null} for any
 * @param type only tasks of this type, or {@code null} for any; must be a well-formed type name
 *     ({@link Limits#isTypeName})
 * @param owner only tasks of this owner, or {@code null} for every owner
 * @param limit page size, 1 to {@link #MAX_LIMIT}
 * @param cursor the {@link TaskPage#next()} of the previous page, or {@code null} for the first
 */
public record TaskQuery(TaskStatus status, String type, String owner, int limit, String cursor) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    /** @throws IllegalArgumentException for a limit out of range or a type that is not a type name */
    public TaskQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        }
        if (type != null && !Limits.isTypeName(type)) {
            throw new IllegalArgumentException("type is not a task type name");
        }
    }

    /** A query of every owner's tasks. */
    public TaskQuery(TaskStatus status, String type, int limit, String cursor) {
        this(status, type, null, limit, cursor);
    }

    /** The first page of all tasks, default size. */
    public static TaskQuery firstPage() {
        return new TaskQuery(null, null, null, DEFAULT_LIMIT, null);
    }

    /** Whether {@code task} passes this query's filters (not the cursor). */
    public boolean matches(Task task) {
        return (status == null || task.status() == status) && (type == null || Objects.equals(type, task.type()))
                && (owner == null || Objects.equals(owner, task.owner()));
    }
}
