package io.asyncreply.engine;

import static org.assertj.core.api.Assertions.fail;

import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A handler that blocks until its gate opens, so tests decide when tasks end. It reports each
 * start, and each interrupt it sees. By default an interrupt propagates (the handler throws
 * InterruptedException); with {@code returnWhenInterrupted} it swallows it and returns normally.
 */
final class GateHandler implements TaskHandler {
    private final String type;
    private final boolean returnWhenInterrupted;
    final CountDownLatch gate = new CountDownLatch(1);
    final BlockingQueue<String> started = new LinkedBlockingQueue<>();
    final BlockingQueue<String> interrupted = new LinkedBlockingQueue<>();
    final BlockingQueue<String> returned = new LinkedBlockingQueue<>();
    final AtomicInteger runs = new AtomicInteger();

    GateHandler(String type) {
        this(type, false);
    }

    GateHandler(String type, boolean returnWhenInterrupted) {
        this.type = type;
        this.returnWhenInterrupted = returnWhenInterrupted;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public TaskResult handle(TaskContext context) throws Exception {
        runs.incrementAndGet();
        started.add(context.taskId());
        try {
            if (!gate.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("gate never opened");
            }
        } catch (InterruptedException e) {
            interrupted.add(context.taskId());
            if (!returnWhenInterrupted) {
                throw e;
            }
        }
        returned.add(context.taskId());
        return TaskResult.of(("done " + context.taskId()).getBytes(StandardCharsets.UTF_8), "text/plain");
    }

    void open() {
        gate.countDown();
    }

    /** Waits until some task starts on this handler; returns its id. */
    String awaitStart() throws InterruptedException {
        String id = started.poll(10, TimeUnit.SECONDS);
        if (id == null) {
            fail("no task started on handler " + type);
        }
        return id;
    }

    /** Waits until the handler sees an interrupt; returns the task id. */
    String awaitInterrupt() throws InterruptedException {
        String id = interrupted.poll(10, TimeUnit.SECONDS);
        if (id == null) {
            fail("handler " + type + " was not interrupted");
        }
        return id;
    }
}
