package io.asyncreply.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebConfigTest {

    @Test
    void defaultsAreThoseDocumented() {
        WebConfig c = WebConfig.from(TestApps.settings(Map.of()));

        assertThat(c.store()).isEqualTo("h2");
        assertThat(c.queueCapacity()).isEqualTo(10_000);
        assertThat(c.maxBodyBytes()).isEqualTo(1L << 20);
        assertThat(c.waitCapSeconds()).isEqualTo(60);
        assertThat(c.retention()).isEqualTo(Duration.ofHours(24));
        assertThat(c.builtins()).isTrue();
        assertThat(c.workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void settingsOverrideDefaults() {
        WebConfig c = WebConfig.from(TestApps.settings(Map.of("asyncreply.store", "MEMORY", "asyncreply.workers", "3",
                "asyncreply.queue.capacity", "64", "asyncreply.body.max-bytes", "1024", "asyncreply.wait.max", "2m",
                "asyncreply.builtins", "off")));

        assertThat(c.store()).isEqualTo("memory");
        assertThat(c.workers()).isEqualTo(3);
        assertThat(c.queueCapacity()).isEqualTo(64);
        assertThat(c.maxBodyBytes()).isEqualTo(1024);
        assertThat(c.waitCapSeconds()).isEqualTo(120);
        assertThat(c.builtins()).isFalse();
    }

    @Test
    void unknownStoreIsAnErrorNamingTheSetting() {
        assertThatThrownBy(() -> WebConfig.from(TestApps.settings(Map.of("asyncreply.store", "mongo"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("asyncreply.store").hasMessageContaining("mongo");
    }

    @Test
    void zeroRetentionIsAnErrorNamingTheSetting() {
        assertThatThrownBy(() -> WebConfig.from(TestApps.settings(Map.of("asyncreply.retention", "0s"))))
                .hasMessageContaining("asyncreply.retention");
    }

    @Test
    void invalidWorkerCountIsAnErrorNamingTheSetting() {
        assertThatThrownBy(() -> WebConfig.from(TestApps.settings(Map.of("asyncreply.workers", "none"))))
                .hasMessageContaining("asyncreply.workers").hasMessageContaining("ASYNCREPLY_WORKERS");
    }
}
