package io.asyncreply.engine;

import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.StoreException;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskContext;
import java.time.Duration;

/**
 * One attempt running on a worker thread; the handler's {@link TaskContext}.
 *
 * <p>States: running, then done. While running, {@link #cancel()} and {@link #release(String)}
 * interrupt the worker thread; once done they only set their flag, so a late cancel can never
 * interrupt the worker while it runs the <em>next</em> task. Both transitions hold this object's
 * lock.
 */
final class Execution implements TaskContext {
    private static final System.Logger LOG = System.getLogger(Execution.class.getName());

    /** Records progress of an attempt; false when the attempt is no longer current. */
    interface ProgressSink {
        boolean progress(String id, int attempt, int percent);
    }

    private final ClaimedTask claimed;
    private final ProgressSink sink;
    private final Thread thread;
    private boolean done;
    private boolean abandoned; // guarded by this: the watchdog recorded a timeout; the late outcome is dropped
    private volatile Duration timedOut;
    private volatile boolean cancelled;
    private volatile String releasedBecause;
    private volatile int lastProgress = -1;
    private volatile int recordedProgress = -1;

    Execution(ClaimedTask claimed, ProgressSink sink, Thread thread) {
        this.claimed = claimed;
        this.sink = sink;
        this.thread = thread;
    }

    /**
     * The task was cancelled: stop the handler; the task ends CANCELLED. Only the first call
     * interrupts: a cancel arrives twice when it was made on this node (once directly, once as this
     * node's own notification from a shared store), and a second interrupt could hit the handler's
     * own clean-up after the first.
     */
    synchronized void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        if (!done) {
            thread.interrupt();
        }
    }

    /** This worker gives the task up (shutdown, lease lost): stop the handler; the task is re-queued. */
    synchronized void release(String reason) {
        if (releasedBecause == null) {
            releasedBecause = reason;
        }
        if (!done) {
            thread.interrupt();
        }
    }

    /**
     * The handler returned: no interrupt may come from this execution any more. Returns whether its
     * outcome is to be recorded (false when the watchdog already recorded a timeout for it).
     */
    synchronized boolean done() {
        done = true;
        return !abandoned;
    }

    /**
     * The attempt ran past {@code timeout}: interrupt the handler; its outcome becomes a timeout.
     * False when it had returned already.
     */
    synchronized boolean timeOut(Duration timeout) {
        if (done) {
            return false;
        }
        timedOut = timeout;
        thread.interrupt();
        return true;
    }

    /**
     * The handler ignored the interrupt: its attempt is given up and recorded as timed out now; what
     * it returns later is dropped. False when it had returned meanwhile (then it is recorded as usual).
     */
    synchronized boolean abandon() {
        if (done) {
            return false;
        }
        abandoned = true;
        return true;
    }

    /** The timeout this attempt ran past, or {@code null}. */
    Duration timedOut() {
        return timedOut;
    }

    boolean wasCancelled() {
        return cancelled;
    }

    String releasedBecause() {
        return releasedBecause;
    }

    ClaimedTask claimed() {
        return claimed;
    }

    /** The task as this attempt believes it stands: its claimed snapshot with the last progress it recorded. */
    Task believed() {
        int p = recordedProgress;
        Task t = claimed.task();
        return p < 0 ? t : t.toBuilder().progress(p).build();
    }

    @Override
    public String taskId() {
        return claimed.task().id();
    }

    @Override
    public String type() {
        return claimed.task().type();
    }

    @Override
    public byte[] payload() {
        return claimed.payload();
    }

    @Override
    public String contentType() {
        return claimed.contentType();
    }

    @Override
    public String traceparent() {
        return claimed.task().traceparent();
    }

    @Override
    public int attempt() {
        return claimed.attempt();
    }

    @Override
    public boolean isCancelled() {
        return cancelled || releasedBecause != null;
    }

    @Override
    public void progress(int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("progress must be 0 to 100: " + percent);
        }
        if (percent == lastProgress) {
            return;
        }
        lastProgress = percent;
        try {
            if (sink.progress(taskId(), attempt(), percent)) {
                recordedProgress = percent;
            }
        } catch (StoreException e) {
            LOG.log(System.Logger.Level.DEBUG, "progress of task {0} not recorded: {1}", taskId(), e.getMessage());
        }
    }
}
