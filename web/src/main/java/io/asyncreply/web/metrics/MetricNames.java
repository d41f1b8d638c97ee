package io.asyncreply.web.metrics;

/**
 * The meters' names, in Micrometer's dotted form; the Prometheus exposition turns dots into
 * underscores and adds the unit and {@code _total} ({@code asyncreply.tasks.submitted} is
 * {@code asyncreply_tasks_submitted_total}). docs/operations.md lists them all.
 */
public final class MetricNames {
    public static final String SUBMITTED = "asyncreply.tasks.submitted";
    public static final String REJECTED = "asyncreply.tasks.rejected";
    public static final String STARTED = "asyncreply.tasks.started";
    public static final String FINISHED = "asyncreply.tasks.finished";
    public static final String RETRIED = "asyncreply.tasks.retried";
    public static final String EXPIRED = "asyncreply.tasks.expired";
    public static final String RECOVERED = "asyncreply.tasks.recovered";
    public static final String QUEUE_WAIT = "asyncreply.tasks.queue.wait";
    public static final String RUN = "asyncreply.tasks.run";
    public static final String END_TO_END = "asyncreply.tasks.end.to.end";
    public static final String QUEUED = "asyncreply.tasks.queued";
    public static final String RUNNING = "asyncreply.tasks.running";
    public static final String OLDEST_QUEUED_AGE = "asyncreply.tasks.queued.oldest.age";
    public static final String INTAKE_BATCH_SIZE = "asyncreply.intake.batch.size";
    public static final String INTAKE_COMMIT = "asyncreply.intake.commit";
    public static final String LONG_POLLS_OPEN = "asyncreply.longpolls.open";
    public static final String EVENT_STREAMS_OPEN = "asyncreply.events.streams.open";
    public static final String WEBHOOK_DELIVERIES = "asyncreply.webhooks.deliveries";
    public static final String WEBHOOK_LATENCY = "asyncreply.webhooks.delivery.latency";
    public static final String STORE_READ_FAILURES = "asyncreply.metrics.store.read.failures";

    private MetricNames() {
    }
}
