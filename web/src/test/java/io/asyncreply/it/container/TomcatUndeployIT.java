package io.asyncreply.it.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.it.SseClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * Undeploying on Tomcat by deleting {@code webapps/ROOT.war}, then deploying the WAR again, as an
 * operator who removes an application and puts it back does. Tomcat deletes
 * {@code conf/Catalina/localhost/ROOT.xml} with the WAR:
 * <ul>
 * <li>with the layout docs/deployment.md shows (the store chosen and the DataSource declared where
 * no undeploy reaches: server.xml's GlobalNamingResources and
 * {@code conf/Catalina/localhost/context.xml.default}), the application comes back on the same
 * store, and a task from before is still there;</li>
 * <li>with the settings in ROOT.xml, the application refuses to start, saying which setting is
 * missing, instead of starting quietly on another, empty store.</li>
 * </ul>
 */
@DisabledIfSystemProperty(named = "asyncreply.containers.skip", matches = "true")
class TomcatUndeployIT {

    /** HostConfig's lines, for the root context (its name is the empty string). */
    private static final Pattern UNDEPLOYED = Pattern.compile("Undeploying context \\[\\]");
    private static final Pattern DEPLOY_FINISHED = Pattern.compile(
            "Deployment of web application archive \\[.*ROOT\\.war\\] has finished");
    private static final Pattern APP_STARTED = Pattern.compile("asyncreply started: store ");
    private static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void withTheDocumentedLayoutTheRedeployedWarFindsItsStoreAndItsTasks() {
        try (Deployment deployment = Deployment.create(ContainerKind.TOMCAT_11, Deployment.Store.POSTGRES_JNDI,
                new LinkedHashMap<>(Deployment.contractSettings()))) {
            ServletContainer tomcat = deployment.container();
            deployment.start();
            TaskClient client = new TaskClient(tomcat.baseUrl());
            String before = client.submitSleep(1);
            client.awaitTerminal(before, Duration.ofSeconds(30));
            String running = client.submitSleep(2_000);
            SseClient events = SseClient.open(tomcat.baseUrl().resolve("events"));
            SseClient task = SseClient.open(tomcat.baseUrl().resolve("tasks/" + running + "/events"));
            assertThat(task.nextEvent(Duration.ofSeconds(30))).as("the task stream's first event").isNotNull();
            long beforeUndeploy = tomcat.containerLog().mark();

            undeploy(tomcat);
            for (SseClient stream : java.util.List.of(events, task)) { // told and ended, however far the task got
                java.util.List<SseClient.Item> said = stream.until(i -> i instanceof SseClient.Eof, DEPLOY_TIMEOUT);
                assertThat(said).as("what an event stream got at the undeploy").last().isEqualTo(new SseClient.Eof(null));
                assertThat(said.stream().filter(i -> i instanceof SseClient.Comment c && c.text().contains("stopping"))
                        .count() + said.stream().filter(i -> i instanceof SseClient.Event e
                        && e.event().equals("succeeded")).count()).as("%s", said).isPositive();
            }
            assertThat(tomcat.containerLog().problemsSince(beforeUndeploy)).as("problem lines at the undeploy")
                    .isEmpty();
            long mark = deploy(tomcat);

            String started = tomcat.containerLog().awaitLine(APP_STARTED, mark, DEPLOY_TIMEOUT);
            assertThat(started).as("the store of the redeployed application").contains(deployment.expectedStore());
            assertThat(Files.exists(tomcat.base().resolve("conf/Catalina/localhost/context.xml.default")))
                    .as("context.xml.default survives the undeploy").isTrue();
            awaitHealth(tomcat, 200);
            assertThat(client.task(before).path("status").asText()).as("the task from before the undeploy")
                    .isEqualTo("SUCCEEDED");
        }
    }

    @Test
    void settingsKeptInRootXmlVanishWithTheWarAndTheApplicationThenRefusesToStart() {
        ContainerOptions options = ContainerOptions.forWar(Containers.war()).readyWhen("/health", s -> s == 200);
        ServletContainer tomcat = ContainerKind.TOMCAT_11.create(options);
        try (tomcat) {
            Path data = tomcat.base().resolve("data");
            // Where the application used to look by default (~/.asyncreply), kept inside this run's base.
            options.systemProperty("user.home", tomcat.base().resolve("home").toString());
            Path rootXml = tomcat.base().resolve("conf/Catalina/localhost/ROOT.xml");
            ProcessContainer.write(rootXml, "<Context>\n"
                    + "  <Parameter name=\"asyncreply.store\" value=\"h2\" override=\"false\"/>\n"
                    + "  <Parameter name=\"asyncreply.h2.dir\" value=\"" + data + "\" override=\"false\"/>\n"
                    + "</Context>\n");
            tomcat.start();
            TaskClient client = new TaskClient(tomcat.baseUrl());
            String before = client.submitSleep(1);
            client.awaitTerminal(before, Duration.ofSeconds(30));

            undeploy(tomcat);
            // Tomcat deletes it after the application has stopped, with the unpacked WAR.
            await("Tomcat deletes ROOT.xml with ROOT.war").atMost(DEPLOY_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .until(() -> !Files.exists(rootXml));
            long mark = deploy(tomcat);

            tomcat.containerLog().awaitLine(DEPLOY_FINISHED, mark, DEPLOY_TIMEOUT);
            assertThat(tomcat.containerLog().firstMatch(APP_STARTED, mark))
                    .as("the application started again without its settings (log %s)", tomcat.log()).isEmpty();
            assertThat(tomcat.containerLog().textSince(mark))
                    .contains("asyncreply did not start: Setting asyncreply.store (environment ASYNCREPLY_STORE)"
                            + " is not set");
            OptionalInt health = HttpProbe.status(tomcat.baseUrl().resolve("health"));
            assertThat(health).as("GET /health: Tomcat has no application to serve it").isNotEqualTo(OptionalInt.of(200));
        }
    }

    /**
     * Deletes webapps/ROOT.war and waits until Tomcat has undeployed the application: it logs
     * "Undeploying", stops the application, then deletes the unpacked directory (and ROOT.xml).
     */
    private static void undeploy(ServletContainer tomcat) {
        long mark = tomcat.containerLog().mark();
        try {
            Files.delete(tomcat.base().resolve("webapps/ROOT.war"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        tomcat.containerLog().awaitLine(UNDEPLOYED, mark, DEPLOY_TIMEOUT);
        Path unpacked = tomcat.base().resolve("webapps/ROOT");
        await("Tomcat deletes the unpacked " + unpacked).atMost(DEPLOY_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> !Files.exists(unpacked));
    }

    /** Puts the WAR back (copied beside webapps/, then moved in); returns the log mark before it. */
    private static long deploy(ServletContainer tomcat) {
        long mark = tomcat.containerLog().mark();
        Path staged = tomcat.base().resolve("ROOT.war.staged");
        try {
            Files.copy(Containers.war(), staged, StandardCopyOption.REPLACE_EXISTING);
            Files.move(staged, tomcat.base().resolve("webapps/ROOT.war"), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return mark;
    }

    private static void awaitHealth(ServletContainer tomcat, int status) {
        await().atMost(DEPLOY_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> HttpProbe.status(tomcat.baseUrl().resolve("health")), s -> s.equals(OptionalInt.of(status)));
    }
}
