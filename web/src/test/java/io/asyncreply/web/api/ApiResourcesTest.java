package io.asyncreply.web.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.web.testing.TestApps;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Jersey resources ({@link TaskResource}, {@link HealthResource}, the problem mappers) in
 * process, in Jersey's servlet container on Grizzly: {@code new ApiApplication(app)} over a task service
 * with one worker, the built-in handlers and a {@code gate} task that runs until the test opens it.
 */
class ApiResourcesTest extends ApiJerseyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Jersey's servlet container, as in the WAR (the resources read the servlet request). */

    @Override
    protected TestApps startApp() {
        return TestApps.start(Map.of("asyncreply.wait.max", "1s"));
    }

    // ------------------------------------------------------------------ GET /tasks/{id}

    @Test
    void queuedTaskIsShownAsJsonThatIsNotCached() {
        t.awaitStatus(t.submit("gate", "", null), TaskStatus.RUNNING); // holds the only worker
        String id = t.submit("echo", "hello", "text/plain");

        Response r = target("tasks/" + id).request().get();
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getMediaType().toString()).isEqualTo("application/json");
        assertThat(r.getHeaderString("Cache-Control")).contains("no-store");
        JsonNode task = json(r);
        assertThat(task.path("id").asText()).isEqualTo(id);
        assertThat(task.path("type").asText()).isEqualTo("echo");
        assertThat(task.path("status").asText()).isEqualTo("QUEUED");
        assertThat(task.path("url").asText()).isEqualTo("/tasks/" + id);
        assertThat(task.path("submittedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(task.has("startedAt")).isFalse();
        assertThat(task.has("resultUrl")).isFalse();
    }

    @Test
    void runningTaskShowsItsStartAndProgress() {
        String id = t.submit("gate", "", null);
        await().atMost(Duration.ofSeconds(10)).until(() -> t.service().find(id).orElseThrow().progress() != null);

        JsonNode task = json(target("tasks/" + id).request().get());
        assertThat(task.path("status").asText()).isEqualTo("RUNNING");
        assertThat(task.path("progress").asInt()).isEqualTo(50);
        assertThat(task.path("attempts").asInt()).isEqualTo(1);
        assertThat(task.has("startedAt")).isTrue();
        assertThat(task.has("finishedAt")).isFalse();
    }

    @Test
    void unknownAndMalformedIdsAre404Problems() {
        assertProblem(target("tasks/AAAAAAAAAAAAAAAAAAAAAA").request().get(), 404);
        assertProblem(target("tasks/short").request().get(), 404);
        assertProblem(target("tasks/AAAAAAAAAAAAAAAAAAAA!!").request().get(), 404);
    }

    // ------------------------------------------------------------------ ?wait=N

    @Test
    void longPollIsHeldWithoutAThreadAndResumedWhenTheTaskFinishes() throws Exception {
        String id = t.submit("gate", "", null);
        t.awaitStatus(id, TaskStatus.RUNNING);
        Future<Response> poll = target("tasks/" + id).queryParam("wait", "10").request().async().get();

        await().atMost(Duration.ofSeconds(10)).until(() -> t.app.pending().size() == 1);
        assertThat(poll.isDone()).isFalse();
        t.gate.open();

        Response r = poll.get(5, TimeUnit.SECONDS);
        JsonNode task = json(r);
        assertThat(task.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(task.path("result")).isEqualTo(JSON.readTree("{\"gate\":\"open\"}"));
        assertThat(t.app.pending().size()).isZero();
    }

    @ParameterizedTest(name = "wait={0}")
    @ValueSource(strings = {"60", "99999999999999999999"})
    void longPollWaitsNoLongerThanTheConfiguredCap(String wait) throws Exception {
        String id = t.submit("gate", "", null);
        t.awaitStatus(id, TaskStatus.RUNNING);
        Future<Response> poll = target("tasks/" + id).queryParam("wait", wait).request().async().get();

        // asyncreply.wait.max is 1s: the answer comes long before the 60 s asked for
        Response r = poll.get(20, TimeUnit.SECONDS);
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(json(r).path("status").asText()).isEqualTo("RUNNING");
        assertThat(t.app.pending().size()).isZero();
    }

    @Test
    void heldLongPollsAreAnsweredAtOnceWhenTheApplicationStops() throws Exception {
        String id = t.submit("gate", "", null);
        t.awaitStatus(id, TaskStatus.RUNNING);
        Future<Response> poll = target("tasks/" + id).queryParam("wait", "10").request().async().get();
        await().atMost(Duration.ofSeconds(10)).until(() -> t.app.pending().size() == 1);

        t.app.pending().answerAll();

        Response r = poll.get(5, TimeUnit.SECONDS);
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(json(r).path("status").asText()).isEqualTo("RUNNING");
    }

    @Test
    void longPollOnAFinishedTaskAnswersAtOnceWithoutHoldingIt() throws Exception {
        String id = t.submit("echo", "x", "text/plain");
        t.awaitStatus(id, TaskStatus.SUCCEEDED);

        Response r = target("tasks/" + id).queryParam("wait", "10").request().async().get().get(5, TimeUnit.SECONDS);
        assertThat(json(r).path("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void badWaitValuesAre400Problems() {
        String id = t.submit("echo", "x", "text/plain");
        for (String bad : List.of("abc", "-1", "1.5", "", "+5", "1e3", "\u0661")) {
            assertProblem(target("tasks/" + id).queryParam("wait", bad).request().get(), 400);
        }
    }

    // ------------------------------------------------------------------ result

    @Test
    void resultOfASucceededTaskIsTheRawBytesWithTheHandlersContentType() {
        String id = t.submit("echo", "raw bytes", "text/x-test");
        t.awaitStatus(id, TaskStatus.SUCCEEDED);

        Response r = target("tasks/" + id + "/result").request().get();
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getMediaType().toString()).isEqualTo("text/x-test");
        assertThat(r.readEntity(byte[].class)).isEqualTo("raw bytes".getBytes());
    }

    @Test
    void resultIs409UntilSucceededAnd404ForUnknownTasks() {
        String id = t.submit("gate", "", null);
        t.awaitStatus(id, TaskStatus.RUNNING);

        assertProblem(target("tasks/" + id + "/result").request().get(), 409);
        assertProblem(target("tasks/AAAAAAAAAAAAAAAAAAAAAA/result").request().get(), 404);
    }

    // ------------------------------------------------------------------ DELETE

    @Test
    void cancellingAQueuedTaskAnswers202WithTheCancelledTask() {
        t.awaitStatus(t.submit("gate", "", null), TaskStatus.RUNNING);
        String id = t.submit("echo", "never", "text/plain");

        Response r = target("tasks/" + id).request().delete();
        assertThat(r.getStatus()).isEqualTo(202);
        assertThat(json(r).path("status").asText()).isEqualTo("CANCELLED");
        assertThat(t.service().find(id).orElseThrow().startedAt()).isNull();
    }

    @Test
    void cancellingARunningTaskInterruptsItAndItEndsCancelled() {
        String id = t.submit("gate", "", null);
        t.awaitStatus(id, TaskStatus.RUNNING);

        Response r = target("tasks/" + id).request().delete();
        assertThat(r.getStatus()).isEqualTo(202);
        JsonNode body = json(r);
        assertThat(body.path("status").asText()).isIn("RUNNING", "CANCELLED");

        t.awaitStatus(id, TaskStatus.CANCELLED); // the gate was never opened: only the interrupt ends it
    }

    @Test
    void cancellingATerminalTaskIs409AndAnUnknownOne404() {
        String id = t.submit("echo", "x", "text/plain");
        t.awaitStatus(id, TaskStatus.SUCCEEDED);

        assertProblem(target("tasks/" + id).request().delete(), 409);
        assertThat(t.service().find(id).orElseThrow().status()).isEqualTo(TaskStatus.SUCCEEDED);
        assertProblem(target("tasks/AAAAAAAAAAAAAAAAAAAAAA").request().delete(), 404);
        assertProblem(target("tasks/nope").request().delete(), 404);
    }

    // ------------------------------------------------------------------ GET /tasks

    @Test
    void listIsNewestFirstAndFilters() {
        String failed = t.submit("sleep", "{\"ms\":0,\"fail\":\"no\"}", "application/json");
        t.awaitStatus(failed, TaskStatus.FAILED);
        String a = t.submit("echo", "a", "text/plain");
        String b = t.submit("echo", "b", "text/plain");
        t.awaitStatus(b, TaskStatus.SUCCEEDED);

        assertThat(ids(json(target("tasks").request().get()))).containsExactly(b, a, failed);
        assertThat(ids(json(target("tasks").queryParam("type", "echo").request().get()))).containsExactly(b, a);
        assertThat(ids(json(target("tasks").queryParam("status", "FAILED").request().get()))).containsExactly(failed);
        assertThat(ids(json(target("tasks").queryParam("status", "QUEUED").request().get()))).isEmpty();
    }

    @Test
    void limitAndCursorPageThroughAllTasks() {
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            submitted.add(0, t.submit("echo", "n" + i, "text/plain"));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var target = target("tasks").queryParam("limit", "3");
            if (cursor != null) {
                target = target.queryParam("cursor", cursor);
            }
            JsonNode page = json(target.request().get());
            assertThat(page.path("items").size()).isLessThanOrEqualTo(3);
            seen.addAll(ids(page));
            cursor = page.path("next").isNull() ? null : page.path("next").asText();
            pages++;
        } while (cursor != null && pages < 10);

        assertThat(seen).isEqualTo(submitted);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void badListParametersAre400Problems() {
        assertProblem(target("tasks").queryParam("status", "DONE").request().get(), 400);
        assertProblem(target("tasks").queryParam("limit", "0").request().get(), 400);
        assertProblem(target("tasks").queryParam("limit", "501").request().get(), 400);
        assertProblem(target("tasks").queryParam("limit", "many").request().get(), 400);
        assertProblem(target("tasks").queryParam("cursor", "bm9wZQ").request().get(), 400);
        assertProblem(target("tasks").queryParam("cursor", "").request().get(), 400);
        assertProblem(target("tasks").queryParam("type", "").request().get(), 400);
    }

    // ------------------------------------------------------------------ health and store failures

    @Test
    void healthIsUpWithQueueDepthRunningWorkersAndCapacity() {
        t.awaitStatus(t.submit("gate", "", null), TaskStatus.RUNNING);
        t.submit("echo", "waiting", "text/plain");

        Response r = target("health").request().get();
        assertThat(r.getStatus()).isEqualTo(200);
        JsonNode h = json(r);
        assertThat(h.path("status").asText()).isEqualTo("UP");
        assertThat(h.path("queueDepth").asInt()).isEqualTo(1);
        assertThat(h.path("running").asInt()).isEqualTo(1);
        assertThat(h.path("workers").asInt()).isEqualTo(1);
        assertThat(h.path("queueCapacity").asInt()).isEqualTo(10);
    }

    @Test
    void healthNamesThisNodeAndListsTheNodeRegistry() {
        String self = t.service().nodeId();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> json(target("health").request().get()).path("nodes").size() == 1);

        JsonNode h = json(target("health").request().get());

        assertThat(h.path("node").asText()).isEqualTo(self);
        JsonNode n = h.path("nodes").get(0);
        assertThat(n.path("id").asText()).isEqualTo(self);
        assertThat(n.path("startedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(n.path("lastHeartbeat").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(n.path("running").asInt()).isZero();
        assertThat(n.path("stale").asBoolean()).isFalse();
    }

    @Test
    void unreachableStoreMakesHealthDownAnd503ProblemsElsewhere() {
        String id = t.submit("echo", "x", "text/plain");
        t.store.down = true;

        Response health = target("health").request().get();
        assertThat(health.getStatus()).isEqualTo(503);
        assertThat(json(health).path("status").asText()).isEqualTo("DOWN");

        Response status = target("tasks/" + id).request().get();
        assertProblem(status, 503);
        assertThat(status.getHeaderString("Retry-After")).matches("\\d+");
        assertProblem(target("tasks").request().get(), 503);
        assertProblem(target("tasks/" + id).queryParam("wait", "5").request().get(), 503);
    }

    // ------------------------------------------------------------------ unknown paths, wrong methods

    @Test
    void unknownPathIs404Problem() {
        assertProblem(target("nothing/here").request().get(), 404);
    }

    @Test
    void wrongMethodIs405ProblemWithAllow() {
        Response r = target("health").request().post(Entity.text("x"));
        assertProblem(r, 405);
        assertThat(r.getHeaderString("Allow")).contains("GET");
        Response putList = target("tasks").request().put(Entity.text("x"));
        assertProblem(putList, 405);
        assertThat(putList.getHeaderString("Allow").split(",\\s*")).as("GET lists, DELETE cancels in bulk")
                .contains("DELETE", "GET");
        Response put = target("tasks/AAAAAAAAAAAAAAAAAAAAAA").request().put(Entity.text("x"));
        assertProblem(put, 405);
        // POST /tasks/{type} is the intake filter's, in front of Jersey, and is allowed on that path too
        assertThat(put.getHeaderString("Allow").split(",\\s*")).as("Allow of a task: what OPTIONS lists too")
                .containsExactlyInAnyOrder("DELETE", "GET", "HEAD", "OPTIONS", "POST");
        Response options = target("tasks/echo").request().options();
        assertThat(options.getHeaderString("Allow").split(",\\s*"))
                .containsExactlyInAnyOrder("DELETE", "GET", "HEAD", "OPTIONS", "POST");
    }

    @Test
    void aPostThatTheIntakeDoesNotTakeIs404NotA405() {
        // the intake filter is not in front of Jersey here: this is what a POST it passes on gets
        assertProblem(target("tasks/echo/").request().post(Entity.text("x")), 404);
    }

    // ------------------------------------------------------------------ helpers

    private static JsonNode json(Response r) {
        String body = r.readEntity(String.class);
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON (" + r.getStatus() + "): " + body, e);
        }
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("items").forEach(n -> ids.add(n.path("id").asText()));
        return ids;
    }

    static void assertProblem(Response r, int status) {
        assertThat(r.getStatus()).isEqualTo(status);
        assertThat(r.getMediaType()).isNotNull();
        assertThat(r.getMediaType().toString()).isEqualTo("application/problem+json");
        JsonNode p = json(r);
        assertThat(p.path("type").asText()).startsWith("urn:asyncreply:problem:");
        assertThat(p.path("title").asText()).isNotBlank();
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("detail").asText()).isNotBlank().doesNotContain("Exception", "at io.");
    }
}
