package io.asyncreply.web.intake;

import io.asyncreply.store.InsertResult;
import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.store.NewTask;
import io.asyncreply.store.TaskStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A memory store whose inserts can be held: while {@link #hold()} is in force an insert is stored
 * only when {@link #release()} is called, and its stage completes then (a JDBC commit that takes
 * its time). With {@link #blockInsertsUntilReleased(CountDownLatch)} the inserting thread itself
 * is held inside {@code insert} (the submission is then in the middle of {@code onAllDataRead}).
 */
final class GatedStore {
    final MemoryTaskStore memory = new MemoryTaskStore();
    final TaskStore store;
    private final List<Runnable> held = new CopyOnWriteArrayList<>();
    private volatile boolean holding;
    private volatile CountDownLatch entered;
    private volatile CountDownLatch blockUntil;

    GatedStore() {
        store = (TaskStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {TaskStore.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("insert")) {
                        return insert((NewTask) args[0], (Long) args[1]);
                    }
                    try {
                        return m.invoke(memory, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** From now on, inserts wait for {@link #release()}. */
    GatedStore hold() {
        holding = true;
        return this;
    }

    /** The next insert signals {@code entered} and blocks its thread until {@code until} opens. */
    GatedStore blockInsertsUntilReleased(CountDownLatch entered, CountDownLatch until) {
        this.entered = entered;
        this.blockUntil = until;
        return this;
    }

    /** Stores what was held, completing each insert's stage. */
    void release() {
        holding = false;
        for (Runnable r : held) {
            held.remove(r);
            r.run();
        }
    }

    int heldInserts() {
        return held.size();
    }

    long stored() {
        return memory.list(io.asyncreply.task.TaskQuery.firstPage()).items().size();
    }

    private CompletionStage<InsertResult> insert(NewTask task, long limit) throws InterruptedException {
        CountDownLatch until = blockUntil;
        if (until != null) {
            blockUntil = null;
            entered.countDown();
            if (!until.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        }
        if (!holding) {
            return memory.insert(task, limit);
        }
        CompletableFuture<InsertResult> f = new CompletableFuture<>();
        held.add(() -> memory.insert(task, limit).whenComplete((r, e) -> {
            if (e != null) {
                f.completeExceptionally(e);
            } else {
                f.complete(r);
            }
        }));
        return f;
    }
}
