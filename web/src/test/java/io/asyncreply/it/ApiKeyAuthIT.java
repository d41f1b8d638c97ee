package io.asyncreply.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncreply.it.Api.Reply;
import io.asyncreply.web.auth.KeyDigest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Owners, roles and the admin API over real HTTP: the built WAR in embedded Jetty with
 * {@code asyncreply.auth=apikey} and a key file of four keys: {@code alice} and {@code bob}
 * (users), {@code audit} (viewer) and {@code ops} (admin). Every answer must match the server's
 * OpenAPI description.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ApiKeyAuthIT {
    private static final String JSON = "application/json";
    private static final String TEXT = "text/plain";
    private static final String LONG_SLEEP = "{\"ms\": 60000}";

    private Path dir;
    private final EmbeddedWar server = new EmbeddedWar();
    private Path keyFile;
    private Api api;
    private OpenApiConformance openApi;
    private final List<String> nonConforming = new CopyOnWriteArrayList<>();

    private final String aliceKey = KeyDigest.newKey();
    private final String bobKey = KeyDigest.newKey();
    private final String auditKey = KeyDigest.newKey();
    private final String opsKey = KeyDigest.newKey();
    private Client alice;
    private Client bob;
    private Client audit;
    private Client ops;
    private Client nobody;

    @BeforeAll
    void deploy() throws Exception {
        dir = Files.createTempDirectory("asyncreply-apikeys-");
        keyFile = dir.resolve("keys");
        writeKeys(List.of(line(aliceKey, "alice", "user"), line(bobKey, "bob", ""), line(auditKey, "audit", "viewer"),
                line(opsKey, "ops", "admin")));
        Map<String, String> settings = EmbeddedWar.testSettings();
        settings.put("asyncreply.auth", "apikey");
        settings.put("asyncreply.auth.keys.file", keyFile.toString());
        settings.put("asyncreply.auth.keys.reload", "200ms");
        settings.put("asyncreply.wait.max", "5s");
        URI base = server.start(settings);
        api = new Api(base);
        openApi = new OpenApiConformance(api.get("openapi.json").body());
        api.observe(r -> nonConforming.addAll(openApi.check(r.method(), OpenApiConformance.pathFrom(api.base(),
                r.uri()), r.status(), r.mediaType(), r.body())));
        alice = new Client(aliceKey);
        bob = new Client(bobKey);
        audit = new Client(auditKey);
        ops = new Client(opsKey);
        nobody = new Client(null);
    }

    @AfterAll
    void undeploy() throws Exception {
        server.close();
        Files.deleteIfExists(keyFile);
        Files.deleteIfExists(dir);
    }

    @AfterEach
    void everyAnswerMatchedTheOpenApiDescription() {
        ops.delete("tasks?status=QUEUED");
        ops.post("types/sleep/resume");
        ops.post("types/echo/resume");
        List<String> problems = List.copyOf(nonConforming);
        nonConforming.clear();
        assertThat(problems).as("answers that do not match the server's OpenAPI description").isEmpty();
    }

    // ------------------------------------------------------------------ 401

    @Test
    void withoutCredentialsEveryTaskPathIs401WithABearerChallenge() {
        String id = alice.submitted("echo", "hi", TEXT);
        for (Reply r : List.of(nobody.get("tasks"), nobody.get("tasks/" + id), nobody.get("tasks/" + id + "?wait=1"),
                nobody.get("tasks/" + id + "/result"), nobody.get("tasks/" + id + "/operation"),
                nobody.get("tasks/" + id + "/attempts"), nobody.delete("tasks/" + id), nobody.post("tasks/" + id
                        + "/retry"), nobody.submit("echo", "x", TEXT), nobody.get("types"),
                nobody.post("types/echo/pause"), nobody.delete("tasks?status=QUEUED"))) {
            assertProblem(r, 401, "unauthorized");
            assertThat(r.header("WWW-Authenticate")).as("%s", r).hasValue("Bearer realm=\"asyncreply\"");
        }
    }

    @Test
    void aWrongKeyOrAnotherSchemeIs401AndTheKeyIsNeverEchoed() {
        String wrong = KeyDigest.newKey();
        Reply r = api.send(api.request("tasks").header("Authorization", "Bearer " + wrong).GET());
        assertProblem(r, 401, "unauthorized");
        assertThat(r.header("WWW-Authenticate")).hasValue("Bearer realm=\"asyncreply\", error=\"invalid_token\"");
        assertThat(r.text()).doesNotContain(wrong);

        Reply basic = api.send(api.request("tasks").header("Authorization", "Basic YWxpY2U6c2VjcmV0").GET());
        assertProblem(basic, 401, "unauthorized");
        assertThat(basic.header("WWW-Authenticate")).hasValue("Bearer realm=\"asyncreply\"");
    }

    @Test
    void healthAndTheApiDescriptionNeedNoCredentials() {
        assertThat(nobody.get("health").status()).isEqualTo(200);
        assertThat(nobody.get("openapi.json").status()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ owners

    @Test
    void twoOwnersMayUseTheSameIdempotencyKey() {
        String key = "order-" + System.nanoTime();
        Reply a = alice.submit("echo", "alice's", TEXT, "Idempotency-Key", key);
        Reply b = bob.submit("echo", "bob's, another body", TEXT, "Idempotency-Key", key);

        assertThat(a.status()).as("%s", a).isEqualTo(202);
        assertThat(b.status()).as("not 422: bob's key is his own; %s", b).isEqualTo(202);
        assertThat(b.json().path("id").asText()).isNotEqualTo(a.json().path("id").asText());

        Reply again = alice.submit("echo", "alice's", TEXT, "Idempotency-Key", key);
        assertThat(again.status()).isIn(200, 202);
        assertThat(again.header("Idempotent-Replayed")).hasValue("true");
        assertThat(again.json().path("id").asText()).isEqualTo(a.json().path("id").asText());
        assertThat(alice.submit("echo", "bob's, another body", TEXT, "Idempotency-Key", key).status())
                .as("alice's own key with another body").isEqualTo(422);
    }

    @Test
    void anotherOwnersTaskIsUnknownOnEveryPath() {
        String running = alice.submitted("sleep", LONG_SLEEP, JSON);
        String failed = alice.submitted("sleep", "{\"ms\": 1, \"fail\": \"on purpose\"}", JSON);
        alice.awaitStatus(failed, "FAILED");

        for (String id : List.of(running, failed)) {
            for (Reply r : List.of(bob.get("tasks/" + id), bob.get("tasks/" + id + "?wait=2"),
                    bob.get("tasks/" + id + "/result"), bob.get("tasks/" + id + "/operation"),
                    bob.get("tasks/" + id + "/attempts"), bob.delete("tasks/" + id),
                    bob.post("tasks/" + id + "/retry"))) {
                assertProblem(r, 404, "not-found");
                assertThat(r.text()).doesNotContain("alice");
            }
        }
        assertThat(alice.task(running).path("status").asText()).as("bob's cancel did nothing").isIn("QUEUED",
                "RUNNING");
        assertThat(alice.task(running).has("cancelRequested")).isFalse();
        assertThat(ids(bob.get("tasks?limit=500"))).doesNotContain(running, failed);
        assertThat(ids(bob.get("tasks?status=FAILED&limit=500"))).doesNotContain(failed);
        assertProblem(bob.get("tasks?owner=alice"), 403, "forbidden");
        assertThat(ids(alice.get("tasks?limit=500"))).contains(running, failed);
        alice.delete("tasks/" + running);
    }

    @Test
    void aUsersCursorDoesNotOpenAnotherOwnersList() {
        for (int i = 0; i < 3; i++) {
            alice.submitted("echo", "page " + i, TEXT);
        }
        String next = alice.get("tasks?limit=1").json().path("next").asText();
        assertThat(next).isNotEmpty();

        assertThat(alice.get("tasks?limit=1&cursor=" + next).status()).isEqualTo(200);
        assertProblem(bob.get("tasks?limit=1&cursor=" + next), 400, "invalid-cursor");
    }

    @Test
    void operatorsListEveryOwnersTasksAndOnlyAdminsSeeOwners() {
        String a = alice.submitted("echo", "a", TEXT);
        String b = bob.submitted("echo", "b", TEXT);

        JsonNode viewed = audit.get("tasks?limit=500").json().path("items");
        assertThat(ids(viewed)).contains(a, b);
        viewed.forEach(t -> assertThat(t.has("owner")).as("a viewer sees no owner").isFalse());
        assertThat(audit.task(a).has("owner")).isFalse();
        assertThat(alice.task(a).has("owner")).as("nor does the owner itself").isFalse();

        assertThat(ops.task(a).path("owner").asText()).isEqualTo("alice");
        JsonNode onlyAlice = ops.get("tasks?owner=alice&limit=500").json().path("items");
        assertThat(ids(onlyAlice)).contains(a).doesNotContain(b);
        onlyAlice.forEach(t -> assertThat(t.path("owner").asText()).isEqualTo("alice"));
        assertThat(ids(audit.get("tasks?owner=bob&limit=500"))).contains(b).doesNotContain(a);
        assertThat(ids(alice.get("tasks?owner=alice&limit=500"))).contains(a).doesNotContain(b);
    }

    // ------------------------------------------------------------------ roles

    @Test
    void aViewerReadsEverythingAndActsOnNothing() {
        String id = alice.submitted("sleep", LONG_SLEEP, JSON);

        assertThat(audit.get("tasks/" + id).status()).isEqualTo(200);
        assertThat(audit.get("tasks/" + id + "/attempts").status()).isEqualTo(200);
        assertThat(audit.get("types").status()).isEqualTo(200);
        for (Reply r : List.of(audit.submit("echo", "x", TEXT), audit.delete("tasks/" + id),
                audit.post("tasks/" + id + "/retry"), audit.post("types/sleep/pause"),
                audit.delete("tasks?status=QUEUED"))) {
            assertProblem(r, 403, "forbidden");
        }
        assertThat(alice.task(id).has("cancelRequested")).isFalse();
        alice.delete("tasks/" + id);
    }

    @Test
    void aUserMayNotUseTheAdminApi() {
        for (Reply r : List.of(alice.get("types"), alice.post("types/echo/pause"), alice.post("types/echo/resume"),
                alice.delete("tasks?status=QUEUED"))) {
            assertProblem(r, 403, "forbidden");
        }
    }

    // ------------------------------------------------------------------ options

    @Test
    void aBadOptionIs400NamingItAndQueuesNothing() {
        int before = alice.get("tasks?limit=500").json().path("items").size();
        for (String query : List.of("priority=11", "priority=high", "delay=10", "delay=-1s", "ttl=0s", "ttl=soon",
                "runAt=tomorrow", "callback=ftp%3A%2F%2Fexample.com%2F", "delay=1s&runAt=2030-01-01T00:00:00Z")) {
            Reply r = alice.send(api.request("tasks/echo?" + query).header("Content-Type", TEXT)
                    .POST(HttpRequest.BodyPublishers.ofString("x")));
            assertProblem(r, 400, "invalid-option");
            String name = query.substring(0, query.indexOf('='));
            assertThat(r.json().path("detail").asText()).as(query).contains(name);
        }
        assertThat(alice.get("tasks?limit=500").json().path("items").size()).isEqualTo(before);
    }

    @Test
    void optionsAreKeptAndShownWithTheTask() {
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        Reply r = alice.send(api.request("tasks/echo?delay=1h&priority=5&ttl=2h&callback=https%3A%2F%2Fhooks.example.com"
                + "%2Fdone").header("Content-Type", TEXT).header("traceparent", traceparent)
                .POST(HttpRequest.BodyPublishers.ofString("later")));

        assertThat(r.status()).as("%s", r).isEqualTo(202);
        JsonNode t = alice.task(r.json().path("id").asText());
        Instant submitted = Instant.parse(t.path("submittedAt").asText());
        assertThat(t.path("status").asText()).isEqualTo("QUEUED");
        assertThat(t.path("priority").asInt()).isEqualTo(5);
        assertThat(Instant.parse(t.path("runAt").asText())).isEqualTo(submitted.plus(Duration.ofHours(1)));
        assertThat(Instant.parse(t.path("expiresAt").asText())).isEqualTo(submitted.plus(Duration.ofHours(2)));
        assertThat(t.path("traceparent").asText()).isEqualTo(traceparent);
    }

    @Test
    void aTaskNotStartedWithinItsTtlEndsFailedExpired() {
        assertThat(ops.post("types/echo/pause").status()).isEqualTo(200);
        String id = alice.submitted(alice.send(api.request("tasks/echo?ttl=1s").header("Content-Type", TEXT)
                .POST(HttpRequest.BodyPublishers.ofString("too late"))));

        JsonNode t = alice.awaitStatus(id, "FAILED");
        assertThat(t.path("error").path("code").asText()).isEqualTo("expired");
        assertThat(t.path("attempts").asInt()).isZero();
    }

    // ------------------------------------------------------------------ admin API

    @Test
    void aPausedTypeStartsNothingUntilResumed() {
        Reply paused = ops.post("types/sleep/pause");
        assertThat(paused.status()).as("%s", paused).isEqualTo(200);
        assertThat(paused.json().path("paused").asBoolean()).isTrue();
        String id = alice.submitted("sleep", "{\"ms\": 1}", JSON);

        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                .until(() -> alice.task(id).path("status").asText().equals("QUEUED"));
        JsonNode sleep = type(audit.get("types"), "sleep");
        assertThat(sleep.path("paused").asBoolean()).isTrue();
        assertThat(sleep.path("queued").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(sleep.path("nodes")).hasSize(1);
        assertThat(sleep.path("policy").path("priority").asInt()).isZero();

        Reply resumed = ops.post("types/sleep/resume");
        assertThat(resumed.json().path("paused").asBoolean()).isFalse();
        assertThat(alice.awaitStatus(id, "SUCCEEDED").path("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void anAdminCancelsQueuedTasksInBulkByTypeAndOwner() {
        ops.post("types/echo/pause");
        String a1 = alice.submitted("echo", "1", TEXT);
        String a2 = alice.submitted("echo", "2", TEXT);
        String b1 = bob.submitted("echo", "3", TEXT);

        assertProblem(ops.delete("tasks?status=RUNNING&type=echo"), 400, "invalid-parameter");
        assertProblem(ops.delete("tasks?type=echo"), 400, "invalid-parameter");
        Reply r = ops.delete("tasks?status=QUEUED&type=echo&owner=alice");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.json().path("cancelled").asInt()).isEqualTo(2);
        assertThat(alice.task(a1).path("status").asText()).isEqualTo("CANCELLED");
        assertThat(alice.task(a2).path("status").asText()).isEqualTo("CANCELLED");
        assertThat(bob.task(b1).path("status").asText()).isEqualTo("QUEUED");
        assertThat(ops.delete("tasks?status=queued").json().path("cancelled").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(bob.task(b1).path("status").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void anOwnerRetriesItsFailedTaskAsANewTaskThatPointsBack() {
        String failed = alice.submitted("sleep", "{\"ms\": 1, \"fail\": \"once\"}", JSON);
        alice.awaitStatus(failed, "FAILED");

        Reply r = alice.post("tasks/" + failed + "/retry");
        assertThat(r.status()).as("%s", r).isEqualTo(202);
        String retry = r.json().path("id").asText();
        assertThat(retry).isNotEqualTo(failed);
        assertThat(r.json().path("retryOf").asText()).isEqualTo(failed);
        assertThat(r.header("Location").orElseThrow()).endsWith("/tasks/" + retry);
        assertThat(r.header("Operation-Location").orElseThrow()).endsWith("/tasks/" + retry + "/operation");
        assertThat(r.header("Retry-After")).isPresent();
        assertThat(alice.awaitStatus(retry, "FAILED").path("retryOf").asText()).isEqualTo(failed);
        assertThat(ops.task(retry).path("owner").asText()).as("the retry is alice's").isEqualTo("alice");

        Reply byAdmin = ops.post("tasks/" + failed + "/retry");
        assertThat(byAdmin.status()).isEqualTo(202);
        assertThat(ops.task(byAdmin.json().path("id").asText()).path("owner").asText()).isEqualTo("alice");

        String ok = alice.submitted("echo", "fine", TEXT);
        alice.awaitStatus(ok, "SUCCEEDED");
        assertProblem(alice.post("tasks/" + ok + "/retry"), 409, "not-retryable");
    }

    @Test
    void attemptsTellEachAttemptOfATask() {
        String failed = alice.submitted("sleep", "{\"ms\": 1, \"fail\": \"boom\"}", JSON);
        alice.awaitStatus(failed, "FAILED");

        Reply r = alice.get("tasks/" + failed + "/attempts");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        JsonNode items = r.json().path("items");
        assertThat(items).hasSize(1);
        JsonNode first = items.get(0);
        assertThat(first.path("attempt").asInt()).isEqualTo(1);
        assertThat(first.path("outcome").asText()).isEqualTo("failed");
        assertThat(first.path("error").path("code").asText()).isEqualTo("handler-error");
        assertThat(first.path("error").path("message").asText()).isEqualTo("boom");
        assertThat(first.path("node").asText()).isNotEmpty();
        assertThat(Instant.parse(first.path("finishedAt").asText()))
                .isAfterOrEqualTo(Instant.parse(first.path("startedAt").asText()));

        String queued = alice.submitted(alice.send(api.request("tasks/echo?delay=1h").header("Content-Type", TEXT)
                .POST(HttpRequest.BodyPublishers.ofString("later"))));
        assertThat(alice.get("tasks/" + queued + "/attempts").json().path("items")).isEmpty();
    }

    // ------------------------------------------------------------------ the key file

    @Test
    void aKeyAddedToOrRemovedFromTheFileCountsWithoutARestart() throws Exception {
        String carolKey = KeyDigest.newKey();
        Client carol = new Client(carolKey);
        assertThat(carol.get("tasks").status()).isEqualTo(401);
        List<String> lines = new ArrayList<>(List.of(line(aliceKey, "alice", "user"), line(bobKey, "bob", ""),
                line(auditKey, "audit", "viewer"), line(opsKey, "ops", "admin")));

        lines.add(line(carolKey, "carol", "user"));
        writeKeys(lines);
        await().atMost(Duration.ofSeconds(10)).until(() -> carol.get("tasks").status() == 200);

        lines.remove(lines.size() - 1);
        writeKeys(lines);
        await().atMost(Duration.ofSeconds(10)).until(() -> carol.get("tasks").status() == 401);
        assertThat(alice.get("tasks").status()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ helpers

    private static String line(String key, String owner, String role) {
        return KeyDigest.of(key).format() + " " + owner + (role.isEmpty() ? "" : " " + role);
    }

    /** Replaces the key file at once (a new file renamed over it), as docs/security.md says to. */
    private void writeKeys(List<String> lines) throws IOException {
        Path tmp = dir.resolve("keys.new");
        Files.writeString(tmp, "# asyncreply API keys\n" + String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve("keys"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void assertProblem(Reply r, int status, String slug) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        assertThat(r.mediaType()).as("%s", r).isEqualTo("application/problem+json");
        assertThat(r.json().path("type").asText()).as("%s", r).isEqualTo("urn:asyncreply:problem:" + slug);
        assertThat(r.json().path("status").asInt()).isEqualTo(status);
    }

    private static List<String> ids(Reply page) {
        assertThat(page.status()).as("%s", page).isEqualTo(200);
        return ids(page.json().path("items"));
    }

    private static List<String> ids(JsonNode items) {
        List<String> out = new ArrayList<>();
        items.forEach(t -> out.add(t.path("id").asText()));
        return out;
    }

    private static JsonNode type(Reply types, String name) {
        assertThat(types.status()).as("%s", types).isEqualTo(200);
        for (JsonNode t : types.json().path("items")) {
            if (t.path("type").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no type " + name + " in " + types);
    }

    @Test
    void aWebhookSubscriptionBelongsToItsCreatorAndIsHiddenFromOtherOwners() {
        Reply created = alice.send(api.request("webhooks").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"http://192.0.2.1/hook\",\"events\":[\"cancelled\"]}")));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        String id = created.json().path("id").asText();
        assertThat(created.json().has("owner")).as("a user is not shown the owner").isFalse();
        assertThat(alice.get("webhooks/" + id).status()).isEqualTo(200);
        assertProblem(bob.get("webhooks/" + id), 404, "not-found");
        assertThat(bob.get("webhooks").text()).doesNotContain(id);
        assertProblem(bob.delete("webhooks/" + id), 404, "not-found");
        assertProblem(bob.get("webhooks/" + id + "/deliveries"), 404, "not-found");
        Reply seen = audit.get("webhooks/" + id);
        assertThat(seen.status()).isEqualTo(200);
        assertThat(seen.json().path("owner").asText()).isEqualTo("alice");
        assertThat(seen.text()).doesNotContain("whsec_");
        assertProblem(audit.send(api.request("webhooks").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"http://192.0.2.1/x\"}"))), 403, "forbidden");
        assertProblem(audit.delete("webhooks/" + id), 403, "forbidden");
        assertProblem(nobody.get("webhooks"), 401, "unauthorized");
        assertThat(ops.get("webhooks").text()).contains(id);
        assertThat(ops.delete("webhooks/" + id).status()).isEqualTo(204);
        assertProblem(alice.get("webhooks/" + id), 404, "not-found");
    }

    /** The API as one key holder (or nobody) sees it. */
    private final class Client {
        private final String key;

        Client(String key) {
            this.key = key;
        }

        Reply send(HttpRequest.Builder b) {
            if (key != null) {
                b.header("Authorization", "Bearer " + key);
            }
            return api.send(b);
        }

        Reply get(String path) {
            return send(api.request(path).GET());
        }

        Reply delete(String path) {
            return send(api.request(path).DELETE());
        }

        Reply post(String path) {
            return send(api.request(path).POST(HttpRequest.BodyPublishers.noBody()));
        }

        Reply submit(String type, String body, String contentType, String... headers) {
            HttpRequest.Builder b = api.request("tasks/" + type).header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            for (int i = 0; i < headers.length; i += 2) {
                b.header(headers[i], headers[i + 1]);
            }
            return send(b);
        }

        String submitted(String type, String body, String contentType) {
            return submitted(submit(type, body, contentType));
        }

        String submitted(Reply r) {
            assertThat(r.status()).as("%s", r).isEqualTo(202);
            return r.json().path("id").asText();
        }

        JsonNode task(String id) {
            Reply r = get("tasks/" + id);
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            return r.json();
        }

        JsonNode awaitStatus(String id, String status) {
            return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> task(id), t -> t.path("status").asText().equals(status));
        }
    }
}
