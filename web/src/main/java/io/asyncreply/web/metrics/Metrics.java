package io.asyncreply.web.metrics;

import io.asyncreply.engine.TaskService;
import io.asyncreply.task.TaskObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

/**
 * The web application's meters, exposed at {@code GET /metrics} in the Prometheus text format: the
 * engine's (through the {@link #observer()} the service is built with), the store's
 * ({@link StoreGauges}), and those of the web layer, which register here: open long-polls,
 * {@linkplain #eventStreams(IntSupplier) open event streams}, {@linkplain #webhookDelivery webhook
 * deliveries} and any {@linkplain #gauge other gauge}. One registry per deployment (never the
 * Prometheus client's global one), so a redeploy starts from zero and leaks nothing.
 */
public final class Metrics implements AutoCloseable {
    /** How a webhook delivery attempt ended; the {@code outcome} tag of {@value MetricNames#WEBHOOK_DELIVERIES}. */
    public enum WebhookOutcome {
        /** The receiver answered 2xx. */
        DELIVERED,
        /** It failed (no answer, or not 2xx); another attempt will follow. */
        FAILED,
        /** It failed and no attempt is left: the delivery is given up. */
        ABANDONED
    }

    /** The content type of {@link #scrape()}: the Prometheus text format, version 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final EngineMeters engine;
    private final StoreGauges store;
    private final AtomicReference<IntSupplier> eventStreams = new AtomicReference<>(() -> 0);
    private final Map<WebhookOutcome, Counter> webhooks = new EnumMap<>(WebhookOutcome.class);
    private final Timer webhookLatency;

    /** Meters for a node that serves {@code types} (the {@code type} tag's values; others are "other"). */
    public Metrics(Set<String> types) {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(),
                io.micrometer.core.instrument.Clock.SYSTEM);
        engine = new EngineMeters(registry, types);
        store = new StoreGauges(registry, types);
        gauge(MetricNames.EVENT_STREAMS_OPEN, "Event streams (server-sent events) open on this node",
                () -> eventStreams.get().getAsInt());
        for (WebhookOutcome o : WebhookOutcome.values()) {
            webhooks.put(o, Counter.builder(MetricNames.WEBHOOK_DELIVERIES)
                    .description("Webhook delivery attempts made by this node, by outcome")
                    .tag("outcome", o.name().toLowerCase(Locale.ROOT)).register(registry));
        }
        webhookLatency = Timer.builder(MetricNames.WEBHOOK_LATENCY)
                .description("Time from a terminal event's commit to its webhook's delivery (2xx), including retries")
                .publishPercentileHistogram().register(registry);
    }

    /** What the service tells of its work; give it to {@link TaskService.Builder#observer}. */
    public TaskObserver observer() {
        return engine;
    }

    /** Starts reading the store's figures every {@code refresh} (on one named thread), until {@link #close()}. */
    public void start(TaskService service, Duration refresh) {
        store.start(Objects.requireNonNull(service), refresh);
    }

    /** Reads the store's figures now, on the caller's thread (for tests). */
    void refreshNow() {
        store.refresh();
    }

    /**
     * A registration point: a gauge {@code name} (dotted, {@code asyncreply.x.y}) that reads
     * {@code value} at each scrape; {@code value} must be cheap and thread-safe.
     */
    public void gauge(String name, String description, IntSupplier value) {
        Objects.requireNonNull(value, "value");
        Gauge.builder(name, value, IntSupplier::getAsInt).description(description).strongReference(true)
                .register(registry);
    }

    /** Where the event streams register how many are open on this node (read at each scrape). */
    public void eventStreams(IntSupplier open) {
        eventStreams.set(Objects.requireNonNull(open, "open"));
    }

    /** Counts one webhook delivery attempt that ended with {@code outcome}. */
    public void webhookDelivery(WebhookOutcome outcome) {
        webhooks.get(outcome).increment();
    }

    /** Records the time from an event's commit to its delivery. */
    public void webhookLatency(Duration sinceEvent) {
        webhookLatency.record(sinceEvent.isNegative() ? Duration.ZERO : sinceEvent);
    }

    /** Every meter, in the Prometheus text format ({@link #CONTENT_TYPE}). */
    public String scrape() {
        return registry.scrape();
    }

    /** Stops reading the store. The meters stay readable. */
    @Override
    public void close() {
        store.close();
    }
}
