package io.asyncreply.bench.jmh;

import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.InsertResult;
import io.asyncreply.store.NewTask;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Outcome;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Store operations, one thread, time per operation:
 * <ul>
 *   <li>{@code insert}: one new queued task (100-byte payload, no idempotency key), waiting for
 *       each insert before the next (latency: a durable store commits each one alone);</li>
 *   <li>{@code insertPipelined}: {@value #PIPELINE} inserts issued at once, then all awaited (what
 *       many concurrent submitters cost per task: a store may group-commit them);</li>
 *   <li>{@code claimFinish}: claim the oldest queued task, then finish it SUCCEEDED (what a worker
 *       does around a task);</li>
 *   <li>{@code find}: read one task by id among 10,000.</li>
 * </ul>
 * Batched per invocation ({@value #BATCH} operations, {@value #PIPELINE} for insertPipelined) so
 * that the per-invocation set-up (the tasks to insert; for claimFinish, filling the queue) is not
 * measured and the timing overhead of each invocation is amortised.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
public class StoreBench {
    static final int BATCH = 100;
    static final int PIPELINE = 1000;
    static final int FIND_POOL = 10_000;
    private static final byte[] PAYLOAD = new byte[100];
    private static final TaskResult RESULT = TaskResult.of(new byte[0], "application/octet-stream");

    @Param({"memory", "h2", "postgres"})
    public String store;

    private BenchStores.Opened opened;
    private final List<NewTask> batch = new ArrayList<>(BATCH);
    private long insertedThisIteration;

    @Setup(Level.Trial)
    public void open() {
        opened = BenchStores.open(store);
        ThreadLocalRandom.current().nextBytes(PAYLOAD);
    }

    @TearDown(Level.Trial)
    public void close() {
        opened.close();
    }

    private String[] ids;

    /** Every iteration starts from an empty store; find gets its 10,000 tasks. */
    @Setup(Level.Iteration)
    public void beforeIteration(BenchmarkParams params) {
        opened.truncate();
        insertedThisIteration = 0;
        if (params.getBenchmark().endsWith(".find")) {
            TaskStore s = opened.store();
            ids = new String[FIND_POOL];
            List<CompletableFuture<InsertResult>> pending = new ArrayList<>(PIPELINE);
            for (int i = 0; i < FIND_POOL; i++) {
                NewTask t = BenchStores.newTask("noop", PAYLOAD);
                pending.add(s.insert(t, Long.MAX_VALUE).toCompletableFuture());
                ids[i] = t.task().id();
                if (pending.size() == PIPELINE || i == FIND_POOL - 1) {
                    pending.forEach(CompletableFuture::join);
                    pending.clear();
                }
            }
        }
    }

    /** insert: the tasks to insert; claimFinish: {@value #BATCH} queued tasks to claim. Not measured. */
    @Setup(Level.Invocation)
    public void beforeInvocation(BenchmarkParams params) {
        String name = params.getBenchmark();
        if (name.endsWith(".insert") || name.endsWith(".insertPipelined")) {
            batch.clear();
            int n = name.endsWith(".insertPipelined") ? PIPELINE : BATCH;
            for (int i = 0; i < n; i++) {
                batch.add(BenchStores.newTask("noop", PAYLOAD));
            }
            // keep the memory store from growing without bound within an iteration; a database keeps
            // what an iteration inserts (its tables grow as in production until the purge runs)
            if (store.equals("memory") && insertedThisIteration >= 200_000) {
                opened.truncate();
                insertedThisIteration = 0;
            }
        } else if (name.endsWith(".claimFinish")) {
            TaskStore s = opened.store();
            List<CompletableFuture<InsertResult>> all = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                all.add(s.insert(BenchStores.newTask("noop", PAYLOAD), Long.MAX_VALUE).toCompletableFuture());
            }
            for (CompletableFuture<InsertResult> f : all) {
                if (!(f.join() instanceof InsertResult.Inserted)) {
                    throw new IllegalStateException("not inserted: " + f.join());
                }
            }
        }
    }

    // ------------------------------------------------------------------ insert

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void insert(Blackhole bh) {
        TaskStore s = opened.store();
        for (NewTask t : batch) {
            bh.consume(s.insert(t, Long.MAX_VALUE).toCompletableFuture().join());
        }
        insertedThisIteration += BATCH;
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    public void insertPipelined(Blackhole bh) {
        TaskStore s = opened.store();
        CompletableFuture<?>[] all = new CompletableFuture<?>[PIPELINE];
        for (int i = 0; i < PIPELINE; i++) {
            all[i] = s.insert(batch.get(i), Long.MAX_VALUE).toCompletableFuture();
        }
        bh.consume(CompletableFuture.allOf(all).join());
        insertedThisIteration += PIPELINE;
    }

    // ------------------------------------------------------------------ claim + finish

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void claimFinish(Blackhole bh) {
        TaskStore s = opened.store();
        for (int i = 0; i < BATCH; i++) {
            Instant now = Instant.now();
            ClaimedTask c = s.claim("bench", now, now.plus(Duration.ofSeconds(30))).orElseThrow();
            bh.consume(s.finish(c.task().id(), c.attempt(), Outcome.succeeded(RESULT), now).orElseThrow());
        }
    }

    // ------------------------------------------------------------------ find

    @Benchmark
    public Task find() {
        return opened.store().find(ids[ThreadLocalRandom.current().nextInt(FIND_POOL)]).orElseThrow();
    }
}
