package io.asyncreply.engine;

import io.asyncreply.store.ClaimedTask;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Runs one claimed attempt on the calling worker thread: registers it (so that a cancel can
 * interrupt it), calls its handler, and hands the outcome to the {@link Completer}. The worker's
 * interrupt status is cleared afterwards: an interrupt meant for this task must not hit the next.
 */
final class AttemptRunner {
    private static final System.Logger LOG = System.getLogger(AttemptRunner.class.getName());

    private final Map<String, TaskHandler> handlers;
    private final RunningTasks running;
    private final Completer completer;
    private final Execution.ProgressSink progress;
    private final BooleanSupplier stopping;

    AttemptRunner(Map<String, TaskHandler> handlers, RunningTasks running, Completer completer,
            Execution.ProgressSink progress, BooleanSupplier stopping) {
        this.handlers = handlers;
        this.running = running;
        this.completer = completer;
        this.progress = progress;
        this.stopping = stopping;
    }

    void run(ClaimedTask claimed) {
        TaskHandler handler = handlers.get(claimed.task().type());
        Execution ex = new Execution(claimed, progress, Thread.currentThread());
        running.register(ex);
        if (stopping.getAsBoolean()) { // claimed just before the stop: give it back without running it
            ex.release("the service stopped before it started");
            ex.done();
            running.remove(ex);
            completer.record(ex, handler, null, null);
            return;
        }
        TaskResult result = null;
        Throwable failure = null;
        try {
            if (handler == null) {
                throw new IllegalStateException("no handler for task type " + claimed.task().type());
            }
            result = handler.handle(ex);
            if (result == null) {
                result = TaskResult.empty();
            }
        } catch (Throwable t) {
            failure = t;
            if (t instanceof VirtualMachineError) {
                LOG.log(Level.ERROR, "task " + claimed.task().id() + " hit a virtual machine error", t);
            } else {
                LOG.log(Level.DEBUG, "task {0} attempt {1} threw {2}", claimed.task().id(), claimed.attempt(),
                        t.getClass().getName());
            }
        } finally {
            ex.done();
            running.remove(ex);
            Thread.interrupted(); // clear an interrupt meant for this task only
        }
        completer.record(ex, handler, result, failure);
    }
}
