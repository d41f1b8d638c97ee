package io.asyncreply.web.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.engine.TaskService;
import io.asyncreply.handlers.Builtins;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.web.auth.Caller;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.config.EventsConfig;
import io.asyncreply.web.events.EventStreams;
import io.asyncreply.web.metrics.Metrics;
import io.asyncreply.web.webhooks.Webhooks;
import io.asyncreply.webhooks.delivery.AddressPolicy;
import io.asyncreply.webhooks.delivery.Secrets;
import io.asyncreply.webhooks.delivery.WebhookSettings;
import io.asyncreply.web.config.WebConfig;
import io.asyncreply.web.testing.TestApps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The intake takes its owner from the request's {@link Caller} and its options from the query string. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IntakeOwnersTest {
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private final GatedStore store = new GatedStore();
    private final IntakeFilter filter = new IntakeFilter(new ManualDeadlines());
    private App app;

    @BeforeEach
    void start() throws Exception {
        WebConfig config = WebConfig.from(TestApps.settings(Map.of("asyncreply.store", "memory",
                "asyncreply.workers", "1", "asyncreply.queue.capacity", "10")));
        TaskService service = TaskService.builder().store(store.store).workers(1).queueCapacity(10)
                .shutdownGrace(Duration.ofSeconds(1)).handlers(Builtins.all()).build();
        service.pause("echo"); // nothing runs: the stored tasks stay as submitted
        app = new App(service, config, new Metrics(service.types()), new EventStreams(service, EventsConfig.defaults(),
                config.retryAfterSeconds(), ""), new Webhooks(WebhookSettings.of(Secrets.generate(),
                AddressPolicy.strict()), store.store.webhooks()));
        FakeExchange.init(filter, app);
    }

    @AfterEach
    void stop() {
        store.release();
        filter.destroy();
        app.pending().answerAll();
        app.service().shutdown(Duration.ofSeconds(1));
    }

    private FakeExchange post(Caller caller, String query, String body, String... headers) throws IOException,
            jakarta.servlet.ServletException {
        FakeExchange x = FakeExchange.post("/tasks/echo").caller(caller).query(query)
                .header("Content-Type", "text/plain").header("Content-Length", Integer.toString(body.length()));
        for (int i = 0; i < headers.length; i += 2) {
            x.header(headers[i], headers[i + 1]);
        }
        x.through(filter);
        x.body.arrive(body.getBytes(StandardCharsets.UTF_8)).end();
        x.reader().onDataAvailable();
        if (x.body.isFinished()) {
            x.reader().onAllDataRead();
        }
        return x;
    }

    private List<Task> stored() {
        return store.memory.list(TaskQuery.firstPage()).items();
    }

    @Test
    void theTaskBelongsToTheCallerWithItsOptionsAndTraceContext() throws Exception {
        FakeExchange x = post(Caller.of("alice", Caller.Role.USER), "priority=3&ttl=1h&delay=5m&callback="
                + "https%3A%2F%2Fhooks.example.com%2Fx", "hello", "traceparent", TRACEPARENT);

        assertThat(x.response.status).as(x.response.text()).isEqualTo(202);
        assertThat(x.response.text()).doesNotContain("alice"); // a user is not shown the owner
        Task t = stored().get(0);
        assertThat(t.owner()).isEqualTo("alice");
        assertThat(t.priority()).isEqualTo(3);
        assertThat(t.runAt()).isEqualTo(t.submittedAt().plus(Duration.ofMinutes(5)));
        assertThat(t.expiresAt()).isEqualTo(t.submittedAt().plus(Duration.ofHours(1)));
        assertThat(t.traceparent()).isEqualTo(TRACEPARENT);
        assertThat(store.memory.findWithPayload(t.id(), "alice")).isPresent();
    }

    @Test
    void anAdminIsShownTheOwnerOfWhatItSubmitted() throws Exception {
        FakeExchange x = post(Caller.of("ops", Caller.Role.ADMIN), null, "hello");

        assertThat(x.response.status).isEqualTo(202);
        assertThat(x.response.text()).contains("\"owner\":\"ops\"");
    }

    @Test
    void aViewersSubmissionIs403AndQueuesNothing() throws Exception {
        FakeExchange x = post(Caller.of("audit", Caller.Role.VIEWER), null, "hello");

        assertThat(x.response.status).isEqualTo(403);
        assertThat(x.response.text()).contains("urn:asyncreply:problem:forbidden");
        assertThat(stored()).isEmpty();
        assertThat(filter.budget().used()).isZero();
    }

    @Test
    void aBadOptionIs400NamingItBeforeAnyBufferIsTaken() throws Exception {
        FakeExchange x = post(Caller.of("alice", Caller.Role.USER), "ttl=0s", "hello");

        assertThat(x.response.status).isEqualTo(400);
        assertThat(x.response.text()).contains("urn:asyncreply:problem:invalid-option").contains("'ttl'")
                .contains("Nothing was queued");
        assertThat(stored()).isEmpty();
        assertThat(filter.budget().used()).isZero();
    }

    @Test
    void aTtlThatEndsBeforeTheRunTimeIsRefusedByTheEngineAs400() throws Exception {
        FakeExchange x = post(Caller.of("alice", Caller.Role.USER), "delay=2h&ttl=1h", "hello");

        assertThat(x.response.status).isEqualTo(400);
        assertThat(x.response.text()).contains("invalid-option").contains("ttl");
        assertThat(stored()).isEmpty();
    }

    @Test
    void twoOwnersUseOneIdempotencyKeyWithoutMeeting() throws Exception {
        FakeExchange a = post(Caller.of("alice", Caller.Role.USER), null, "one body", "Idempotency-Key", "k");
        FakeExchange b = post(Caller.of("bob", Caller.Role.USER), null, "another", "Idempotency-Key", "k");
        FakeExchange again = post(Caller.of("alice", Caller.Role.USER), null, "another", "Idempotency-Key", "k");

        assertThat(a.response.status).isEqualTo(202);
        assertThat(b.response.status).isEqualTo(202);
        assertThat(again.response.status).as("alice's own key, another body").isEqualTo(422);
        assertThat(stored()).extracting(Task::owner).containsExactlyInAnyOrder("alice", "bob");
    }
}
