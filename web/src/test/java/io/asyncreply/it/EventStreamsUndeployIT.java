package io.asyncreply.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * Undeploying the WAR from a running Jetty 12 (embedded, in this JVM) while event streams are open:
 * each is told that the server stops and ended, and no thread of the application is left.
 */
@DisabledIfSystemProperty(named = "contract.baseUrl", matches = ".+",
        disabledReason = "contract.baseUrl is set: only the external server is tested")
class EventStreamsUndeployIT {

    @Test
    void undeployingTellsEveryOpenStreamEndsItAndLeavesNoThread() throws Exception {
        try (EmbeddedWar war = new EmbeddedWar()) {
            URI base = war.start(EmbeddedWar.testSettings());
            Api api = new Api(base);
            Api.Reply submitted = api.submit("sleep", "{\"ms\": 3000}".getBytes(StandardCharsets.UTF_8),
                    "application/json");
            assertThat(submitted.status()).isEqualTo(202);
            String id = submitted.json().path("id").asText();
            SseClient task = SseClient.open(base.resolve("tasks/" + id + "/events"));
            SseClient all = SseClient.open(base.resolve("events"));
            assertThat(task.nextEvent(Duration.ofSeconds(30))).as("the task stream's first event").isNotNull();
            assertThat(all.status()).isEqualTo(200);

            war.undeploy();

            for (SseClient stream : List.of(task, all)) {
                List<SseClient.Item> said = stream.until(i -> i instanceof SseClient.Eof, Duration.ofSeconds(30));
                assertThat(said).as("what the stream said at the undeploy").last().isEqualTo(new SseClient.Eof(null));
                assertThat(said.get(said.size() - 2)).as("%s", said).isEqualTo(
                        new SseClient.Comment("the server is stopping; reconnect with Last-Event-ID to resume"));
            }
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).as("threads after the undeploy")
                    .noneMatch(name -> name.startsWith("asyncreply-"));
        }
    }
}
