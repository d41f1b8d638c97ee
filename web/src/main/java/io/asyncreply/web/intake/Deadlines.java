package io.asyncreply.web.intake;

import io.asyncreply.web.timer.OneThreadTimer;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs an action once a duration has passed, unless cancelled first: the read timeout of each
 * upload ({@code asyncreply.read.timeout}), which must not be stretched by {@code Prefer: wait} as
 * the container's async timeout would be (that one can be set only once, when the exchange goes
 * async, and must cover the wait as well).
 */
interface Deadlines extends AutoCloseable {

    /** Cancels a deadline; does nothing once it has run or been cancelled. */
    interface Deadline {
        void cancel();
    }

    /** Runs {@code action} after {@code delay}, on the deadline thread: it must only hand work over. */
    Deadline after(Duration delay, Runnable action);

    /** Stops the thread; deadlines not yet passed never run. */
    @Override
    void close();

    /**
     * One named thread, {@code asyncreply-intake-deadlines}, started with the intake filter and
     * stopped with it. A cancelled deadline is removed from the queue at once, so an upload that
     * ends long before its deadline is not kept reachable until then.
     */
    static Deadlines start() {
        // stopped by close(); never holds anything a client waits for
        OneThreadTimer timer = OneThreadTimer.create("asyncreply-intake-deadlines", true);
        return new Deadlines() {
            @Override
            public Deadline after(Duration delay, Runnable action) {
                try {
                    ScheduledFuture<?> f = timer.executor().schedule(action, delay.toNanos(), TimeUnit.NANOSECONDS);
                    return () -> f.cancel(false);
                } catch (RejectedExecutionException e) {
                    return () -> { }; // closing (undeploy): the container's async timeout still ends the upload
                }
            }

            @Override
            public void close() {
                timer.close();
            }
        };
    }
}
