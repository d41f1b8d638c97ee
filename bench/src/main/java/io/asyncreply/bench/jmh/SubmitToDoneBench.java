package io.asyncreply.bench.jmh;

import io.asyncreply.engine.TaskService;
import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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

/**
 * What the engine itself costs per task: {@link TaskService} with a {@link MemoryTaskStore} and a
 * handler that does nothing, from {@code submit} until the task is {@code SUCCEEDED} in the store.
 * <ul>
 *   <li>{@code batch}: submit {@value #BATCH} tasks, then wait for each to be terminal; time per
 *       task (throughput view: workers run while the caller submits);</li>
 *   <li>{@code single}: submit one task and wait until it is terminal
 *       ({@link TaskService#awaitTerminal}); the round trip through a worker and the notifier
 *       thread (latency view).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
public class SubmitToDoneBench {
    static final int BATCH = 1000;
    private static final byte[] PAYLOAD = new byte[100];
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Param({"2"})
    public int workers;

    private TaskService service;

    /** The handler under test: nothing at all. */
    public static final class NoopHandler implements TaskHandler {
        @Override
        public String type() {
            return "noop";
        }

        @Override
        public TaskResult handle(TaskContext context) {
            return TaskResult.empty();
        }
    }

    @Setup(Level.Trial)
    public void start() {
        service = TaskService.builder()
                .store(new MemoryTaskStore())
                .handler(new NoopHandler())
                .workers(workers)
                .queueCapacity(Long.MAX_VALUE)
                .retention(Duration.ofHours(1), 10_000)
                .build();
    }

    @TearDown(Level.Trial)
    public void stop() {
        service.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void batch() {
        List<String> ids = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            ids.add(submit());
        }
        for (String id : ids) {
            await(id);
        }
    }

    @Benchmark
    public Task single() {
        return await(submit());
    }

    private String submit() {
        Submission s = service.submit("noop", PAYLOAD, "application/octet-stream", null).toCompletableFuture()
                .join();
        if (s instanceof Submission.Accepted a) {
            return a.task().id();
        }
        throw new IllegalStateException("not accepted: " + s);
    }

    private Task await(String id) {
        CompletableFuture<Optional<Task>> f = service.awaitTerminal(id, WAIT).toCompletableFuture();
        Task t = f.join().orElseThrow();
        if (!t.isTerminal()) {
            throw new IllegalStateException("not terminal after " + WAIT + ": " + t);
        }
        return t;
    }
}
