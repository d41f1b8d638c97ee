package io.asyncreply.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.web.auth.Caller;
import io.asyncreply.web.testing.TestApps;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.glassfish.jersey.test.JerseyTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The probes ({@code /health/live}, {@code /health/ready}) and who may read {@code /metrics}, over
 * HTTP in Jersey's servlet container on Grizzly, with a store the test can make unreachable and a
 * caller the test chooses (as the authentication filter would set it).
 */
class ProbesAndMetricsAccessTest extends ApiJerseyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The caller every request is made by; the filter below sets it, as the authentication filter does. */
    static volatile Caller caller = Caller.ANONYMOUS;

    /** The deployment's settings (called from JerseyTest's constructor: no fields yet). */
    Map<String, String> settings() {
        return new HashMap<>(Map.of("asyncreply.queue.capacity", "2"));
    }

    /** Stands for the authentication filter: every request is made by {@link #caller}. */
    public static final class As implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            if (caller != null) { // null: a public path reached without credentials
                request.setAttribute(Caller.ATTRIBUTE, caller);
            }
            chain.doFilter(request, response);
        }
    }

    @Override
    protected TestApps startApp() {
        return TestApps.start(settings());
    }

    @Override
    protected Class<? extends Filter> callerFilter() {
        return As.class;
    }

    @AfterEach
    @Override
    public void tearDown() throws Exception {
        try {
            super.tearDown();
        } finally {
            caller = Caller.ANONYMOUS;
        }
    }

    private static JsonNode json(Response r) throws IOException {
        return JSON.readTree(r.readEntity(String.class));
    }

    @Test
    void liveAnswers200WhateverTheStoreDoes() throws Exception {
        Response r = target("health/live").request().get();
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(json(r).path("status").asText()).isEqualTo("UP");

        t.store.down = true;
        assertThat(target("health/live").request().get().getStatus()).isEqualTo(200);
        assertThat(target("health/ready").request().get().getStatus()).isEqualTo(503);
    }

    @Test
    void readyIs200WhileTheStoreAnswersAndThereIsRoomAnd503ProblemWhenTheStoreIsUnreachable() throws Exception {
        Response ok = target("health/ready").request().get();
        assertThat(ok.getStatus()).isEqualTo(200);
        assertThat(ok.getHeaderString("Cache-Control")).contains("no-store");
        JsonNode body = json(ok);
        assertThat(body.path("status").asText()).isEqualTo("READY");
        assertThat(body.path("queueCapacity").asInt()).isEqualTo(2);

        t.store.down = true;
        Response down = target("health/ready").request().get();
        ApiResourcesTest.assertProblem(down, 503);
        assertThat(down.getHeaderString("Retry-After")).isEqualTo("1");

        t.store.down = false;
        assertThat(target("health/ready").request().get().getStatus()).isEqualTo(200);
    }

    @Test
    void readyIs503WhileTheQueueIsFull() throws Exception {
        t.awaitStatus(t.submit("gate", "", null), TaskStatus.RUNNING); // holds the only worker
        t.submit("echo", "1", "text/plain");
        t.submit("echo", "2", "text/plain"); // 2 of 2 queued

        Response full = target("health/ready").request().get();
        assertThat(full.getStatus()).isEqualTo(503);
        assertThat(json(full).path("detail").asText()).isEqualTo("The queue is full (2 of 2 tasks).");

        t.gate.open();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> target("health/ready").request().get().getStatus() == 200);
    }

    @Test
    void readyIs503OnceShutdownHasBegunWhileLiveStaysUp() throws Exception {
        t.service().shutdown(Duration.ofSeconds(1));

        Response r = target("health/ready").request().get();
        assertThat(r.getStatus()).isEqualTo(503);
        assertThat(json(r).path("detail").asText()).isEqualTo("The service is shutting down.");
        assertThat(target("health/live").request().get().getStatus()).isEqualTo(200);
    }

    @Test
    void metricsAreForAdminsOnly() {
        caller = Caller.ANONYMOUS; // authentication off: everyone is the anonymous admin
        Response anonymous = target("metrics").request().get();
        assertThat(anonymous.getStatus()).isEqualTo(200);
        assertThat(anonymous.getMediaType().toString()).startsWith("text/plain");
        assertThat(anonymous.readEntity(String.class)).contains("asyncreply_longpolls_open");

        caller = Caller.of("ops", Caller.Role.ADMIN);
        assertThat(target("metrics").request().get().getStatus()).isEqualTo(200);

        caller = Caller.of("someone", Caller.Role.USER);
        ApiResourcesTest.assertProblem(target("metrics").request().get(), 403);
        caller = Caller.of("watcher", Caller.Role.VIEWER);
        ApiResourcesTest.assertProblem(target("metrics").request().get(), 403);
        caller = null; // /metrics listed in asyncreply.auth.public, scraped without credentials
        ApiResourcesTest.assertProblem(target("metrics").request().get(), 403);
    }
}
