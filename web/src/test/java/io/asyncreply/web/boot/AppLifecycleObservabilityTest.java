package io.asyncreply.web.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.engine.SubmitRequest;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskStatus;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The web application as its lifecycle listener builds it: every handler traced through
 * {@code GlobalOpenTelemetry} (here an SDK with an in-memory exporter, as the Java agent would
 * register one), the service's work counted in the metrics, and the metrics' thread stopped on
 * undeploy.
 */
class AppLifecycleObservabilityTest {
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final Map<String, String> params = Map.of("asyncreply.store", "memory", "asyncreply.workers", "1",
            "asyncreply.metrics.refresh", "100ms", "asyncreply.shutdown.grace", "1s");
    private final ServletContext context = (ServletContext) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {ServletContext.class}, (proxy, m, args) -> switch (m.getName()) {
                case "getInitParameter" -> params.get((String) args[0]);
                case "getAttribute" -> attributes.get((String) args[0]);
                case "setAttribute" -> attributes.put((String) args[0], args[1]);
                case "removeAttribute" -> attributes.remove((String) args[0]);
                case "toString" -> "test context";
                case "hashCode" -> 1;
                case "equals" -> proxy == args[0];
                default -> null;
            });
    private final AppLifecycle lifecycle = new AppLifecycle();
    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();

    @AfterEach
    void undeployAndForgetTheSdk() {
        lifecycle.contextDestroyed(new ServletContextEvent(context));
        GlobalOpenTelemetry.resetForTest();
    }

    @Test
    void theDeployedServiceTracesEveryHandlerAndCountsItsWork() throws Exception {
        GlobalOpenTelemetry.resetForTest();
        OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).buildAndRegisterGlobal();
        lifecycle.contextInitialized(new ServletContextEvent(context));
        App app = App.from(context);

        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        Submission s = app.service().submit(SubmitRequest.of("echo", "hi".getBytes(StandardCharsets.UTF_8))
                .contentType("text/plain").traceparent(traceparent)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        Task task = ((Submission.Accepted) s).task();
        assertThat(app.service().awaitTerminal(task.id(), Duration.ofSeconds(10)).toCompletableFuture()
                .get(15, TimeUnit.SECONDS).orElseThrow().status()).isEqualTo(TaskStatus.SUCCEEDED);

        await().atMost(Duration.ofSeconds(5)).until(() -> !exporter.getFinishedSpanItems().isEmpty());
        SpanData span = exporter.getFinishedSpanItems().get(0);
        assertThat(span.getName()).isEqualTo("process echo");
        assertThat(span.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(span.getParentSpanId()).isEqualTo("b7ad6b7169203331");

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(app.metrics().scrape())
                .contains("asyncreply_tasks_submitted_total{type=\"echo\"} 1.0")
                .contains("asyncreply_tasks_finished_total{status=\"succeeded\",type=\"echo\"} 1.0"));
        assertThat(threadNamed("asyncreply-metrics-1")).isTrue();

        lifecycle.contextDestroyed(new ServletContextEvent(context));
        await().atMost(Duration.ofSeconds(5)).until(() -> !threadNamed("asyncreply-metrics-1"));
    }

    private static boolean threadNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
