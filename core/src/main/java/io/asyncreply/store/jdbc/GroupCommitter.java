package io.asyncreply.store.jdbc;

import io.asyncreply.store.InsertResult;
import io.asyncreply.store.NewTask;
import io.asyncreply.store.StoreException;
import io.asyncreply.task.TaskObserver;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Group commit: inserts from any number of threads wait in a queue; one writer thread, named
 * {@value #THREAD_NAME}, takes everything waiting (up to {@code maxBatch}), writes it in one
 * transaction ({@link Batch#write}), and only after COMMIT completes the submissions' futures.
 * While one transaction commits, the next batch accumulates, so the cost of a commit (a WAL flush)
 * is shared by all submissions that arrived meanwhile, without any added wait.
 *
 * <p>Failure: when a batch cannot be written, every future in it completes exceptionally with the
 * same {@link StoreException}, and nothing of that batch was stored. Exception: a connection lost
 * during COMMIT leaves the outcome unknown to the client of any database; such a batch is reported
 * as failed although it may have been stored (a retry with the same idempotency key then finds it).
 *
 * <p>Hazards: the futures complete on the writer thread, so whatever a caller chains onto them
 * without an executor runs there and delays the next batch: keep such continuations short and
 * non-blocking, or use the {@code *Async} variants. The queue of waiting submissions is bounded
 * ({@code maxPending}); beyond it, inserts fail at once with {@link StoreException} rather than let
 * memory grow while the database is slow. {@link #close()} fails the waiting submissions, lets
 * the batch in flight finish (bounded wait), and stops the thread; it never interrupts a JDBC call
 * unless that wait runs out.
 */
final class GroupCommitter implements AutoCloseable {
    static final String THREAD_NAME = "asyncreply-jdbc-writer";
    private static final System.Logger LOG = System.getLogger(GroupCommitter.class.getName());

    /** One waiting submission. */
    record Request(NewTask task, long queueLimit, CompletableFuture<InsertResult> future) {
    }

    /** Writes one batch in one transaction; returns results in batch order, after COMMIT. */
    interface Batch {
        List<InsertResult> write(List<Request> batch);
    }

    private static final Request STOP = new Request(null, 0, null);

    private final Batch writer;
    private final int maxBatch;
    private final long closeWaitMillis;
    private final LinkedBlockingQueue<Request> queue;
    private final Thread thread;
    private volatile boolean closed;
    private volatile TaskObserver observer = TaskObserver.NONE;

    GroupCommitter(Batch writer, int maxBatch, int maxPending, long closeWaitMillis) {
        this.writer = writer;
        this.maxBatch = maxBatch;
        this.closeWaitMillis = closeWaitMillis;
        this.queue = new LinkedBlockingQueue<>(maxPending);
        this.thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true); // a store that is never closed must not keep the JVM alive
    }

    void start() {
        thread.start();
    }

    CompletionStage<InsertResult> submit(NewTask task, long queueLimit) {
        CompletableFuture<InsertResult> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(closedException());
            return f;
        }
        if (!queue.offer(new Request(task, queueLimit, f))) {
            f.completeExceptionally(new StoreException("too many submissions are waiting to be stored ("
                    + queue.size() + "); the database is too slow or unreachable"));
            return f;
        }
        if (closed) { // close() may have drained the queue before our offer: whoever drains fails it
            failWaiting();
        }
        return f;
    }

    /** Tells {@code observer} of every batch committed from now on. */
    void observe(TaskObserver observer) {
        this.observer = java.util.Objects.requireNonNull(observer, "observer");
    }

    /** How many submissions wait for the writer. */
    int waiting() {
        return queue.size();
    }

    private void run() {
        List<Request> batch = new ArrayList<>(Math.min(maxBatch, 1024));
        try {
            while (true) {
                Request first;
                try {
                    first = queue.poll(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    break;
                }
                if (first == null) {
                    if (closed) {
                        break;
                    }
                    continue;
                }
                if (first == STOP) {
                    break;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                boolean stop = closed && batch.removeIf(r -> r == STOP); // only close() offers STOP, after closed
                write(batch);
                batch.clear();
                if (stop) {
                    break;
                }
            }
        } finally {
            closed = true; // a writer that stopped for any reason takes no more submissions
            failWaiting();
        }
    }

    private void write(List<Request> batch) {
        List<InsertResult> results;
        long start = System.nanoTime();
        try {
            results = writer.write(batch);
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "{0} submissions not stored: {1}", batch.size(), e.getMessage());
            batch.forEach(r -> r.future().completeExceptionally(e));
            return;
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "unexpected failure while storing " + batch.size() + " submissions", e);
            StoreException se = new StoreException("could not store " + batch.size() + " tasks: unexpected "
                    + e.getClass().getName());
            batch.forEach(r -> r.future().completeExceptionally(se));
            if (e instanceof VirtualMachineError err) {
                throw err; // the writer stops; run() marks the committer closed
            }
            return;
        }
        long took = System.nanoTime() - start;
        try {
            observer.intakeCommitted(batch.size(), took);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the task observer failed: {0}", e.toString());
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).future().complete(results.get(i));
        }
    }

    private void failWaiting() {
        List<Request> left = new ArrayList<>();
        queue.drainTo(left);
        StoreException e = null;
        for (Request r : left) {
            if (r != STOP) {
                e = e == null ? closedException() : e;
                r.future().completeExceptionally(e);
            }
        }
    }

    private static StoreException closedException() {
        return new StoreException("the task store is closed; nothing was stored");
    }

    /** Fails waiting submissions, lets the batch in flight finish, stops the writer thread. Idempotent. */
    @Override
    public void close() {
        closed = true;
        failWaiting();
        queue.offer(STOP);
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(closeWaitMillis);
            if (thread.isAlive()) {
                LOG.log(Level.WARNING, "{0} still writing after {1} ms; interrupting it", THREAD_NAME,
                        closeWaitMillis);
                thread.interrupt();
                thread.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
