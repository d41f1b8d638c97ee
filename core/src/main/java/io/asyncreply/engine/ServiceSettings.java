package io.asyncreply.engine;

import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Limits;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskObserver;
import io.asyncreply.task.TypePolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.UUID;

/**
 * What a {@link TaskService} is configured with, each value checked as it is set: the state behind
 * {@link TaskService.Builder}, whose public methods document the settings and their defaults.
 * {@link #checked()} takes a snapshot for {@link ServiceAssembly}, so that a builder used again
 * does not change a service already built.
 */
final class ServiceSettings {
    private TaskStore store;
    private final Map<String, TaskHandler> handlers = new LinkedHashMap<>();
    private Clock clock = Clock.systemUTC();
    private int workers = 2;
    private long queueCapacity = 10_000;
    private Duration leaseDuration = Duration.ofSeconds(30);
    private Duration pollInterval = Duration.ofSeconds(1);
    private Duration retention = Duration.ofHours(24);
    private long retainAtMost = 100_000;
    private Duration purgeInterval = Duration.ofSeconds(1);
    private int maxAttempts = 5;
    private Duration shutdownGrace = Duration.ofSeconds(10);
    private String nodeId;
    private final Map<String, TypePolicy> policies = new LinkedHashMap<>();
    private TaskObserver observer = TaskObserver.NONE;
    private CallbackCheck callbackCheck = CallbackCheck.ANY;

    /** The settings of one service, as built: every value checked, a node id chosen. */
    record Checked(TaskStore store, Map<String, TaskHandler> handlers, Clock clock, int workers, long queueCapacity,
            Duration leaseDuration, Duration pollInterval, Duration retention, long retainAtMost,
            Duration purgeInterval, int maxAttempts, Duration shutdownGrace, String nodeId,
            Map<String, TypePolicy> policies, TaskObserver observer, CallbackCheck callbackCheck) {
    }

    void observer(TaskObserver observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    void callbackCheck(CallbackCheck check) {
        this.callbackCheck = Objects.requireNonNull(check, "check");
    }

    void store(TaskStore store) {
        this.store = Objects.requireNonNull(store);
    }

    /** @throws IllegalArgumentException for a bad or duplicate type name */
    void handler(TaskHandler handler) {
        String type = handler.type();
        if (!Limits.isTypeName(type)) {
            throw new IllegalArgumentException("bad task type name: '" + type + "' ("
                    + handler.getClass().getName() + ")");
        }
        if (handlers.putIfAbsent(type, handler) != null) {
            throw new IllegalArgumentException("two handlers for task type '" + type + "': "
                    + handlers.get(type).getClass().getName() + " and " + handler.getClass().getName());
        }
    }

    void handlers(Iterable<? extends TaskHandler> all) {
        for (TaskHandler h : all) {
            handler(h);
        }
    }

    void discoverHandlers(ClassLoader loader) {
        List<TaskHandler> found = new ArrayList<>();
        ServiceLoader.load(TaskHandler.class, loader).forEach(found::add);
        handlers(found);
    }

    void workers(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1");
        }
        this.workers = workers;
    }

    void queueCapacity(long capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("queue capacity must be at least 1");
        }
        this.queueCapacity = capacity;
    }

    void clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
    }

    void leaseDuration(Duration lease) {
        this.leaseDuration = positive(lease, "lease duration");
    }

    void pollInterval(Duration interval) {
        this.pollInterval = positive(interval, "poll interval");
    }

    void retention(Duration keepFor, long keepAtMost) {
        this.retention = positive(keepFor, "retention");
        if (keepAtMost < 0) {
            throw new IllegalArgumentException("keepAtMost must not be negative");
        }
        this.retainAtMost = keepAtMost;
    }

    void purgeInterval(Duration interval) {
        this.purgeInterval = positive(interval, "purge interval");
    }

    void maxAttempts(int attempts) {
        if (attempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        this.maxAttempts = attempts;
    }

    void shutdownGrace(Duration grace) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative");
        }
        this.shutdownGrace = grace;
    }

    void policy(String type, TypePolicy policy) {
        if (!Limits.isTypeName(type)) {
            throw new IllegalArgumentException("bad task type name: '" + type + "'");
        }
        policies.put(type, Objects.requireNonNull(policy, "policy"));
    }

    void nodeId(String nodeId) {
        this.nodeId = Objects.requireNonNull(nodeId);
    }

    /** The settings for one service. @throws IllegalStateException without a store */
    Checked checked() {
        if (store == null) {
            throw new IllegalStateException("a store is required");
        }
        return new Checked(store, Collections.unmodifiableMap(new LinkedHashMap<>(handlers)), clock, workers,
                queueCapacity, leaseDuration, pollInterval, retention, retainAtMost, purgeInterval, maxAttempts,
                shutdownGrace, nodeId != null ? nodeId : UUID.randomUUID().toString(), Map.copyOf(policies), observer,
                callbackCheck);
    }

    private static Duration positive(Duration d, String what) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
        return d;
    }
}
