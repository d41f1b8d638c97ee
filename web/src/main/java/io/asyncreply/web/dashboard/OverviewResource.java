package io.asyncreply.web.dashboard;

import io.asyncreply.engine.TaskService;
import io.asyncreply.task.Health;
import io.asyncreply.task.Throughput;
import io.asyncreply.task.TypeInfo;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /dashboard/api/overview}: queued, running and paused per type, finished and failed
 * tasks per type and minute over the last hour, and the nodes with their health. Computed at most
 * once a second for all callers ({@link Recent}); the throughput is kept incrementally by the core
 * ({@link TaskService#throughput()}), so with a million tasks a refresh still reads only counts and
 * the last minute or two of finished tasks.
 */
@Path("dashboard/api/overview")
public final class OverviewResource {
    private final Recent<byte[]> overview;

    OverviewResource(TaskService service) {
        this.overview = new Recent<>(Duration.ofSeconds(1), () -> compute(service));
    }

    /** The next overview is computed afresh: an action (pause, resume) changed what it shows. */
    void invalidate() {
        overview.invalidate();
    }

    @GET
    public Response overview() {
        return Answers.json(200, overview.get());
    }

    private static byte[] compute(TaskService service) {
        Health health = service.health();
        List<TypeInfo> types = service.typeInfos();
        Throughput tp = service.throughput();
        return DashboardJson.of(g -> {
            g.writeStartObject();
            DashboardJson.time(g, "at", Instant.now());
            DashboardJson.health(g, health);
            DashboardJson.types(g, types, tp);
            DashboardJson.throughput(g, tp);
            g.writeEndObject();
        });
    }
}
