package io.asyncreply.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.rest.Response;
import com.azure.core.http.rest.SimpleResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.polling.DefaultPollingStrategy;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.PollerFlux;
import com.azure.core.util.polling.SyncDefaultPollingStrategy;
import com.azure.core.util.polling.SyncPoller;
import com.azure.core.util.serializer.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;

/**
 * A generic long-running-operation client, unchanged: the Azure SDK's {@link SyncPoller} with its
 * default polling strategy (which picks {@code Operation-Location} polling from our 202), over
 * real HTTP against the WAR in embedded Jetty. Nothing here knows asyncreply's JSON except the
 * test's own assertions: the client is given the submit request and nothing else, no endpoint.
 * Both ways azure-core offers a SyncPoller are driven: {@code PollerFlux} with
 * {@link DefaultPollingStrategy}, and {@code SyncPoller.createPoller} with its synchronous twin.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AzurePollerIT {
    private static final TypeReference<BinaryData> OPERATION = TypeReference.createInstance(BinaryData.class);
    private static final TypeReference<SleepResult> RESULT = TypeReference.createInstance(SleepResult.class);

    /** The result of {@code sleep}, as a client would declare it. */
    public static final class SleepResult {
        public long sleptMs;
    }

    enum Flavour { POLLER_FLUX_DEFAULT_STRATEGY, SYNC_DEFAULT_STRATEGY }

    private final EmbeddedWar server = new EmbeddedWar();
    private URI base;
    private HttpPipeline pipeline;
    private HttpPipeline bufferingPipeline;

    @BeforeAll
    void deploy() throws Exception {
        base = server.start(EmbeddedWar.testSettings());
        pipeline = new HttpPipelineBuilder().httpClient(new JdkHttpClientBuilder().build()).build();
        // azure-core's synchronous operation-resource strategy reads a poll's body twice (status,
        // then value); over the JDK client's streamed body the second read is empty unless the
        // pipeline buffers responses, as SDK client builders' pipelines do.
        bufferingPipeline = new HttpPipelineBuilder().httpClient(new JdkHttpClientBuilder().build())
                .policies(new HttpPipelinePolicy() {
                    @Override
                    public Mono<com.azure.core.http.HttpResponse> process(HttpPipelineCallContext context,
                            HttpPipelineNextPolicy next) {
                        return next.process().map(com.azure.core.http.HttpResponse::buffer);
                    }

                    @Override
                    public com.azure.core.http.HttpResponse processSync(HttpPipelineCallContext context,
                            HttpPipelineNextSyncPolicy next) {
                        return next.processSync().buffer();
                    }
                }).build();
    }

    @AfterAll
    void undeploy() throws Exception {
        server.close();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aSucceedingTaskIsReportedDoneOnlyWhenItIsAndItsRealResultIsFetched(Flavour flavour) {
        SyncPoller<BinaryData, SleepResult> poller = submit(flavour, "sleep", "{\"ms\": 1500}");

        PollResponse<BinaryData> first = poller.poll();
        assertThat(first.getStatus()).as("a queued or running task is not done")
                .isIn(LongRunningOperationStatus.NOT_STARTED, LongRunningOperationStatus.IN_PROGRESS);

        PollResponse<BinaryData> done = poller.waitForCompletion(Duration.ofSeconds(30));
        assertThat(done.getStatus()).isEqualTo(LongRunningOperationStatus.SUCCESSFULLY_COMPLETED);
        assertThat(json(done.getValue()).path("status").asText()).isEqualTo("Succeeded");
        SleepResult result = poller.getFinalResult();
        assertThat(result.sleptMs).isEqualTo(1500);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aFailingTaskIsReportedFailedWithItsError(Flavour flavour) {
        SyncPoller<BinaryData, SleepResult> poller = submit(flavour, "sleep",
                "{\"ms\": 300, \"fail\": \"the disk is on fire\"}");

        PollResponse<BinaryData> done = poller.waitForCompletion(Duration.ofSeconds(30));

        assertThat(done.getStatus()).isEqualTo(LongRunningOperationStatus.FAILED);
        JsonNode operation = json(done.getValue());
        assertThat(operation.path("status").asText()).isEqualTo("Failed");
        assertThat(operation.path("error").path("code").asText()).isEqualTo("handler-error");
        assertThat(operation.path("error").path("message").asText()).contains("the disk is on fire");
        assertThatThrownBy(poller::getFinalResult).as("a failed operation has no result");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aTaskCancelledByDeleteIsReportedCancelled(Flavour flavour) {
        SyncPoller<BinaryData, SleepResult> poller = submit(flavour, "sleep", "{\"ms\": 60000}");
        PollResponse<BinaryData> first = poller.poll();
        assertThat(first.getStatus().isComplete()).isFalse();
        String id = json(first.getValue()).path("id").asText();

        Api.Reply cancel = new Api(base).delete("tasks/" + id);
        assertThat(cancel.status()).as("%s", cancel).isEqualTo(202);

        PollResponse<BinaryData> done = poller.waitForCompletion(Duration.ofSeconds(30));
        assertThat(done.getStatus()).isEqualTo(LongRunningOperationStatus.USER_CANCELLED);
        assertThat(json(done.getValue()).path("status").asText()).isEqualTo("Canceled");
    }

    /** Starts a poller whose activation operation is {@code POST /tasks/{type}} with {@code json}. */
    private SyncPoller<BinaryData, SleepResult> submit(Flavour flavour, String type, String json) {
        HttpRequest post = new HttpRequest(HttpMethod.POST, base + "tasks/" + type)
                .setHeader(HttpHeaderName.CONTENT_TYPE, "application/json")
                .setBody(BinaryData.fromString(json));
        Duration interval = Duration.ofMillis(200); // Retry-After from the server takes precedence
        return switch (flavour) {
            case POLLER_FLUX_DEFAULT_STRATEGY -> PollerFlux.create(interval,
                    () -> pipeline.send(post).flatMap(r -> Mono.just(buffered(r))),
                    new DefaultPollingStrategy<>(pipeline), OPERATION, RESULT).getSyncPoller();
            case SYNC_DEFAULT_STRATEGY -> SyncPoller.createPoller(interval,
                    () -> buffered(bufferingPipeline.sendSync(post, com.azure.core.util.Context.NONE)),
                    new SyncDefaultPollingStrategy<>(bufferingPipeline), OPERATION, RESULT);
        };
    }

    private static Response<?> buffered(com.azure.core.http.HttpResponse r) {
        BinaryData body = r.getBodyAsBinaryData();
        assertThat(r.getStatusCode()).as("submit: %s", body).isIn(200, 202);
        return new SimpleResponse<>(r.getRequest(), r.getStatusCode(), r.getHeaders(), body);
    }

    private static JsonNode json(BinaryData data) {
        try {
            return Api.JSON.readTree(data.toBytes());
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + new String(data.toBytes(), StandardCharsets.UTF_8), e);
        }
    }
}
