package io.asyncreply.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.web.auth.Caller;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code asyncreply.metrics.public=true}: anyone may scrape, whatever the caller's role. */
class PublicMetricsTest extends ProbesAndMetricsAccessTest {
    @Override
    Map<String, String> settings() {
        Map<String, String> s = super.settings();
        s.put("asyncreply.metrics.public", "true");
        return s;
    }

    @Test
    @Override
    void metricsAreForAdminsOnly() {
        // not here: they are public
    }

    @Test
    void withMetricsPublicAUserAndAViewerMayScrape() {
        caller = Caller.of("someone", Caller.Role.USER);
        assertThat(target("metrics").request().get().getStatus()).isEqualTo(200);
        caller = Caller.of("watcher", Caller.Role.VIEWER);
        assertThat(target("metrics").request().get().getStatus()).isEqualTo(200);
        caller = null; // without credentials, /metrics listed in asyncreply.auth.public
        assertThat(target("metrics").request().get().getStatus()).isEqualTo(200);
    }
}
