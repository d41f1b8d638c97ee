package io.asyncreply.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncreply.it.Api.Reply;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The settings of issue 12 in the built WAR (embedded Jetty, memory store): per-type policies reach
 * the engine and show in {@code GET /types}; a bad policy or authentication setting stops the
 * deployment with a message naming it; container authentication without a login mechanism lets
 * nobody in.
 */
class SteeringSettingsIT {

    private static Map<String, String> settings() {
        Map<String, String> s = EmbeddedWar.testSettings();
        s.put("asyncreply.store", "memory");
        return s;
    }

    @Test
    void typePoliciesFromSettingsReachTheEngineAndShowInTypes() throws Exception {
        Map<String, String> s = settings();
        s.put("asyncreply.types.echo.concurrency", "3");
        s.put("asyncreply.types.echo.rate", "30/m");
        s.put("asyncreply.types.echo.timeout", "90s");
        s.put("asyncreply.types.echo.priority", "4");
        s.put("asyncreply.types.echo.max-attempts", "2");
        try (EmbeddedWar war = new EmbeddedWar()) {
            Api api = new Api(war.start(s));

            JsonNode policy = type(api.get("types"), "echo").path("policy");
            assertThat(policy.path("concurrency").asInt()).isEqualTo(3);
            assertThat(policy.path("rate").asDouble()).isEqualTo(0.5);
            assertThat(policy.path("timeout").asText()).isEqualTo("PT1M30S");
            assertThat(policy.path("priority").asInt()).isEqualTo(4);
            assertThat(policy.path("retry").path("maxAttempts").asInt()).isEqualTo(2);
            assertThat(type(api.get("types"), "sha256").path("policy").path("concurrency").asInt()).isZero();

            Reply r = api.submit("echo", "x".getBytes(), "text/plain");
            assertThat(r.json().path("priority").asInt()).as("the type's default priority").isEqualTo(4);
        }
    }

    @Test
    void aBadTypePolicySettingStopsTheStartNamingIt() {
        Map<String, String> s = settings();
        s.put("asyncreply.types.sleep.concurency", "2");
        assertStartFailsNaming(s, "asyncreply.types.sleep.concurency");

        s = settings();
        s.put("asyncreply.types.sleep.timeout", "soon");
        assertStartFailsNaming(s, "asyncreply.types.sleep.timeout");
    }

    @Test
    void aBadAuthenticationSettingStopsTheStartNamingIt() {
        Map<String, String> s = settings();
        s.put("asyncreply.auth", "ldap");
        assertStartFailsNaming(s, "asyncreply.auth");

        s = settings();
        s.put("asyncreply.auth", "apikey");
        s.put("asyncreply.auth.keys.file", "/nonexistent/asyncreply-keys");
        assertStartFailsNaming(s, "asyncreply.auth.keys.file");
    }

    @Test
    void containerAuthenticationWithoutALoginMechanismLetsNobodyIn() throws Exception {
        Map<String, String> s = settings();
        s.put("asyncreply.auth", "container");
        try (EmbeddedWar war = new EmbeddedWar()) {
            URI base = war.start(s);
            Api api = new Api(base);

            assertThat(api.get("health").status()).isEqualTo(200);
            for (Reply r : List.of(api.get("tasks"), api.submit("echo", "x".getBytes(), "text/plain"))) {
                assertThat(r.status()).as("%s", r).isEqualTo(500);
                assertThat(r.mediaType()).isEqualTo("application/problem+json");
            }
            assertThat(api.send(api.request("tasks").header("Authorization", "Basic YWxpY2U6eA==").GET()).status())
                    .isEqualTo(500);
        }
    }

    private static void assertStartFailsNaming(Map<String, String> settings, String name) {
        Throwable failure;
        try (EmbeddedWar war = new EmbeddedWar()) {
            failure = catchThrowable(() -> war.start(settings));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(failure).as("the start with %s", settings).isNotNull();
        assertThat(messages(failure)).as("messages of %s", failure).anySatisfy(m -> assertThat(m).contains(name));
    }

    private static JsonNode type(Reply types, String name) {
        assertThat(types.status()).as("%s", types).isEqualTo(200);
        for (JsonNode t : types.json().path("items")) {
            if (t.path("type").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no type " + name + " in " + types);
    }

    private static List<String> messages(Throwable t) {
        List<String> all = new ArrayList<>();
        for (Throwable c = t; c != null && all.size() < 20; c = c.getCause()) {
            all.add(String.valueOf(c.getMessage()));
            for (Throwable x : c.getSuppressed()) {
                all.add(String.valueOf(x.getMessage()));
            }
        }
        return all;
    }
}
