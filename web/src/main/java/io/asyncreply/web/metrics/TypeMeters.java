package io.asyncreply.web.metrics;

import io.asyncreply.task.Rejection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The meters of one task type (or of {@value EngineMeters#OTHER}), made once, so that counting an
 * event is a field read and an increment: no tags are built and no registry is asked per event.
 * Rejections are made on their first use (a type may never see most reasons).
 */
final class TypeMeters {
    /** Histogram buckets of the task durations: 5 ms to 1 h. */
    static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
        Duration.ofHours(1)};

    final String type;
    final Counter submitted;
    final Counter started;
    final Counter retried;
    final Counter expired;
    final Counter recovered;
    final Counter succeeded;
    final Counter failed;
    final Counter cancelled;
    final Timer queueWait;
    final Timer run;
    final Timer endToEnd;
    private final MeterRegistry registry;
    private final AtomicReferenceArray<Counter> rejected = new AtomicReferenceArray<>(Rejection.values().length);

    TypeMeters(MeterRegistry registry, String type) {
        this.registry = registry;
        this.type = type;
        submitted = counter(MetricNames.SUBMITTED, "Tasks stored by this node");
        started = counter(MetricNames.STARTED, "Attempts started by this node");
        retried = counter(MetricNames.RETRIED, "Tasks queued again for another attempt after an attempt of this node");
        expired = counter(MetricNames.EXPIRED, "Queued tasks ended FAILED (expired) by this node's housekeeping");
        recovered = counter(MetricNames.RECOVERED, "Tasks recovered by this node from an expired lease");
        succeeded = finished("succeeded");
        failed = finished("failed");
        cancelled = finished("cancelled");
        queueWait = timer(MetricNames.QUEUE_WAIT, "How long a task was ready before an attempt started");
        run = timer(MetricNames.RUN, "How long an attempt ran");
        endToEnd = timer(MetricNames.END_TO_END, "From a task's submission to its end");
    }

    private Counter counter(String name, String help) {
        return Counter.builder(name).description(help).tag("type", type).register(registry);
    }

    private Counter finished(String status) {
        return Counter.builder(MetricNames.FINISHED).description("Tasks ended by this node, by final status")
                .tag("type", type).tag("status", status).register(registry);
    }

    private Timer timer(String name, String help) {
        return Timer.builder(name).description(help).tag("type", type).serviceLevelObjectives(BUCKETS)
                .register(registry);
    }

    /** The counter of refusals of this type for {@code reason}. */
    Counter rejected(Rejection reason) {
        int i = reason.ordinal();
        Counter c = rejected.get(i);
        if (c == null) { // the registry gives every caller the same counter: a race only asks it twice
            c = Counter.builder(MetricNames.REJECTED).description("Submissions refused, by reason").tag("type", type)
                    .tag("reason", reason.name().toLowerCase(Locale.ROOT)).register(registry);
            rejected.set(i, c);
        }
        return c;
    }

    static void record(Timer t, long millis) {
        t.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }
}
