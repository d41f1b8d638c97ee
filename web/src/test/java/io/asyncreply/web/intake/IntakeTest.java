package io.asyncreply.web.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.engine.TaskService;
import io.asyncreply.handlers.Builtins;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.config.WebConfig;
import io.asyncreply.web.testing.TestApps;
import io.asyncreply.web.testing.WriteRace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The intake's state machine, its read deadline and its memory budget, with a container the test
 * plays ({@link FakeExchange}), deadlines it fires itself ({@link ManualDeadlines}) and a store
 * whose inserts it can hold ({@link GatedStore}).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IntakeTest {
    private final GatedStore store = new GatedStore();
    private final ManualDeadlines deadlines = new ManualDeadlines();
    private final IntakeFilter filter = new IntakeFilter(deadlines);
    private App app;

    private void start(String... settings) throws Exception {
        Map<String, String> s = new HashMap<>();
        s.put("asyncreply.store", "memory");
        s.put("asyncreply.workers", "1");
        s.put("asyncreply.queue.capacity", "10");
        for (int i = 0; i < settings.length; i += 2) {
            s.put(settings[i], settings[i + 1]);
        }
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
        if (app != null) {
            app.pending().answerAll();
            app.service().shutdown(Duration.ofSeconds(1));
        }
    }

    private FakeExchange post(String type, String body, String... headers) throws Exception {
        FakeExchange x = FakeExchange.post("/tasks/" + type);
        for (int i = 0; i < headers.length; i += 2) {
            x.header(headers[i], headers[i + 1]);
        }
        x.through(filter);
        if (body != null) {
            x.body.arrive(bytes(body)).end();
            deliver(x);
        }
        return x;
    }

    /** What the container does when bytes are ready: onDataAvailable, and onAllDataRead at the end. */
    private static void deliver(FakeExchange x) throws IOException {
        x.reader().onDataAvailable();
        if (x.body.isFinished()) {
            x.reader().onAllDataRead();
        }
    }

    private List<Task> stored() {
        return store.memory.list(TaskQuery.firstPage()).items();
    }

    // ------------------------------------------------------------------ trace context

    @Test
    void theSubmissionsTraceparentIsStoredWithTheTaskAndAMalformedOneIsDropped() throws Exception {
        start();
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assertThat(post("echo", "a", "Content-Length", "1", "traceparent", traceparent).response.status).isEqualTo(202);
        assertThat(post("echo", "b", "Content-Length", "1", "traceparent", "00-not-a-trace-01").response.status)
                .isEqualTo(202);
        assertThat(post("echo", "c", "Content-Length", "1").response.status).isEqualTo(202);

        assertThat(stored()).extracting(Task::traceparent).containsExactlyInAnyOrder(traceparent, null, null);
    }

    // ------------------------------------------------------------------ the read timeout

    @Test
    void preferWaitDoesNotStretchTheReadTimeoutAndTheWaitIsLeftForAfterTheTaskIsStored() throws Exception {
        start("asyncreply.read.timeout", "30s");
        FakeExchange x = post("echo", null, "Content-Length", "5", "Prefer", "wait=60");

        assertThat(deadlines.scheduled).singleElement().extracting(ManualDeadlines.Scheduled::delay)
                .isEqualTo(Duration.ofSeconds(30));
        // the container's own timeout, a safety net, is set once and must cover the wait as well
        assertThat(x.async.timeout).isEqualTo(Duration.ofSeconds(30 + 60).plus(IntakeFilter.STORE_GRACE).toMillis());

        x.body.arrive(bytes("he"));
        deliver(x);
        deadlines.passAll();

        assertThat(x.response.status).isEqualTo(408);
        assertThat(x.response.header("Connection")).isEqualTo("close");
        assertThat(x.response.text()).contains("within 30 s").contains("nothing was queued");
        assertThat(x.async.completions).hasValue(1);
        assertThat(stored()).isEmpty();
        assertThat(filter.budget().used()).isZero();
    }

    @Test
    void theReadDeadlineIsCancelledOnceTheBodyHasArrived() throws Exception {
        start();
        FakeExchange x = post("echo", "hello", "Content-Length", "5", "Content-Type", "text/plain");

        assertThat(x.response.status).isEqualTo(202);
        assertThat(deadlines.live()).isZero();
        deadlines.passAll(); // had it run, it would have found the exchange answered
        assertThat(x.async.completions).hasValue(1);
    }

    @Test
    void theReadDeadlineEndsTheDiscardingOfARefusedBody() throws Exception {
        start("asyncreply.body.max-bytes", "10");
        FakeExchange x = post("echo", null);
        x.body.arrive(new byte[100]); // chunked, 90 bytes too many: refused, the rest is being discarded
        x.reader().onDataAvailable();
        assertThat(x.response.unanswered()).isTrue();

        deadlines.passAll();

        assertThat(x.response.status).isEqualTo(413);
        assertThat(x.response.header("Connection")).isEqualTo("close");
        assertThat(x.async.completions).hasValue(1);
    }

    // ------------------------------------------------------------------ SUBMITTING and WAITING

    @Test
    void aStoreThatAnswersAfterTheTimeoutAnsweredItChangesNothing() throws Exception {
        start();
        store.hold();
        FakeExchange x = post("echo", "hello", "Content-Length", "5");
        x.containerTimeout();
        assertThat(filter.budget().used()).as("the store still holds the payload").isEqualTo(5);

        store.release();

        assertThat(x.response.status).isEqualTo(503);
        assertThat(x.response.text()).contains("outcome-unknown");
        assertThat(x.response.header("Retry-After")).isEqualTo("1");
        assertThat(x.async.completions).hasValue(1);
        assertThat(stored()).hasSize(1);
        assertThat(filter.budget().used()).isZero();
    }

    /** An error while the body arrives: 408 when a timeout caused it (Jetty's idle timeout), else 400; nothing queued. */
    @Test
    void anErrorWhileReadingIs408WhenATimeoutCausedItAnd400Otherwise() throws Exception {
        start();
        FakeExchange idle = post("echo", null, "Content-Length", "5");
        idle.containerError(new IOException("wrapped", new TimeoutException("Idle timeout")));
        FakeExchange reset = post("echo", null, "Content-Length", "5");
        reset.containerError(new IOException("Connection reset by peer"));

        assertThat(idle.response.status).isEqualTo(408);
        assertThat(idle.response.text()).contains("nothing was queued");
        assertThat(reset.response.status).isEqualTo(400);
        assertThat(reset.response.text()).contains("nothing was queued");
        assertThat(stored()).isEmpty();
    }

    @Test
    void aClientThatGoesAwayWhileTheStoreIsStoringIsNotToldItsPayloadWasUnreadable() throws Exception {
        start();
        store.hold();
        FakeExchange x = post("echo", "hello", "Content-Length", "5");

        x.containerError(new IOException("Connection reset by peer"));
        store.release();

        assertThat(x.response.status).isEqualTo(503);
        assertThat(x.response.text()).doesNotContain("nothing was queued");
        assertThat(x.async.completions).hasValue(1);
    }

    /**
     * Tomcat recycles the response for the next request once the error callback returns: an answer
     * being written on the store's thread when the client goes away must be over by then.
     */
    @Test
    void anErrorReportedWhileTheAnswerIsBeingWrittenReturnsOnlyOnceTheWriteIsOver() throws Exception {
        start();
        store.hold();
        FakeExchange x = post("echo", "hello", "Content-Length", "5");
        WriteRace race = new WriteRace();
        x.response.whenWriting = race.inTheWrite();

        List<String> order = race.run(store::release, () -> x.containerError(new IOException("Broken pipe")));

        assertThat(order).containsExactly(WriteRace.WRITE_OVER, WriteRace.CALLBACK_RETURNED);
        assertThat(x.response.status).isEqualTo(202);
        assertThat(x.async.completions).hasValue(1);
    }

    @Test
    void aTimeoutWhileWaitingForTheTaskAnswersWithTheTaskAsItStands() throws Exception {
        start();
        FakeExchange x = post("sleep", "{\"ms\": 60000}", "Content-Type", "application/json", "Prefer", "wait=30");
        assertThat(x.response.unanswered()).isTrue();
        assertThat(app.pending().size()).isEqualTo(1);

        x.containerTimeout();

        assertThat(x.response.status).isEqualTo(202);
        assertThat(x.response.header("Location")).startsWith("http://localhost:8080/tasks/");
        assertThat(x.response.text()).contains("\"type\":\"sleep\"");
        assertThat(x.async.completions).hasValue(1);
        assertThat(app.pending().size()).isZero();
    }

    /** A client gone while its {@code Prefer: wait} is held (as a container reports it: an error) frees its place at once. */
    @Test
    void aClientGoneWhileWaitingFreesItsPlaceAtOnce() throws Exception {
        start();
        FakeExchange x = post("sleep", "{\"ms\": 60000}", "Content-Type", "application/json", "Prefer", "wait=30");
        assertThat(app.pending().size()).isEqualTo(1);

        x.containerError(new IOException("stream reset by the client"));

        assertThat(app.pending().size()).isZero();
        assertThat(x.async.completions).hasValue(1);
        assertThat(stored()).hasSize(1);
    }

    @Test
    void undeployWhileWaitingAnswersWithTheTaskOnce() throws Exception {
        start();
        FakeExchange x = post("sleep", "{\"ms\": 60000}", "Content-Type", "application/json", "Prefer", "wait=30");

        app.pending().answerAll();
        x.containerTimeout(); // late: the exchange was answered

        assertThat(x.response.status).isEqualTo(202);
        assertThat(x.async.completions).hasValue(1);
    }

    @Test
    void preferWaitAnswers200WhenTheTaskEndsInTime() throws Exception {
        start();
        FakeExchange x = post("echo", "hi", "Content-Length", "2", "Prefer", "wait=10");

        await().atMost(Duration.ofSeconds(10)).until(() -> x.async.completions.get() == 1);
        assertThat(x.response.status).isEqualTo(200);
        assertThat(x.response.header("Preference-Applied")).isEqualTo("wait=10");
    }

    // ------------------------------------------------------------------ memory

    @Test
    void theBufferGrowsAsBytesArriveAndThePayloadIsStoredWhole() throws Exception {
        start();
        byte[] payload = new byte[300_000];
        Arrays.fill(payload, (byte) 'x');
        FakeExchange x = post("echo", null, "Content-Type", "application/octet-stream"); // chunked
        for (int at = 0; at < payload.length; at += 7_000) {
            x.body.arrive(Arrays.copyOfRange(payload, at, Math.min(payload.length, at + 7_000)));
            x.reader().onDataAvailable();
        }
        assertThat(filter.budget().used()).as("reserved while reading: about the bytes read, rounded up")
                .isBetween(300_000L, 2L * 300_000);
        x.body.end();
        deliver(x);

        assertThat(x.response.status).isEqualTo(202);
        assertThat(stored()).hasSize(1);
        assertThat(filter.budget().used()).isZero();
    }

    /**
     * An idle upload once allocated its whole declared length before a byte arrived (about 2 MiB of
     * heap each, 300 slow clients took 600 MB): now it holds no buffer until bytes arrive, and then
     * at most {@link Intake#INITIAL_BUFFER} for the first of them.
     */
    @Test
    void anIdleUploadHoldsNoBufferUntilItsBytesArriveAndThenAtMost16KiB() throws Exception {
        start();
        FakeExchange x = post("echo", null, "Content-Length", Long.toString(1L << 20));
        Intake intake = (Intake) x.reader();

        assertThat(intake.buffered()).as("before any byte").isZero();
        x.body.arrive(new byte[100]);
        x.reader().onDataAvailable();
        assertThat(intake.buffered()).as("after 100 bytes").isPositive().isLessThanOrEqualTo(16 * 1024);
        x.body.arrive(new byte[(1 << 20) - 100]).end();
        deliver(x);

        assertThat(x.response.status).isEqualTo(202);
        assertThat(stored()).hasSize(1);
    }

    @Test
    void anUploadReservesItsDeclaredLengthAtOnceAndGivesItBackWhenTheStoreAnswers() throws Exception {
        start();
        store.hold();
        FakeExchange x = post("echo", null, "Content-Length", "100000");
        assertThat(filter.budget().used()).isEqualTo(100_000);

        x.body.arrive(new byte[100_000]).end();
        deliver(x);
        assertThat(filter.budget().used()).as("the store has not answered yet").isEqualTo(100_000);
        store.release();

        assertThat(x.response.status).isEqualTo(202);
        assertThat(filter.budget().used()).isZero();
    }

    @Test
    void newUploadsBeyondTheBudgetAre503WithRetryAfterOnceTheirBodyIsRead() throws Exception {
        start("asyncreply.body.max-bytes", "65536", "asyncreply.intake.max-buffered-bytes", "65536");
        FakeExchange idle = post("echo", null, "Content-Length", "65536");

        FakeExchange refused = post("echo", null, "Content-Length", "10");
        assertThat(refused.response.unanswered()).as("answered only after its body").isTrue();
        refused.body.arrive(new byte[10]).end();
        refused.reader().onDataAvailable();

        assertThat(refused.response.status).isEqualTo(503);
        assertThat(refused.response.text()).contains("intake-busy").contains("nothing was queued");
        assertThat(refused.response.header("Retry-After")).isEqualTo("1");
        assertThat(refused.response.header("Connection")).isNull();

        idle.body.arrive(new byte[65536]).end();
        deliver(idle);
        assertThat(idle.response.status).isEqualTo(202);
        assertThat(post("echo", "again", "Content-Length", "5").response.status).isEqualTo(202);
        assertThat(stored()).hasSize(2);
    }

    @Test
    void aChunkedUploadThatOutgrowsTheBudgetIsRefused503AndTheRestOfItsBodyDiscarded() throws Exception {
        start("asyncreply.body.max-bytes", "65536", "asyncreply.intake.max-buffered-bytes", "65536");
        FakeExchange other = post("echo", null, "Content-Length", "40000"); // holds 40000 of 65536
        FakeExchange chunked = post("echo", null);
        assertThat(filter.budget().used()).isEqualTo(40_000 + Intake.INITIAL_BUFFER);

        chunked.body.arrive(new byte[30_000]);
        chunked.reader().onDataAvailable(); // needs 32 KiB: 40000 + 32768 > 65536
        assertThat(filter.budget().used()).as("the refused upload gave its share back").isEqualTo(40_000);
        chunked.body.arrive(new byte[5_000]).end();
        chunked.reader().onDataAvailable();

        assertThat(chunked.response.status).isEqualTo(503);
        assertThat(chunked.response.text()).contains("intake-busy");
        assertThat(chunked.async.completions).hasValue(1);
        assertThat(other.response.unanswered()).isTrue();
        assertThat(stored()).isEmpty();
    }

    @Test
    void aBodyOverTheLimitIs413AndGivesItsReservationBack() throws Exception {
        start("asyncreply.body.max-bytes", "1000");
        FakeExchange x = post("echo", null);
        x.body.arrive(new byte[1001]).end();
        x.reader().onDataAvailable();

        assertThat(x.response.status).isEqualTo(413);
        assertThat(x.response.header("Connection")).isEqualTo("close");
        assertThat(filter.budget().used()).isZero();
        assertThat(stored()).isEmpty();
    }

    @Test
    void aBodyOfExactlyTheLimitIsAccepted() throws Exception {
        start("asyncreply.body.max-bytes", "1000");
        FakeExchange x = post("echo", null);
        x.body.arrive(new byte[1000]).end();
        deliver(x);

        assertThat(x.response.status).isEqualTo(202);
        assertThat(store.memory.find(stored().get(0).id())).isPresent();
    }

    // ------------------------------------------------------------------ refusals from the headers

    @Test
    void aTransferCodingOtherThanChunkedIs501OnceTheBodyIsReadAndNothingIsQueued() throws Exception {
        start();
        FakeExchange x = post("echo", "\u001f\u008b...", "Transfer-Encoding", "gzip, chunked");

        assertThat(x.response.status).isEqualTo(501);
        assertThat(x.response.text()).contains("unsupported-transfer-coding").contains("gzip, chunked");
        assertThat(x.response.header("Connection")).isEqualTo("close");
        assertThat(stored()).isEmpty();
    }

    @Test
    void aContentTypeThatIsNotAMediaTypeIs400AndNothingIsQueued() throws Exception {
        start();
        FakeExchange x = post("echo", "hello", "Content-Type", "garbage", "Content-Length", "5");

        assertThat(x.response.status).isEqualTo(400);
        assertThat(x.response.text()).contains("invalid-content-type").contains("'garbage'");
        assertThat(stored()).isEmpty();
    }

    @Test
    void headerRefusalsUseTheServicesRulesAndWords() throws Exception {
        start();
        FakeExchange unknown = post("nope", "x", "Content-Length", "1");
        FakeExchange notJson = post("sleep", "x", "Content-Length", "1", "Content-Type", "text/plain");
        FakeExchange key = post("echo", "x", "Content-Length", "1", "Idempotency-Key", "");

        assertThat(unknown.response.status).isEqualTo(404);
        assertThat(unknown.response.text()).contains("There is no task type 'nope'.");
        assertThat(notJson.response.status).isEqualTo(415);
        assertThat(notJson.response.text()).contains("takes JSON (application/json), not text/plain");
        assertThat(key.response.status).isEqualTo(400);
        assertThat(key.response.text()).contains("invalid-idempotency-key");
        assertThat(stored()).isEmpty();
    }

    @Test
    void aMalformedContentTypeForAnUnknownTypeIsStill404() throws Exception {
        start();
        FakeExchange x = post("nope", "x", "Content-Length", "1", "Content-Type", "not a media type");

        assertThat(x.response.status).isEqualTo(404);
    }

    @Test
    void aRefusalFromTheHeadersOfABodyTooLongToReadIsAnsweredAtOnceAndClosesTheConnection() throws Exception {
        start();
        FakeExchange x = post("nope", null, "Content-Length", Long.toString(16L << 20));

        assertThat(x.response.status).isEqualTo(404);
        assertThat(x.response.header("Connection")).isEqualTo("close");
        assertThat(x.async.started).as("no body is read").isFalse();
    }

    @Test
    void aRefusalOfAnEmptyBodyKeepsTheConnection() throws Exception {
        start();
        FakeExchange x = post("nope", null, "Content-Length", "0");

        assertThat(x.response.status).isEqualTo(404);
        assertThat(x.response.header("Connection")).isNull();
    }

    @Test
    void otherMethodsAndPathsGoDownTheChain() throws Exception {
        start();
        assertThat(FakeExchange.post("/tasks/echo/result").through(filter).chainCalled).isTrue();
        assertThat(FakeExchange.post("/tasks").through(filter).chainCalled).isTrue();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
