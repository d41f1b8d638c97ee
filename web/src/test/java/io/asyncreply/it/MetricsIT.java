package io.asyncreply.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Histogram;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.types.MetricType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /metrics} of the WAR in embedded Jetty, read by an independent Prometheus text-format
 * parser (Hawkular's), while real work goes through the HTTP API: the figures move with it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {
    private final EmbeddedWar server = new EmbeddedWar();
    private Api api;

    @BeforeAll
    void start() throws Exception {
        Map<String, String> s = EmbeddedWar.testSettings();
        s.put("asyncreply.workers", "2");
        s.put("asyncreply.metrics.refresh", "200ms");
        URI base = server.start(s);
        api = new Api(base);
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
    }

    /** One scrape, parsed: the families by name. */
    private Map<String, MetricFamily> scrape() {
        Api.Reply r = api.get("metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.mediaType()).isEqualTo("text/plain");
        assertThat(r.header("Content-Type").orElseThrow()).contains("version=0.0.4");
        Map<String, MetricFamily> families = new LinkedHashMap<>();
        try {
            TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(
                    new ByteArrayInputStream(r.body()));
            MetricFamily f;
            while ((f = parser.parse()) != null) {
                assertThat(families.put(f.getName(), f)).as("family %s once", f.getName()).isNull();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return families;
    }

    private static Metric metric(Map<String, MetricFamily> all, String family, MetricType type, String... labels) {
        MetricFamily f = all.get(family);
        assertThat(f).as("family %s in %s", family, all.keySet()).isNotNull();
        assertThat(f.getType()).as("type of %s", family).isEqualTo(type);
        assertThat(f.getHelp()).as("help of %s", family).isNotBlank();
        Map<String, String> want = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            want.put(labels[i], labels[i + 1]);
        }
        return f.getMetrics().stream().filter(m -> m.getLabels().equals(want)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + family + want + " in " + f.getMetrics()));
    }

    private static double counter(Map<String, MetricFamily> all, String family, String... labels) {
        return ((Counter) metric(all, family, MetricType.COUNTER, labels)).getValue();
    }

    private static double gauge(Map<String, MetricFamily> all, String family, String... labels) {
        return ((Gauge) metric(all, family, MetricType.GAUGE, labels)).getValue();
    }

    private static Histogram histogram(Map<String, MetricFamily> all, String family, String... labels) {
        return (Histogram) metric(all, family, MetricType.HISTOGRAM, labels);
    }

    private String submit(String type, String json) {
        Api.Reply r = api.submit(type, json.getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(r.status()).as("%s", r).isEqualTo(202);
        return r.json().path("id").asText();
    }

    private void awaitStatus(String id, String status) {
        await().atMost(Duration.ofSeconds(20)).until(() -> status.equals(api.get("tasks/" + id).json()
                .path("status").asText()));
    }

    @Test
    void everyFigureIsThereAndMovesWithTheWork() {
        Map<String, MetricFamily> before = scrape();
        double echoSucceeded = counter(before, "asyncreply_tasks_finished_total", "status", "succeeded", "type", "echo");
        double echoSubmitted = counter(before, "asyncreply_tasks_submitted_total", "type", "echo");
        double sleepFailed = counter(before, "asyncreply_tasks_finished_total", "status", "failed", "type", "sleep");
        long echoRuns = histogram(before, "asyncreply_tasks_run_seconds", "type", "echo").getSampleCount();
        long batches = histogram(before, "asyncreply_intake_batch_size").getSampleCount();
        for (String name : new String[] {"asyncreply_tasks_started_total", "asyncreply_tasks_retried_total",
            "asyncreply_tasks_expired_total", "asyncreply_tasks_recovered_total"}) {
            assertThat(counter(before, name, "type", "sha256")).as(name).isZero();
        }
        assertThat(counter(before, "asyncreply_webhooks_deliveries_total", "outcome", "delivered")).isZero();
        assertThat(gauge(before, "asyncreply_events_streams_open")).isZero();
        histogram(before, "asyncreply_tasks_queue_wait_seconds", "type", "sha256");
        histogram(before, "asyncreply_tasks_end_to_end_seconds", "type", "sha256");
        histogram(before, "asyncreply_intake_commit_seconds");

        // three that succeed, one that fails, one refused for its type
        for (int i = 0; i < 3; i++) {
            Api.Reply r = api.submit("echo", ("hi " + i).getBytes(StandardCharsets.UTF_8), "text/plain");
            assertThat(r.status()).isEqualTo(202);
            awaitStatus(r.json().path("id").asText(), "SUCCEEDED");
        }
        awaitStatus(submit("sleep", "{\"ms\": 1, \"fail\": \"boom\"}"), "FAILED");
        assertThat(api.submit("no-such-type", new byte[] {1}, "text/plain").status()).isEqualTo(404);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, MetricFamily> after = scrape();
            assertThat(counter(after, "asyncreply_tasks_submitted_total", "type", "echo")).isEqualTo(echoSubmitted + 3);
            assertThat(counter(after, "asyncreply_tasks_finished_total", "status", "succeeded", "type", "echo"))
                    .isEqualTo(echoSucceeded + 3);
            assertThat(counter(after, "asyncreply_tasks_finished_total", "status", "failed", "type", "sleep"))
                    .isEqualTo(sleepFailed + 1);
            assertThat(counter(after, "asyncreply_tasks_rejected_total", "reason", "unknown_type", "type", "other"))
                    .isGreaterThanOrEqualTo(1);
            assertThat(histogram(after, "asyncreply_tasks_run_seconds", "type", "echo").getSampleCount())
                    .isEqualTo(echoRuns + 3);
            Histogram waits = histogram(after, "asyncreply_tasks_queue_wait_seconds", "type", "echo");
            assertThat(waits.getSampleCount()).isGreaterThanOrEqualTo(3);
            assertThat(waits.getBuckets()).isNotEmpty();
            assertThat(histogram(after, "asyncreply_tasks_end_to_end_seconds", "type", "echo").getSampleCount())
                    .isGreaterThanOrEqualTo(3);
            // the WAR's store here group-commits (H2 by default; PostgreSQL with -Dcontract.store)
            if (!"memory".equals(EmbeddedWar.store())) {
                Histogram sizes = histogram(after, "asyncreply_intake_batch_size");
                assertThat(sizes.getSampleCount()).isGreaterThan(batches);
                assertThat(sizes.getSampleSum()).isGreaterThanOrEqualTo(sizes.getSampleCount());
                assertThat(histogram(after, "asyncreply_intake_commit_seconds").getSampleCount())
                        .isEqualTo(sizes.getSampleCount());
            }
        });
    }

    @Test
    void queuedRunningOldestAgeAndLongPollsShowWhatIsWaiting() {
        // two workers busy, a third task waits
        String a = submit("sleep", "{\"ms\": 60000}");
        String b = submit("sleep", "{\"ms\": 60000}");
        awaitStatus(a, "RUNNING");
        awaitStatus(b, "RUNNING");
        String c = submit("sleep", "{\"ms\": 60000}");
        CompletableFuture<Api.Reply> poll = CompletableFuture.supplyAsync(() -> api.get("tasks/" + c + "?wait=30"));
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Map<String, MetricFamily> m = scrape();
                assertThat(gauge(m, "asyncreply_tasks_running", "type", "sleep")).isEqualTo(2);
                assertThat(gauge(m, "asyncreply_tasks_queued", "type", "sleep")).isEqualTo(1);
                assertThat(gauge(m, "asyncreply_tasks_queued_oldest_age_seconds")).isGreaterThan(0);
                assertThat(gauge(m, "asyncreply_longpolls_open")).isEqualTo(1);
            });
        } finally {
            for (String id : new String[] {c, a, b}) {
                api.delete("tasks/" + id);
            }
        }
        assertThat(poll.join().json().path("status").asText()).isEqualTo("CANCELLED");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, MetricFamily> m = scrape();
            assertThat(gauge(m, "asyncreply_tasks_running", "type", "sleep")).isZero();
            assertThat(gauge(m, "asyncreply_tasks_queued", "type", "sleep")).isZero();
            assertThat(gauge(m, "asyncreply_tasks_queued_oldest_age_seconds")).isZero();
            assertThat(gauge(m, "asyncreply_longpolls_open")).isZero();
            assertThat(counter(m, "asyncreply_tasks_finished_total", "status", "cancelled", "type", "sleep"))
                    .isGreaterThanOrEqualTo(3);
        });
    }

    @Test
    void theProbesAnswerOverHttp() {
        Api.Reply live = api.get("health/live");
        assertThat(live.status()).isEqualTo(200);
        assertThat(live.json().path("status").asText()).isEqualTo("UP");
        Api.Reply ready = api.get("health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().path("status").asText()).isEqualTo("READY");
        assertThat(api.get("health").status()).isEqualTo(200);
    }
}
