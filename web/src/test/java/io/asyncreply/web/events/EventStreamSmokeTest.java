package io.asyncreply.web.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.it.SseClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventStreamSmokeTest {
    @Test
    void aTaskStreamGoesFromItsStateToTheEnd() throws Exception {
        try (SseServer s = SseServer.start(Map.of("asyncreply.events.heartbeat", "200ms"))) {
            String id = s.apps.submit("sleep", "{\"ms\": 1500}", "application/json");
            try (SseClient c = SseClient.open(s.uri("tasks/" + id + "/events"))) {
                assertThat(c.status()).isEqualTo(200);
                List<SseClient.Event> events = c.eventsUntilEnd(Duration.ofSeconds(10));
                System.out.println(c.seen());
                assertThat(events).last().extracting(SseClient.Event::event).isEqualTo("succeeded");
            }
        }
    }
}
