package io.asyncreply.bench.peers;

import io.asyncreply.engine.TaskService;
import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.store.TaskStore;
import io.asyncreply.store.jdbc.JdbcTaskStore;
import io.asyncreply.task.Submission;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * asyncreply's core through its public API only ({@link TaskService}, {@link JdbcTaskStore},
 * {@link MemoryTaskStore}), so that the harness keeps working while the engine changes underneath.
 *
 * <p>A client that stores without running does not exist as such: {@link #openClient} starts a
 * {@link TaskService} with one worker and occupies that worker at once with a task of another
 * type ({@code hold}) that waits until it is interrupted. The no-op tasks then only queue. The
 * client is shut down without grace, which interrupts the hold task; the node that drains the
 * queue has no handler for {@code hold}, so it never claims it. On a database the client and the
 * node each have a store of their own over the shared pool, as two nodes would; in memory they
 * share the one store.
 *
 * <p>The pipelined variant: {@code submit} returns a stage that completes when the task is
 * durable, so each client thread keeps up to {@value #WINDOW} submissions in flight (8 threads:
 * 8,000, under the JDBC store's default limit of 10,000 waiting inserts).
 */
final class AsyncreplyPeer implements Peer {
    static final String TYPE = "noop";
    private static final String HOLD = "hold";
    static final int WINDOW = 1_000;
    private static final long QUEUE_CAPACITY = 10_000_000L;
    private static final String CONTENT_TYPE = "application/octet-stream";

    private final Backend backend;
    private final MemoryTaskStore memory; // null on a JDBC backend
    private TaskStore clientStore;
    private TaskService client;
    private TaskStore nodeStore;
    private TaskService node;
    private final AtomicLong liveErrors = new AtomicLong();

    AsyncreplyPeer(Backend backend) {
        this.backend = backend;
        this.memory = backend.dataSource() == null ? new MemoryTaskStore() : null;
        if (memory == null) {
            JdbcTaskStore.builder(backend.dataSource()).build().close(); // creates the tables now, not in a figure
        }
    }

    /**
     * A store for one TaskService: on a database, a store of its own over the shared pool, as
     * two nodes would have (the client and the draining node); in memory, the one store.
     */
    private TaskStore openStore() {
        return memory != null ? memory : JdbcTaskStore.builder(backend.dataSource()).build();
    }

    private void closeStore(TaskStore s) {
        if (s != null && s != memory) {
            s.close();
        }
    }

    /** The no-op: the task's index is its payload (4 bytes). */
    private static TaskHandler noop(Recorder r) {
        return new TaskHandler() {
            @Override
            public String type() {
                return TYPE;
            }

            @Override
            public TaskResult handle(TaskContext context) {
                int i = ByteBuffer.wrap(context.payload()).getInt();
                r.started(i);
                r.ended(i);
                return TaskResult.empty();
            }
        };
    }

    private static byte[] payload(int index) {
        return ByteBuffer.allocate(4).putInt(index).array();
    }

    @Override
    public void openClient(Recorder r) throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        clientStore = openStore();
        client = TaskService.builder().store(clientStore).workers(1).queueCapacity(QUEUE_CAPACITY).handler(noop(r))
                .handler(new TaskHandler() {
                    @Override
                    public String type() {
                        return HOLD;
                    }

                    @Override
                    public TaskResult handle(TaskContext context) throws InterruptedException {
                        holding.countDown();
                        new CountDownLatch(1).await(); // until the client's shutdown interrupts it
                        return TaskResult.empty();
                    }
                }).build();
        accepted(client.submit(HOLD, new byte[0], CONTENT_TYPE, null).toCompletableFuture().get(30, TimeUnit.SECONDS));
        if (!holding.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the client's only worker did not take the hold task");
        }
    }

    private static void accepted(Submission s) {
        if (!(s instanceof Submission.Accepted)) {
            throw new IllegalStateException("refused: " + s);
        }
    }

    @Override
    public void submit(int index) throws Exception {
        accepted(client.submit(TYPE, payload(index), CONTENT_TYPE, null).toCompletableFuture().get());
    }

    @Override
    public void submitBatch(int from, int to) throws Exception {
        Semaphore window = new Semaphore(WINDOW);
        AtomicLong failed = new AtomicLong();
        for (int i = from; i < to; i++) {
            window.acquire();
            client.submit(TYPE, payload(i), CONTENT_TYPE, null).whenComplete((s, e) -> {
                if (e != null || !(s instanceof Submission.Accepted)) {
                    failed.incrementAndGet();
                }
                window.release();
            });
        }
        if (!window.tryAcquire(WINDOW, 10, TimeUnit.MINUTES)) { // every stage has completed
            throw new IllegalStateException("pipelined submissions not durable after 10 minutes");
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " pipelined submissions failed");
        }
    }

    @Override
    public void closeClient() {
        if (client != null) {
            client.shutdown(Duration.ZERO);
            client = null;
        }
        closeStore(clientStore);
        clientStore = null;
    }

    @Override
    public void startWorkers(Recorder r) {
        nodeStore = openStore();
        node = TaskService.builder().store(nodeStore).workers(WORKERS).queueCapacity(QUEUE_CAPACITY).handler(noop(r))
                .build();
    }

    @Override
    public void submitLive(int index) {
        node.submit(TYPE, payload(index), CONTENT_TYPE, null).whenComplete((s, e) -> {
            if (e != null || !(s instanceof Submission.Accepted)) {
                liveErrors.incrementAndGet();
            }
        });
    }

    @Override
    public long liveErrors() {
        return liveErrors.get();
    }

    @Override
    public void stopWorkers() {
        if (node != null) {
            node.shutdown(Duration.ofSeconds(5));
            node = null;
        }
        closeStore(nodeStore);
        nodeStore = null;
    }

    @Override
    public void close() {
        closeClient();
        stopWorkers();
        if (memory != null) {
            memory.close();
        }
    }

    @Override
    public String batchCall() {
        return "submit() pipelined, " + WINDOW + " in flight per client thread";
    }

    @Override
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("version", System.getProperty("peers.asyncreply.version", "working tree"));
        s.put("store", memory != null ? "MemoryTaskStore" : "JdbcTaskStore (builder defaults) on " + backend.kind()
                + ", one per TaskService over the shared pool");
        s.put("workers", String.valueOf(WORKERS));
        s.put("queue_capacity", String.valueOf(QUEUE_CAPACITY));
        s.put("poll", "TaskService.Builder defaults (pollInterval 1 s: an idle worker's fallback; a submission"
                + " wakes a worker at once)" + (memory != null ? "" : "; JdbcTaskStore.Builder defaults"
                + ("pg".equals(backend.kind()) ? " (LISTEN/NOTIFY on)" : "")));
        s.put("low_latency", "nothing to set: a local submission wakes a worker");
        s.put("batch", batchCall());
        s.put("client", "a TaskService whose one worker is held by a task of another type");
        s.put("task_log", System.getLogger("io.asyncreply.engine.TaskLog").isLoggable(System.Logger.Level.INFO)
                ? "on: one INFO line per task ended, through JUL's ConsoleHandler to the run's .err file"
                : "off: logger io.asyncreply.engine.TaskLog at WARNING (bench/peers-logging.properties), as the peers"
                        + " log nothing per task; PEERS_TASK_LOG=on keeps it");
        return s;
    }
}
