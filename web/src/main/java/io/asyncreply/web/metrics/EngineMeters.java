package io.asyncreply.web.metrics;

import io.asyncreply.task.Rejection;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskObserver;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The engine's figures as meters: the {@link TaskObserver} the service is built with. Each event is
 * one read of an unchanging map (the type's meters, made at start) and one increment or histogram
 * update; no lock, no tags built per event, nothing the worker path waits for.
 *
 * <p>The {@code type} tag takes the types this node serves, and {@value #OTHER} for anything else
 * (a type only another node serves, a refused unknown type, a bulk cancel of every type), so that
 * no client can grow the number of series.
 */
final class EngineMeters implements TaskObserver {
    /** The {@code type} tag of tasks whose type this node does not serve. */
    static final String OTHER = "other";

    private final Map<String, TypeMeters> types;
    private final TypeMeters other;
    private final DistributionSummary batchSize;
    private final Timer commit;

    EngineMeters(MeterRegistry registry, Set<String> served) {
        Map<String, TypeMeters> m = new HashMap<>();
        for (String t : served) {
            m.put(t, new TypeMeters(registry, t));
        }
        this.other = m.containsKey(OTHER) ? m.get(OTHER) : new TypeMeters(registry, OTHER);
        this.types = Map.copyOf(m);
        this.batchSize = DistributionSummary.builder(MetricNames.INTAKE_BATCH_SIZE)
                .description("Submissions written in one group commit").serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64,
                        128, 256, 512, 1024)
                .register(registry);
        this.commit = Timer.builder(MetricNames.INTAKE_COMMIT)
                .description("How long a group commit of submissions took to write and commit")
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
                        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
                        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5))
                .register(registry);
    }

    private TypeMeters of(String type) {
        TypeMeters m = type == null ? null : types.get(type);
        return m == null ? other : m;
    }

    private static long between(Instant from, Instant to) {
        return from == null || to == null ? 0 : to.toEpochMilli() - from.toEpochMilli();
    }

    @Override
    public void submitted(Task task) {
        of(task.type()).submitted.increment();
    }

    @Override
    public void rejected(String type, Rejection reason) {
        of(type).rejected(reason).increment();
    }

    @Override
    public void started(Task task, long queueWaitMillis) {
        TypeMeters m = of(task.type());
        m.started.increment();
        TypeMeters.record(m.queueWait, queueWaitMillis);
    }

    @Override
    public void ran(Task task, long runMillis) {
        TypeMeters.record(of(task.type()).run, runMillis);
    }

    @Override
    public void retried(Task task) {
        of(task.type()).retried.increment();
    }

    @Override
    public void finished(Task task) {
        TypeMeters m = of(task.type());
        switch (task.status()) {
            case SUCCEEDED -> m.succeeded.increment();
            case FAILED -> m.failed.increment();
            case CANCELLED -> m.cancelled.increment();
            default -> {
                return; // not terminal: not a finish
            }
        }
        TypeMeters.record(m.endToEnd, between(task.submittedAt(), task.finishedAt()));
    }

    @Override
    public void expired(Task task) {
        of(task.type()).expired.increment();
    }

    @Override
    public void recovered(Task task) {
        of(task.type()).recovered.increment();
    }

    @Override
    public void cancelledQueued(String type, int count) {
        of(type).cancelled.increment(count);
    }

    @Override
    public void intakeCommitted(int size, long commitNanos) {
        batchSize.record(size);
        commit.record(commitNanos, TimeUnit.NANOSECONDS);
    }
}
