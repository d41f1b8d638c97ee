package io.asyncreply.web.metrics;

import io.asyncreply.engine.TaskService;
import io.asyncreply.task.TypeInfo;
import io.asyncreply.web.timer.OneThreadTimer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The figures only the store knows, shared by every node: tasks queued and running per type, and
 * the age of the oldest queued task that is due. Read by one named thread ({@value #THREAD}) every
 * refresh interval, never by a scrape: a scrape reads the last values, so scraping costs the store
 * nothing and many scrapers cost it no more than one.
 *
 * <p>The types are those {@link TaskService#typeInfos()} lists (served by a live node, or with
 * tasks queued or running): clients cannot add types, because a submission of a type nobody serves
 * is refused. A type that leaves keeps its gauges, at zero. When the store cannot be read the last
 * values stay, and {@value MetricNames#STORE_READ_FAILURES} counts the failed reads.
 */
final class StoreGauges implements AutoCloseable {
    static final String THREAD = "asyncreply-metrics";
    private static final System.Logger LOG = System.getLogger(StoreGauges.class.getName());

    private final MeterRegistry registry;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private final Counter failures;
    private volatile Map<String, long[]> counts = Map.of();
    private volatile double oldestSeconds;
    private OneThreadTimer timer;
    private TaskService service;

    StoreGauges(MeterRegistry registry, Set<String> served) {
        this.registry = registry;
        for (String t : served) {
            register(t);
        }
        Gauge.builder(MetricNames.OLDEST_QUEUED_AGE, this, g -> g.oldestSeconds).baseUnit("seconds")
                .description("How long the queued task that has been due longest has waited (every node's)")
                .strongReference(true).register(registry);
        failures = Counter.builder(MetricNames.STORE_READ_FAILURES)
                .description("Refreshes of the store's figures that failed (the gauges keep their last values)")
                .register(registry);
    }

    private void register(String type) {
        if (!registered.add(type)) {
            return;
        }
        Gauge.builder(MetricNames.QUEUED, this, g -> g.count(type, 0)).tag("type", type)
                .description("Tasks waiting, on every node sharing the store").strongReference(true).register(registry);
        Gauge.builder(MetricNames.RUNNING, this, g -> g.count(type, 1)).tag("type", type)
                .description("Tasks running, on every node sharing the store").strongReference(true).register(registry);
    }

    private double count(String type, int which) {
        long[] c = counts.get(type);
        return c == null ? 0 : c[which];
    }

    /** Reads the store now, then every {@code every}, on the {@value #THREAD} thread. */
    synchronized void start(TaskService service, Duration every) {
        if (timer != null) {
            throw new IllegalStateException("already started");
        }
        this.service = service;
        timer = OneThreadTimer.create(THREAD + "-1", true); // never keeps a JVM alive; close() stops it on undeploy
        timer.executor().scheduleWithFixedDelay(this::refreshQuietly, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            failures.increment();
            LOG.log(Level.DEBUG, "could not read the store''s figures: {0}", e.getMessage());
        }
    }

    /** One read of the store (two or three queries); the gauges show it from now on. */
    void refresh() {
        List<TypeInfo> infos = service.typeInfos();
        double oldest = service.oldestQueuedAge().toMillis() / 1000.0;
        Map<String, long[]> next = new HashMap<>();
        for (TypeInfo i : infos) {
            register(i.type());
            next.put(i.type(), new long[] {i.queued(), i.running()});
        }
        counts = next;
        oldestSeconds = oldest;
    }

    @Override
    public synchronized void close() {
        if (timer == null) {
            return;
        }
        timer.close();
    }
}
