package io.asyncreply.task;

import java.util.List;

/**
 * One page of tasks, newest first.
 *
 * @param items the tasks
 * @param next cursor for the following page, or {@code null} when this is the last
 */
public record TaskPage(List<Task> items, String next) {
    public TaskPage {
        items = List.copyOf(items);
    }
}
