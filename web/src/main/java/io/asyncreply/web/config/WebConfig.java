package io.asyncreply.web.config;

import java.time.Duration;

/**
 * The parsed configuration of the web application; see docs/configuration.md for each setting.
 * Names follow {@link Settings}: {@code asyncreply.x.y}, environment {@code ASYNCREPLY_X_Y}.
 */
public record WebConfig(
        int workers,
        long queueCapacity,
        long maxBodyBytes,
        Duration readTimeout,
        long intakeMaxBufferedBytes,
        int waitCapSeconds,
        int retryAfterSeconds,
        Duration retention,
        long retainMaxTasks,
        boolean builtins,
        Duration lease,
        Duration shutdownGrace,
        int maxAttempts,
        String nodeId,
        String store,
        String h2Dir,
        String jndiName,
        String jdbcUrl,
        String jdbcUser,
        String jdbcPassword,
        int poolSize,
        boolean listenNotify,
        int maxHeldWaits,
        TrustedProxies trustedProxies,
        boolean metricsPublic,
        Duration metricsRefresh) {

    public static final String STORE_MEMORY = "memory";
    public static final String STORE_H2 = "h2";
    public static final String STORE_JNDI = "jndi";
    public static final String STORE_JDBC = "jdbc";

    /** The setting that bounds the bytes all uploads in progress hold in memory together. */
    public static final String INTAKE_MAX_BUFFERED_BYTES = "asyncreply.intake.max-buffered-bytes";

    /**
     * The settings, parsed and range-checked. {@link #store()} and {@link #h2Dir()} have no default
     * (they are {@code null} when unset): the application refuses to start without them (see
     * {@code Stores}) rather than guess where tasks live.
     */
    public static WebConfig from(Settings s) {
        String store = s.string("asyncreply.store", null);
        if (store != null) {
            store = store.toLowerCase(java.util.Locale.ROOT);
        }
        if (store != null && !store.equals(STORE_MEMORY) && !store.equals(STORE_H2) && !store.equals(STORE_JNDI)
                && !store.equals(STORE_JDBC)) {
            throw new IllegalArgumentException("Setting asyncreply.store (environment ASYNCREPLY_STORE) is '" + store
                    + "'; expected memory, h2, jndi or jdbc.");
        }
        long maxBodyBytes = s.longValue("asyncreply.body.max-bytes", 1L << 20, 0, Integer.MAX_VALUE - 8);
        return new WebConfig(
                s.integer("asyncreply.workers", Runtime.getRuntime().availableProcessors(), 1, 1024),
                s.longValue("asyncreply.queue.capacity", 10_000, 1, Long.MAX_VALUE),
                maxBodyBytes,
                s.positiveDuration("asyncreply.read.timeout", Duration.ofSeconds(30)),
                // At least one largest body must fit, or no body of the largest size could ever be accepted.
                s.longValue(INTAKE_MAX_BUFFERED_BYTES,
                        Math.max(maxBodyBytes, Runtime.getRuntime().maxMemory() / 4), maxBodyBytes, Long.MAX_VALUE),
                s.seconds("asyncreply.wait.max", Duration.ofSeconds(60), 0, 86_400),
                s.seconds("asyncreply.retry-after", Duration.ofSeconds(1), 1, 86_400),
                s.positiveDuration("asyncreply.retention", Duration.ofHours(24)),
                s.longValue("asyncreply.retention.max-tasks", 100_000, 0, Long.MAX_VALUE),
                s.bool("asyncreply.builtins", true),
                s.positiveDuration("asyncreply.lease", Duration.ofSeconds(30)),
                s.duration("asyncreply.shutdown.grace", Duration.ofSeconds(10)),
                s.integer("asyncreply.max-attempts", 5, 1, 1000),
                s.string("asyncreply.node-id", null),
                store,
                s.string("asyncreply.h2.dir", null),
                s.string("asyncreply.jndi.name", "java:comp/env/jdbc/tasks"),
                s.string("asyncreply.jdbc.url", null),
                s.string("asyncreply.jdbc.user", null),
                s.string("asyncreply.jdbc.password", null),
                s.integer("asyncreply.jdbc.pool-size", 10, 1, 1000),
                s.bool("asyncreply.listen-notify", true),
                s.integer("asyncreply.wait.max-held", 2_000, 0, 1_000_000),
                trustedProxies(s),
                s.bool("asyncreply.metrics.public", false),
                s.positiveDuration("asyncreply.metrics.refresh", Duration.ofSeconds(10)));
    }

    private static TrustedProxies trustedProxies(Settings s) {
        String name = "asyncreply.proxy.trusted";
        try {
            return TrustedProxies.parse(s.raw(name));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Setting " + name + " (environment " + Settings.envName(name)
                    + "): " + e.getMessage() + "; expected IP addresses and CIDR ranges separated by commas.", e);
        }
    }
}
