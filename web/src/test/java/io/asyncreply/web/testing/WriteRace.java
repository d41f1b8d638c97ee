package io.asyncreply.web.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A write held on one thread while the container reports the exchange's failure on another (as
 * Tomcat does from inside a failing flush): tells in which order the write ended and the
 * container's callback returned. A callback that returns before the write is over lets the
 * container recycle a response that is still being written.
 */
public final class WriteRace {
    public static final String WRITE_OVER = "write over";
    public static final String CALLBACK_RETURNED = "callback returned";

    /** The container's callback, as the test calls it. */
    @FunctionalInterface
    public interface Callback {
        void call() throws Exception;
    }

    private final List<String> order = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch writing = new CountDownLatch(1);
    private final CountDownLatch failed = new CountDownLatch(1);

    /** What the fake output runs inside the write: holds it until the callback waits or has returned. */
    public Runnable inTheWrite() {
        return () -> {
            writing.countDown();
            try {
                failed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            order.add(WRITE_OVER);
        };
    }

    /**
     * Starts {@code writer} on its own thread, waits until its write is held, calls {@code callback}
     * on another thread, lets the write go on once that thread waits (or has returned), and gives
     * the order of the two ends.
     */
    public List<String> run(Runnable writer, Callback callback) throws Exception {
        CompletableFuture<Void> w = CompletableFuture.runAsync(writer);
        assertThat(writing.await(10, TimeUnit.SECONDS)).as("the write started").isTrue();
        Thread container = new Thread(() -> {
            try {
                callback.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            order.add(CALLBACK_RETURNED);
        }, "test-container");
        container.start();
        await().atMost(10, TimeUnit.SECONDS).until(() -> container.getState() == Thread.State.WAITING
                || container.getState() == Thread.State.TERMINATED);
        failed.countDown();
        container.join(10_000);
        w.get(10, TimeUnit.SECONDS);
        return List.copyOf(order);
    }
}
