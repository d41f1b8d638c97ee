package io.asyncreply.it.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.it.Api.Reply;
import io.asyncreply.it.RawHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Deploys the built WAR (web/target/asyncreply.war) as the root application of each real
 * container and checks that the container serves it, restarts on the same port, redeploys in
 * place and stops without problem lines in its log. One container at a time.
 */
@DisabledIfSystemProperty(named = "asyncreply.containers.skip", matches = "true")
class ContainersSmokeIT {

    /** Logged by the application's contextDestroyed (AppLifecycle). */
    private static final Pattern OLD_INSTANCE_STOPPED = Pattern.compile("asyncreply stopped");

    /** The memory store: the smoke test is about the containers, not about the store. */
    private static ContainerOptions options() {
        return ContainerOptions.forWar(Containers.war()).systemProperty("asyncreply.store", "memory");
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void servesTheWarAsTheRootApplicationAndStopsCleanly(ContainerKind kind) {
        try (ServletContainer container = kind.create(options())) {
            container.start();

            HttpResponse<String> health = HttpProbe.get(container.baseUrl().resolve("health"));

            assertThat(container.containerLog().firstMatch(((ProcessContainer) container).deployedLine(), 0L))
                    .as("%s logged the deployment of webapps/ROOT.war; log: %s", container, container.log())
                    .isPresent();
            assertThat(health.statusCode()).as("GET /health on %s", container).isEqualTo(200);
            assertTheContainerDisclosesNoVersion(container);

            container.stop();

            assertThat(container.isRunning()).isFalse();
            assertThat(HttpProbe.status(container.baseUrl())).as("port closed after stop").isEmpty();
            assertThat(container.containerLog().problems()).as("problem lines in %s", container.log()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(value = ContainerKind.class, names = {"TOMCAT_11", "JETTY_12"})
    void restartsOnTheSamePortRedeploysInPlaceAndCanBeKilled(ContainerKind kind) {
        try (ServletContainer container = kind.create(options())) {
            container.start();
            container.stop();

            container.start();
            OptionalInt afterRestart = HttpProbe.status(container.baseUrl().resolve("health"));
            assertThat(afterRestart).as("answer after restart on the same port").isPresent();

            long beforeRedeploy = container.containerLog().mark();
            container.redeploy(Containers.war());
            // Jetty 12.1 starts the new instance first and stops the old one afterwards: wait for that
            // stop, which once deleted the classes of the new instance (a shared work directory).
            container.containerLog().awaitLine(OLD_INSTANCE_STOPPED, beforeRedeploy, Duration.ofSeconds(60));
            assertTheRedeployedApplicationServes(container);
            assertThat(container.containerLog().problemsSince(beforeRedeploy))
                    .as("problem lines after redeploy in %s", container.log()).isEmpty();

            container.kill();
            assertThat(container.isRunning()).isFalse();
            assertThat(HttpProbe.status(container.baseUrl())).as("port closed after kill").isEmpty();
        }
    }

    /**
     * The container's own answer (a malformed URI never reaches the application) names no server
     * version, with the settings docs/deployment.md shows (Tomcat: ErrorReportValve
     * showServerInfo="false" showReport="false"; Jetty: jetty.httpConfig.sendServerVersion=false).
     */
    private static void assertTheContainerDisclosesNoVersion(ServletContainer container) {
        RawHttp.Response answer;
        try (RawHttp http = RawHttp.open(container.baseUrl())) {
            http.head("GET", "tasks/%ZZ", "Connection: close");
            answer = http.response(Duration.ofSeconds(10));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(answer.status()).as("%s", answer).isEqualTo(400);
        assertThat(answer.header("Server")).as("Server header of %s", answer).isNull();
        assertThat(answer.text()).as("error page of %s", container).doesNotContainPattern("(?i)jetty|tomcat|\\d+\\.\\d+\\.\\d+");
        assertThat(health(container).headers()).as("headers of GET /health").doesNotContainKey("server");
    }

    private static RawHttp.Response health(ServletContainer container) {
        try (RawHttp http = RawHttp.open(container.baseUrl())) {
            http.head("GET", "health", "Connection: close");
            return http.response(Duration.ofSeconds(10));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Requests that load classes the readiness probe did not: a submission, its status, a problem
     * answer. A redeployed instance that lost its classes answers 500 to some of them.
     */
    private static void assertTheRedeployedApplicationServes(ServletContainer container) {
        TaskClient client = new TaskClient(container.baseUrl());
        String id = client.submitSleep(1);
        assertThat(client.awaitTerminal(id, Duration.ofSeconds(30)).path("status").asText())
                .as("the task submitted after the redeploy").isEqualTo("SUCCEEDED");
        Reply unknown = client.api().get("tasks/" + "0".repeat(30));
        assertThat(unknown.status()).as("%s", unknown).isEqualTo(404);
        assertThat(unknown.mediaType()).as("%s", unknown).isEqualTo("application/problem+json");
        assertThat(HttpProbe.status(container.baseUrl().resolve("health"))).as("GET /health after redeploy")
                .hasValue(200);
    }
}
