package io.asyncreply.it.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.it.container.probe.ProbeWar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Proves the JNDI setup of docs/examples in each container on its own, with a probe WAR that
 * ships no JDBC driver: {@code java:comp/env/jdbc/tasks} is a working PostgreSQL DataSource (the
 * CI database, see .ci/run) with the driver where the container expects it, before and after an
 * in-place redeploy, and nothing is logged as a problem.
 */
@DisabledIfSystemProperty(named = "asyncreply.containers.skip", matches = "true")
class JndiDataSourceIT {

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void bindsAPostgresDataSourceAtJavaCompEnvJdbcTasks(ContainerKind kind) {
        Path war = ProbeWar.write(Containers.runsDir().resolve("jndi-probe-" + kind + ".war"));
        try (ServletContainer container = kind.create(ContainerOptions.forWar(war).jndi(JndiDataSource.ciPostgres()))) {
            container.start();

            HttpResponse<String> probe = HttpProbe.get(container.baseUrl().resolve("jndi"));

            assertThat(probe.statusCode()).as("GET /jndi on %s: %s", container, probe.body()).isEqualTo(200);
            assertThat(probe.body()).contains("database=PostgreSQL").contains("select=42");
            if (kind.isTomcat()) {
                assertThat(probe.body()).as("<Parameter> of tomcat/context.xml.default").contains("init-param asyncreply.store=jndi");
            }

            container.redeploy(war);

            HttpResponse<String> again = HttpProbe.get(container.baseUrl().resolve("jndi"));
            assertThat(again.statusCode()).as("GET /jndi after redeploy on %s: %s", container, again.body()).isEqualTo(200);
            assertThat(again.body()).contains("select=42");

            container.stop();
            assertThat(container.containerLog().problems()).as("problem lines in %s", container.log()).isEmpty();
        }
    }
}
