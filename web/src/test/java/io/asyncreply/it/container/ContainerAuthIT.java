package io.asyncreply.it.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.it.Api;
import io.asyncreply.it.Api.Reply;
import io.asyncreply.it.OpenApiConformance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code asyncreply.auth=container} in each real container, configured as docs/security.md and
 * docs/examples tell an operator: Tomcat with the BASIC authenticator valve of
 * tomcat/container-auth.xml and the engine's default realm on {@code conf/tomcat-users.xml}; Jetty
 * with jetty/ee10-asyncreply-auth.xml (BASIC and a HashLoginService on
 * {@code etc/asyncreply-realm.properties}). The WAR is the same as everywhere: no descriptor is
 * changed. Users: {@code alice} and {@code bob} (no role), {@code audit} (asyncreply-viewer),
 * {@code ops} (asyncreply-admin).
 */
@DisabledIfSystemProperty(named = "asyncreply.containers.skip", matches = "true")
class ContainerAuthIT {

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void theContainersUsersOwnTheirTasksAndTheirRolesDecideWhatTheyMayDo(ContainerKind kind) {
        ContainerOptions options = ContainerOptions.forWar(Containers.war())
                .systemProperty("asyncreply.store", "memory")
                .systemProperty("asyncreply.auth", "container")
                .readyWhen("/health", status -> status == 200);
        if (kind.isTomcat()) {
            options.tomcatContextXml(Examples.tomcatAuthValve());
        } else {
            options.jettyEnvironmentXml(Examples.jettyAuthXml());
        }
        try (ServletContainer container = kind.create(options)) {
            writeUsers(kind, container.base());
            container.start();
            Api api = new Api(container.baseUrl());
            OpenApiConformance openApi = new OpenApiConformance(api.get("openapi.json").body());
            List<String> nonConforming = new CopyOnWriteArrayList<>();
            api.observe(r -> nonConforming.addAll(openApi.check(r.method(), OpenApiConformance.pathFrom(api.base(),
                    r.uri()), r.status(), r.mediaType(), r.body())));

            assertThat(api.get("health").status()).as("a public path").isEqualTo(200);
            for (Reply r : List.of(api.get("tasks"), as(api, "alice", "wrong", api.request("tasks").GET()),
                    as(api, "nobody", "x", api.request("tasks").GET()))) {
                assertThat(r.status()).as("%s on %s", r, container).isEqualTo(401);
                assertThat(r.header("WWW-Authenticate").orElse("").toLowerCase(Locale.ROOT))
                        .as("%s", r).startsWith("basic realm=");
                assertThat(r.mediaType()).as("%s", r).isEqualTo("application/problem+json");
            }

            Reply submitted = as(api, "alice", "alice-pw", api.request("tasks/sleep")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"ms\": 60000}")));
            assertThat(submitted.status()).as("%s", submitted).isEqualTo(202);
            String id = submitted.json().path("id").asText();

            assertThat(as(api, "alice", "alice-pw", api.request("tasks/" + id).GET()).status()).isEqualTo(200);
            assertThat(as(api, "bob", "bob-pw", api.request("tasks/" + id).GET()).status())
                    .as("another owner's task").isEqualTo(404);
            assertThat(as(api, "bob", "bob-pw", api.request("tasks/" + id).DELETE()).status()).isEqualTo(404);
            assertThat(ids(as(api, "bob", "bob-pw", api.request("tasks").GET()))).doesNotContain(id);
            assertThat(ids(as(api, "alice", "alice-pw", api.request("tasks").GET()))).contains(id);

            Reply asAdmin = as(api, "ops", "ops-pw", api.request("tasks/" + id).GET());
            assertThat(asAdmin.json().path("owner").asText()).as("the principal's name owns it").isEqualTo("alice");
            assertThat(as(api, "ops", "ops-pw", api.request("types").GET()).status()).isEqualTo(200);
            assertThat(as(api, "alice", "alice-pw", api.request("types").GET()).status()).isEqualTo(403);

            assertThat(as(api, "audit", "audit-pw", api.request("tasks/" + id).GET()).status()).isEqualTo(200);
            assertThat(as(api, "audit", "audit-pw", api.request("tasks/" + id).DELETE()).status()).isEqualTo(403);
            assertThat(as(api, "audit", "audit-pw", api.request("tasks/echo").header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString("x"))).status()).isEqualTo(403);

            assertThat(as(api, "alice", "alice-pw", api.request("tasks/" + id).DELETE()).status()).isEqualTo(202);
            assertThat(nonConforming).as("answers that do not match the server's OpenAPI description").isEmpty();

            container.stop();
            assertThat(container.containerLog().problems()).as("problem lines in %s", container.log()).isEmpty();
        }
    }

    private static Reply as(Api api, String user, String password, HttpRequest.Builder request) {
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return api.send(request.header("Authorization", "Basic " + basic));
    }

    private static List<String> ids(Reply page) {
        assertThat(page.status()).as("%s", page).isEqualTo(200);
        List<String> out = new ArrayList<>();
        page.json().path("items").forEach(t -> out.add(t.path("id").asText()));
        return out;
    }

    /** The realm's users, where the container's configuration reads them. */
    private static void writeUsers(ContainerKind kind, Path base) {
        try {
            if (kind.isTomcat()) {
                Files.writeString(base.resolve("conf/tomcat-users.xml"), """
                        <?xml version="1.0" encoding="UTF-8"?>
                        <tomcat-users xmlns="http://tomcat.apache.org/xml" version="1.0">
                          <role rolename="asyncreply-admin"/>
                          <role rolename="asyncreply-viewer"/>
                          <user username="alice" password="alice-pw" roles=""/>
                          <user username="bob" password="bob-pw" roles=""/>
                          <user username="audit" password="audit-pw" roles="asyncreply-viewer"/>
                          <user username="ops" password="ops-pw" roles="asyncreply-admin"/>
                        </tomcat-users>
                        """);
            } else {
                Files.createDirectories(base.resolve("etc"));
                Files.writeString(base.resolve("etc/asyncreply-realm.properties"), """
                        alice: alice-pw
                        bob: bob-pw
                        audit: audit-pw,asyncreply-viewer
                        ops: ops-pw,asyncreply-admin
                        """);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
