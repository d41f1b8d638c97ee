package io.asyncreply.it.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.asyncreply.it.Api;
import io.asyncreply.it.EmbeddedWar;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Webhooks end to end: the WAR in embedded Jetty (its default store), a real receiver on
 * 127.0.0.1 (admitted by {@code asyncreply.webhooks.allow}), everything through real HTTP, every
 * signature checked by a verifier written from the Standard Webhooks specification.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhooksIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final EmbeddedWar server = new EmbeddedWar();
    private Api api;
    private String serverSecret;
    private HookReceiver receiver;

    @BeforeAll
    void start() throws Exception {
        Map<String, String> s = EmbeddedWar.testSettings();
        s.put("asyncreply.queue.capacity", "2000");
        s.put("asyncreply.webhooks.allow", "127.0.0.1");
        serverSecret = s.get("asyncreply.webhooks.secret");
        URI base = server.start(s);
        api = new Api(base);
        receiver = new HookReceiver().up();
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        receiver.close();
    }

    private Api.Reply submit(String callback) {
        String q = callback == null ? "" : "?callback=" + URLEncoder.encode(callback, StandardCharsets.UTF_8);
        return api.send(api.request("tasks/echo" + q).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}")));
    }

    private Api.Reply post(String path, String json) {
        return api.send(api.request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static JsonNode json(HookReceiver.Request r) throws Exception {
        return JSON.readTree(r.body());
    }

    private void drain() {
        receiver.requests.clear();
    }

    @Test
    void aCallbackIsDeliveredSignedWithTheServersSecret() throws Exception {
        drain();
        Api.Reply r = submit(receiver.url("/callback"));
        assertThat(r.status()).as(r.text()).isEqualTo(202);
        String id = r.json().path("id").asText();
        HookReceiver.Request got = receiver.next();
        assertThat(got.path()).isEqualTo("/callback");
        assertThat(SpecVerifier.verify(serverSecret, got)).isTrue();
        JsonNode body = json(got);
        assertThat(body.path("type").asText()).isEqualTo("task.succeeded");
        assertThat(body.path("timestamp").asText()).isNotEmpty();
        assertThat(body.path("data").path("id").asText()).isEqualTo(id);
        assertThat(body.path("data").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(got.header("webhook-id")).isNotBlank();
    }

    @Test
    void aTaskRetriedByHandHasItsOwnOutcomeDeliveredToTheOriginalsCallback() throws Exception {
        drain();
        String q = "?delay=1h&callback=" + URLEncoder.encode(receiver.url("/retried"), StandardCharsets.UTF_8);
        String first = api.submit("echo" + q, "{}".getBytes(StandardCharsets.UTF_8), "application/json")
                .json().path("id").asText();
        assertThat(api.delete("tasks/" + first).status()).isEqualTo(202);
        assertThat(json(receiver.next()).path("data").path("id").asText()).isEqualTo(first);

        Api.Reply retried = api.method("POST", "tasks/" + first + "/retry");
        assertThat(retried.status()).as(retried.text()).isEqualTo(202);
        HookReceiver.Request got = receiver.next();
        assertThat(got.path()).isEqualTo("/retried");
        assertThat(SpecVerifier.verify(serverSecret, got)).isTrue();
        assertThat(json(got).path("type").asText()).isEqualTo("task.succeeded");
        assertThat(json(got).path("data").path("id").asText()).isEqualTo(retried.json().path("id").asText());
        assertThat(json(got).path("data").path("retryOf").asText()).isEqualTo(first);
    }

    @Test
    void aSubscriptionIsCreatedWithItsSecretShownOnceAndReceivesSignedDeliveriesWithALog() throws Exception {
        drain();
        Api.Reply created = post("webhooks", "{\"url\":\"" + receiver.url("/sub") + "\",\"types\":[\"echo\"],"
                + "\"events\":[\"succeeded\",\"failed\"]}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        JsonNode sub = created.json();
        String id = sub.path("id").asText();
        String secret = sub.path("secret").asText();
        assertThat(secret).startsWith("whsec_");
        assertThat(created.header("Location").orElseThrow()).endsWith("/webhooks/" + id).startsWith("http");
        assertThat(sub.path("events").toString()).isEqualTo("[\"succeeded\",\"failed\"]");
        assertThat(api.get("webhooks/" + id).text()).doesNotContain("whsec_").contains(id);
        assertThat(api.get("webhooks").text()).doesNotContain("whsec_").contains(id);

        String task = submit(null).json().path("id").asText();
        HookReceiver.Request got = receiver.next();
        assertThat(got.path()).isEqualTo("/sub");
        assertThat(SpecVerifier.verify(secret, got)).isTrue();
        assertThat(SpecVerifier.verify(serverSecret, got)).isFalse();
        assertThat(json(got).path("data").path("id").asText()).isEqualTo(task);

        JsonNode[] log = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            log[0] = api.get("webhooks/" + id + "/deliveries").json().path("items").path(0);
            return log[0].path("state").asText().equals("DELIVERED");
        });
        assertThat(log[0].path("id").asText()).isEqualTo(got.header("webhook-id"));
        assertThat(log[0].path("event").asText()).isEqualTo("succeeded");
        assertThat(log[0].path("attempts").asInt()).isEqualTo(1);
        assertThat(log[0].path("lastStatus").asInt()).isEqualTo(204);

        Api.Reply retried = api.method("POST", "webhooks/" + id + "/deliveries/" + log[0].path("id").asText() + "/retry");
        assertThat(retried.status()).as(retried.text()).isEqualTo(202);
        HookReceiver.Request again = receiver.next();
        assertThat(again.header("webhook-id")).as("a retry keeps the webhook-id").isEqualTo(got.header("webhook-id"));
        assertThat(SpecVerifier.verify(secret, again)).isTrue();

        assertThat(api.delete("webhooks/" + id).status()).isEqualTo(204);
        assertThat(api.get("webhooks/" + id).status()).isEqualTo(404);
        submit(null);
        assertThat(receiver.requests.poll(1, TimeUnit.SECONDS)).as("a deleted subscription hears nothing").isNull();
    }

    @Test
    void aReceiverThatAnswers410DisablesItsSubscription() throws Exception {
        drain();
        receiver.answer("/gone", 410);
        String id = post("webhooks", "{\"url\":\"" + receiver.url("/gone") + "\"}").json().path("id").asText();
        submit(null);
        assertThat(receiver.next().path()).isEqualTo("/gone");
        await().atMost(Duration.ofSeconds(10)).until(() -> !api.get("webhooks/" + id).json().path("active").asBoolean());
        assertThat(api.get("webhooks/" + id + "/deliveries").json().path("items").path(0).path("state").asText())
                .isEqualTo("DISABLED");
        api.delete("webhooks/" + id);
    }

    @Test
    void urlsThatTheAllowListRefusesAreRefusedAtSubmitAndAtSubscription() {
        for (String url : new String[] {"http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data",
                "http://[::1]:8080/", "http://192.168.1.10/", "http://[::ffff:10.0.0.1]/", "ftp://example.com/"}) {
            Api.Reply s = post("webhooks", "{\"url\":\"" + url + "\"}");
            assertThat(s.status()).as(url + " " + s.text()).isEqualTo(400);
            assertThat(s.mediaType()).isEqualTo("application/problem+json");
            assertThat(s.json().path("type").asText()).endsWith("invalid-webhook");
            Api.Reply t = submit(url);
            assertThat(t.status()).as(url + " " + t.text()).isEqualTo(400);
            assertThat(t.json().path("type").asText()).endsWith("invalid-option");
        }
    }

    @Test
    void unknownEventsAndTypesAndMalformedBodiesAre400() {
        String url = receiver.url("/x");
        for (String body : new String[] {"{\"url\":\"" + url + "\",\"events\":[\"started\"]}",
                "{\"url\":\"" + url + "\",\"types\":[\"no-such-type\"]}", "{\"url\":\"" + url + "\",\"events\":[]}",
                "[1,2]", "not json", "{\"types\":[\"echo\"]}"}) {
            Api.Reply r = post("webhooks", body);
            assertThat(r.status()).as(body + " " + r.text()).isEqualTo(400);
            assertThat(r.mediaType()).isEqualTo("application/problem+json");
        }
    }

    @Test
    void aCallbackToAReceiverThatIsDownIsDeliveredOnceItIsUp() throws Exception {
        HookReceiver later = new HookReceiver(); // nothing listens yet
        try {
            double failedBefore = attemptsThatFailed();
            String id = submit(later.url("/late")).json().path("id").asText();
            await().atMost(Duration.ofSeconds(10)).until(() -> attemptsThatFailed() > failedBefore); // port closed
            later.up();
            HookReceiver.Request got = later.next();
            assertThat(json(got).path("data").path("id").asText()).isEqualTo(id);
            assertThat(SpecVerifier.verify(serverSecret, got)).isTrue();
            assertThat(later.requests.poll(1, TimeUnit.SECONDS)).as("delivered once").isNull();
        } finally {
            later.close();
        }
    }

    private double attemptsThatFailed() {
        for (String line : api.get("metrics").text().split("\n")) {
            if (line.startsWith("asyncreply_webhooks_deliveries_total{outcome=\"failed\"}")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    @Test
    void aThousandCallbacksAreAllDelivered() throws Exception {
        HookReceiver many = new HookReceiver().up();
        try {
            Set<String> submitted = new HashSet<>();
            for (int i = 0; i < 1000; i++) {
                Api.Reply r = submit(many.url("/many"));
                assertThat(r.status()).as(r.text()).isEqualTo(202);
                submitted.add(r.json().path("id").asText());
            }
            Set<String> delivered = new HashSet<>();
            Set<String> webhookIds = new HashSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (delivered.size() < 1000 && System.nanoTime() < deadline) {
                HookReceiver.Request r = many.requests.poll(1, TimeUnit.SECONDS);
                if (r != null) {
                    assertThat(SpecVerifier.verify(serverSecret, r)).isTrue();
                    delivered.add(json(r).path("data").path("id").asText());
                    webhookIds.add(r.header("webhook-id"));
                }
            }
            assertThat(delivered).isEqualTo(submitted);
            assertThat(webhookIds).hasSize(1000);
            String metrics = api.get("metrics").text();
            assertThat(metrics).contains("asyncreply_webhooks_deliveries_total{outcome=\"delivered\"}")
                    .contains("asyncreply_webhooks_delivery_latency_seconds_count");
        } finally {
            many.close();
        }
    }
}
