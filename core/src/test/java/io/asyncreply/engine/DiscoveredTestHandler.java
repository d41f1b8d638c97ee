package io.asyncreply.engine;

import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import java.nio.charset.StandardCharsets;

/** Listed in META-INF/services of the test classpath, to be found by ServiceLoader. */
public final class DiscoveredTestHandler implements TaskHandler {
    public static final String TYPE = "discovered-test";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public TaskResult handle(TaskContext context) {
        return TaskResult.of("found me".getBytes(StandardCharsets.UTF_8), "text/plain");
    }
}
