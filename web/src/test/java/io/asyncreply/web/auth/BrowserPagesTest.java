package io.asyncreply.web.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which paths are the dashboard's static files, public under asyncreply.auth=apikey: those only. */
class BrowserPagesTest {
    @Test
    void thePageAndItsAssetsAreStaticFiles() {
        assertThat(BrowserPages.isStaticFile("/dashboard")).isTrue();
        assertThat(BrowserPages.isStaticFile("/dashboard/")).isTrue();
        assertThat(BrowserPages.isStaticFile("/dashboard/assets/app.js")).isTrue();
        assertThat(BrowserPages.isStaticFile("/dashboard/assets/dashboard.css")).isTrue();
    }

    @Test
    void theApiAndEverythingElseAreNot() {
        for (String p : new String[] {"/dashboard/api/session", "/dashboard/api/tasks/x/cancel", "/dashboard/api",
            "/dashboard/assets/", "/dashboard/assets", "/dashboard/index.html", "/dashboard/nothing", "/tasks",
            "/events", "/dashboard/assets/../api/session", "/dashboard/assets//x", "/dashboard/assets/a;b",
            "/dashboardx", "/"}) {
            assertThat(BrowserPages.isStaticFile(p)).as(p).isFalse();
        }
    }
}
