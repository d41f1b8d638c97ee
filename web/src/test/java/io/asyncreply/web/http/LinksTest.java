package io.asyncreply.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.web.config.TrustedProxies;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LinksTest {
    private static final TrustedProxies PROXY = TrustedProxies.parse("10.0.0.0/8");
    private final Map<String, List<String>> headers = new HashMap<>();

    private Links links(String scheme, String host, int port, String ctx, String remote, TrustedProxies trusted) {
        return Links.of(scheme, host, port, ctx, remote, name -> headers.getOrDefault(name, List.of()), trusted);
    }

    @Test
    void urlsAreAbsoluteFromTheRequestWithoutDefaultPorts() {
        assertThat(links("http", "127.0.0.1", 8080, "", "127.0.0.1", TrustedProxies.NONE).task("abc"))
                .isEqualTo("http://127.0.0.1:8080/tasks/abc");
        assertThat(links("https", "api.example.com", 443, "/ctx", "1.2.3.4", TrustedProxies.NONE).operation("abc"))
                .isEqualTo("https://api.example.com/ctx/tasks/abc/operation");
        assertThat(links("HTTP", "::1", 80, "", "::1", TrustedProxies.NONE).result("abc"))
                .isEqualTo("http://[::1]/tasks/abc/result");
    }

    @Test
    void forwardingHeadersOfAnUntrustedPeerAreIgnored() {
        headers.put("Forwarded", List.of("proto=https;host=evil.example"));
        headers.put("X-Forwarded-Host", List.of("evil.example"));
        headers.put("X-Forwarded-Proto", List.of("https"));

        assertThat(links("http", "backend", 8080, "", "192.0.2.1", PROXY).root()).isEqualTo("http://backend:8080");
        assertThat(links("http", "backend", 8080, "", "10.0.0.1", TrustedProxies.NONE).root())
                .isEqualTo("http://backend:8080");
    }

    @Test
    void forwardedOfATrustedProxyGivesSchemeAndHost() {
        headers.put("Forwarded", List.of("for=192.0.2.60;proto=https;host=api.example.com"));

        assertThat(links("http", "backend", 8080, "/app", "10.0.0.1", PROXY).task("t"))
                .isEqualTo("https://api.example.com/app/tasks/t");
    }

    @Test
    void withTrustedProxiesInARowTheOutermostOnesElementCounts() {
        headers.put("Forwarded", List.of("for=198.51.100.7;host=outer.example;proto=https",
                "for=10.0.0.9;host=inner.internal;proto=http"));

        assertThat(links("http", "backend", 8080, "", "10.0.0.1", PROXY).root()).isEqualTo("https://outer.example");
    }

    @Test
    void anElementAddedByAnUntrustedClientIsNotBelieved() {
        // the client sent its own Forwarded; the trusted proxy appended its element for that client
        headers.put("Forwarded", List.of("host=evil.example;proto=https, for=198.51.100.7;host=api.example.com"));

        assertThat(links("http", "backend", 8080, "", "10.0.0.1", PROXY).root()).isEqualTo("http://api.example.com");
    }

    @Test
    void xForwardedHeadersOfATrustedProxyGiveSchemeHostAndPort() {
        headers.put("X-Forwarded-Proto", List.of("https"));
        headers.put("X-Forwarded-Host", List.of("api.example.com"));
        assertThat(links("http", "backend", 8080, "", "10.1.1.1", PROXY).root()).isEqualTo("https://api.example.com");

        headers.put("X-Forwarded-Port", List.of("8443"));
        assertThat(links("http", "backend", 8080, "", "10.1.1.1", PROXY).root())
                .isEqualTo("https://api.example.com:8443");

        headers.remove("X-Forwarded-Host");
        assertThat(links("http", "backend", 8080, "", "10.1.1.1", PROXY).root()).isEqualTo("https://backend:8443");
    }

    @Test
    void aSchemeAloneMeansTheDefaultPortOfThatScheme() {
        headers.put("X-Forwarded-Proto", List.of("https"));
        assertThat(links("http", "api.example.com", 8080, "", "10.1.1.1", PROXY).root())
                .isEqualTo("https://api.example.com");
    }

    @Test
    void malformedForwardedValuesAreNeverCopiedIntoAUrl() {
        headers.put("X-Forwarded-Proto", List.of("javascript"));
        headers.put("X-Forwarded-Host", List.of("evil.example\r\nSet-Cookie: x=1"));
        assertThat(links("http", "backend", 8080, "", "10.1.1.1", PROXY).root()).isEqualTo("http://backend:8080");
    }
}
