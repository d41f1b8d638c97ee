package io.asyncreply.web.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncreply.web.testing.TestApps;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WebConfigTest {

    @Test
    void defaultsAreThoseDocumented() {
        WebConfig c = WebConfig.from(TestApps.settings(Map.of()));

        assertThat(c.store()).as("no default store: the application refuses to start without one").isNull();
        assertThat(c.h2Dir()).as("no default H2 directory").isNull();
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
    void intakeMemoryIsAQuarterOfTheHeapByDefaultAndNeverLessThanOneLargestBody() {
        WebConfig c = WebConfig.from(TestApps.settings(Map.of()));
        assertThat(c.intakeMaxBufferedBytes())
                .isEqualTo(Math.max(c.maxBodyBytes(), Runtime.getRuntime().maxMemory() / 4));

        WebConfig set = WebConfig.from(TestApps.settings(Map.of("asyncreply.intake.max-buffered-bytes", "2097152")));
        assertThat(set.intakeMaxBufferedBytes()).isEqualTo(2L << 20);

        assertThatThrownBy(() -> WebConfig.from(TestApps.settings(Map.of("asyncreply.body.max-bytes", "1000",
                "asyncreply.intake.max-buffered-bytes", "999"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("asyncreply.intake.max-buffered-bytes").hasMessageContaining("1000");
    }

    @Test
    void heldWaitsAreBoundedAndNoProxyIsTrustedByDefault() {
        WebConfig c = WebConfig.from(TestApps.settings(Map.of()));

        assertThat(c.maxHeldWaits()).isEqualTo(2_000);
        assertThat(c.trustedProxies().isEmpty()).isTrue();
    }

    @Test
    void trustedProxiesAndTheHeldBoundAreSettings() {
        WebConfig c = WebConfig.from(TestApps.settings(Map.of("asyncreply.wait.max-held", "10",
                "asyncreply.proxy.trusted", "10.0.0.0/8, ::1")));

        assertThat(c.maxHeldWaits()).isEqualTo(10);
        assertThat(c.trustedProxies().trusts("10.1.2.3")).isTrue();
        assertThat(c.trustedProxies().trusts("::1")).isTrue();
        assertThat(c.trustedProxies().trusts("11.0.0.1")).isFalse();
    }

    @Test
    void aTrustedProxyThatIsNotAnAddressIsAnErrorNamingTheSetting() {
        assertThatThrownBy(() -> WebConfig.from(TestApps.settings(Map.of("asyncreply.proxy.trusted",
                "10.0.0.0/8, proxy.example.com")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("asyncreply.proxy.trusted").hasMessageContaining("ASYNCREPLY_PROXY_TRUSTED")
                .hasMessageContaining("proxy.example.com");
    }

    @Test
    void unknownStoreIsAnErrorNamingTheSetting() {
        assertThatThrownBy(() -> WebConfig.from(TestApps.settings(Map.of("asyncreply.store", "mongo"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("asyncreply.store").hasMessageContaining("mongo");
    }

    @ParameterizedTest(name = "{0}=0s")
    @ValueSource(strings = {"asyncreply.retention", "asyncreply.lease", "asyncreply.read.timeout"})
    void aZeroDurationWhereOneIsNeededIsAnErrorNamingTheSettingAndItsVariable(String name) {
        assertThatThrownBy(() -> WebConfig.from(TestApps.settings(Map.of(name, "0s"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(name).hasMessageContaining(Settings.envName(name)).hasMessageContaining("'0s'");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({"asyncreply.wait.max, 500ms", "asyncreply.wait.max, 1500ms", "asyncreply.retry-after, 0s",
        "asyncreply.retry-after, 500ms"})
    void secondsSettingsRefuseWhatTheyWouldSilentlyRound(String name, String value) {
        assertThatThrownBy(() -> WebConfig.from(TestApps.settings(Map.of(name, value))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(name).hasMessageContaining("whole seconds");
    }

    @Test
    void secondsSettingsTakeWholeSecondsInAnyUnit() {
        WebConfig c = WebConfig.from(TestApps.settings(Map.of("asyncreply.wait.max", "0", "asyncreply.retry-after",
                "PT1M")));

        assertThat(c.waitCapSeconds()).isZero(); // long-polling off
        assertThat(c.retryAfterSeconds()).isEqualTo(60);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"asyncreply.lease", "asyncreply.read.timeout", "asyncreply.retention",
        "asyncreply.shutdown.grace"})
    void aDurationBeyondTenYearsIsAnErrorNotAnOverflow(String name) {
        assertThatThrownBy(() -> WebConfig.from(TestApps.settings(Map.of(name, "99999999999d"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(name).hasMessageContaining("at most 3650d");
        assertThat(WebConfig.from(TestApps.settings(Map.of(name, "3650d")))).isNotNull();
    }

    @Test
    void invalidWorkerCountIsAnErrorNamingTheSetting() {
        assertThatThrownBy(() -> WebConfig.from(TestApps.settings(Map.of("asyncreply.workers", "none"))))
                .hasMessageContaining("asyncreply.workers").hasMessageContaining("ASYNCREPLY_WORKERS");
    }
}
