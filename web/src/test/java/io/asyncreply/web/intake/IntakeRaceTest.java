package io.asyncreply.web.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.asyncreply.engine.TaskService;
import io.asyncreply.handlers.Builtins;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.config.WebConfig;
import io.asyncreply.web.testing.TestApps;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The races of a submission against the container's timeouts and errors, forced in a fixed order
 * with a store whose inserts the test holds and a container the test plays (see
 * {@link FakeExchange}). The rule: a client is never told "nothing was queued" for a task that is
 * stored. These tests use only the filter's public face, so they run against any version of the
 * intake.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IntakeRaceTest {
    private final GatedStore store = new GatedStore();
    private App app;
    private final IntakeFilter filter = new IntakeFilter();

    @BeforeEach
    void start() throws Exception {
        Map<String, String> s = new HashMap<>();
        s.put("asyncreply.store", "memory");
        s.put("asyncreply.workers", "1");
        s.put("asyncreply.queue.capacity", "10");
        WebConfig config = WebConfig.from(TestApps.settings(s));
        TaskService service = TaskService.builder().store(store.store).workers(1).queueCapacity(10)
                .shutdownGrace(Duration.ofSeconds(1)).handlers(Builtins.all()).build();
        app = new App(service, config);
        FakeExchange.init(filter, app);
    }

    @AfterEach
    void stop() {
        store.release();
        filter.destroy();
        app.pending().answerAll();
        app.service().shutdown(Duration.ofSeconds(1));
    }

    /** POST /tasks/echo with "hello", read to its end by the intake on this thread. */
    private FakeExchange bodyReadToTheEnd() throws Exception {
        FakeExchange x = FakeExchange.post("/tasks/echo").header("Content-Type", "text/plain")
                .header("Content-Length", "5").through(filter);
        x.body.arrive(bytes("hello")).end();
        x.reader().onDataAvailable();
        return x;
    }

    @Test
    void anIdleTimeoutReportedAsAnErrorWhileTheStoreIsStoringIsNeverAnsweredNothingWasQueued() throws Exception {
        store.hold();
        FakeExchange x = bodyReadToTheEnd();
        x.reader().onAllDataRead(); // handed to the store, which has not answered yet
        assertThat(store.heldInserts()).isEqualTo(1);

        // Jetty reports its idle timeout to the listeners as an error, at any moment
        x.containerError(new TimeoutException("Idle timeout expired: 30000/30000 ms"));
        store.release(); // and the store stores the task after all

        assertThat(store.stored()).isEqualTo(1);
        assertThat(x.async.completions).hasValue(1);
        assertThat(x.response.status).as(x.response.text()).isEqualTo(503);
        assertThat(x.response.text()).doesNotContain("nothing was queued").contains("Idempotency-Key");
    }

    @Test
    void theContainersTimeoutWhileTheStoreIsStoringIsAnswered503OutcomeUnknown() throws Exception {
        store.hold();
        FakeExchange x = bodyReadToTheEnd();
        x.reader().onAllDataRead();

        x.containerTimeout();
        store.release();

        assertThat(store.stored()).isEqualTo(1);
        assertThat(x.async.completions).hasValue(1);
        assertThat(x.response.status).isEqualTo(503);
        assertThat(x.response.text()).doesNotContain("nothing was queued").contains("GET /tasks");
    }

    @Test
    void aTimeoutOnAnotherThreadWhileTheEndOfTheBodyIsBeingSubmittedNeverSaysNothingWasQueued() throws Exception {
        CountDownLatch inInsert = new CountDownLatch(1);
        CountDownLatch timedOut = new CountDownLatch(1);
        store.blockInsertsUntilReleased(inInsert, timedOut);
        FakeExchange x = bodyReadToTheEnd();

        // container thread A: the end of the body; it stops inside the store's insert
        CompletableFuture<Void> end = CompletableFuture.runAsync(() -> {
            try {
                x.reader().onAllDataRead();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(inInsert.await(10, TimeUnit.SECONDS)).isTrue();
        // container thread B (this one): the async timeout, while A is inside the store
        x.containerTimeout();
        timedOut.countDown();
        end.get(10, TimeUnit.SECONDS);

        assertThat(store.stored()).isEqualTo(1);
        assertThat(x.async.completions).hasValue(1);
        assertThat(x.response.status).isNotEqualTo(408);
        assertThat(x.response.text()).doesNotContain("nothing was queued");
    }

    @Test
    void aTimeoutBeforeTheEndOfTheBodySubmitsNothingAndSaysSo() throws Exception {
        FakeExchange x = FakeExchange.post("/tasks/echo").header("Content-Type", "text/plain")
                .header("Content-Length", "5").through(filter);
        x.body.arrive(bytes("hel"));
        x.reader().onDataAvailable();

        x.containerTimeout();
        x.body.arrive(bytes("lo")).end(); // the rest arrives as the timeout is answered
        x.reader().onDataAvailable();
        x.reader().onAllDataRead();

        assertThat(store.stored()).isZero();
        assertThat(x.async.completions).hasValue(1);
        assertThat(x.response.status).isEqualTo(408);
        assertThat(x.response.text()).contains("nothing was queued");
    }

    /**
     * An upload that has sent its headers and nothing else holds no buffer for its body yet: 300
     * such clients once took the heap from 28 MB to 644 MB, the intake having allocated the
     * declared length (up to the limit) before a byte arrived.
     */
    @Test
    void anIdleUploadAllocatesAtMost16KiBBeforeItsBytesArrive() throws Exception {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        FakeExchange.post("/tasks/echo").header("Content-Length", "10").through(filter); // classes loaded, once
        FakeExchange idle = FakeExchange.post("/tasks/echo").header("Content-Type", "application/octet-stream")
                .header("Content-Length", Integer.toString(1 << 20));

        long before = threads.getCurrentThreadAllocatedBytes();
        idle.through(filter);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(idle.response.unanswered()).isTrue();
        assertThat(allocated).as("bytes allocated to take an upload of 1 MiB that has not sent a byte")
                .isLessThanOrEqualTo(16 * 1024);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
