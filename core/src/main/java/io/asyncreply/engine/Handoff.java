package io.asyncreply.engine;

import io.asyncreply.store.ClaimedTask;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the claimer hands claimed tasks to idle workers. {@link #wanted()} is how many idle workers
 * have no task waiting for them yet: the claimer claims that many, so a node claims only what it
 * can start at once and never hoards tasks other nodes could run, and a claimed task is RUNNING
 * because a worker runs it, not because it waits here. (Claiming ahead for busy workers was tried:
 * a task claimed behind one that then ran for long waited, shown RUNNING, while other nodes idled.)
 *
 * <p>Counting: a worker counts itself idle <em>before</em> it waits for a task and uncounts itself
 * after it got one; a task given counts against the idle workers until one takes it. So
 * {@code idle - waiting} never counts a worker twice; it may count one too few for a moment, which
 * only delays a claim until the next wake-up (the worker's own, which follows).
 *
 * <p>Reservations ({@link DirectStart}): a local submission may {@link #reserve} an idle worker for
 * the task it is about to insert started; a reservation counts against the idle workers like a
 * task given, until the insert ends ({@link #giveReserved} or {@link #unreserve}). Hazard: a
 * reservation and a claim decided at the same moment may together count one worker too many; the
 * task left over then waits here, RUNNING, until the next worker becomes idle (tasks started at
 * once are short-lived by the rule that grants them: every worker was idle and nothing was queued).
 */
final class Handoff {
    /** What a worker takes when it is to stop. */
    static final ClaimedTask STOP = new ClaimedTask(io.asyncreply.task.Task.queued("stop", "stop",
            java.time.Instant.EPOCH), new byte[0], null);

    private final LinkedBlockingQueue<ClaimedTask> tasks = new LinkedBlockingQueue<>();
    private final AtomicInteger idle = new AtomicInteger();
    private final AtomicInteger reserved = new AtomicInteger();
    /** Notified when the last reservation ends (see {@link #awaitNoReservations}). */
    private final Object reservations = new Object();
    private final Runnable workerIdle;

    /** {@code workerIdle}: called when a worker becomes idle (wakes the claimer). */
    Handoff(Runnable workerIdle) {
        this.workerIdle = workerIdle;
    }

    /** Idle workers without a task waiting for them: how many tasks the claimer should claim now. */
    int wanted() {
        return Math.max(0, idle.get() - tasks.size() - reserved.get());
    }

    /** Reserves an idle worker for a task about to be started at once; false when none is free. */
    boolean reserve() {
        while (true) {
            int r = reserved.get();
            if (idle.get() - tasks.size() - r <= 0) {
                return false;
            }
            if (reserved.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** Gives the task a reservation was made for (it is RUNNING, leased to this node). */
    void giveReserved(ClaimedTask task) {
        tasks.add(task);
        endReservation();
    }

    /** Ends a reservation whose task was not started at once: the worker is free again (wakes the claimer). */
    void unreserve() {
        endReservation();
        workerIdle.run();
    }

    private void endReservation() {
        if (reserved.decrementAndGet() == 0) {
            synchronized (reservations) {
                reservations.notifyAll();
            }
        }
    }

    /** Waits until no reservation is open, at most {@code maxMillis}; returns whether none is. */
    boolean awaitNoReservations(long maxMillis) throws InterruptedException {
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        synchronized (reservations) {
            while (reserved.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                reservations.wait(Math.max(1, left / 1_000_000L));
            }
        }
        return true;
    }

    /** Tasks given and not yet taken. */
    int waiting() {
        return tasks.size();
    }

    /** Gives claimed tasks to the idle workers. */
    void give(List<ClaimedTask> claimed) {
        tasks.addAll(claimed);
    }

    /**
     * A worker's wait for its next task; {@link #STOP} once {@link #close} was called and the tasks
     * given before it were taken.
     */
    ClaimedTask take() throws InterruptedException {
        ClaimedTask t = tasks.poll();
        if (t != null) {
            return t;
        }
        idle.incrementAndGet();
        try {
            workerIdle.run();
            return tasks.take();
        } finally {
            idle.decrementAndGet();
        }
    }

    /** Tells {@code workers} workers to stop once they have taken the tasks given so far. */
    void close(int workers) {
        for (int i = 0; i < workers; i++) {
            tasks.add(STOP);
        }
    }

    /** The tasks given and not taken, without the stop markers (they must be given back). */
    List<ClaimedTask> drain() {
        List<ClaimedTask> left = new ArrayList<>();
        tasks.drainTo(left);
        left.removeIf(t -> t == STOP);
        return left;
    }
}
