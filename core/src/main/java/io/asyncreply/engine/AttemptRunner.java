package io.asyncreply.engine;

import io.asyncreply.store.ClaimedTask;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TypePolicy;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs one claimed attempt on the calling worker thread: registers it (so that a cancel can
 * interrupt it), calls its handler, and hands the outcome to the {@link Completer}. The worker's
 * interrupt status is cleared afterwards: an interrupt meant for this task must not hit the next.
 */
final class AttemptRunner {
    private static final System.Logger LOG = System.getLogger(AttemptRunner.class.getName());
    /** How long a handler interrupted at its timeout may take to return before it is given up. */
    static final long GRACE_MILLIS = 1_000;

    private final Map<String, TaskHandler> handlers;
    private final RunningTasks running;
    private final Completer completer;
    private final Execution.ProgressSink progress;
    private final BooleanSupplier stopping;
    private final Map<String, TypePolicy> policies;
    private final ScheduledExecutorService scheduler;

    AttemptRunner(Map<String, TaskHandler> handlers, Map<String, TypePolicy> policies, RunningTasks running,
            Completer completer, Execution.ProgressSink progress, BooleanSupplier stopping,
            ScheduledExecutorService scheduler) {
        this.handlers = handlers;
        this.policies = policies;
        this.scheduler = scheduler;
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
            ex.done(); // never abandoned: no watchdog yet
            running.remove(ex);
            completer.record(ex, handler, null, null);
            return;
        }
        TaskResult result = null;
        Throwable failure = null;
        ScheduledFuture<?> watch = watch(ex, handler);
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
            boolean recordable = ex.done();
            if (watch != null) {
                watch.cancel(false);
            }
            running.remove(ex);
            Thread.interrupted(); // clear an interrupt meant for this task only
            if (!recordable) {
                LOG.log(Level.INFO, "task {0} attempt {1} returned after its timeout was recorded; its outcome is "
                        + "dropped", claimed.task().id(), claimed.attempt());
                return;
            }
        }
        completer.record(ex, handler, result, failure);
    }

    /**
     * The type's timeout, if any: at the deadline the handler is interrupted (a cooperative one
     * returns, and its attempt fails with {@code timeout}); one that ignores the interrupt for a
     * further {@link #GRACE_MILLIS} ms is given up: its attempt is recorded as timed out at once (fail,
     * or retry by its policy) and whatever it returns later is dropped. Its worker thread stays busy
     * until it returns.
     */
    private ScheduledFuture<?> watch(Execution ex, TaskHandler handler) {
        TypePolicy p = policies.get(ex.type());
        if (p == null || p.timeout() == null) {
            return null;
        }
        try {
            return scheduler.schedule(() -> {
                if (ex.timeOut(p.timeout())) {
                    scheduler.schedule(() -> {
                        if (ex.abandon()) {
                            LOG.log(Level.WARNING, "task {0} attempt {1} ignored its interrupt after its timeout of "
                                    + "{2} ms; recorded as timed out, its worker stays busy until it returns",
                                    ex.taskId(), ex.attempt(), p.timeout().toMillis());
                            completer.record(ex, handler, null, null);
                        }
                    }, GRACE_MILLIS, TimeUnit.MILLISECONDS);
                }
            }, p.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return null; // shutting down
        }
    }
}
