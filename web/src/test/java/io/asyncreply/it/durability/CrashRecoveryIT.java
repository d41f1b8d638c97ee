package io.asyncreply.it.durability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncreply.it.Api;
import io.asyncreply.it.jvm.ServerProcess;
import io.asyncreply.it.jvm.WarMain;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server JVM killed with SIGKILL while tasks are queued and running loses nothing that it
 * accepted: after a restart on the same store every task that got a 202 is found and ends
 * SUCCEEDED, and the attempts interrupted by the kill are counted and run again.
 *
 * <p>Each test runs a separate JVM ({@link ServerProcess}) with 2 workers and a 3 s lease (so the
 * dead JVM's leases expire quickly), submits two 10 s sleeps, then 200 tasks (a quarter
 * {@code sleep} 50 to 500 ms, the rest {@code echo}), and keeps submitting from a second client
 * while it kills the JVM at a moment when many tasks are queued and a {@code sleep} still has at
 * least 2 s to run.
 */
class CrashRecoveryIT {
    private static final int FIRST_WAVE = 200;
    /**
     * A task counts as "surely interrupted" when it had at least this long left when the test saw it
     * running; the kill follows within a few HTTP calls, but a loaded machine can stall for a while.
     */
    private static final Duration INTERRUPTED_MARGIN = Duration.ofSeconds(2);
    /**
     * Two sleeps this long are submitted first and occupy both workers while the first wave is
     * submitted, so a task with the margin left is running right away.
     */
    private static final long LONG_SLEEP_MS = 10_000;

    @Test
    @Timeout(180)
    void everyTaskAcceptedByAKilledJvmEndsSucceededAfterARestartOnAnH2File() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "durability", "h2-" + System.nanoTime()))
                .toAbsolutePath();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("asyncreply.store", "h2");
        settings.put("asyncreply.h2.dir", dir.toString());
        killAndRecover("crash-h2", settings);
    }

    @Test
    @Timeout(180)
    void everyTaskAcceptedByAKilledJvmEndsSucceededAfterARestartOnPostgresql() throws Exception {
        try (PostgresSchema pg = PostgresSchema.create()) {
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("asyncreply.store", "jdbc");
            settings.put("asyncreply.jdbc.url", pg.jdbcUrl());
            settings.put("asyncreply.jdbc.user", pg.user());
            settings.put("asyncreply.jdbc.pool-size", "6");
            killAndRecover("crash-pg", settings);
        }
    }

    private void killAndRecover(String name, Map<String, String> storeSettings) throws Exception {
        Workload work = new Workload(42);
        try (ServerProcess node = ServerProcess.builder(name).nodeId(name + "-node")
                .setting("asyncreply.workers", "2")
                .setting("asyncreply.lease", "3s")
                .setting("asyncreply.shutdown.grace", "2s")
                .settings(storeSettings)
                .build()) {
            node.start();
            Api api = new Api(node.baseUrl());

            for (int i = 0; i < 2; i++) {
                Api.Reply r = work.submit(api, work.sleep(LONG_SLEEP_MS));
                assertThat(r.status()).as("%s", r).isEqualTo(202);
            }
            List<Api.Reply> refused = work.submitAll(api, FIRST_WAVE, 8, Duration.ofSeconds(60));
            assertThat(refused).as("answers other than 202 before the kill").isEmpty();

            // A second client keeps submitting through the kill: whatever got a 202 must survive too.
            AtomicBoolean submitting = new AtomicBoolean(true);
            AtomicInteger lateAccepted = new AtomicInteger();
            Thread late = new Thread(() -> {
                for (int i = 0; i < 200 && submitting.get(); i++) {
                    try {
                        if (work.submit(api, work.next()).status() == 202) {
                            lateAccepted.incrementAndGet();
                        }
                    } catch (UncheckedIOException e) {
                        return; // the server is gone
                    }
                }
            }, "late-submitter");
            late.start();

            // Kill while many are queued and a sleep that still has a while to run is RUNNING.
            Map<String, Workload.Spec> sent = work.accepted();
            KillMoment moment = await("a moment with many tasks queued and a long sleep running")
                    .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> killMoment(api, work), m -> m != null);
            node.kill();
            Instant killedAt = Instant.now();
            submitting.set(false);
            late.join(30_000);
            assertThat(late.isAlive()).as("late submitter ended").isFalse();

            Map<String, Workload.Spec> accepted = work.accepted();
            assertThat(accepted).hasSizeGreaterThanOrEqualTo(sent.size());
            System.out.printf("%s: %d tasks accepted (%d during the kill), %d queued and %s running at the kill%n",
                    name, accepted.size(), lateAccepted.get(), moment.queued, moment.running.keySet());

            node.start(); // a new JVM on the same store and port
            Map<String, Workload.Outcome> outcomes = work.awaitTerminal(api, accepted.keySet(),
                    Duration.ofSeconds(90));

            assertThat(Workload.problems(outcomes))
                    .as("every accepted task is found and ends SUCCEEDED with its result (none lost, none stuck)")
                    .isEmpty();
            List<String> notRecounted = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : moment.running.entrySet()) {
                Workload.Outcome o = outcomes.get(e.getKey());
                if (o == null) {
                    continue; // submitted by the late client, whose 202 the kill swallowed
                }
                Instant finished = Instant.parse(o.json().path("finishedAt").asText());
                boolean endedBeforeKill = o.attempts() == 1 && finished.isBefore(killedAt);
                if (o.attempts() < 2 && !endedBeforeKill) {
                    notRecounted.add(o.id() + " " + o.json());
                }
            }
            assertThat(notRecounted).as("tasks RUNNING at the kill ran again as attempt 2 or more").isEmpty();
            Workload.Outcome interrupted = outcomes.get(moment.longSleep);
            assertThat(interrupted.attempts())
                    .as("attempts of %s, a sleep with more than %s to go at the kill: %s", moment.longSleep,
                            INTERRUPTED_MARGIN, interrupted.json())
                    .isGreaterThanOrEqualTo(2);

            // A graceful stop (SIGTERM) undeploys the application through Jetty's shutdown hook.
            assertThat(node.stop()).as("exit code after SIGTERM").isEqualTo(143);
            assertThat(node.logTail(20)).contains(WarMain.APP_STOPPED);
        }
    }

    /** What was running when the JVM was killed, and how many tasks were queued. */
    private record KillMoment(long queued, Map<String, JsonNode> running, String longSleep) {
    }

    /**
     * A snapshot taken just before the kill, or null when now is not a good moment: at least 40
     * tasks queued and a RUNNING sleep with more than {@link #INTERRUPTED_MARGIN} still to go.
     */
    private static KillMoment killMoment(Api api, Workload work) {
        Api.Reply health = api.get("health");
        long queued = health.json().path("queueDepth").asLong();
        if (queued < 40) {
            return null;
        }
        Api.Reply list = api.get("tasks?status=RUNNING&limit=50");
        Map<String, JsonNode> running = new LinkedHashMap<>();
        String longSleep = null;
        Map<String, Workload.Spec> accepted = work.accepted();
        for (JsonNode t : list.json().path("items")) {
            String id = t.path("id").asText();
            running.put(id, t);
            Workload.Spec spec = accepted.get(id);
            if (spec != null && spec.isSleep() && t.hasNonNull("startedAt")) {
                Instant end = Instant.parse(t.path("startedAt").asText()).plusMillis(spec.sleepMs());
                if (end.isAfter(Instant.now().plus(INTERRUPTED_MARGIN))) {
                    longSleep = id;
                }
            }
        }
        return longSleep == null ? null : new KillMoment(queued, running, longSleep);
    }
}
