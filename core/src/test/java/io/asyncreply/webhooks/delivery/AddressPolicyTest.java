package io.asyncreply.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressPolicyTest {
    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, loopback", "127.255.0.9, loopback", "::1, loopback",
        "10.1.2.3, private", "172.16.0.1, private", "172.31.255.255, private", "192.168.1.1, private",
        "fc00::1, private", "fdab:cdef::1, private", "fec0::1, private",
        "169.254.169.254, link-local", "fe80::1, link-local",
        "224.0.0.1, multicast", "239.255.255.250, multicast", "ff02::1, multicast",
        "0.0.0.0, unspecified", "::, unspecified",
        "100.64.0.1, carrier-grade NAT", "100.127.255.254, carrier-grade NAT",
        "255.255.255.255, reserved", "240.0.0.1, reserved",
        "::ffff:127.0.0.1, loopback", "::ffff:10.0.0.1, private", "::ffff:169.254.169.254, link-local",
        "64:ff9b::a9fe:a9fe, link-local", "64:ff9b::7f00:1, loopback", "2002:c0a8:101::1, private",
        "::10.0.0.1, private"
    })
    void specialUseAddressesAreRecognizedInEveryForm(String address, String kind) throws Exception {
        assertThat(AddressPolicy.specialUse(ip(address))).isEqualTo(kind);
    }

    @ParameterizedTest
    @CsvSource({"93.184.216.34", "8.8.8.8", "172.32.0.1", "172.15.255.255", "100.128.0.1", "100.63.255.255",
        "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "192.0.2.1"})
    void publicAddressesAreOrdinary(String address) throws Exception {
        assertThat(AddressPolicy.specialUse(ip(address))).isNull();
    }

    @Test
    void onlyHttpAndHttpsUrlsWithAHostAndNoUserInformationAreWebhookUrls() {
        AddressPolicy p = AddressPolicy.parse("", h -> new InetAddress[] {ip("93.184.216.34")});
        assertThat(p.check("https://example.com/hook")).isInstanceOf(AddressPolicy.Verdict.Allowed.class);
        assertThat(p.check("ftp://example.com/")).isInstanceOf(AddressPolicy.Verdict.Refused.class);
        assertThat(p.check("file:///etc/passwd")).isInstanceOf(AddressPolicy.Verdict.Refused.class);
        assertThat(p.check("https://user:pw@example.com/")).isInstanceOf(AddressPolicy.Verdict.Refused.class);
        assertThat(p.check("/relative")).isInstanceOf(AddressPolicy.Verdict.Refused.class);
        assertThat(p.check("http://exa mple.com/")).isInstanceOf(AddressPolicy.Verdict.Refused.class);
    }

    @Test
    void aHostWithAnySpecialUseAddressIsRefusedUnlessTheAllowListAdmitsIt() throws Exception {
        InetAddress[] both = {ip("93.184.216.34"), ip("10.0.0.7")};
        assertThat(AddressPolicy.parse("", h -> both).check("http://mixed.example/"))
                .isInstanceOf(AddressPolicy.Verdict.Refused.class);
        assertThat(AddressPolicy.parse("10.0.0.0/8", h -> both).check("http://mixed.example/"))
                .isInstanceOf(AddressPolicy.Verdict.Allowed.class);
        assertThat(AddressPolicy.parse("10.0.0.7", h -> both).check("http://mixed.example/"))
                .isInstanceOf(AddressPolicy.Verdict.Allowed.class);
        assertThat(AddressPolicy.parse("10.0.0.8/32", h -> both).check("http://mixed.example/"))
                .isInstanceOf(AddressPolicy.Verdict.Refused.class);
        assertThat(AddressPolicy.parse("Mixed.Example", h -> both).check("http://mixed.example/"))
                .isInstanceOf(AddressPolicy.Verdict.Allowed.class);
    }

    @Test
    void literalAddressesInUrlsAreCheckedIncludingIpv6AndMappedIpv4() {
        AddressPolicy p = AddressPolicy.strict();
        assertThat(p.check("http://127.0.0.1:8080/")).isInstanceOf(AddressPolicy.Verdict.Refused.class);
        assertThat(p.check("http://[::1]/")).isInstanceOf(AddressPolicy.Verdict.Refused.class);
        assertThat(p.check("http://[::ffff:127.0.0.1]/")).isInstanceOf(AddressPolicy.Verdict.Refused.class);
        assertThat(p.check("http://[::ffff:7f00:1]/")).isInstanceOf(AddressPolicy.Verdict.Refused.class);
        assertThat(p.check("http://169.254.169.254/latest/meta-data")).isInstanceOf(AddressPolicy.Verdict.Refused.class);
        assertThat(p.check("http://[fd00::1]/")).isInstanceOf(AddressPolicy.Verdict.Refused.class);
        assertThat(AddressPolicy.parse("127.0.0.1").check("http://127.0.0.1:8080/"))
                .isInstanceOf(AddressPolicy.Verdict.Allowed.class);
        assertThat(AddressPolicy.parse("::1/128").check("http://[::1]/"))
                .isInstanceOf(AddressPolicy.Verdict.Allowed.class);
        assertThat(AddressPolicy.parse("127.0.0.0/8").check("http://[::ffff:127.0.0.2]/"))
                .as("a mapped address is judged, and admitted, as its IPv4 address")
                .isInstanceOf(AddressPolicy.Verdict.Allowed.class);
    }

    @Test
    void eachCheckResolvesAgainSoANameThatTurnsPrivateIsRefused() throws Exception {
        AtomicReference<InetAddress> answer = new AtomicReference<>(ip("93.184.216.34"));
        AddressPolicy p = AddressPolicy.parse("", h -> new InetAddress[] {answer.get()});
        assertThat(p.check("https://rebind.example/")).isInstanceOf(AddressPolicy.Verdict.Allowed.class);
        answer.set(ip("127.0.0.1"));
        assertThat(p.check("https://rebind.example/")).isInstanceOf(AddressPolicy.Verdict.Refused.class);
    }

    @Test
    void aNameThatDoesNotResolveIsUnresolvedNotRefused() {
        AddressPolicy p = AddressPolicy.parse("", h -> {
            throw new UnknownHostException(h);
        });
        assertThat(p.check("https://nowhere.example/")).isInstanceOf(AddressPolicy.Verdict.Unresolved.class);
    }

    @Test
    void aBadAllowListEntryIsNamed() {
        assertThatThrownBy(() -> AddressPolicy.parse("10.0.0.0/40")).hasMessageContaining("10.0.0.0/40");
        assertThatThrownBy(() -> AddressPolicy.parse("exa mple")).hasMessageContaining("exa mple");
        assertThatThrownBy(() -> AddressPolicy.parse("host/8")).hasMessageContaining("host/8");
    }
}
