package io.asyncreply.web.testing;

import static org.awaitility.Awaitility.await;

import io.asyncreply.engine.CallbackCheck;
import io.asyncreply.engine.TaskService;
import io.asyncreply.handlers.Builtins;
import io.asyncreply.store.ClaimRequest;
import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.Completion;
import io.asyncreply.store.EventCursor;
import io.asyncreply.store.EventPage;
import io.asyncreply.store.InsertResult;
import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.store.NewTask;
import io.asyncreply.store.StoreEvents;
import io.asyncreply.store.StoreException;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.config.EventsConfig;
import io.asyncreply.web.config.Settings;
import io.asyncreply.web.config.WebConfig;
import io.asyncreply.web.events.EventStreams;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;

/**
 * A running {@link App} for in-process tests: the built-in handlers plus a {@link Gate}, over a
 * memory store that can be made unreachable ({@link FlakyStore}), configured like the WAR
 * ({@link WebConfig#from(Settings)}) from a map of settings.
 */
public final class TestApps implements AutoCloseable {
    public final App app;
    public final FlakyStore store;
    public final Gate gate;

    private TestApps(App app, FlakyStore store, Gate gate) {
        this.app = app;
        this.store = store;
        this.gate = gate;
    }

    /** Settings from {@code settings} alone: no system properties, no environment. */
    public static Settings settings(Map<String, String> settings) {
        return new Settings(settings::get, Map.of(), name -> null);
    }

    /** An app with 1 worker, a queue of 10 and the memory store, plus {@code overrides}. */
    public static TestApps start(Map<String, String> overrides) {
        return start(overrides, CallbackCheck.ANY);
    }

    /** {@link #start(Map)} whose service judges callbacks with {@code callbacks}. */
    public static TestApps start(Map<String, String> overrides, CallbackCheck callbacks) {
        Map<String, String> s = new HashMap<>();
        s.put("asyncreply.store", "memory");
        s.put("asyncreply.workers", "1");
        s.put("asyncreply.queue.capacity", "10");
        s.putAll(overrides);
        WebConfig config = WebConfig.from(settings(s));
        EventsConfig events = EventsConfig.from(settings(s));
        FlakyStore store = new FlakyStore(new MemoryTaskStore());
        Gate gate = new Gate();
        TaskService service = TaskService.builder().store(store).workers(config.workers())
                .queueCapacity(config.queueCapacity()).retention(config.retention(), config.retainMaxTasks())
                .shutdownGrace(Duration.ofSeconds(2)).handlers(Builtins.all()).handler(gate).callbackCheck(callbacks)
                .build();
        return new TestApps(new App(service, config, new EventStreams(service, events, config.retryAfterSeconds(), "")),
                store, gate);
    }

    public TaskService service() {
        return app.service();
    }

    /** Submits through the service (intake is not part of Jersey) and returns the id. */
    public String submit(String type, String payload, String contentType) {
        Submission s = service().submit(type, payload.getBytes(StandardCharsets.UTF_8), contentType, null)
                .toCompletableFuture().join();
        if (!(s instanceof Submission.Accepted a)) {
            throw new AssertionError("not accepted: " + s);
        }
        return a.task().id();
    }

    public Task awaitStatus(String id, TaskStatus status) {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> service().find(id).orElseThrow(), t -> t.status() == status);
    }

    @Override
    public void close() {
        gate.open();
        store.down = false;
        app.pending().answerAll();
        app.events().close();
        service().shutdown(Duration.ofSeconds(2));
    }

    /**
     * Task type {@code gate}: reports 50 % progress, then waits until {@link #open()} (or until
     * cancelled) and returns {@code {"gate":"open"}}.
     */
    public static final class Gate implements TaskHandler {
        private final CountDownLatch open = new CountDownLatch(1);

        @Override
        public String type() {
            return "gate";
        }

        @Override
        public TaskResult handle(TaskContext context) throws Exception {
            context.progress(50);
            open.await();
            return TaskResult.json("{\"gate\":\"open\"}");
        }

        public void open() {
            open.countDown();
        }
    }

    /** A memory store that throws {@link StoreException} from reads while {@link #down}. */
    public static final class FlakyStore implements TaskStore {
        private final TaskStore delegate;
        public volatile boolean down;
        /** The limit of every {@link #list} read, in order. */
        public final List<Integer> listLimits = new java.util.concurrent.CopyOnWriteArrayList<>();

        FlakyStore(TaskStore delegate) {
            this.delegate = delegate;
        }

        private void check() {
            if (down) {
                throw new StoreException("connection refused (test)");
            }
        }

        @Override
        public CompletionStage<InsertResult> insert(NewTask task, long queueLimit) {
            check();
            return delegate.insert(task, queueLimit);
        }

        @Override
        public Optional<Task> find(String id) {
            check();
            return delegate.find(id);
        }

        @Override
        public List<ClaimedTask> claim(ClaimRequest request) {
            return delegate.claim(request);
        }

        @Override
        public int renewLeases(String owner, Instant leaseUntil) {
            return delegate.renewLeases(owner, leaseUntil);
        }

        @Override
        public List<Optional<Task>> complete(List<Completion> completions) {
            return delegate.complete(completions);
        }

        @Override
        public boolean progress(String id, int attempt, int percent, Instant now, String node) {
            return delegate.progress(id, attempt, percent, now, node);
        }

        @Override
        public CancelResult cancel(String id, Instant now, String node) {
            check();
            return delegate.cancel(id, now, node);
        }

        @Override
        public TaskPage list(TaskQuery query) {
            check();
            listLimits.add(query.limit());
            return delegate.list(query);
        }

        @Override
        public List<Task> recoverExpired(Instant now, int maxAttempts, String node) {
            return delegate.recoverExpired(now, maxAttempts, node);
        }

        @Override
        public List<Task> expire(Instant now, int max, String node) {
            return delegate.expire(now, max, node);
        }

        @Override
        public EventCursor eventHead() {
            return delegate.eventHead();
        }

        @Override
        public EventPage readEvents(EventCursor cursor, int limit) {
            return delegate.readEvents(cursor, limit);
        }

        @Override
        public List<TaskEvent> taskEvents(String taskId, long afterId, int limit) {
            check();
            return delegate.taskEvents(taskId, afterId, limit);
        }

        @Override
        public int purge(Instant cutoff, long keepAtMost) {
            return delegate.purge(cutoff, keepAtMost);
        }

        @Override
        public long queued() {
            check();
            return delegate.queued();
        }

        @Override
        public void ping() {
            check();
            delegate.ping();
        }

        @Override
        public void listen(StoreEvents events) {
            delegate.listen(events);
        }

        @Override
        public void heartbeat(String nodeId, Instant startedAt, int running, Instant now) {
            check();
            delegate.heartbeat(nodeId, startedAt, running, now);
        }

        @Override
        public List<io.asyncreply.store.NodeInfo> nodes() {
            check();
            return delegate.nodes();
        }

        @Override
        public Optional<Task> find(String id, String owner) {
            check();
            return delegate.find(id, owner);
        }

        @Override
        public Optional<ClaimedTask> findWithPayload(String id, String owner) {
            check();
            return delegate.findWithPayload(id, owner);
        }

        @Override
        public CancelResult cancel(String id, Instant now, String node, String owner) {
            check();
            return delegate.cancel(id, now, node, owner);
        }

        @Override
        public int cancelQueued(String type, String owner, Instant now, String node, int max) {
            check();
            return delegate.cancelQueued(type, owner, now, node, max);
        }

        @Override
        public List<TaskEvent> taskEvents(String taskId, long afterId, int limit, String owner) {
            check();
            return delegate.taskEvents(taskId, afterId, limit, owner);
        }

        @Override
        public void pause(String type, boolean paused) {
            check();
            delegate.pause(type, paused);
        }

        @Override
        public List<io.asyncreply.store.TypeState> typeStates() {
            check();
            return delegate.typeStates();
        }

        @Override
        public void heartbeat(String nodeId, Instant startedAt, int running, Instant now, java.util.Set<String> types) {
            check();
            delegate.heartbeat(nodeId, startedAt, running, now, types);
        }

        @Override
        public boolean forgetNode(String nodeId) {
            return delegate.forgetNode(nodeId);
        }

        @Override
        public int forgetNodes(Instant silentSince) {
            return delegate.forgetNodes(silentSince);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
