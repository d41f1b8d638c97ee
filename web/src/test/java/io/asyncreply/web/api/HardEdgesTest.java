package io.asyncreply.web.api;

import static io.asyncreply.web.api.ApiResourcesTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.web.testing.TestApps;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hard edges found by hostile testing (issue "First day and hard edges"), through Jersey's
 * servlet container on Grizzly over real HTTP: results that could break the task JSON or run from
 * the API's origin, forged cursors, bad filters, and the bound on held long-polls.
 */
class HardEdgesTest extends ApiJerseyTest {
    /** A strict parser: no BOM, comments or trailing tokens accepted inside a document. */
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonParser.Feature.ALLOW_COMMENTS).build();

    /** Jersey's servlet container, as in the WAR (the resources read the servlet request). */

    @Override
    protected TestApps startApp() {
        return TestApps.start(Map.of("asyncreply.wait.max", "10s", "asyncreply.wait.max-held", "2",
                "asyncreply.queue.capacity", "100"));
    }

    // ------------------------------------------------------------------ D4: results inlined as is

    @Test
    void jsonResultWithAByteOrderMarkIsNotInlinedAndTheTaskAndListStayValidJson() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        String id = t.submit("echo", new String(bom, StandardCharsets.UTF_8) + "{\"a\":1}", "application/json");
        t.awaitStatus(id, TaskStatus.SUCCEEDED);

        JsonNode task = strict(target("tasks/" + id).request().get());
        assertThat(task.has("result")).as("%s", task).isFalse();
        assertThat(task.path("resultUrl").asText()).isEqualTo("/tasks/" + id + "/result");
        JsonNode page = strict(target("tasks").request().get());
        assertThat(page.path("items").get(0).path("id").asText()).isEqualTo(id);
        assertThat(page.path("items").get(0).has("result")).isFalse();
    }

    @Test
    void wellFormedJsonResultIsStillInlined() {
        String id = t.submit("echo", "{\"a\":[1,\"\u00e9\"]}", "application/json");
        t.awaitStatus(id, TaskStatus.SUCCEEDED);

        JsonNode task = strict(target("tasks/" + id).request().get());
        assertThat(task.path("result").path("a").get(1).asText()).isEqualTo("\u00e9");
    }

    // ------------------------------------------------------------------ D1/D3: list pages

    @Test
    void listShowsLargeResultsByUrlWithoutReadingThem() {
        String big = t.submit("echo", "x".repeat(300 * 1024), "text/plain");
        String bigJson = t.submit("echo", "[" + "1,".repeat(150 * 1024) + "1]", "application/json");
        t.awaitStatus(big, TaskStatus.SUCCEEDED);
        t.awaitStatus(bigJson, TaskStatus.SUCCEEDED);

        Response r = target("tasks").request().get();
        assertThat(r.getStatus()).isEqualTo(200);
        JsonNode page = strict(r);
        for (JsonNode item : page.path("items")) {
            assertThat(item.path("resultUrl").asText()).endsWith("/result");
            assertThat(item.has("result")).isFalse();
        }
        assertThat(page.path("items").get(1).path("resultContentType").asText()).isEqualTo("text/plain");
    }

    @Test
    void aPageInlinesResultsUpToItsBudgetAndLinksTheRest() {
        String json = "{\"pad\":\"" + "y".repeat(250 * 1024) + "\"}";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(t.submit("echo", json, "application/json"));
        }
        ids.forEach(id -> t.awaitStatus(id, TaskStatus.SUCCEEDED));

        JsonNode page = strict(target("tasks").queryParam("limit", "10").request().get());
        int inlined = 0;
        for (JsonNode item : page.path("items")) {
            assertThat(item.path("resultUrl").asText()).endsWith("/result");
            if (item.has("result")) {
                inlined++;
            }
        }
        // 1 MiB a page: four results of 250 KiB fit, the fifth would cross it
        assertThat(inlined).isEqualTo(4);
        assertThat(page.path("items").get(0).has("result")).as("newest first, inlined first").isTrue();
        // the task itself still inlines it
        assertThat(strict(target("tasks/" + ids.get(0)).request().get()).has("result")).isTrue();
    }

    /**
     * One read of a whole page of 500 tasks with JSON results of 250 KiB held 125 MiB, and six at
     * once ran a 256 MiB server out of memory: the page is read from the store a chunk at a time.
     */
    @Test
    void aPageIsReadFromTheStoreAChunkAtATimeAndHoldsEveryTask() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2 * TaskResource.STORE_CHUNK + 5; i++) {
            ids.add(t.submit("echo", "{\"n\":" + i + "}", "application/json"));
        }
        ids.forEach(id -> t.awaitStatus(id, TaskStatus.SUCCEEDED));
        t.store.listLimits.clear();

        JsonNode page = strict(target("tasks").queryParam("limit", ids.size()).request().get());

        assertThat(page.path("items")).hasSize(ids.size());
        assertThat(page.path("items").get(0).path("id").asText()).isEqualTo(ids.get(ids.size() - 1));
        assertThat(page.path("items").get(ids.size() - 1).path("result").path("n").asInt()).isZero();
        assertThat(t.store.listLimits).as("the limit of each read from the store")
                .containsExactly(TaskResource.STORE_CHUNK, TaskResource.STORE_CHUNK, 5);
    }

    // ------------------------------------------------------------------ D6, D7: serving results

    @ParameterizedTest(name = "Content-Type: {0}")
    @ValueSource(strings = {"not a media type", "text/", "text/plain; charset=\"open", "@@@/x", "text/plain;;;=x"})
    void resultWithAnUnparseableContentTypeIsServedAsOctetStreamAndNothingIsLogged(String contentType) {
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            String id = t.submit("echo", "payload", contentType);
            t.awaitStatus(id, TaskStatus.SUCCEEDED);

            for (int i = 0; i < 2; i++) {
                Response r = target("tasks/" + id + "/result").request().get();
                assertThat(r.getStatus()).isEqualTo(200);
                assertThat(r.getHeaderString("Content-Type")).isEqualTo("application/octet-stream");
                assertThat(r.getHeaderString("X-Content-Type-Options")).isEqualTo("nosniff");
                assertThat(r.readEntity(byte[].class)).isEqualTo("payload".getBytes(StandardCharsets.UTF_8));
            }
        } finally {
            root.removeHandler(capture);
        }
        assertThat(records).noneMatch(rec -> String.valueOf(rec.getMessage()).contains(contentType)
                || (rec.getThrown() != null && String.valueOf(rec.getThrown().getMessage()).contains(contentType)));
    }

    @ParameterizedTest(name = "Content-Type: {0}")
    @ValueSource(strings = {"text/html", "text/html; charset=utf-8", "image/svg+xml", "application/xhtml+xml",
        "text/xml", "application/xml", "application/rss+xml", "application/javascript", "application/pdf",
        "TEXT/HTML", "application/x-unknown-thing"})
    void activeOrUnknownResultTypesAreSandboxedAndServedAsAttachments(String contentType) {
        String id = t.submit("echo", "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>", contentType);
        t.awaitStatus(id, TaskStatus.SUCCEEDED);

        Response r = target("tasks/" + id + "/result").request().get();
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getHeaderString("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.getHeaderString("Content-Security-Policy")).contains("sandbox").contains("default-src 'none'");
        assertThat(r.getHeaderString("Content-Disposition")).startsWith("attachment");
    }

    @ParameterizedTest(name = "Content-Type: {0}")
    @ValueSource(strings = {"text/plain", "application/json", "application/problem+json", "image/png",
        "application/octet-stream", "text/csv"})
    void inertResultTypesAreServedInlineWithNosniff(String contentType) {
        String id = t.submit("echo", "{}", contentType);
        t.awaitStatus(id, TaskStatus.SUCCEEDED);

        Response r = target("tasks/" + id + "/result").request().get();
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getHeaderString("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.getHeaderString("Content-Disposition")).isNull();
    }

    // ------------------------------------------------------------------ D15: cursors

    @Test
    void aForgedCursorIs400() {
        for (int i = 0; i < 3; i++) {
            t.submit("echo", "n" + i, "text/plain");
        }
        String forged = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("s0".getBytes(StandardCharsets.US_ASCII));
        assertThat(forged).isEqualTo("czA");

        assertProblem(target("tasks").queryParam("cursor", forged).request().get(), 400);
        String next = strict(target("tasks").queryParam("limit", "1").request().get()).path("next").asText();
        assertThat(target("tasks").queryParam("limit", "1").queryParam("cursor", next).request().get().getStatus())
                .isEqualTo(200);
        assertProblem(target("tasks").queryParam("cursor", next + "A").request().get(), 400);
        assertProblem(target("tasks").queryParam("cursor", "A" + next).request().get(), 400);
        assertProblem(target("tasks").queryParam("cursor", next.substring(0, next.length() - 1)).request().get(), 400);
    }

    @Test
    void aCursorOfAnotherFilterCombinationIs400() {
        for (int i = 0; i < 3; i++) {
            t.submit("echo", "n" + i, "text/plain");
        }
        String next = strict(target("tasks").queryParam("type", "echo").queryParam("limit", "1").request().get())
                .path("next").asText();

        assertThat(target("tasks").queryParam("type", "echo").queryParam("cursor", next).queryParam("limit", "2")
                .request().get().getStatus()).as("the limit may change between pages").isEqualTo(200);
        assertProblem(target("tasks").queryParam("cursor", next).request().get(), 400);
        assertProblem(target("tasks").queryParam("type", "sleep").queryParam("cursor", next).request().get(), 400);
        assertProblem(target("tasks").queryParam("type", "echo").queryParam("status", "QUEUED")
                .queryParam("cursor", next).request().get(), 400);
    }

    // ------------------------------------------------------------------ D8: filters

    @ParameterizedTest(name = "type={0}")
    @ValueSource(strings = {"\u0000", "a b", "-echo", "\u00e9cho", "x/y"})
    void aTypeFilterThatIsNotATypeNameIs400NamingTheType(String type) {
        Response r = target("tasks").queryParam("type", "{t}").resolveTemplate("t", type).request().get();
        assertThat(r.getStatus()).isEqualTo(400);
        assertThat(r.getMediaType().toString()).isEqualTo("application/problem+json");
        assertThat(strict(r).path("detail").asText()).contains("type");
    }

    @Test
    void aTooLongTypeFilterIs400NamingTheType() {
        Response r = target("tasks").queryParam("type", "x".repeat(101)).request().get();
        assertThat(r.getStatus()).isEqualTo(400);
        assertThat(strict(r).path("detail").asText()).contains("type");
    }

    // ------------------------------------------------------------------ held long-polls

    @Test
    void longPollsBeyondTheHeldBoundAre503WithRetryAfter() throws Exception {
        String id = t.submit("gate", "", null);
        t.awaitStatus(id, TaskStatus.RUNNING);
        Future<Response> first = target("tasks/" + id).queryParam("wait", "10").request().async().get();
        Future<Response> second = target("tasks/" + id).queryParam("wait", "10").request().async().get();
        await().atMost(Duration.ofSeconds(10)).until(() -> t.app.pending().size() == 2);

        Response third = target("tasks/" + id).queryParam("wait", "10").request().get();
        assertProblem(third, 503);
        assertThat(third.getHeaderString("Retry-After")).matches("\\d+");
        assertThat(target("tasks/" + id).request().get().getStatus()).as("a plain GET is not held").isEqualTo(200);

        t.gate.open();
        assertThat(first.get(5, TimeUnit.SECONDS).getStatus()).isEqualTo(200);
        assertThat(second.get(5, TimeUnit.SECONDS).getStatus()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> t.app.pending().size() == 0);
        assertThat(target("tasks/" + id).queryParam("wait", "1").request().get().getStatus()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ helpers

    private static JsonNode strict(Response r) {
        byte[] body = r.readEntity(byte[].class);
        try {
            return STRICT.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not valid JSON (" + r.getStatus() + "): "
                    + new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8), e);
        }
    }
}
