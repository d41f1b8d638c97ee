package io.asyncreply.it.dashboard;

import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import java.nio.charset.StandardCharsets;

/**
 * A task type for the dashboard tests, deployed into the WAR under test (see
 * {@link DashboardServer}): it fails with its payload as the error message, so that a test can
 * make a task whose error is markup ({@code <script>...}) and check the page shows it as text.
 */
public final class FailingHandler implements TaskHandler {
    @Override
    public String type() {
        return "fails";
    }

    @Override
    public TaskResult handle(TaskContext ctx) {
        throw new IllegalStateException(new String(ctx.payload(), StandardCharsets.UTF_8));
    }
}
