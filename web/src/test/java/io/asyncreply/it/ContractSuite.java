package io.asyncreply.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncreply.it.Api.Reply;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP contract ({@code shared/http-contract.md}), every row, over real HTTP against a running
 * server at {@link #baseUrl()}. It knows nothing of the server's internals: capacity and worker
 * count come from {@code GET /health}.
 *
 * <p>To run it against a server, subclass it and return the server's base URL:
 *
 * <pre>{@code
 * class TomcatContractIT extends ContractSuite {
 *     private Server server;
 *     @BeforeAll void start() { server = ...start the WAR...; }   // PER_CLASS: instance methods
 *     @AfterAll void stop() { server.stop(); }
 *     @Override protected URI baseUrl() { return server.baseUrl(); }  // e.g. http://127.0.0.1:8123/
 * }
 * }</pre>
 *
 * <p>{@link #baseUrl()} is first called in a {@code @BeforeEach}, after every {@code @BeforeAll}.
 * The server should be dedicated to the suite while it runs (tests compare "the newest task"
 * before and after a refused submission, and wait for the server to be idle between tests), use
 * the contract's default body limit (or override {@link #maxBodyBytes()}) and a queue capacity
 * the suite can fill ({@link #maxQueueToFill()}; e.g. {@code asyncreply.queue.capacity=64}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
public abstract class ContractSuite {
    private static final Pattern RFC3339_UTC = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z");
    private static final Pattern URL_SAFE = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern SECONDS = Pattern.compile("\\d+");
    private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String JSON = "application/json";
    /** Longer than any test: a task that must still be running when the test ends. */
    private static final long LONG_MS = 60_000;

    private Api api;
    /** Tasks this test created; whatever is not terminal is cancelled after the test. */
    private final List<String> created = new CopyOnWriteArrayList<>();
    /** The server's own OpenAPI description, which every answer of the suite must match. */
    private OpenApiConformance openApi;
    private final List<String> nonConforming = new CopyOnWriteArrayList<>();

    /** The server's base URL (its context root), e.g. {@code http://127.0.0.1:8080/}. */
    protected abstract URI baseUrl();

    /** The server's payload limit: the contract's default, 1 MiB. */
    protected long maxBodyBytes() {
        return 1L << 20;
    }

    /** The largest queue capacity the suite will fill to test the 503; beyond it that test is skipped. */
    protected long maxQueueToFill() {
        return 2_000;
    }

    protected final Api api() {
        return api;
    }

    @BeforeEach
    void connectAndAwaitIdle() {
        URI base = baseUrl();
        if (api == null || !api.base().equals(Api.normalize(base))) {
            api = new Api(base);
            Reply doc = api.get("openapi.json");
            assertThat(doc.status()).as("%s", doc).isEqualTo(200);
            openApi = new OpenApiConformance(doc.body());
            URI root = api.base();
            api.observe(r -> nonConforming.addAll(openApi.check(r.method(), OpenApiConformance.pathFrom(root, r.uri()),
                    r.status(), r.mediaType(), r.body())));
        }
        awaitIdle();
    }

    /** Cancels what the test left running; then every answer of the test must have matched /openapi.json. */
    @AfterEach
    void cancelWhatThisTestLeftRunningAndCheckTheAnswersAgainstTheOpenApiDescription() {
        streams.forEach(SseClient::close);
        streams.clear();
        for (String id : created) {
            Reply r = api.delete("tasks/" + id);
            assertThat(r.status()).as("cleanup: %s", r).isIn(202, 404, 409);
        }
        created.clear();
        List<String> problems = List.copyOf(nonConforming);
        nonConforming.clear();
        assertThat(problems).as("answers that do not match the server's OpenAPI description").isEmpty();
    }

    // ================================================================== POST /tasks/{type}: accepted

    @Test
    void acceptedSubmissionIs202WithLocationRetryAfterAndTheQueuedTask() {
        Instant before = Instant.now().minusSeconds(2);
        Reply r = submit("echo", bytes("hello"), "text/plain");

        assertThat(r.status()).as("%s", r).isEqualTo(202);
        assertThat(r.mediaType()).isEqualTo(JSON);
        JsonNode body = r.json();
        String id = body.path("id").asText();
        assertThat(body.path("type").asText()).isEqualTo("echo");
        assertThat(body.path("status").asText()).isEqualTo("QUEUED");
        assertThat(time(body, "submittedAt")).isBetween(before, Instant.now().plusSeconds(2));
        assertThat(r.header("Retry-After")).get().asString().matches(SECONDS);

        String location = r.header("Location").orElseThrow(() -> new AssertionError("no Location: " + r));
        URI resolved = api.uri(location);
        assertThat(resolved.getRawPath()).endsWith("/tasks/" + id);
        Reply status = api.send(api.request("").uri(resolved).GET());
        assertThat(status.status()).as("%s", status).isEqualTo(200);
        assertThat(status.json().path("id").asText()).isEqualTo(id);
        assertThat(status.json().path("type").asText()).isEqualTo("echo");
    }

    @Test
    void taskIdsAreUniqueUrlSafeAndLongEnoughFor122RandomBits() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            ids.add(acceptedId("echo", bytes("id " + i), "text/plain"));
        }
        assertThat(ids).hasSize(40);
        for (String id : ids) {
            assertThat(id).matches(URL_SAFE);
            // base64url carries 6 bits a character: 21 characters are 126 bits
            assertThat(id.length()).as("length of %s", id).isGreaterThanOrEqualTo(21);
        }
        // not a counter or a timestamp: ids differ early, not only in their last characters
        assertThat(ids.stream().map(id -> id.substring(0, 8)).distinct().count()).isGreaterThan(35);
    }

    @Test
    void sixtySecondSleepIsAcceptedBeforeItCouldHaveFinished() {
        Reply r = submit("sleep", bytes("{\"ms\": 60000}"), JSON);

        assertThat(r.status()).as("%s", r).isEqualTo(202);
        assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(60));
        assertThat(r.json().path("status").asText()).isEqualTo("QUEUED");
        assertThat(task(r.json().path("id").asText()).path("status").asText()).isIn("QUEUED", "RUNNING");
    }

    @Test
    void jsonTaskTypeAcceptsAbsentAndStructuredSyntaxJsonContentTypes() {
        assertThat(submit("sleep", bytes("{\"ms\": 1}"), null).status()).isEqualTo(202);
        assertThat(submit("sleep", bytes("{\"ms\": 1}"), "application/json; charset=utf-8").status()).isEqualTo(202);
        assertThat(submit("sleep", bytes("{\"ms\": 1}"), "application/vnd.example+json").status()).isEqualTo(202);
    }

    // ================================================================== POST: refusals

    @Test
    void unknownTypeIs404AndQueuesNothing() {
        String newest = newestTaskId();
        Reply r = submit("no-such-type", bytes("{}"), JSON);

        assertProblem(r, 404);
        assertThat(newestTaskId()).isEqualTo(newest);
        assertThat(api.get("tasks?type=no-such-type").json().path("items")).isEmpty();
    }

    @Test
    void echoGivesBackTheContentTypeWithItsCharset() {
        String contentType = "text/plain; charset=ISO-8859-1";
        byte[] latin1 = "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);
        String id = acceptedId("echo", latin1, contentType);
        awaitTerminal(id);

        Reply r = api.get("tasks/" + id + "/result");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.header("Content-Type")).hasValueSatisfying(ct -> assertThat(ct.replace(" ", ""))
                .isEqualToIgnoringCase(contentType.replace(" ", "")));
        assertThat(r.body()).isEqualTo(latin1);
    }

    @Test
    void echoAcceptsAContentTypeWithAnUnknownCharset() {
        String id = acceptedId("echo", bytes("caf\u00e9"), "text/plain; charset=x-no-such-charset");
        awaitTerminal(id);

        Reply r = api.get("tasks/" + id + "/result");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.mediaType()).isEqualTo("text/plain");
        // a container may drop a charset it does not know (Tomcat 10.1 does); if kept, it is the one sent
        assertThat(r.header("Content-Type").orElseThrow().toLowerCase().replace(" ", ""))
                .isIn("text/plain", "text/plain;charset=x-no-such-charset");
        assertThat(r.body()).isEqualTo(bytes("caf\u00e9"));
    }

    @Test
    void bodyOfExactlyTheLimitIsAccepted() {
        byte[] payload = randomBytes((int) maxBodyBytes(), 7);
        String id = acceptedId("echo", payload, "application/octet-stream");

        assertThat(awaitTerminal(id).path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(api.get("tasks/" + id + "/result").body()).isEqualTo(payload);
    }

    /**
     * A declared length far over the limit is refused from the headers alone. (Just over the
     * limit, the server may read the body before it answers, so that clients that send it all
     * first get the answer: see the next test.)
     */
    @Test
    void declaredContentLengthFarOverTheLimitIs413BeforeAnyOfTheBodyIsSent() throws IOException {
        String newest = newestTaskId();
        try (RawHttp c = RawHttp.open(api.base())) {
            c.head("POST", "tasks/echo", "Content-Type: application/octet-stream",
                    "Content-Length: " + 16 * maxBodyBytes());
            // no body at all: the answer can only come from the headers
            RawHttp.Response r = c.response(Duration.ofSeconds(10));

            assertRawProblem(r, 413);
            assertThat(r.header("Connection")).containsIgnoringCase("close");
            // Whether the connection is closed at once is not asserted here: with no body on the way,
            // Tomcat waits to drain the declared body before closing (see the paced uploads below).
        }
        assertThat(newestTaskId()).isEqualTo(newest);
    }

    /**
     * java.net.http.HttpClient writes the whole body before it reads the answer. When a server
     * closed the connection right after a refusal with the body unread, the client's write was
     * reset and it failed with "header parser received no bytes" about one time in fifteen; so
     * this asks many times: bodies one byte and a mebibyte over the limit, a chunked one, and
     * bodies refused from the headers for other reasons.
     */
    @Test
    void aClientThatWritesTheWholeBodyBeforeReadingAlwaysGetsTheRefusalAndNothingIsQueued() {
        String newest = newestTaskId();
        byte[] justOver = new byte[(int) maxBodyBytes() + 1];
        byte[] farOver = new byte[(int) maxBodyBytes() + (1 << 20)];
        byte[] atLimit = new byte[(int) maxBodyBytes()];
        for (int i = 0; i < 15; i++) {
            assertProblem(submit("echo", justOver, "application/octet-stream"), 413);
            assertProblem(submit("echo", farOver, "application/octet-stream"), 413);
            assertProblem(api.send(api.request("tasks/echo").header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(justOver)))), 413);
            assertProblem(submit("no-such-type", atLimit, "application/octet-stream"), 404);
            assertProblem(submit("sleep", atLimit, "text/plain"), 415);
            assertProblem(submit("echo", atLimit, "text/plain", "Idempotency-Key", ""), 400);
        }
        assertThat(newestTaskId()).isEqualTo(newest);
    }

    /**
     * A client that sends {@code Expect: 100-continue} (curl does above 1 MiB) and, like curl,
     * sends the body only after a {@code 100 Continue}: the 413 reaches it whether the container
     * sends the 100 first (Tomcat and Jetty do) or answers 413 at once.
     */
    @Test
    void aClientThatExpects100ContinueGets413() throws IOException {
        String newest = newestTaskId();
        try (RawHttp c = RawHttp.open(api.base())) {
            c.head("POST", "tasks/echo", "Content-Type: application/octet-stream", "Expect: 100-continue",
                    "Content-Length: " + (maxBodyBytes() + 1));
            RawHttp.Response r = c.response(Duration.ofSeconds(10));
            if (r.status() == 100) {
                c.write(new byte[(int) maxBodyBytes() + 1]);
                r = c.response(Duration.ofSeconds(10));
            }

            assertRawProblem(r, 413);
        }
        assertThat(newestTaskId()).isEqualTo(newest);
    }

    @Test
    void chunkedBodyOverTheLimitIs413WhileTheClientIsStillSendingAndTheServerStopsReading() throws Exception {
        assertOversizedUploadIsRefusedAndNotReadToTheEnd(true);
    }

    @Test
    void contentLengthBodyOverTheLimitIs413WhileTheClientIsStillSendingAndTheServerStopsReading()
            throws Exception {
        assertOversizedUploadIsRefusedAndNotReadToTheEnd(false);
    }

    /**
     * A paced client sends 16 times the limit; the 413 must arrive, and the server must close the
     * connection, while the client is still sending (a container may drain a little of the body
     * first: Tomcat reads up to its maxSwallowSize, 2 MiB by default).
     */
    private void assertOversizedUploadIsRefusedAndNotReadToTheEnd(boolean chunked) throws Exception {
        String newest = newestTaskId();
        long total = 16 * maxBodyBytes();
        AtomicLong sent = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        try (RawHttp c = RawHttp.open(api.base())) {
            c.head("POST", "tasks/echo", "Content-Type: application/octet-stream",
                    chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + total);
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[16 * 1024];
                try {
                    while (!stop.get() && sent.get() < total) {
                        if (chunked) {
                            c.chunk(chunk);
                        } else {
                            c.write(chunk);
                        }
                        sent.addAndGet(chunk.length);
                        Thread.sleep(2); // a paced client: ~8 MB/s, so socket buffers do not hide the reading
                    }
                    if (chunked && !stop.get()) {
                        c.chunk(new byte[0]);
                    }
                } catch (IOException | InterruptedException e) {
                    // the server closed the connection: expected once it has answered
                }
            }, "paced-oversized-upload");
            writer.start();
            try {
                RawHttp.Response r = c.response(Duration.ofSeconds(30));
                long sentWhenAnswered = sent.get();
                assertRawProblem(r, 413);
                assertThat(sentWhenAnswered).as("bytes sent when the 413 arrived, of %d", total).isLessThan(total);

                assertThat(c.closedByServerWithin(Duration.ofSeconds(20))).as("connection closed").isTrue();
                long sentWhenClosed = sent.get();
                assertThat(sentWhenClosed).as("bytes sent when the server closed the connection, of %d", total)
                        .isLessThan(total);
            } finally {
                stop.set(true);
                writer.join(10_000);
            }
        }
        assertThat(newestTaskId()).isEqualTo(newest);
    }

    @Test
    void chunkedBodyWithinTheLimitIsAcceptedWhole() throws Exception {
        try (RawHttp c = RawHttp.open(api.base())) {
            c.head("POST", "tasks/echo", "Content-Type: text/plain", "Transfer-Encoding: chunked");
            c.chunk(bytes("one,"));
            c.chunk(bytes("two,"));
            c.chunk(bytes("three"));
            c.chunk(new byte[0]);
            RawHttp.Response r = c.response(Duration.ofSeconds(10));

            assertThat(r.status()).as("%s", r).isEqualTo(202);
            String id = Api.JSON.readTree(r.body()).path("id").asText();
            created.add(id);
            awaitTerminal(id);
            assertThat(api.get("tasks/" + id + "/result").text()).isEqualTo("one,two,three");
        }
    }

    @Test
    void malformedJsonForAJsonTypeIs400AndQueuesNothing() {
        String newest = newestTaskId();

        assertProblem(submit("sleep", bytes("{\"ms\": 10"), JSON), 400);
        assertProblem(submit("sleep", bytes("not json"), JSON), 400);
        assertProblem(submit("sleep", new byte[0], JSON), 400);
        assertThat(newestTaskId()).isEqualTo(newest);
    }

    @Test
    void nonJsonContentTypeForAJsonTypeIs415AndQueuesNothing() {
        String newest = newestTaskId();

        assertProblem(submit("sleep", bytes("{\"ms\": 10}"), "text/plain"), 415);
        assertProblem(submit("sleep", bytes("{\"ms\": 10}"), "application/xml"), 415);
        assertThat(newestTaskId()).isEqualTo(newest);
    }

    @Test
    void fullQueueIs503WithRetryAfterAndQueuesNothingUntilThereIsRoomAgain() {
        JsonNode health = health();
        long capacity = health.path("queueCapacity").asLong();
        int workers = health.path("workers").asInt();
        assumeTrue(capacity > 0 && capacity <= maxQueueToFill(),
                "queue capacity " + capacity + " is too large to fill in a test");

        List<String> accepted = new ArrayList<>();
        Reply full = null;
        for (long i = 0; i < capacity + workers + 8 && full == null; i++) {
            Reply r = submit("sleep", bytes("{\"ms\": " + LONG_MS + "}"), JSON);
            if (r.status() == 202) {
                accepted.add(r.json().path("id").asText());
            } else {
                full = r;
            }
        }

        assertThat(full).as("a submission was refused within capacity + workers").isNotNull();
        assertProblem(full, 503);
        assertThat(full.header("Retry-After")).get().asString().matches(SECONDS);
        assertThat((long) accepted.size()).isBetween(capacity, capacity + workers);
        assertThat(health().path("queueDepth").asLong()).isBetween(capacity - workers, capacity);

        String newest = newestTaskId();
        assertProblem(submit("sleep", bytes("{\"ms\": 1}"), JSON), 503);
        assertThat(newestTaskId()).isEqualTo(newest);

        String last = accepted.get(accepted.size() - 1); // queued behind busy workers
        assertThat(api.delete("tasks/" + last).status()).isEqualTo(202);
        assertThat(submit("sleep", bytes("{\"ms\": 1}"), JSON).status()).isEqualTo(202);
    }

    // ================================================================== idempotency

    @Test
    void repeatingAnIdempotencyKeyWithTheSameBodyReturnsTheSameTaskAndQueuesNothingNew() {
        String key = UUID.randomUUID().toString();
        Reply first = submit("echo", bytes("same"), "text/plain", "Idempotency-Key", key);
        assertThat(first.status()).isEqualTo(202);
        String id = first.json().path("id").asText();
        String newest = newestTaskId();

        Reply again = submit("echo", bytes("same"), "text/plain", "Idempotency-Key", key);
        assertThat(again.status()).as("%s", again).isIn(200, 202);
        assertThat(again.json().path("id").asText()).isEqualTo(id);
        assertThat(newestTaskId()).isEqualTo(newest);

        awaitTerminal(id);
        Reply afterFinish = submit("echo", bytes("same"), "text/plain", "Idempotency-Key", key);
        assertThat(afterFinish.status()).isIn(200, 202);
        assertThat(afterFinish.json().path("id").asText()).isEqualTo(id);
        assertThat(newestTaskId()).isEqualTo(newest);
    }

    @Test
    void reusingAnIdempotencyKeyWithAnotherBodyOrTypeIs422AndQueuesNothing() {
        String key = UUID.randomUUID().toString();
        acceptedId("echo", bytes("first"), "text/plain", "Idempotency-Key", key);
        String newest = newestTaskId();

        assertProblem(submit("echo", bytes("second"), "text/plain", "Idempotency-Key", key), 422);
        assertProblem(submit("sha256", bytes("first"), "text/plain", "Idempotency-Key", key), 422);
        assertThat(newestTaskId()).isEqualTo(newest);
    }

    @Test
    void idempotencyKeyThatIsEmptyOrLongerThan255CharactersIs400AndQueuesNothing() throws IOException {
        String newest = newestTaskId();

        assertProblem(submit("echo", bytes("x"), "text/plain", "Idempotency-Key", "k".repeat(256)), 400);
        try (RawHttp c = RawHttp.open(api.base())) { // an empty header value, exactly as sent
            c.head("POST", "tasks/echo", "Content-Type: text/plain", "Content-Length: 1", "Idempotency-Key:");
            c.write(bytes("x"));
            assertRawProblem(c.response(Duration.ofSeconds(10)), 400);
        }
        assertThat(newestTaskId()).isEqualTo(newest);
        assertThat(submit("echo", bytes("x"), "text/plain", "Idempotency-Key", "k".repeat(255)).status())
                .as("255 characters are allowed").isEqualTo(202);
    }

    // ================================================================== Prefer: wait

    @Test
    void preferWaitAnswers200WithTheFinalTaskAndPreferenceAppliedWhenItEndsInTime() {
        Reply r = submit("sleep", bytes("{\"ms\": 200}"), JSON, "Prefer", "wait=10");

        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.header("Preference-Applied")).hasValue("wait=10");
        assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(9));
        JsonNode body = r.json();
        assertThat(body.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(body.path("result").path("sleptMs").asLong()).isEqualTo(200);
        assertThat(body).isEqualTo(task(body.path("id").asText()));
    }

    @Test
    void preferWaitAnswers202AsUsualOnceNSecondsPassWhileTheTaskRuns() {
        Reply r = submit("sleep", bytes("{\"ms\": " + LONG_MS + "}"), JSON, "Prefer", "wait=1");

        assertThat(r.status()).as("%s", r).isEqualTo(202);
        assertThat(r.elapsed()).isBetween(Duration.ofMillis(900), Duration.ofSeconds(20));
        assertThat(r.header("Location")).isPresent();
        assertThat(r.header("Retry-After")).get().asString().matches(SECONDS);
        assertThat(r.json().path("status").asText()).isIn("QUEUED", "RUNNING");
    }

    // ================================================================== GET /tasks/{id}

    @Test
    void succeededTaskShowsItsTimesAttemptsResultInlineAndResultUrl() {
        String id = acceptedId("sleep", bytes("{\"ms\": 100}"), JSON);
        JsonNode t = awaitTerminal(id);

        assertThat(t.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(t.path("id").asText()).isEqualTo(id);
        assertThat(t.path("type").asText()).isEqualTo("sleep");
        Instant submitted = time(t, "submittedAt");
        Instant started = time(t, "startedAt");
        Instant finished = time(t, "finishedAt");
        assertThat(submitted).isBeforeOrEqualTo(started);
        assertThat(started).isBeforeOrEqualTo(finished);
        assertThat(Duration.between(started, finished)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        assertThat(t.path("attempts").asInt()).isGreaterThanOrEqualTo(1);
        if (t.has("progress")) {
            assertThat(t.path("progress").asInt()).isEqualTo(100);
        }
        assertThat(t.path("result")).isEqualTo(Api.JSON.createObjectNode().put("sleptMs", 100));

        Reply result = api.get(t.path("resultUrl").asText());
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.mediaType()).isEqualTo(JSON);
        assertThat(result.json()).isEqualTo(t.path("result"));
    }

    @Test
    void failedTaskShowsTheErrorMessageAndNoResult() {
        String id = acceptedId("sleep", bytes("{\"ms\": 10, \"fail\": \"the disk is on fire\"}"), JSON);
        JsonNode t = awaitTerminal(id);

        assertThat(t.path("status").asText()).isEqualTo("FAILED");
        assertThat(t.path("error").path("message").asText()).contains("the disk is on fire");
        assertThat(t.has("resultUrl")).isFalse();
        time(t, "finishedAt");
        assertProblem(api.get("tasks/" + id + "/result"), 409);
    }

    @Test
    void runningTaskReportsProgressFrom0To100() {
        String id = acceptedId("sleep", bytes("{\"ms\": 5000}"), JSON);

        JsonNode t = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> task(id), n -> "RUNNING".equals(n.path("status").asText())
                        && n.path("progress").asInt(0) > 0);
        assertThat(t.path("progress").asInt()).isBetween(1, 100);
        time(t, "startedAt");
        assertThat(t.has("finishedAt")).isFalse();
    }

    @Test
    void unknownOrMalformedIdIs404() {
        assertProblem(api.get("tasks/" + wellFormedUnknownId()), 404);
        assertProblem(api.get("tasks/not-an-id"), 404);
        assertProblem(api.get("tasks/" + "x".repeat(300)), 404);
        assertProblem(api.get("tasks/%3Cscript%3E"), 404);
    }

    // ================================================================== GET /tasks/{id}?wait=N

    @Test
    void longPollAnswersRightAfterTheTaskFinishesNotWhenTheWaitEnds() {
        String id = acceptedId("sleep", bytes("{\"ms\": 1000}"), JSON);
        Instant asked = Instant.now();
        Reply r = api.get("tasks/" + id + "?wait=10");

        assertThat(r.status()).as("%s", r).isEqualTo(200);
        JsonNode t = r.json();
        assertThat(t.path("status").asText()).isEqualTo("SUCCEEDED");
        Instant finished = time(t, "finishedAt");
        assertThat(asked).as("the long-poll was asked before the task finished").isBefore(finished);
        // far sooner than the 10 s wait, with room for a loaded machine's scheduling and GC pauses
        assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(8));
        assertThat(Duration.between(finished, r.receivedAt())).as("from finish to answer")
                .isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void longPollOnATaskStillRunningAnswersWithItsCurrentStateAfterNSeconds() {
        String id = acceptedId("sleep", bytes("{\"ms\": " + LONG_MS + "}"), JSON);
        Reply r = api.get("tasks/" + id + "?wait=1");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.elapsed()).isBetween(Duration.ofMillis(900), Duration.ofSeconds(20));
        assertThat(r.json().path("status").asText()).isIn("QUEUED", "RUNNING");
    }

    @Test
    void longPollOnATerminalTaskAnswersAtOnce() {
        String id = acceptedId("echo", bytes("done"), "text/plain");
        awaitTerminal(id);
        Reply r = api.get("tasks/" + id + "?wait=30");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void longPollOnAnUnknownIdIs404() {
        assertProblem(api.get("tasks/" + wellFormedUnknownId() + "?wait=5"), 404);
    }

    @Test
    void badWaitValueIs400() {
        String id = acceptedId("echo", bytes("x"), "text/plain");

        assertProblem(api.get("tasks/" + id + "?wait=soon"), 400);
        assertProblem(api.get("tasks/" + id + "?wait=-1"), 400);
        assertProblem(api.get("tasks/" + id + "?wait=1.5"), 400);
    }

    // ================================================================== GET /tasks/{id}/result

    @Test
    void echoResultIsTheSameBytesWithTheSameContentType() {
        byte[] payload = randomBytes(64 * 1024, 42);
        for (int i = 0; i < 256; i++) {
            payload[i] = (byte) i; // every byte value
        }
        String id = acceptedId("echo", payload, "application/x-asyncreply-test");
        JsonNode t = awaitTerminal(id);
        assertThat(t.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(t.has("result")).as("binary results are not inlined").isFalse();

        Reply r = api.get("tasks/" + id + "/result");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.mediaType()).isEqualTo("application/x-asyncreply-test");
        assertThat(r.body()).isEqualTo(payload);
    }

    @Test
    void jsonResultIsInlinedInTheTaskJson() {
        String json = "{\"a\":[1,2.5,{\"b\":null}],\"s\":\"\u00e9\"}";
        String id = acceptedId("echo", bytes(json), JSON);
        JsonNode t = awaitTerminal(id);

        assertThat(t.path("result")).isEqualTo(readTree(json));
        assertThat(api.get(t.path("resultUrl").asText()).json()).isEqualTo(readTree(json));
    }

    @Test
    void sha256ResultIsTheLowercaseHexDigestOfThePayload() throws Exception {
        byte[] payload = randomBytes(10_000, 3);
        String id = acceptedId("sha256", payload, "application/octet-stream");
        JsonNode t = awaitTerminal(id);

        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
        assertThat(t.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(t.path("result").path("sha256").asText()).isEqualTo(expected);
    }

    @Test
    void resultBeforeSuccessIs409() {
        String id = acceptedId("sleep", bytes("{\"ms\": " + LONG_MS + "}"), JSON);

        assertProblem(api.get("tasks/" + id + "/result"), 409);
    }

    @Test
    void resultOfAnUnknownTaskIs404() {
        assertProblem(api.get("tasks/" + wellFormedUnknownId() + "/result"), 404);
        assertProblem(api.get("tasks/nope/result"), 404);
    }

    // ================================================================== DELETE /tasks/{id}

    @Test
    void cancellingAQueuedTaskMakesItCancelledAtOnceAndItNeverRuns() {
        List<String> busy = occupyWorkers();
        String id = acceptedId("sleep", bytes("{\"ms\": 10}"), JSON);

        Reply d = api.delete("tasks/" + id);
        assertThat(d.status()).as("%s", d).isEqualTo(202);
        assertThat(d.json().path("id").asText()).isEqualTo(id);
        assertThat(d.json().path("status").asText()).isEqualTo("CANCELLED");

        for (String b : busy) {
            assertThat(api.delete("tasks/" + b).status()).isEqualTo(202);
        }
        String probe = acceptedId("echo", bytes("queued after the cancelled task"), "text/plain");
        assertThat(awaitTerminal(probe).path("status").asText()).isEqualTo("SUCCEEDED");

        JsonNode t = task(id);
        assertThat(t.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(t.has("startedAt")).as("never started: %s", t).isFalse();
        assertThat(t.path("attempts").asInt(0)).isZero();
    }

    @Test
    void cancellingARunningTaskEndsItCancelled() {
        String id = acceptedId("sleep", bytes("{\"ms\": " + LONG_MS + "}"), JSON);
        awaitStatus(id, "RUNNING");

        Reply d = api.delete("tasks/" + id);
        assertThat(d.status()).as("%s", d).isEqualTo(202);
        assertThat(d.json().path("id").asText()).isEqualTo(id);
        assertThat(d.json().path("status").asText()).isIn("RUNNING", "CANCELLED");

        Reply r = api.get("tasks/" + id + "?wait=20");
        assertThat(r.json().path("status").asText()).isEqualTo("CANCELLED");
        assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(15));
        time(r.json(), "finishedAt");
        assertProblem(api.get("tasks/" + id + "/result"), 409);
    }

    @Test
    void cancellingATerminalTaskIs409AndLeavesItUnchanged() {
        String id = acceptedId("echo", bytes("finished"), "text/plain");
        JsonNode before = awaitTerminal(id);

        assertProblem(api.delete("tasks/" + id), 409);
        assertThat(task(id)).isEqualTo(before);
    }

    @Test
    void cancellingAnUnknownTaskIs404() {
        assertProblem(api.delete("tasks/" + wellFormedUnknownId()), 404);
        assertProblem(api.delete("tasks/not-an-id"), 404);
    }

    // ================================================================== GET /tasks

    @Test
    void listIsNewestFirst() {
        String a = acceptedId("echo", bytes("a"), "text/plain");
        String b = acceptedId("echo", bytes("b"), "text/plain");
        String c = acceptedId("echo", bytes("c"), "text/plain");

        Reply r = api.get("tasks?type=echo&limit=500");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.mediaType()).isEqualTo(JSON);
        assertThat(r.json().has("next")).isTrue();
        List<String> ids = ids(r.json());
        assertThat(ids).containsSubsequence(c, b, a);
        List<Instant> times = new ArrayList<>();
        r.json().path("items").forEach(t -> times.add(time(t, "submittedAt")));
        for (int i = 1; i < times.size(); i++) {
            assertThat(times.get(i)).isBeforeOrEqualTo(times.get(i - 1));
        }
    }

    @Test
    void listFiltersByStatusAndType() {
        String failed = acceptedId("sleep", bytes("{\"ms\": 0, \"fail\": \"no\"}"), JSON);
        String echo = acceptedId("echo", bytes("ok"), "text/plain");
        awaitTerminal(failed);
        awaitTerminal(echo);

        JsonNode byStatus = api.get("tasks?status=FAILED&limit=500").json();
        assertThat(ids(byStatus)).contains(failed).doesNotContain(echo);
        byStatus.path("items").forEach(t -> assertThat(t.path("status").asText()).isEqualTo("FAILED"));

        JsonNode byType = api.get("tasks?type=sleep&limit=500").json();
        assertThat(ids(byType)).contains(failed).doesNotContain(echo);
        byType.path("items").forEach(t -> assertThat(t.path("type").asText()).isEqualTo("sleep"));

        JsonNode both = api.get("tasks?status=SUCCEEDED&type=echo&limit=500").json();
        assertThat(ids(both)).contains(echo).doesNotContain(failed);
        both.path("items").forEach(t -> {
            assertThat(t.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(t.path("type").asText()).isEqualTo("echo");
        });
    }

    @Test
    void limitAndCursorPageThroughEveryTaskExactlyOnceInOrder() {
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            mine.add(acceptedId("echo", bytes("page " + i), "text/plain"));
        }
        List<String> all = pageThrough("tasks?type=echo", 500);
        List<String> paged = pageThrough("tasks?type=echo", 3);

        assertThat(paged).doesNotHaveDuplicates().containsAll(mine).isEqualTo(all);
    }

    @Test
    void listHasADefaultLimitOf50() {
        int have = pageThrough("tasks", 500).size();
        for (int i = have; i < 51; i++) {
            acceptedId("echo", bytes("filler " + i), "text/plain");
        }
        JsonNode page = api.get("tasks").json();

        assertThat(page.path("items")).hasSize(50);
        assertThat(page.path("next").isTextual()).isTrue();
    }

    @Test
    void badListParametersAre400() {
        assertProblem(api.get("tasks?status=SLEEPING"), 400);
        assertProblem(api.get("tasks?limit=0"), 400);
        assertProblem(api.get("tasks?limit=-1"), 400);
        assertProblem(api.get("tasks?limit=501"), 400);
        assertProblem(api.get("tasks?limit=ten"), 400);
        assertProblem(api.get("tasks?limit=99999999999999999999"), 400);
        assertProblem(api.get("tasks?cursor=not-a-cursor"), 400);
        assertProblem(api.get("tasks?cursor=" + enc("!!!")), 400);
        assertThat(api.get("tasks?limit=500").status()).isEqualTo(200);
    }

    // ================================================================== GET /health

    @Test
    void healthIsUpWithQueueDepthRunningCountAndWorkerCount() {
        Reply r = api.get("health");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.mediaType()).isEqualTo(JSON);
        JsonNode h = r.json();
        assertThat(h.path("status").asText()).isEqualTo("UP");
        assertThat(h.path("queueDepth").isIntegralNumber()).as("%s", h).isTrue();
        assertThat(h.path("running").isIntegralNumber()).as("%s", h).isTrue();
        assertThat(h.path("workers").asInt()).isPositive();

        List<String> busy = occupyWorkers();
        String queued = acceptedId("sleep", bytes("{\"ms\": 10}"), JSON);
        JsonNode loaded = health();
        assertThat(loaded.path("running").asInt()).isEqualTo(busy.size());
        assertThat(loaded.path("queueDepth").asInt()).isEqualTo(1);
        assertThat(queued).isNotEmpty();
    }

    // ================================================================== POST: the edges of HTTP

    /**
     * A refusal decided from the headers of a body more than 2 MiB over the limit is answered
     * without reading the body, so the connection cannot be used again and the answer says so.
     */
    @Test
    void aRefusalFromTheHeadersOfABodyTooLongToReadSaysConnectionClose() throws IOException {
        String newest = newestTaskId();
        long tooLong = maxBodyBytes() + (3L << 20);
        String[][] requests = {
            {"404", "tasks/no-such-type", "Content-Type: application/octet-stream"},
            {"415", "tasks/sleep", "Content-Type: text/plain"},
            {"400", "tasks/echo", "Idempotency-Key:"},
        };
        for (String[] q : requests) {
            try (RawHttp c = RawHttp.open(api.base())) {
                c.head("POST", q[1], q[2], "Content-Length: " + tooLong);
                RawHttp.Response r = c.response(Duration.ofSeconds(10));

                assertRawProblem(r, Integer.parseInt(q[0]));
                assertThat(r.header("Connection")).as("%s", r).containsIgnoringCase("close");
            }
        }
        assertThat(newestTaskId()).isEqualTo(newest);
    }

    @Test
    void optionsAndThe405OfATaskPathListPostInAllow() {
        Reply options = api.method("OPTIONS", "tasks/echo");
        assertThat(options.status()).as("%s", options).isEqualTo(200);
        assertThat(allowed(options)).contains("GET", "DELETE", "POST");

        Reply put = api.method("PUT", "tasks/echo");
        assertProblem(put, 405);
        assertThat(allowed(put)).contains("GET", "DELETE", "POST");
    }

    @Test
    void theTypeIsThePercentDecodedSegmentAndAPathParameterIsIgnored() {
        Reply encoded = submit("%65cho", bytes("encoded"), "text/plain");
        assertThat(encoded.status()).as("%s", encoded).isEqualTo(202);
        assertThat(encoded.json().path("type").asText()).isEqualTo("echo");

        Reply parameter = submit("echo;x=1", bytes("parameter"), "text/plain");
        assertThat(parameter.status()).as("%s", parameter).isEqualTo(202);
        assertThat(parameter.json().path("type").asText()).isEqualTo("echo");

        assertProblem(submit("%65cho%21", bytes("x"), "text/plain"), 404); // "echo!": decoded, and unknown
    }

    /**
     * An encoded slash or an invalid percent-encoding in the type is refused by the container
     * before the application (its own answer, which may not be problem+json): never queued, never
     * a 405.
     */
    @Test
    void anEncodedSlashOrABrokenEncodingInTheTypeIs400AndQueuesNothing() throws IOException {
        String newest = newestTaskId();

        assertThat(rawSubmit("tasks/ec%2Fho").status()).isEqualTo(400);
        assertThat(rawSubmit("tasks/ec%zzho").status()).isEqualTo(400);
        assertThat(rawSubmit("tasks/%C3%28").status()).as("not UTF-8").isIn(400, 404);
        assertThat(newestTaskId()).isEqualTo(newest);
    }

    /** POST of one byte to a raw path, exactly as written (java.net.URI refuses broken encodings). */
    private RawHttp.Response rawSubmit(String rawPath) throws IOException {
        try (RawHttp c = RawHttp.open(api.base())) {
            c.head("POST", rawPath, "Content-Type: text/plain", "Content-Length: 1");
            c.write(bytes("x"));
            return c.response(Duration.ofSeconds(10));
        }
    }

    @Test
    void aContentTypeThatIsNotAMediaTypeIs400AndQueuesNothing() {
        String newest = newestTaskId();

        assertProblem(submit("echo", bytes("x"), "garbage"), 400);
        assertProblem(submit("echo", bytes("x"), "text/plain; charset"), 400);
        assertProblem(submit("echo", bytes("x"), "text/plain; a=\"unclosed"), 400);
        assertThat(newestTaskId()).isEqualTo(newest);
        assertThat(submit("echo", bytes("x"), "text/plain; a=\"quoted; value\"").status()).isEqualTo(202);
    }

    /**
     * {@code gzip, chunked} must not be stored still compressed. Jetty hands such a body on
     * undecoded and the application refuses it (501 problem+json); Tomcat refuses it itself.
     */
    @Test
    void aTransferCodingOtherThanChunkedIsRefusedAndQueuesNothing() throws IOException {
        String newest = newestTaskId();
        try (RawHttp c = RawHttp.open(api.base())) {
            c.head("POST", "tasks/echo", "Content-Type: text/plain", "Transfer-Encoding: gzip, chunked");
            c.chunk(new byte[] {0x1f, (byte) 0x8b, 8, 0});
            c.chunk(new byte[0]);
            RawHttp.Response r = c.response(Duration.ofSeconds(10));

            assertThat(r.status()).as("%s", r).isIn(400, 501);
            if (r.header("Content-Type") != null && r.header("Content-Type").startsWith(PROBLEM_JSON)) {
                assertRawProblem(r, r.status());
            }
        }
        assertThat(newestTaskId()).isEqualTo(newest);
    }

    @Test
    void traceIsRefusedAsAProblemAndNeverEchoed() throws IOException {
        for (String path : List.of("tasks/echo", "health")) {
            try (RawHttp c = RawHttp.open(api.base())) {
                c.head("TRACE", path, "X-Secret: do-not-echo");
                RawHttp.Response r = c.response(Duration.ofSeconds(10));

                assertRawProblem(r, 405);
                assertThat(r.header("Allow")).as("%s", r).isNotBlank().doesNotContain("TRACE");
                assertThat(r.text()).doesNotContain("do-not-echo");
            }
        }
    }

    @Test
    void theErrorPagesOwnPathIsNotFound() {
        assertProblem(api.get(".error"), 404);
        assertProblem(api.method("POST", ".error"), 404);
        assertProblem(api.method("DELETE", ".error"), 404);
    }

    // ================================================================== errors everywhere

    @Test
    void unknownPathIs404Problem() {
        assertProblem(api.get("no/such/path"), 404);
        assertProblem(api.get("tasks/" + wellFormedUnknownId() + "/result/more"), 404);
        assertProblem(api.delete("nothing-here"), 404);
    }

    @Test
    void wrongMethodIs405Problem() {
        String id = acceptedId("echo", bytes("x"), "text/plain");

        assertProblem(api.method("PUT", "tasks/" + id), 405);
        assertProblem(api.method("PATCH", "tasks/" + id + "/result"), 405);
        assertProblem(api.method("POST", "health"), 405);
        assertProblem(api.method("PUT", "tasks"), 405); // DELETE /tasks cancels in bulk (version 2)
        assertProblem(api.method("POST", "tasks/" + id + "/result"), 405);
    }

    @Test
    void refusalsOfOddInputNeverShowAStackTrace() {
        assertProblem(submit("sleep", bytes("{\"ms\": \"ten\"}"), JSON), 400);
        assertProblem(submit("sleep", bytes("{\"ms\": 1e400}"), JSON), 400);
        assertProblem(submit("sleep", bytes("[1,2,3]"), JSON), 400);
        assertProblem(submit("sleep", new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'}, JSON), 400);
        assertProblem(submit("sleep", bytes("{\"ms\": 1, \"fail\": 7}"), JSON), 400);
        String id = acceptedId("echo", bytes("x"), "text/plain");
        assertProblem(api.get("tasks/" + id + "?wait=1e400"), 400);
        assertProblem(api.get("tasks/" + id + "?wait=%2B5"), 400); // "+5": digits only
    }

    @Test
    void aWaitOfAnyLengthIsCappedNotRefused() {
        String id = acceptedId("echo", bytes("x"), "text/plain");
        Reply r = api.get("tasks/" + id + "?wait=99999999999999999999999");

        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.json().path("status").asText()).isEqualTo("SUCCEEDED");
    }

    // ================================================================== version 2: standard LRO clients

    @Test
    void acceptedSubmissionCarriesAbsoluteLocationAndOperationLocation() {
        Reply r = submit("sleep", bytes("{\"ms\": 10}"), JSON);
        assertThat(r.status()).as("%s", r).isEqualTo(202);
        String id = r.json().path("id").asText();

        URI location = URI.create(r.header("Location").orElseThrow());
        URI operation = URI.create(r.header("Operation-Location").orElseThrow(() -> new AssertionError("no "
                + "Operation-Location: " + r)));
        assertThat(location.isAbsolute()).as("Location %s", location).isTrue();
        assertThat(location).isEqualTo(api.uri("tasks/" + id));
        assertThat(operation).isEqualTo(api.uri("tasks/" + id + "/operation"));
        assertThat(api.send(api.request("").uri(operation).GET()).status()).isEqualTo(200);
    }

    @Test
    void aTaskNotYetTerminalIsAnsweredWithRetryAfter() {
        List<String> busy = occupyWorkers();
        String queued = acceptedId("sleep", bytes("{\"ms\": 10}"), JSON);

        Reply running = api.get("tasks/" + busy.get(0));
        assertThat(running.json().path("status").asText()).isEqualTo("RUNNING");
        assertThat(running.header("Retry-After")).as("%s", running).get().asString().matches(SECONDS);
        Reply waiting = api.get("tasks/" + queued);
        assertThat(waiting.json().path("status").asText()).isEqualTo("QUEUED");
        assertThat(waiting.header("Retry-After")).as("%s", waiting).get().asString().matches(SECONDS);
        Reply longPoll = api.get("tasks/" + queued + "?wait=1");
        assertThat(longPoll.header("Retry-After")).as("%s", longPoll).get().asString().matches(SECONDS);

        Reply cancel = api.delete("tasks/" + queued);
        assertThat(cancel.status()).isEqualTo(202);
        assertThat(cancel.header("Retry-After")).as("%s", cancel).isPresent();
        assertThat(cancel.header("Operation-Location")).hasValue(api.uri("tasks/" + queued + "/operation").toString());
        assertThat(api.get("tasks/" + queued).header("Retry-After")).as("terminal: nothing to wait for").isEmpty();
    }

    @Test
    void operationStatusFollowsTheTaskForGenericLroClients() {
        List<String> busy = occupyWorkers();
        String queued = acceptedId("sleep", bytes("{\"ms\": 10}"), JSON);
        Reply notStarted = api.get("tasks/" + queued + "/operation");
        assertThat(notStarted.status()).as("%s", notStarted).isEqualTo(200);
        assertThat(notStarted.json().path("id").asText()).isEqualTo(queued);
        assertThat(notStarted.json().path("status").asText()).isEqualTo("NotStarted");
        assertThat(notStarted.header("Retry-After")).isPresent();
        assertThat(api.get("tasks/" + busy.get(0) + "/operation").json().path("status").asText()).isEqualTo("Running");

        assertThat(api.delete("tasks/" + queued).status()).isEqualTo(202);
        assertThat(api.get("tasks/" + queued + "/operation").json().path("status").asText()).isEqualTo("Canceled");
        busy.forEach(id -> api.delete("tasks/" + id));

        String ok = acceptedId("sleep", bytes("{\"ms\": 10}"), JSON);
        awaitTerminal(ok);
        JsonNode succeeded = api.get("tasks/" + ok + "/operation").json();
        assertThat(succeeded.path("status").asText()).isEqualTo("Succeeded");
        assertThat(succeeded.has("error")).isFalse();
        URI resource = URI.create(succeeded.path("resourceLocation").asText());
        assertThat(resource).isEqualTo(api.uri("tasks/" + ok + "/result"));
        assertThat(api.send(api.request("").uri(resource).GET()).json().path("sleptMs").asLong()).isEqualTo(10);

        String bad = acceptedId("sleep", bytes("{\"ms\": 1, \"fail\": \"no luck\"}"), JSON);
        awaitTerminal(bad);
        JsonNode failed = api.get("tasks/" + bad + "/operation").json();
        assertThat(failed.path("status").asText()).isEqualTo("Failed");
        assertThat(failed.path("error").path("code").asText()).isEqualTo("handler-error");
        assertThat(failed.path("error").path("message").asText()).isEqualTo("no luck");
        assertThat(failed.has("resourceLocation")).isFalse();
        assertThat(task(bad).path("error").path("code").asText()).isEqualTo("handler-error");

        assertProblem(api.get("tasks/" + wellFormedUnknownId() + "/operation"), 404);
    }

    // ================================================================== version 2: hard edges

    @Test
    void resultsAreNeverSniffedAndActiveTypesAreSandboxedAttachments() {
        String html = acceptedId("echo", bytes("<script>alert(1)</script>"), "text/html");
        String text = acceptedId("echo", bytes("plain"), "text/plain");
        awaitTerminal(html);
        awaitTerminal(text);

        Reply h = api.get("tasks/" + html + "/result");
        assertThat(h.status()).isEqualTo(200);
        assertThat(h.header("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(h.header("Content-Security-Policy")).get().asString().contains("sandbox");
        assertThat(h.header("Content-Disposition")).get().asString().startsWith("attachment");
        Reply t = api.get("tasks/" + text + "/result");
        assertThat(t.header("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(t.header("Content-Disposition")).isEmpty();
    }

    @Test
    void jsonWithAByteOrderMarkIsNotInlinedAndTheTaskAndListStayValidJson() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'};
        String id = acceptedId("echo", bom, JSON);
        JsonNode t = awaitTerminal(id);

        assertThat(t.has("result")).isFalse();
        assertThat(t.path("resultUrl").asText()).endsWith("/tasks/" + id + "/result");
        assertThat(ids(api.get("tasks?type=echo&limit=5").json())).contains(id);
    }

    @Test
    void aForgedCursorOrOneOfOtherFiltersIs400() {
        for (int i = 0; i < 3; i++) {
            acceptedId("echo", bytes("c" + i), "text/plain");
        }
        String next = api.get("tasks?type=echo&limit=1").json().path("next").asText();

        assertThat(api.get("tasks?type=echo&limit=1&cursor=" + enc(next)).status()).isEqualTo(200);
        assertProblem(api.get("tasks?cursor=czA"), 400); // base64url of "s0"
        assertProblem(api.get("tasks?type=sha256&limit=1&cursor=" + enc(next)), 400);
        assertProblem(api.get("tasks?limit=1&cursor=" + enc(next)), 400);
        assertProblem(api.get("tasks?type=%00"), 400);
    }

    @Test
    void theOpenApiDescriptionIsServed() {
        Reply r = api.get("openapi.json");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.mediaType()).isEqualTo(JSON);
        assertThat(r.json().path("openapi").asText()).isEqualTo("3.1.0");
        assertThat(r.json().path("paths").has("/tasks/{id}/operation")).isTrue();
    }

    // ================================================================== events: server-sent events

    /** Every stream a test opened; dropped after it. */
    private final List<SseClient> streams = new CopyOnWriteArrayList<>();
    private static final Duration STREAM_WAIT = Duration.ofSeconds(30);
    private static final Pattern TASK_EVENTS = Pattern.compile("queued(,requeued|,started|,progress)*"
            + ",(succeeded|failed|cancelled)");

    @Test
    void aTaskStreamStartsWithTheTaskAsItIsThenSendsEveryChangeInOrderAndEndsAfterTheTerminalOne() {
        List<String> busy = occupyWorkers();
        String id = acceptedId("sleep", bytes("{\"ms\": 200}"), JSON); // QUEUED behind them
        SseClient s = stream("tasks/" + id + "/events");

        assertThat(s.status()).isEqualTo(200);
        assertThat(s.mediaType()).isEqualTo("text/event-stream");
        assertThat(s.headers().firstValue("Cache-Control")).hasValueSatisfying(v -> assertThat(v).contains("no-store"));
        SseClient.Event first = s.nextEvent(STREAM_WAIT);
        assertThat(first).as("the first event").isNotNull();
        assertThat(first.event()).isEqualTo("queued");
        busy.forEach(b -> api.delete("tasks/" + b)); // the workers free up: the task runs
        List<SseClient.Event> events = new ArrayList<>(List.of(first));
        events.addAll(s.eventsUntilEnd(STREAM_WAIT));

        assertThat(String.join(",", events.stream().map(SseClient.Event::event).toList())).matches(TASK_EVENTS)
                .endsWith("succeeded");
        assertThat(eventIds(events)).isSorted().doesNotHaveDuplicates();
        for (SseClient.Event e : events) {
            JsonNode data = readTree(e.data());
            assertThat(data.path("id").asText()).isEqualTo(id);
            assertThat(data.path("status").asText()).as("%s", e).isEqualTo(statusAfter(e.event()));
            assertThat(openApi.validate(ref("Task"), e.data())).as("data of %s", e).isEmpty();
        }
        assertThat(readTree(events.get(events.size() - 1).data())).as("the last data is the task as GET shows it")
                .isEqualTo(task(id));
    }

    @Test
    void aStreamWithNothingToSaySendsACommentAtLeastEvery15Seconds() {
        occupyWorkers();
        String id = acceptedId("sleep", bytes("{\"ms\": 1}"), JSON); // stays QUEUED: no change to tell
        SseClient s = stream("tasks/" + id + "/events");
        assertThat(s.nextEvent(STREAM_WAIT).event()).isEqualTo("queued");

        for (int i = 0; i < 2; i++) {
            SseClient.Item next = s.next(Duration.ofSeconds(16));
            assertThat(next).as("comment %d within 15 s", i + 1).isInstanceOf(SseClient.Comment.class);
        }
    }

    @Test
    void aDroppedStreamResumesWithLastEventIdWithoutLossOrRepeatsAndAfterTheEndThereIsNothingMore() {
        String id = acceptedId("sleep", bytes("{\"ms\": 1500}"), JSON); // reports progress as it goes
        SseClient first = stream("tasks/" + id + "/events");
        List<SseClient.Event> before = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SseClient.Event e = first.nextEvent(STREAM_WAIT);
            assertThat(e).isNotNull();
            before.add(e);
        }
        first.close(); // the connection drops
        String lastId = before.get(before.size() - 1).id();
        int progress = readTree(before.get(before.size() - 1).data()).path("progress").asInt(0);
        await().atMost(STREAM_WAIT).pollInterval(Duration.ofMillis(20)).until(() -> task(id),
                t -> TERMINAL.contains(t.path("status").asText()) || t.path("progress").asInt(0) > progress + 5);

        List<SseClient.Event> after = stream("tasks/" + id + "/events", "Last-Event-ID", lastId)
                .eventsUntilEnd(STREAM_WAIT);
        List<SseClient.Event> history = stream("tasks/" + id + "/events", "Last-Event-ID", "0")
                .eventsUntilEnd(STREAM_WAIT);

        assertThat(history.get(0).event()).isEqualTo("queued");
        List<Long> all = eventIds(history);
        List<Long> got = new ArrayList<>(eventIds(before));
        got.addAll(eventIds(after));
        assertThat(got).as("before and after the drop").isEqualTo(all.subList(all.indexOf(got.get(0)), all.size()));
        assertThat(after.get(after.size() - 1).event()).isEqualTo("succeeded");
        Reply more = api.send(api.request("tasks/" + id + "/events")
                .header("Last-Event-ID", history.get(history.size() - 1).id()).GET());
        assertThat(more.status()).as("%s", more).isEqualTo(204);
    }

    @Test
    void aStreamOfAnUnknownTaskIs404() {
        assertProblem(api.get("tasks/" + wellFormedUnknownId() + "/events"), 404);
        assertProblem(api.get("tasks/not-a-task-id/events"), 404);
    }

    @Test
    void theEventsStreamTellsEveryChangeOfEveryTaskAndFiltersByTypeAndStatus() {
        SseClient all = stream("events");
        SseClient shaDone = stream("events?type=sha256&status=succeeded");
        assertThat(all.status()).isEqualTo(200);
        assertThat(shaDone.status()).isEqualTo(200);

        String echo = acceptedId("echo", bytes("e"), "text/plain");
        String sha1 = acceptedId("sha256", bytes("one"), "text/plain");
        String sha2 = acceptedId("sha256", bytes("two"), "text/plain");
        List.of(echo, sha1, sha2).forEach(this::awaitTerminal);

        List<SseClient.Event> filtered = eventsUntil(shaDone, Set.of(sha1, sha2));
        assertThat(filtered).extracting(SseClient.Event::event).containsOnly("succeeded");
        assertThat(filtered).extracting(e -> readTree(e.data()).path("id").asText())
                .containsExactlyInAnyOrder(sha1, sha2);
        List<SseClient.Event> every = eventsUntil(all, Set.of(echo, sha1, sha2));
        assertThat(eventIds(every)).isSorted().doesNotHaveDuplicates();
        for (String id : List.of(echo, sha1, sha2)) {
            List<String> kinds = every.stream().filter(e -> readTree(e.data()).path("id").asText().equals(id))
                    .map(SseClient.Event::event).toList();
            assertThat(String.join(",", kinds)).as("events of %s", id).matches(TASK_EVENTS).endsWith("succeeded");
        }
        assertProblem(api.get("events?status=DONE"), 400);
        assertProblem(api.get("events?type="), 400);
    }

    @Test
    void theEventsStreamResumesWithLastEventIdWithoutLossOrRepeats() {
        SseClient reference = stream("events?type=echo");
        SseClient first = stream("events?type=echo");
        String a = acceptedId("echo", bytes("a"), "text/plain");
        List<SseClient.Event> before = eventsUntil(first, Set.of(a));
        first.close();
        String b = acceptedId("echo", bytes("b"), "text/plain");
        String c = acceptedId("echo", bytes("c"), "text/plain");
        List.of(b, c).forEach(this::awaitTerminal);

        List<SseClient.Event> after = eventsUntil(stream("events?type=echo", "Last-Event-ID",
                before.get(before.size() - 1).id()), Set.of(b, c));
        List<SseClient.Event> expected = eventsUntil(reference, Set.of(a, b, c));

        List<Long> got = new ArrayList<>(eventIds(before));
        got.addAll(eventIds(after));
        assertThat(got).isEqualTo(eventIds(expected));
    }

    @Test
    void theEventPathsAnswerOptionsAndRefuseOtherMethods() {
        for (String path : List.of("events", "tasks/" + wellFormedUnknownId() + "/events")) {
            Reply options = api.method("OPTIONS", path);
            assertThat(options.status()).as("%s", options).isEqualTo(200);
            assertThat(allowed(options)).contains("GET", "HEAD");
            Reply post = api.method("POST", path);
            assertProblem(post, 405);
            assertThat(allowed(post)).contains("GET");
        }
    }

    /** Opens a stream ({@code headers}: name, value pairs), dropped after the test. */
    private SseClient stream(String path, String... headers) {
        SseClient c = SseClient.open(api.uri(path), headers);
        streams.add(c);
        return c;
    }

    /** Events of {@code s} until each task of {@code ids} had a terminal one (events of other tasks dropped). */
    private static List<SseClient.Event> eventsUntil(SseClient s, Set<String> ids) {
        Set<String> open = new HashSet<>(ids);
        List<SseClient.Event> out = new ArrayList<>();
        while (!open.isEmpty()) {
            SseClient.Event e = s.nextEvent(STREAM_WAIT);
            assertThat(e).as("an event of %s; got %s (the answer: %s %s; all it sent: %s)", open, out, s.status(),
                    new String(s.errorBody(), java.nio.charset.StandardCharsets.UTF_8), s.seen()).isNotNull();
            String id = readTree(e.data()).path("id").asText();
            if (ids.contains(id)) {
                out.add(e);
                if (TERMINAL.contains(readTree(e.data()).path("status").asText())) {
                    open.remove(id);
                }
            }
        }
        return out;
    }

    private static List<Long> eventIds(List<SseClient.Event> events) {
        return events.stream().map(e -> Long.parseLong(e.id())).toList();
    }

    /** The status a task has after an event of this name. */
    private static String statusAfter(String event) {
        return switch (event) {
            case "queued", "requeued" -> "QUEUED";
            case "started", "progress" -> "RUNNING";
            default -> event.toUpperCase(Locale.ROOT);
        };
    }

    private static JsonNode ref(String schema) {
        return Api.JSON.createObjectNode().put("$ref", "#/components/schemas/" + schema);
    }

    // ================================================================== helpers

    /** Submits and remembers the task for cleanup. */
    protected final Reply submit(String type, byte[] body, String contentType, String... headers) {
        Reply r = api.submit(type, body, contentType, headers);
        if ((r.status() == 202 || r.status() == 200) && r.mediaType().equals(JSON)) {
            created.add(r.json().path("id").asText());
        }
        return r;
    }

    private String acceptedId(String type, byte[] body, String contentType, String... headers) {
        Reply r = submit(type, body, contentType, headers);
        assertThat(r.status()).as("%s", r).isEqualTo(202);
        return r.json().path("id").asText();
    }

    private JsonNode health() {
        Reply r = api.get("health");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.json();
    }

    private JsonNode task(String id) {
        Reply r = api.get("tasks/" + id);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.json();
    }

    /** Long-polls until the task is terminal. */
    private JsonNode awaitTerminal(String id) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Reply r = api.get("tasks/" + id + "?wait=10");
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            if (TERMINAL.contains(r.json().path("status").asText())) {
                return r.json();
            }
            if (System.nanoTime() - deadline > 0) {
                return fail("task %s not terminal after 30 s: %s", id, r);
            }
        }
    }

    private JsonNode awaitStatus(String id, String status) {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> task(id), t -> status.equals(t.path("status").asText()));
    }

    /** Starts one long sleep per worker and waits until all run; they are cancelled after the test. */
    private List<String> occupyWorkers() {
        int workers = health().path("workers").asInt();
        assertThat(workers).isPositive();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            ids.add(acceptedId("sleep", bytes("{\"ms\": " + LONG_MS + "}"), JSON));
        }
        ids.forEach(id -> awaitStatus(id, "RUNNING"));
        return ids;
    }

    /** Waits until nothing runs and nothing is queued, so that each test starts alone. */
    private void awaitIdle() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(this::health,
                h -> h.path("running").asInt() == 0 && h.path("queueDepth").asInt() == 0);
    }

    private String newestTaskId() {
        JsonNode items = api.get("tasks?limit=1").json().path("items");
        return items.isEmpty() ? null : items.get(0).path("id").asText();
    }

    /** Every id of a listing, following cursors; bounded. */
    private List<String> pageThrough(String query, int limit) {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 10_000; page++) {
            String sep = query.contains("?") ? "&" : "?";
            Reply r = api.get(query + sep + "limit=" + limit + (cursor == null ? "" : "&cursor=" + enc(cursor)));
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            JsonNode items = r.json().path("items");
            assertThat(items.size()).isLessThanOrEqualTo(limit);
            ids.addAll(ids(r.json()));
            JsonNode next = r.json().path("next");
            if (next.isNull() || next.isMissingNode()) {
                return ids;
            }
            cursor = next.asText();
        }
        return fail("more than 10,000 pages");
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("items").forEach(t -> ids.add(t.path("id").asText()));
        return ids;
    }

    /** The methods of an answer's {@code Allow}, upper case. */
    private static List<String> allowed(Reply r) {
        List<String> methods = new ArrayList<>();
        r.headers().allValues("Allow").forEach(v -> {
            for (String m : v.split(",")) {
                methods.add(m.trim().toUpperCase(Locale.ROOT));
            }
        });
        return methods;
    }

    /** An error answer: problem+json with type, title, status and detail, and no stack trace. */
    protected static void assertProblem(Reply r, int status, int... orStatus) {
        List<Integer> allowed = new ArrayList<>(List.of(status));
        for (int s : orStatus) {
            allowed.add(s);
        }
        assertThat(r.status()).as("%s", r).isIn(allowed);
        if (r.status() < 400) {
            return;
        }
        assertThat(r.mediaType()).as("%s", r).isEqualTo(PROBLEM_JSON);
        assertProblemBody(r.toString(), r.body(), r.status());
    }

    private static void assertRawProblem(RawHttp.Response r, int status) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        assertThat(r.header("Content-Type")).as("%s", r).startsWith(PROBLEM_JSON);
        assertProblemBody(r.toString(), r.body(), status);
    }

    private static void assertProblemBody(String what, byte[] body, int status) {
        JsonNode p = readTree(new String(body, StandardCharsets.UTF_8));
        assertThat(p.path("type").asText()).as("type of %s", what).isNotBlank();
        assertThat(p.path("title").asText()).as("title of %s", what).isNotBlank();
        assertThat(p.path("status").asInt()).as("status of %s", what).isEqualTo(status);
        assertThat(p.path("detail").asText()).as("detail of %s", what).isNotBlank();
        String text = new String(body, StandardCharsets.UTF_8);
        assertThat(text).as("no stack trace in %s", what).doesNotContain("at io.", "Exception", "\tat ",
                "at java.", "at org.");
    }

    private static JsonNode readTree(String json) {
        try {
            return Api.JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static Instant time(JsonNode node, String field) {
        String s = node.path(field).asText(null);
        assertThat(s).as("%s of %s", field, node).isNotNull().matches(RFC3339_UTC);
        return Instant.parse(s);
    }

    private static String wellFormedUnknownId() {
        return "AAAAAAAAAAAAAAAAAAAAAA"; // 22 base64url characters: the shape of an id, but never issued
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
