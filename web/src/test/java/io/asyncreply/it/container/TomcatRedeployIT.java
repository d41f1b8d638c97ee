package io.asyncreply.it.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncreply.it.Api.Reply;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * Replaces {@code webapps/ROOT.war} of a running standalone Tomcat 11 (the embedded H2 store,
 * chosen with system properties, no {@code conf/Catalina/localhost/ROOT.xml} of the operator's)
 * while tasks run, wait in the queue and keep arriving, as an operator upgrades in place: the
 * application comes back, submissions meanwhile are held rather than answered 404, every task
 * that got a 202 (before or during the redeploy) ends SUCCEEDED, those interrupted at the end of
 * the grace period ran again, and the log since the redeploy has no "appears to have started a
 * thread", "memory leak" or SEVERE line.
 */
@DisabledIfSystemProperty(named = "asyncreply.containers.skip", matches = "true")
class TomcatRedeployIT {

    private static final long LONG_MS = 24_000;
    private static final Pattern APP_STARTED = Pattern.compile("asyncreply started: store h2 ");

    @Test
    void replacingTheWarOfARunningTomcatLosesNoAcceptedTaskAndLeaksNothing() throws Exception {
        Map<String, String> settings = new LinkedHashMap<>(Deployment.contractSettings()); // 2 workers
        settings.put("asyncreply.shutdown.grace", "2s");
        settings.put("asyncreply.lease", "5s");
        try (Deployment deployment = Deployment.create(ContainerKind.TOMCAT_11, Deployment.Store.H2, settings)) {
            ServletContainer container = deployment.container();
            deployment.start();
            TaskClient client = new TaskClient(container.baseUrl());

            // Tomcat notices the new WAR within its background check (every 10 s), then stops the old
            // application: these run past that and its 2 s grace period, so they are interrupted and re-queued.
            List<String> longTasks = List.of(client.submitSleep(LONG_MS), client.submitSleep(LONG_MS));
            List<String> accepted = new CopyOnWriteArrayList<>(longTasks);
            for (int i = 0; i < 6; i++) {
                accepted.add(client.submitSleep(500));
            }
            longTasks.forEach(client::awaitRunning);

            long beforeRedeploy = container.containerLog().mark();
            List<String> acceptedDuringRedeploy = new CopyOnWriteArrayList<>();
            Map<String, Integer> refusedDuringRedeploy = new ConcurrentSkipListMap<>();
            ScheduledExecutorService submitter = Executors.newSingleThreadScheduledExecutor(
                    r -> new Thread(r, "submitter-during-redeploy"));
            try {
                // an echo task every 100 ms, from before the WAR is replaced until after the new app answers
                submitter.scheduleWithFixedDelay(() -> submitDuringRedeploy(client, acceptedDuringRedeploy,
                        refusedDuringRedeploy), 0, 100, TimeUnit.MILLISECONDS);
                Instant redeployStarted = Instant.now();
                container.redeploy(Containers.war());
                int acceptedBefore = acceptedDuringRedeploy.size();
                await().atMost(Duration.ofSeconds(30)).until(() -> acceptedDuringRedeploy.size() >= acceptedBefore + 3);
                System.out.printf("[%s] redeployed in %s; meanwhile %d submissions accepted, refused: %s%n",
                        container, Duration.between(redeployStarted, Instant.now()), acceptedDuringRedeploy.size(),
                        refusedDuringRedeploy);
            } finally {
                submitter.shutdownNow();
                assertThat(submitter.awaitTermination(30, TimeUnit.SECONDS)).as("submitter stopped").isTrue();
            }

            // Held, not refused: Tomcat reloads the context in place (the WAR's context.xml has copyXML="true"),
            // so a request arriving meanwhile waits for the new version. Undeployed and deployed anew, the
            // application was missing for the whole stop and start, and every submission then got Tomcat's 404
            // (123 of 132 in one run). At most the one request in flight when the context comes back may
            // still meet Tomcat's 404 (seen once): the submitter sends one request at a time.
            assertThat(refusedDuringRedeploy.getOrDefault("404", 0)).as("404s during the redeploy: %s",
                    refusedDuringRedeploy).isLessThanOrEqualTo(1);
            assertThat(container.containerLog().firstMatch(APP_STARTED, beforeRedeploy))
                    .as("the new application started (log %s)", container.log()).isPresent();
            accepted.addAll(acceptedDuringRedeploy);
            List<JsonNode> finished = new ArrayList<>();
            for (String id : accepted) {
                finished.add(client.awaitTerminal(id, Duration.ofSeconds(60)));
            }
            assertThat(finished).as("every task accepted before or during the redeploy").hasSize(accepted.size())
                    .allSatisfy(t -> assertThat(t.path("status").asText()).as("%s", t).isEqualTo("SUCCEEDED"));
            for (String id : longTasks) {
                assertThat(client.task(id).path("attempts").asInt())
                        .as("task %s, interrupted after the grace period, ran again in the new application", id)
                        .isGreaterThanOrEqualTo(2);
            }
            assertThat(container.containerLog().problemsSince(beforeRedeploy))
                    .as("problem lines since the redeploy in %s", container.log()).isEmpty();
        }
    }

    /** One echo submission: a 202 is remembered, so is anything else (503 while stopping, a closed connection). */
    private static void submitDuringRedeploy(TaskClient client, List<String> accepted, Map<String, Integer> refused) {
        try {
            Reply r = client.api().submit("echo", "during the redeploy".getBytes(StandardCharsets.UTF_8), "text/plain");
            if (r.status() == 202) {
                accepted.add(r.json().path("id").asText());
            } else {
                refused.merge(Integer.toString(r.status()), 1, Integer::sum);
            }
        } catch (UncheckedIOException e) {
            refused.merge(e.getCause().getClass().getSimpleName(), 1, Integer::sum);
        }
    }
}
