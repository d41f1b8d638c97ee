package io.asyncreply.web.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncreply.web.testing.TestApps;
import io.asyncreply.webhooks.delivery.AddressPolicy;
import io.asyncreply.webhooks.delivery.WebhookSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhooksConfigTest {
    private static final String SECRET = "whsec_c2VjcmV0LWJ5dGVzLW9mLWEtdGVzdC1jb25maWc=";

    @Test
    void theDefaultsSendToPublicAddressesOnlyWithoutACallbackSecret() {
        WebhookSettings s = WebhooksConfig.from(TestApps.settings(Map.of()));
        assertThat(s.callbackSecret()).isNull();
        assertThat(s.concurrency()).isEqualTo(16);
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.readTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.lease()).isEqualTo(Duration.ofSeconds(45));
        assertThat(s.backoff().maxAttempts()).isEqualTo(12);
        assertThat(s.policy().check("http://127.0.0.1/")).isInstanceOf(AddressPolicy.Verdict.Refused.class);
    }

    @Test
    void everySettingIsRead() {
        WebhookSettings s = WebhooksConfig.from(TestApps.settings(Map.of(WebhooksConfig.SECRET, SECRET,
                WebhooksConfig.ALLOW, "127.0.0.1, 10.0.0.0/8", WebhooksConfig.CONCURRENCY, "4",
                WebhooksConfig.CONNECT_TIMEOUT, "2s", WebhooksConfig.READ_TIMEOUT, "3s", WebhooksConfig.LEASE, "20s",
                WebhooksConfig.MAX_ATTEMPTS, "3", WebhooksConfig.KEEP, "1d")));
        assertThat(s.callbackSecret()).isEqualTo(SECRET);
        assertThat(s.policy().check("http://10.9.8.7/")).isInstanceOf(AddressPolicy.Verdict.Allowed.class);
        assertThat(s.concurrency()).isEqualTo(4);
        assertThat(s.lease()).isEqualTo(Duration.ofSeconds(20));
        assertThat(s.backoff().maxAttempts()).isEqualTo(3);
        assertThat(s.keepEnded()).isEqualTo(Duration.ofDays(1));
        assertThat(s.toString()).doesNotContain(SECRET).doesNotContain("c2VjcmV0");
    }

    @Test
    void aBadSecretIsRefusedWithoutRepeatingIt() {
        String bad = "whsec_dG9vLXNob3J0";
        assertThatThrownBy(() -> WebhooksConfig.from(TestApps.settings(Map.of(WebhooksConfig.SECRET, bad))))
                .hasMessageContaining(WebhooksConfig.SECRET).hasMessageNotContaining("dG9vLXNob3J0");
        assertThatThrownBy(() -> WebhooksConfig.from(TestApps.settings(Map.of(WebhooksConfig.SECRET, "hunter2"))))
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void aBadAllowListEntryOrALeaseShorterThanTheTimeoutsIsRefused() {
        assertThatThrownBy(() -> WebhooksConfig.from(TestApps.settings(Map.of(WebhooksConfig.ALLOW, "10.0.0.0/99"))))
                .hasMessageContaining(WebhooksConfig.ALLOW);
        assertThatThrownBy(() -> WebhooksConfig.from(TestApps.settings(Map.of(WebhooksConfig.LEASE, "10s"))))
                .hasMessageContaining(WebhooksConfig.LEASE);
    }
}
