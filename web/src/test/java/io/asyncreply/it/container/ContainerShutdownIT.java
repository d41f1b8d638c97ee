package io.asyncreply.it.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncreply.it.SseClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stops each real container gracefully (Tomcat: {@code catalina.sh stop}; Jetty: SIGTERM) while
 * tasks run and wait, replaces {@code webapps/ROOT.war} and starts it again on the same base (the
 * upgrade procedure of docs/deployment.md), and checks that no accepted task is lost:
 * a task shorter than {@code asyncreply.shutdown.grace} finishes during the stop (one attempt),
 * one longer than it is interrupted, re-queued and run again after the restart (attempts &ge; 2),
 * queued ones run after the restart, and neither the stop nor the restart logs a problem line.
 * Event streams open at the stop end with it: on Tomcat told that the server stops (Tomcat stops
 * the application before it closes connections); Jetty closes the connections first.
 *
 * <p>Stores: the embedded H2 file in Tomcat 10.1 and Jetty 12 (the restart must find the file and
 * its lock released), PostgreSQL by JNDI in Tomcat 11 (the pool must still serve the re-queueing
 * when the application stops); skipped without PostgreSQL unless CI=true.
 */
@DisabledIfSystemProperty(named = "asyncreply.containers.skip", matches = "true")
class ContainerShutdownIT {

    private static final Duration GRACE = Duration.ofSeconds(3);
    /** Ends well within the grace period, even if the stop reaches the application at once. */
    private static final long SHORT_MS = 1_000;
    /**
     * Still running when the grace period ends if the stop reaches the application within 17 s of
     * the task's start (Tomcat's stop starts a JVM of its own, slow on a loaded machine).
     */
    private static final long LONG_MS = 20_000;

    static Stream<Arguments> deployments() {
        return Stream.of(
                Arguments.of(ContainerKind.TOMCAT_10, Deployment.Store.H2),
                Arguments.of(ContainerKind.TOMCAT_11, Deployment.Store.POSTGRES_JNDI),
                Arguments.of(ContainerKind.JETTY_12, Deployment.Store.H2));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("deployments")
    void gracefulStopFinishesShortTasksRequeuesLongOnesAndLosesNoneAcrossTheRestart(ContainerKind kind,
            Deployment.Store store) {
        Map<String, String> settings = new LinkedHashMap<>(Deployment.contractSettings()); // 2 workers
        settings.put("asyncreply.shutdown.grace", GRACE.toMillis() + "ms");
        settings.put("asyncreply.lease", "5s"); // should a stop be forced, recovery comes soon
        try (Deployment deployment = Deployment.create(kind, store, settings)) {
            ServletContainer container = deployment.container();
            deployment.start();
            TaskClient client = new TaskClient(container.baseUrl());

            String shortTask = client.submitSleep(SHORT_MS);
            String longTask = client.submitSleep(LONG_MS);
            List<String> queued = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                queued.add(client.submitSleep(SHORT_MS));
            }
            client.awaitStarted(shortTask);
            client.awaitRunning(longTask);
            SseClient events = SseClient.open(container.baseUrl().resolve("events"));
            SseClient longEvents = SseClient.open(container.baseUrl().resolve("tasks/" + longTask + "/events"));
            assertThat(events.status()).isEqualTo(200);
            assertThat(longEvents.status()).isEqualTo(200);

            long beforeStop = container.containerLog().mark();
            container.stop();
            Instant stopped = Instant.now();
            for (SseClient stream : List.of(events, longEvents)) {
                // ended, not left hanging; on Tomcat with its last words. Jetty closes its connections
                // before it stops the application, so there a client sees the connection close.
                List<SseClient.Item> said = stream.until(i -> i instanceof SseClient.Eof, Duration.ofSeconds(30));
                if (kind.isTomcat()) {
                    assertThat(said).as("the last words of an event stream when %s stops", deployment)
                            .anySatisfy(i -> assertThat(i).isInstanceOfSatisfying(SseClient.Comment.class,
                                    c -> assertThat(c.text()).contains("server is stopping")));
                }
            }

            assertThat(container.containerLog().problemsSince(beforeStop))
                    .as("problem lines while %s stopped (log %s)", deployment, container.log()).isEmpty();

            replaceTheWarWhileStopped(container); // an upgrade as docs/deployment.md describes it
            deployment.start();

            List<String> all = new ArrayList<>(List.of(shortTask, longTask));
            all.addAll(queued);
            Map<String, JsonNode> finished = new LinkedHashMap<>();
            for (String id : all) {
                finished.put(id, client.awaitTerminal(id, Duration.ofSeconds(60)));
            }
            assertThat(finished.values()).as("every accepted task after the restart of %s", deployment)
                    .allSatisfy(t -> assertThat(t.path("status").asText()).as("%s", t).isEqualTo("SUCCEEDED"));
            JsonNode s = finished.get(shortTask);
            assertThat(s.path("attempts").asInt()).as("short task finished within the grace period: %s", s).isEqualTo(1);
            assertThat(TaskClient.time(s, "finishedAt")).as("%s", s).isBefore(stopped);
            JsonNode l = finished.get(longTask);
            assertThat(l.path("attempts").asInt()).as("long task re-queued at the stop and run again: %s", l)
                    .isGreaterThanOrEqualTo(2);
            assertThat(TaskClient.time(l, "finishedAt")).as("%s", l).isAfter(stopped);

            container.stop();
            assertThat(container.containerLog().problems())
                    .as("problem lines in %s (log %s)", deployment, container.log()).isEmpty();
        }
    }

    /** Stopped container: webapps/ROOT.war replaced in one step (copy beside it, then rename), newer than before. */
    private static void replaceTheWarWhileStopped(ServletContainer container) {
        Path target = container.base().resolve("webapps/ROOT.war");
        Path staged = container.base().resolve("ROOT.war.new");
        try {
            Files.copy(Containers.war(), staged, StandardCopyOption.REPLACE_EXISTING);
            Instant old = Files.getLastModifiedTime(target).toInstant();
            Instant now = Instant.now();
            Files.setLastModifiedTime(staged, FileTime.from(now.isAfter(old.plusSeconds(2)) ? now : old.plusSeconds(2)));
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
