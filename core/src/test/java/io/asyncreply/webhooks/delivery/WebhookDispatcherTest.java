package io.asyncreply.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.engine.SubmitRequest;
import io.asyncreply.engine.TaskService;
import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.store.MemoryWebhookStore;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import io.asyncreply.webhooks.Delivery;
import io.asyncreply.webhooks.DeliveryState;
import io.asyncreply.webhooks.WebhookSubscription;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dispatcher against a real HTTP receiver on 127.0.0.1, over a memory store. */
class WebhookDispatcherTest {
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private final String secret = Secrets.generate();
    private MemoryTaskStore store;
    private TaskService service;
    private Receiver receiver;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<String> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws Exception {
        store = new MemoryTaskStore();
        service = TaskService.builder().store(store).handler(handler("ok")).shutdownGrace(Duration.ofSeconds(2))
                .build();
        receiver = new Receiver();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        service.close();
        receiver.close();
    }

    private static TaskHandler handler(String type) {
        return new TaskHandler() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public TaskResult handle(TaskContext context) {
                return TaskResult.json("{\"done\":true}");
            }
        };
    }

    private WebhookSettings settings(String allow) {
        return settings(AddressPolicy.parse(allow));
    }

    private WebhookSettings settings(AddressPolicy policy) {
        return WebhookSettings.of(secret, policy).withTimeouts(Duration.ofSeconds(2),
                Duration.ofSeconds(2)).withBackoff(new Backoff(Duration.ofMillis(50), 2, Duration.ofMillis(200), 4, 0.2))
                .withPoll(Duration.ofMillis(50));
    }

    private WebhookDispatcher dispatcher(WebhookSettings s, String node) {
        WebhookDispatcher d = new WebhookDispatcher(store.webhooks(), store,
                t -> ("{\"id\":\"" + t.id() + "\",\"status\":\"" + t.status() + "\"}").getBytes(StandardCharsets.UTF_8),
                s, node, Clock.systemUTC(), (outcome, since) -> outcomes.add(outcome));
        toClose.add(d);
        toClose.add(service.listen(d.listener()));
        return d.start();
    }

    private Task submit(String callback) throws Exception {
        Submission s = service.submit(new SubmitRequest("ok", "{}".getBytes(StandardCharsets.UTF_8), "application/json",
                null, null, null, null, null, null, TRACEPARENT, callback, null)).toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        return ((Submission.Accepted) s).task();
    }

    private static Set<String> headerNames(Receiver.Request r) {
        return r.headers().keySet();
    }

    @Test
    void aCallbackIsPostedSignedWithTheServersSecretAndCarriesTheTraceparent() throws Exception {
        dispatcher(settings("127.0.0.1"), "n1");
        Task t = submit(receiver.url("/hook"));
        Receiver.Request r = receiver.next();
        assertThat(r.path()).isEqualTo("/hook");
        assertThat(new SignatureVerifier(secret).verify(r.headers(), r.body(), Instant.now().getEpochSecond())).isTrue();
        assertThat(r.headers().get("traceparent")).isEqualTo(TRACEPARENT);
        assertThat(r.headers().get("content-type")).isEqualTo("application/json");
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(body).startsWith("{\"type\":\"task.succeeded\",\"timestamp\":\"")
                .endsWith(",\"data\":{\"id\":\"" + t.id() + "\",\"status\":\"SUCCEEDED\"}}");
        await().atMost(Duration.ofSeconds(10)).until(() -> store.webhooks().delivery(r.headers().get("webhook-id"))
                .map(Delivery::state).orElse(null) == DeliveryState.DELIVERED);
        assertThat(outcomes).containsExactly("delivered");
        assertThat(headerNames(r)).contains("webhook-id", "webhook-timestamp", "webhook-signature");
    }

    @Test
    void aReceiverThatFailsWithServerErrorsIsRetriedWithTheSameWebhookIdUntilItAnswers() throws Exception {
        receiver.answer("/flaky", 503, 500, 429);
        dispatcher(settings("127.0.0.1"), "n1");
        submit(receiver.url("/flaky"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(receiver.next().headers().get("webhook-id"));
        }
        assertThat(ids).containsOnly(ids.get(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> store.webhooks().delivery(ids.get(0))
                .map(Delivery::state).orElse(null) == DeliveryState.DELIVERED);
        Delivery d = store.webhooks().delivery(ids.get(0)).orElseThrow();
        assertThat(d.attempts()).isEqualTo(4);
        assertThat(d.lastStatus()).isEqualTo(204);
        assertThat(outcomes).containsExactly("retrying", "retrying", "retrying", "delivered");
        assertThat(receiver.requests.poll(300, TimeUnit.MILLISECONDS)).as("delivered once").isNull();
    }

    @Test
    void attemptsEndAfterTheScheduleRunsOut() throws Exception {
        receiver.answer("/down", 503, 503, 503, 503, 503);
        dispatcher(settings("127.0.0.1"), "n1");
        submit(receiver.url("/down"));
        String id = receiver.next().headers().get("webhook-id");
        await().atMost(Duration.ofSeconds(10)).until(() -> store.webhooks().delivery(id)
                .map(Delivery::state).orElse(null) == DeliveryState.FAILED);
        assertThat(store.webhooks().delivery(id).orElseThrow().attempts()).isEqualTo(4);
    }

    @Test
    void a410DisablesTheSubscriptionAndLaterEventsAreNotDeliveredToIt() throws Exception {
        WebhookSubscription sub = new WebhookSubscription(UUID.randomUUID().toString(), null, receiver.url("/gone"),
                Set.of(), Set.of("succeeded"), Instant.now(), null);
        String subSecret = Secrets.generate();
        store.webhooks().create(sub, subSecret);
        receiver.answer("/gone", 410);
        dispatcher(settings("127.0.0.1"), "n1");
        submit(null);
        Receiver.Request r = receiver.next();
        assertThat(new SignatureVerifier(subSecret).verify(r.headers(), r.body(), Instant.now().getEpochSecond()))
                .as("signed with the subscription's secret").isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> !store.webhooks().subscription(sub.id(), null).orElseThrow()
                .active());
        assertThat(store.webhooks().deliveries(sub.id(), 10)).singleElement()
                .satisfies(d -> assertThat(d.state()).isEqualTo(DeliveryState.DISABLED));
        submit(null);
        assertThat(receiver.requests.poll(500, TimeUnit.MILLISECONDS)).isNull();
        assertThat(store.webhooks().deliveries(sub.id(), 10)).hasSize(1);
    }

    @Test
    void aDeliveryWrittenBeforeItsSubscriptionWasDisabledIsNotSent() throws Exception {
        WebhookSubscription sub = new WebhookSubscription(UUID.randomUUID().toString(), null, receiver.url("/late"),
                Set.of(), Set.of("succeeded"), Instant.now(), null);
        store.webhooks().create(sub, Secrets.generate());
        Task t = submit(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> store.webhooks().deliveries(sub.id(), 10).size() == 1);
        store.webhooks().disable(sub.id(), Instant.now()); // as a 410 to an earlier delivery would
        dispatcher(settings("127.0.0.1"), "n1");
        await().atMost(Duration.ofSeconds(10)).until(() -> store.webhooks().deliveries(sub.id(), 10).get(0).state()
                == DeliveryState.DISABLED);
        assertThat(store.webhooks().deliveries(sub.id(), 10).get(0).taskId()).isEqualTo(t.id());
        assertThat(receiver.requests.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aRedirectIsNotFollowedAndFailsTheDelivery() throws Exception {
        receiver.answer("/moved", 302);
        dispatcher(settings("127.0.0.1"), "n1");
        submit(receiver.url("/moved"));
        String id = receiver.next().headers().get("webhook-id");
        await().atMost(Duration.ofSeconds(10)).until(() -> store.webhooks().delivery(id)
                .map(Delivery::state).orElse(null) == DeliveryState.FAILED);
        assertThat(store.webhooks().delivery(id).orElseThrow().lastStatus()).isEqualTo(302);
        assertThat(receiver.requests.poll(300, TimeUnit.MILLISECONDS)).as("/elsewhere is never asked").isNull();
    }

    @Test
    void theRequestGoesToTheAddressTheAllowListCheckedNotToASecondLookupOfTheName() throws Exception {
        // the check's resolver answers 127.0.0.1 for a name the JVM itself cannot resolve (RFC 6761 .invalid):
        // the delivery arrives only if the sender connects to the address that was checked
        AddressPolicy policy = AddressPolicy.parse("127.0.0.1", host -> new InetAddress[] {
            InetAddress.getByName("127.0.0.1")});
        dispatcher(settings(policy), "n1");
        int port = URI.create(receiver.url("/")).getPort();
        submit("http://rebound.invalid:" + port + "/rebind");

        Receiver.Request r = receiver.next();
        assertThat(r.path()).isEqualTo("/rebind");
        assertThat(r.headers().get("host")).isEqualTo("rebound.invalid:" + port);
        await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.contains("delivered"));
    }

    @Test
    void anAddressTheAllowListDoesNotAdmitIsRefusedAtSendTime() throws Exception {
        dispatcher(settings(""), "n1");
        submit(receiver.url("/private"));
        await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.contains("failed"));
        assertThat(receiver.requests.poll(300, TimeUnit.MILLISECONDS)).isNull();
        MemoryWebhookStore w = store.webhooks();
        assertThat(w.claim("x", Instant.now().plusSeconds(3600), Instant.now().plusSeconds(7200), 10)).isEmpty();
    }

    @Test
    void aDeliveryWhoseNodeDiedIsSentByAnotherNodeOnceTheLeaseExpiresWithTheSameId() throws Exception {
        submit(receiver.url("/takeover"));
        // a node claims the delivery and dies before sending: its lease runs out in 500 ms
        List<Delivery> claimed = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            claimed.addAll(store.webhooks().claim("dead", Instant.now(), Instant.now().plusMillis(500), 10));
            return !claimed.isEmpty();
        });
        dispatcher(settings("127.0.0.1"), "n2");
        Receiver.Request r = receiver.next();
        assertThat(r.headers().get("webhook-id")).isEqualTo(claimed.get(0).id());
        await().atMost(Duration.ofSeconds(10)).until(() -> store.webhooks().delivery(claimed.get(0).id())
                .map(Delivery::state).orElse(null) == DeliveryState.DELIVERED);
        assertThat(store.webhooks().record(claimed.get(0).id(), "dead", new io.asyncreply.webhooks.AttemptOutcome(
                DeliveryState.FAILED, 500, "late", Instant.now(), null))).as("the dead node's late word is ignored")
                .isFalse();
    }

    @Test
    void closingReturnsOnlyOnceEveryThreadOfTheDispatcherHasEnded() throws Exception {
        WebhookDispatcher d = dispatcher(settings("127.0.0.1"), "n1");
        submit(receiver.url("/hook"));
        receiver.next();
        d.close();
        // at once, as a container looks right after undeploy: close joins the threads it stopped
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().startsWith("asyncreply-webhook") && t.isAlive());
        // The JDK HttpClient's selector thread outlived its client until a garbage collection (on
        // Java 17 it cannot be closed): Tomcat reported it at undeploy as a thread left running.
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("HttpClient") && t.isAlive());
    }
}
