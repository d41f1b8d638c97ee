package io.asyncreply.it.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's pages and API over real HTTP against the WAR: who may see it, the security
 * headers, the cross-site rule, and the answers the pages rely on.
 */
class DashboardHttpIT {
    private static final Map<String, String> ACTION = Map.of("X-Requested-With", "asyncreply-dashboard");
    private static DashboardServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new DashboardServer();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void dashboardWithoutASlashRedirectsToThePage() throws Exception {
        HttpResponse<String> r = server.send("GET", "dashboard", null, Map.of());

        assertThat(r.statusCode()).isEqualTo(301);
        assertThat(r.headers().firstValue("Location")).hasValue("/dashboard/");
    }

    @Test
    void thePageAndItsAssetsComeWithAStrictContentSecurityPolicyAndNoInlineScript() throws Exception {
        HttpResponse<String> page = server.send("GET", "dashboard/", null, Map.of());
        HttpResponse<String> js = server.send("GET", "dashboard/assets/app.js", null, Map.of());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(page.body()).doesNotContainPattern("<script(?![^>]*\\bsrc=)").doesNotContain("http://", "https://");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/javascript"));
        assertThat(js.body()).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(");
    }

    @Test
    void anAssetIsAnsweredNotModifiedForItsETag() throws Exception {
        HttpResponse<String> first = server.send("GET", "dashboard/assets/dashboard.css", null, Map.of());
        String etag = first.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> again = server.send("GET", "dashboard/assets/dashboard.css", null, Map.of("If-None-Match", etag));

        assertThat(again.statusCode()).isEqualTo(304);
    }

    @Test
    void anUnknownDashboardPathIsA404ProblemWithTheSecurityHeaders() throws Exception {
        HttpResponse<String> asset = server.send("GET", "dashboard/assets/../WEB-INF/web.xml", null, Map.of());
        HttpResponse<String> other = server.send("GET", "dashboard/nothing", null, Map.of());

        assertThat(asset.statusCode()).isIn(400, 404);
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(other.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(other.headers().firstValue("Content-Security-Policy")).isPresent();
    }

    @Test
    void aUserWhoIsNotAnOperatorIsRefusedThePagesAndTheApi() throws Exception {
        for (String path : new String[] {"dashboard/", "dashboard/api/overview", "dashboard/assets/app.js"}) {
            HttpResponse<String> r = server.send("GET", path, "USER.ursula", Map.of());

            assertThat(r.statusCode()).as(path).isEqualTo(403);
            assertThat(r.headers().firstValue("Content-Type")).as(path).hasValue("application/problem+json");
        }
    }

    @Test
    void aViewerSeesTheDashboardButEveryActionIsRefused() throws Exception {
        String id = server.sleep(60_000);

        HttpResponse<String> page = server.send("GET", "dashboard/api/tasks/" + id, "VIEWER.vera", Map.of());
        HttpResponse<String> session = server.send("GET", "dashboard/api/session", "VIEWER.vera", Map.of());
        HttpResponse<String> cancel = server.send("POST", "dashboard/api/tasks/" + id + "/cancel", "VIEWER.vera", ACTION);
        HttpResponse<String> pause = server.send("POST", "dashboard/api/types/sleep/pause", "VIEWER.vera", ACTION);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("\"cancel\":false", "\"retry\":false");
        assertThat(session.body()).contains("\"role\":\"VIEWER\"", "\"mayAct\":false");
        assertThat(cancel.statusCode()).isEqualTo(403);
        assertThat(cancel.body()).contains("read-only");
        assertThat(pause.statusCode()).isEqualTo(403);
        assertThat(server.send("GET", "tasks/" + id, null, Map.of()).body()).doesNotContain("cancelRequested\":true");
        server.send("POST", "dashboard/api/tasks/" + id + "/cancel", "ADMIN.ada", ACTION);
    }

    @Test
    void anActionWithoutTheDashboardsHeaderOrFromAnotherSiteIsRefused() throws Exception {
        String id = server.sleep(60_000);

        HttpResponse<String> bare = server.send("POST", "dashboard/api/tasks/" + id + "/cancel", null, Map.of());
        HttpResponse<String> crossSite = server.send("POST", "dashboard/api/tasks/" + id + "/cancel", null,
                Map.of("X-Requested-With", "asyncreply-dashboard", "Sec-Fetch-Site", "cross-site"));
        HttpResponse<String> ok = server.send("POST", "dashboard/api/tasks/" + id + "/cancel", null,
                Map.of("X-Requested-With", "asyncreply-dashboard", "Sec-Fetch-Site", "same-origin"));

        assertThat(bare.statusCode()).isEqualTo(403);
        assertThat(bare.body()).contains("cross-site-request");
        assertThat(crossSite.statusCode()).isEqualTo(403);
        assertThat(ok.statusCode()).isEqualTo(200);
    }

    @Test
    void anAdminRetriesAFailedTaskAsANewOne() throws Exception {
        String id = server.submit("fails", "text/plain", "broken", null);
        await().atMost(Duration.ofSeconds(20)).until(() -> server.send("GET", "tasks/" + id, null, Map.of()).body()
                .contains("\"FAILED\""));

        HttpResponse<String> retry = server.send("POST", "dashboard/api/tasks/" + id + "/retry", null, ACTION);
        HttpResponse<String> again = server.send("POST", "dashboard/api/tasks/" + id + "/cancel", null, ACTION);

        assertThat(retry.statusCode()).isEqualTo(202);
        assertThat(retry.body()).contains("\"retryOf\":\"" + id + "\"");
        assertThat(again.statusCode()).isEqualTo(409);
    }

    @Test
    void searchFindsATaskByIdAndByIdempotencyKey() throws Exception {
        String id = server.submit("echo", "text/plain", "hello", "order-77");

        assertThat(server.send("GET", "dashboard/api/search?q=" + id, null, Map.of()).body()).contains(id);
        assertThat(server.send("GET", "dashboard/api/search?q=order-77", null, Map.of()).body()).contains(id);
        assertThat(server.send("GET", "dashboard/api/search?q=order-78", null, Map.of()).body()).isEqualTo("{\"items\":[]}");
    }

    @Test
    void theOverviewCountsWhatIsQueuedRunningAndFinishedPerType() throws Exception {
        String id = server.submit("echo", "text/plain", "count me", null);
        await().atMost(Duration.ofSeconds(20)).until(() -> server.send("GET", "tasks/" + id, null, Map.of()).body()
                .contains("SUCCEEDED"));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String o = server.send("GET", "dashboard/api/overview", null, Map.of()).body();
            assertThat(o).containsPattern("\\{\"type\":\"echo\",\"queued\":\\d+,\"running\":\\d+,\"paused\":false,"
                    + "\"nodes\":\\[\"[^\"]+\"],\"finishedLastHour\":[1-9]");
            assertThat(o).contains("\"throughput\":{\"from\":", "\"nodes\":[{\"id\":");
        });
    }
}
