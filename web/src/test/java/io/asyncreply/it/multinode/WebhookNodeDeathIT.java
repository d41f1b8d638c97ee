package io.asyncreply.it.multinode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.asyncreply.it.Api;
import io.asyncreply.it.jvm.ServerProcess;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node killed (SIGKILL) while it sends a webhook: another node on the same PostgreSQL schema
 * delivers it once the dead node's lease expires, with the same {@code webhook-id}, and records it
 * delivered. Two WARs in separate JVMs; skipped without PostgreSQL unless CI=true.
 */
class WebhookNodeDeathIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static MultiNodeDb db;
    private static HttpServer receiver;
    private static final BlockingQueue<String[]> received = new LinkedBlockingQueue<>();
    private static final CountDownLatch release = new CountDownLatch(1);
    private static final AtomicInteger count = new AtomicInteger();
    private static ServerProcess a;
    private static ServerProcess b;

    @BeforeAll
    static void start() throws Exception {
        db = MultiNodeDb.create();
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.setExecutor(Executors.newFixedThreadPool(4));
        receiver.createContext("/", ex -> {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            received.add(new String[] {ex.getRequestHeaders().getFirst("webhook-id"),
                    ex.getRequestHeaders().getFirst("webhook-timestamp"),
                    ex.getRequestHeaders().getFirst("webhook-signature"), new String(body, StandardCharsets.UTF_8)});
            if (count.incrementAndGet() == 1) {
                try {
                    release.await(60, TimeUnit.SECONDS); // the first sender dies while it waits here
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stop() throws Exception {
        release.countDown();
        for (ServerProcess p : new ServerProcess[] {a, b}) {
            if (p != null) {
                p.close();
            }
        }
        receiver.stop(0);
        if (db != null) {
            db.close();
        }
    }

    private static ServerProcess node(String id) {
        return ServerProcess.builder("wh-" + id).war(Path.of(System.getProperty("asyncreply.war"))).nodeId(id)
                .setting("asyncreply.store", "jdbc")
                .setting("asyncreply.jdbc.url", db.url())
                .setting("asyncreply.jdbc.pool-size", "4")
                .setting("asyncreply.workers", "2")
                .setting("asyncreply.webhooks.allow", "127.0.0.1")
                .setting("asyncreply.webhooks.connect-timeout", "1s")
                .setting("asyncreply.webhooks.read-timeout", "3s")
                .setting("asyncreply.webhooks.lease", "9s")
                .setting("asyncreply.shutdown.grace", "1s")
                .build();
    }

    private static boolean verify(String secret, String[] r) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(6)), "HmacSHA256"));
        byte[] expected = Base64.getEncoder().encode(mac.doFinal((r[0] + "." + r[1] + "." + r[3])
                .getBytes(StandardCharsets.UTF_8)));
        return r[2].startsWith("v1,") && MessageDigest.isEqual(expected, r[2].substring(3)
                .getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aWebhookWhoseNodeIsKilledMidDeliveryIsDeliveredByAnotherNodeWithTheSameId() throws Exception {
        a = node("node-a").start();
        Api apiA = new Api(a.baseUrl());
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        Api.Reply created = apiA.send(apiA.request("webhooks").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + url + "\",\"events\":[\"succeeded\"]}")));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String subscription = created.json().path("id").asText();
        String secret = created.json().path("secret").asText();
        Api.Reply submitted = apiA.submit("echo", "{\"x\":1}".getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(submitted.status()).isEqualTo(202);
        String task = submitted.json().path("id").asText();

        String[] first = received.poll(30, TimeUnit.SECONDS);
        assertThat(first).as("node-a sends the webhook").isNotNull();
        a.kill(); // while the receiver holds node-a's request: node-a never learns the answer
        b = node("node-b").start();

        String[] second = received.poll(60, TimeUnit.SECONDS);
        assertThat(second).as("node-b sends it once node-a's lease expired").isNotNull();
        assertThat(second[0]).as("the same webhook-id").isEqualTo(first[0]);
        assertThat(verify(secret, first)).isTrue();
        assertThat(verify(secret, second)).isTrue();
        JsonNode body = JSON.readTree(second[3]);
        assertThat(body.path("type").asText()).isEqualTo("task.succeeded");
        assertThat(body.path("data").path("id").asText()).isEqualTo(task);

        Api apiB = new Api(b.baseUrl());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode log = apiB.get("webhooks/" + subscription + "/deliveries").json().path("items");
            assertThat(log.size()).isEqualTo(1);
            assertThat(log.path(0).path("id").asText()).isEqualTo(first[0]);
            assertThat(log.path(0).path("state").asText()).isEqualTo("DELIVERED");
            assertThat(log.path(0).path("attempts").asInt()).as("node-a's attempt was never recorded").isEqualTo(1);
        });
        release.countDown();
        assertThat(received.poll(2, TimeUnit.SECONDS)).as("no third send").isNull();
    }
}
