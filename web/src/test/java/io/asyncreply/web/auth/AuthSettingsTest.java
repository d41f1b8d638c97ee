package io.asyncreply.web.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncreply.web.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthSettingsTest {
    private static Settings settings(Map<String, String> m) {
        return new Settings(m::get, Map.of(), n -> null);
    }

    @Test
    void theDefaultIsNoAuthenticationWithHealthAndTheDescriptionPublic() {
        AuthSettings s = AuthSettings.from(settings(Map.of()));

        assertThat(s.mode()).isEqualTo(AuthSettings.Mode.NONE);
        assertThat(s.authenticator()).isNull();
        for (String p : new String[] {"/health", "/health/live", "/health/ready", "/openapi.json"}) {
            assertThat(s.publicPaths().contains(p)).as(p).isTrue();
        }
        assertThat(s.publicPaths().contains("/tasks")).isFalse();
        assertThat(s.publicPaths().contains("/health/x")).isFalse();
    }

    @Test
    void publicPathsAreExactOrPrefixesAndNoneMeansNone() {
        PublicPaths p = AuthSettings.from(settings(Map.of("asyncreply.auth.public", "/a, /docs/*"))).publicPaths();
        assertThat(p.contains("/a")).isTrue();
        assertThat(p.contains("/a/b")).isFalse();
        assertThat(p.contains("/docs")).isTrue();
        assertThat(p.contains("/docs/x/y")).isTrue();
        assertThat(p.contains("/docsx")).isFalse();
        assertThat(PublicPaths.parse("none").contains("/health")).isFalse();
    }

    @Test
    void apiKeysNeedAKeySource() {
        assertThatThrownBy(() -> AuthSettings.from(settings(Map.of("asyncreply.auth", "apikey"))))
                .hasMessageContaining("asyncreply.auth.keys.file");
        AuthSettings s = AuthSettings.from(settings(Map.of("asyncreply.auth", "APIKEY", "asyncreply.auth.keys",
                KeyDigest.of("k").format() + " alice")));
        assertThat(s.mode()).isEqualTo(AuthSettings.Mode.APIKEY);
        assertThat(s.keys().caller("k")).isPresent();
    }

    @Test
    void badValuesNameTheirSetting() {
        assertThatThrownBy(() -> AuthSettings.from(settings(Map.of("asyncreply.auth", "ldap"))))
                .hasMessageContaining("asyncreply.auth").hasMessageContaining("ASYNCREPLY_AUTH");
        assertThatThrownBy(() -> AuthSettings.from(settings(Map.of("asyncreply.auth.keys", "sha256:x alice"))))
                .hasMessageContaining("asyncreply.auth.keys").hasMessageContaining("entry 1");
        assertThatThrownBy(() -> AuthSettings.from(settings(Map.of("asyncreply.auth.public", "health"))))
                .hasMessageContaining("asyncreply.auth.public");
        assertThatThrownBy(() -> AuthSettings.from(settings(Map.of("asyncreply.auth.realm", "a\"b"))))
                .hasMessageContaining("asyncreply.auth.realm");
        assertThatThrownBy(() -> AuthSettings.from(settings(Map.of("asyncreply.auth.keys.reload", "0s"))))
                .hasMessageContaining("asyncreply.auth.keys.reload");
    }
}
