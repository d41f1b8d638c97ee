package io.asyncreply.web.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class KeyDigestTest {

    @Test
    void aDigestMatchesItsKeyAndNoOther() {
        String key = KeyDigest.newKey();
        KeyDigest d = KeyDigest.of(key);

        assertThat(d.matches(key)).isTrue();
        assertThat(d.matches(key + "x")).isFalse();
        assertThat(d.matches(key.substring(1))).isFalse();
        assertThat(d.matches("")).isFalse();
        assertThat(d.matches(null)).isFalse();
    }

    @Test
    void theStoredFormRoundTripsAndIsSha256OverSaltAndKey() throws Exception {
        KeyDigest d = KeyDigest.of("secret-key");
        String stored = d.format();

        assertThat(stored).matches("sha256:[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*");
        assertThat(KeyDigest.parse(stored).matches("secret-key")).isTrue();
        String[] parts = stored.split(":");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(Base64.getDecoder().decode(parts[1]));
        assertThat(sha.digest("secret-key".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(Base64.getDecoder().decode(parts[2]));
    }

    @Test
    void twoDigestsOfOneKeyHaveDifferentSalts() {
        assertThat(KeyDigest.of("k").format()).isNotEqualTo(KeyDigest.of("k").format());
    }

    @Test
    void newKeysAreLongRandomAndPrefixed() {
        String a = KeyDigest.newKey();
        assertThat(a).startsWith("ark_").hasSize(47).matches("ark_[A-Za-z0-9_-]{43}");
        assertThat(KeyDigest.newKey()).isNotEqualTo(a);
    }

    @Test
    void malformedStoredFormsAreRefusedWithoutRepeatingThem() {
        String hash = Base64.getEncoder().encodeToString(new byte[32]);
        String salt = Base64.getEncoder().encodeToString(new byte[16]);
        for (String bad : new String[] {"", "sha256", "md5:" + salt + ":" + hash, "sha256:" + salt,
            "sha256:" + salt + ":" + hash + ":x", "sha256:%%%:" + hash, "sha256:" + salt + ":AAAA",
            "sha256:AAAA:" + hash}) {
            assertThatThrownBy(() -> KeyDigest.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> {
                        if (bad.length() > 10) {
                            assertThat(e.getMessage()).doesNotContain(bad);
                        }
                    });
        }
    }

    @Test
    void anOverlongKeyIsRefusedUnhashed() {
        KeyDigest d = KeyDigest.of("x".repeat(KeyDigest.MAX_KEY_LENGTH));
        assertThat(d.matches("x".repeat(KeyDigest.MAX_KEY_LENGTH))).isTrue();
        assertThat(KeyDigest.of("y").matches("y".repeat(KeyDigest.MAX_KEY_LENGTH + 1))).isFalse();
    }

    @Test
    void toStringNeverShowsTheHash() {
        KeyDigest d = KeyDigest.of("k");
        assertThat(d.toString()).doesNotContain(d.format().split(":")[2]);
    }
}
