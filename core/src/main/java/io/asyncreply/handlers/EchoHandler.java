package io.asyncreply.handlers;

import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;

/** {@code echo}: the result is the payload, with the payload's content type. */
public final class EchoHandler implements TaskHandler {
    @Override
    public String type() {
        return "echo";
    }

    @Override
    public TaskResult handle(TaskContext context) {
        String ct = context.contentType();
        return TaskResult.of(context.payload(), ct == null ? "application/octet-stream" : ct);
    }
}
