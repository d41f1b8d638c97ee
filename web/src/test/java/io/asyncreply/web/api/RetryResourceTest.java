package io.asyncreply.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.asyncreply.engine.SubmitRequest;
import io.asyncreply.task.Submission;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.web.testing.TestApps;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /tasks/{id}/retry} answers a rejection as a submission would be answered: a callback
 * the service refuses now is {@code 400 invalid-option}, a task that is not FAILED or CANCELLED
 * {@code 409 not-retryable}.
 */
class RetryResourceTest extends ApiJerseyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private volatile String refusal; // read by the service's callback check; no initializer (set up in super())

    @Override
    protected TestApps startApp() {
        return TestApps.start(Map.of(), url -> refusal);
    }

    private String queuedWithCallback() {
        Submission s = t.service().submit(SubmitRequest.of("echo", "x".getBytes(StandardCharsets.UTF_8))
                .contentType("text/plain").delay(Duration.ofHours(1)).callback("https://hooks.example.com/done"))
                .toCompletableFuture().join();
        return ((Submission.Accepted) s).task().id();
    }

    private static JsonNode problem(Response r, int status) throws Exception {
        String body = r.readEntity(String.class);
        assertThat(r.getStatus()).as(body).isEqualTo(status);
        assertThat(r.getMediaType().toString()).isEqualTo("application/problem+json");
        return JSON.readTree(body);
    }

    @Test
    void aRetryWhoseCallbackIsRefusedNowIs400InvalidOptionAsAtSubmit() throws Exception {
        String id = queuedWithCallback();
        t.service().cancel(id);
        t.awaitStatus(id, TaskStatus.CANCELLED);
        refusal = "hooks.example.com is not on the allow-list.";

        JsonNode p = problem(target("tasks/" + id + "/retry").request().post(Entity.text("")), 400);

        assertThat(p.path("type").asText()).endsWith("invalid-option");
        assertThat(p.path("detail").asText()).contains("Option 'callback': hooks.example.com is not on the allow-list.");
        assertThat(t.service().list(new io.asyncreply.task.TaskQuery(null, null, null, 10, null)).items())
                .as("nothing queued").hasSize(1);
    }

    @Test
    void aRetryOfATaskThatIsNotFailedOrCancelledIs409NotRetryable() throws Exception {
        String id = queuedWithCallback();

        JsonNode p = problem(target("tasks/" + id + "/retry").request().post(Entity.text("")), 409);

        assertThat(p.path("type").asText()).endsWith("not-retryable");
    }
}
