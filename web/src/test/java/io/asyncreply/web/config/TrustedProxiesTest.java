package io.asyncreply.web.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrustedProxiesTest {

    @Test
    void nothingIsTrustedByDefault() {
        assertThat(TrustedProxies.parse(null).trusts("127.0.0.1")).isFalse();
        assertThat(TrustedProxies.parse(" ").trusts("127.0.0.1")).isFalse();
        assertThat(TrustedProxies.NONE.isEmpty()).isTrue();
    }

    @Test
    void addressesAndCidrRangesOfBothFamiliesAreTrusted() {
        TrustedProxies t = TrustedProxies.parse("192.168.1.7, 10.0.0.0/8,172.16.0.0/12, fd00::/8, ::1");

        assertThat(t.trusts("192.168.1.7")).isTrue();
        assertThat(t.trusts("192.168.1.8")).isFalse();
        assertThat(t.trusts("10.255.0.1")).isTrue();
        assertThat(t.trusts("172.31.255.255")).isTrue();
        assertThat(t.trusts("172.32.0.0")).isFalse();
        assertThat(t.trusts("fd12:3456::1")).isTrue();
        assertThat(t.trusts("[::1]")).isTrue();
        assertThat(t.trusts("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(t.trusts("fe80::1")).isFalse();
        assertThat(t.trusts("::ffff:10.0.0.1")).as("IPv4-mapped").isTrue();
    }

    @Test
    void aZeroPrefixTrustsAWholeFamily() {
        TrustedProxies t = TrustedProxies.parse("0.0.0.0/0");
        assertThat(t.trusts("203.0.113.9")).isTrue();
        assertThat(t.trusts("2001:db8::1")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"proxy.example.com", "10.0.0.0/33", "::1/129", "10.0.0.256", "10.0.0", "10.0.0.0/x",
        "localhost"})
    void anythingButALiteralAddressOrRangeIsRefused(String entry) {
        assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.1," + entry))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(entry);
    }

    @Test
    void namesAreNeverLookedUp() {
        TrustedProxies t = TrustedProxies.parse("127.0.0.1");
        assertThat(t.trusts("localhost")).isFalse();
        assertThat(t.trusts(null)).isFalse();
    }
}
