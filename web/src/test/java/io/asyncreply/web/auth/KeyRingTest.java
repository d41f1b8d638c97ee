package io.asyncreply.web.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeyRingTest {
    private static final String ALICE = "ark_alice-key";
    private static final String OPS = "ark_ops-key";
    private static final String AUDIT = "ark_audit-key";

    private static String line(String key, String owner, String role) {
        return KeyDigest.of(key).format() + " " + owner + (role == null ? "" : " " + role);
    }

    @Test
    void eachKeyNamesItsOwnerAndRoleUserByDefault() {
        KeyRing ring = KeyRing.parse("# keys\n\n" + line(ALICE, "alice", null) + "\n" + line(OPS, "ops", "admin")
                + "\r\n  " + line(AUDIT, "audit", "VIEWER") + "  \n", '\n', "test");

        assertThat(ring.size()).isEqualTo(3);
        assertThat(ring.caller(ALICE)).contains(Caller.of("alice", Caller.Role.USER));
        assertThat(ring.caller(OPS)).contains(Caller.of("ops", Caller.Role.ADMIN));
        assertThat(ring.caller(AUDIT)).contains(Caller.of("audit", Caller.Role.VIEWER));
        assertThat(ring.caller("ark_unknown")).isEmpty();
        assertThat(ring.caller("")).isEmpty();
        assertThat(ring.caller(null)).isEmpty();
    }

    @Test
    void aSettingSeparatesEntriesWithCommas() {
        KeyRing ring = KeyRing.parse(line(ALICE, "alice", "user") + " , " + line(OPS, "ops", "admin") + ",", ',',
                "setting");

        assertThat(ring.caller(OPS)).contains(Caller.of("ops", Caller.Role.ADMIN));
        assertThat(ring.plus(KeyRing.parse(line(AUDIT, "audit", "viewer"), ',', "x")).caller(AUDIT)).isPresent();
    }

    @Test
    void aBadEntryIsNamedByItsLineNumberNeverByItsText() {
        String good = line(ALICE, "alice", null);
        String secretish = KeyDigest.of(OPS).format() + " ops superuser";

        assertThatThrownBy(() -> KeyRing.parse(good + "\n" + secretish, '\n', "API key file f"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("API key file f, line 2")
                .hasMessageContaining("role")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secretish.split(" ")[0]));
        assertThatThrownBy(() -> KeyRing.parse(good + "\n" + KeyDigest.of(OPS).format(), '\n', "f"))
                .hasMessageContaining("line 2");
        assertThatThrownBy(() -> KeyRing.parse(KeyDigest.of(OPS).format() + " a,b", '\n', "f"))
                .hasMessageContaining("line 1");
    }
}
