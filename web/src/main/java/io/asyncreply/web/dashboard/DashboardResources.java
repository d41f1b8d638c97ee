package io.asyncreply.web.dashboard;

import io.asyncreply.engine.TaskService;
import java.util.List;

/** The resources of {@code /dashboard/api}, for the Jersey application to register. */
public final class DashboardResources {
    private DashboardResources() {
    }

    public static List<Object> of(TaskService service) {
        OverviewResource overview = new OverviewResource(service);
        return List.of(new SessionResource(), overview, new TaskListResource(service),
                new TaskPageResource(service), new TaskActionResource(service),
                new TypeActionResource(service, overview::invalidate));
    }
}
