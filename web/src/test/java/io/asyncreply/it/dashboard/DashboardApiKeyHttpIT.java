package io.asyncreply.it.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard under {@code asyncreply.auth=apikey} over real HTTP: its static files need no key
 * (a browser cannot send one when it loads a page; they hold no data), its API does, and only an
 * admin or viewer key gets in.
 */
class DashboardApiKeyHttpIT {
    private static final Map<String, String> ACTION = Map.of("X-Requested-With", "asyncreply-dashboard");
    private static DashboardServer server;
    private static DashboardServer.ApiKeys keys;

    @BeforeAll
    static void start() throws Exception {
        keys = new DashboardServer.ApiKeys();
        server = new DashboardServer(keys);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static Map<String, String> bearer(String key) {
        return Map.of("Authorization", "Bearer " + key);
    }

    private static Map<String, String> bearer(String key, Map<String, String> more) {
        Map<String, String> all = new java.util.HashMap<>(more);
        all.put("Authorization", "Bearer " + key);
        return all;
    }

    @Test
    void thePageAndItsAssetsAreServedWithoutAKeyWithTheSecurityHeaders() throws Exception {
        for (String path : new String[] {"dashboard/", "dashboard/assets/app.js", "dashboard/assets/key.js",
            "dashboard/assets/dashboard.css", "dashboard/assets/favicon.svg"}) {
            for (String method : new String[] {"GET", "HEAD"}) {
                HttpResponse<String> r = server.send(method, path, null, Map.of());

                assertThat(r.statusCode()).as(method + " " + path).isEqualTo(200);
                assertThat(r.headers().firstValue("Content-Security-Policy")).as(path)
                        .hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'")
                                .doesNotContain("unsafe-inline"));
            }
        }
        assertThat(server.send("GET", "dashboard", null, Map.of()).statusCode()).isEqualTo(301);
        assertThat(server.send("GET", "dashboard/assets/nothing.js", null, Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void theApiWithoutAKeyIs401WithABearerChallenge() throws Exception {
        for (String path : new String[] {"dashboard/api/session", "dashboard/api/overview", "dashboard/api/tasks",
            "dashboard/api/search?q=x", "dashboard/nothing", "events", "tasks"}) {
            HttpResponse<String> r = server.send("GET", path, null, Map.of());

            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).hasValue("Bearer realm=\"asyncreply\"");
            assertThat(r.headers().firstValue("Content-Type")).as(path).hasValue("application/problem+json");
        }
    }

    @Test
    void onlyGetAndHeadOfTheStaticFilesArePublic() throws Exception {
        for (String method : new String[] {"POST", "PUT", "DELETE", "OPTIONS"}) {
            HttpResponse<String> r = server.send(method, "dashboard/assets/app.js", null, ACTION);

            assertThat(r.statusCode()).as(method).isEqualTo(401);
        }
        HttpResponse<String> action = server.send("POST", "dashboard/api/types/sleep/pause", null, ACTION);
        assertThat(action.statusCode()).isEqualTo(401);
    }

    @Test
    void aWrongKeyIs401AsInvalidToken() throws Exception {
        HttpResponse<String> r = server.send("GET", "dashboard/api/session", null,
                bearer(io.asyncreply.web.auth.KeyDigest.newKey()));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"asyncreply\", error=\"invalid_token\"");
    }

    @Test
    void anAdminAndAViewerKeyGetInAUserKeyIsRefused() throws Exception {
        HttpResponse<String> admin = server.send("GET", "dashboard/api/session", null, bearer(keys.admin));
        HttpResponse<String> viewer = server.send("GET", "dashboard/api/session", null, bearer(keys.viewer));
        HttpResponse<String> user = server.send("GET", "dashboard/api/session", null, bearer(keys.user));
        HttpResponse<String> userPage = server.send("GET", "dashboard/", null, bearer(keys.user));

        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(admin.body()).contains("\"role\":\"ADMIN\"", "\"owner\":\"ops\"", "\"mayAct\":true");
        assertThat(viewer.statusCode()).isEqualTo(200);
        assertThat(viewer.body()).contains("\"role\":\"VIEWER\"", "\"mayAct\":false");
        assertThat(user.statusCode()).isEqualTo(403);
        assertThat(user.body()).contains("forbidden");
        assertThat(userPage.statusCode()).isEqualTo(403);
    }

    @Test
    void aViewerKeyMayNotActThroughTheApi() throws Exception {
        String id = server.sleep(60_000);

        HttpResponse<String> cancel = server.send("POST", "dashboard/api/tasks/" + id + "/cancel", null,
                bearer(keys.viewer, ACTION));
        HttpResponse<String> byAdmin = server.send("POST", "dashboard/api/tasks/" + id + "/cancel", null,
                bearer(keys.admin, ACTION));

        assertThat(cancel.statusCode()).isEqualTo(403);
        assertThat(cancel.body()).contains("read-only");
        assertThat(byAdmin.statusCode()).isEqualTo(200);
    }
}
