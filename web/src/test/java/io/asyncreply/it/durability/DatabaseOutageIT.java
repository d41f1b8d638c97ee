package io.asyncreply.it.durability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.it.Api;
import io.asyncreply.it.EmbeddedWar;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * While PostgreSQL cannot be reached the service says so at once (503 DOWN on /health, 503 with
 * Retry-After on submissions, no request hangs) and it recovers by itself when the database
 * returns, without losing any task it accepted.
 *
 * <p>The WAR runs in embedded Jetty ({@link EmbeddedWar}) with {@code asyncreply.store=jdbc}
 * (HikariCP with its configured timeouts) pointed at a {@link TcpProxy} in front of PostgreSQL.
 * Two failures: a cut (every connection closed, new ones blackholed: the database went down) and
 * a partition (live connections silently drop everything, new ones blackholed: the network or the
 * host went away; only socket timeouts get a client out). A long sleep is running and a client keeps
 * submitting when the failure strikes, so work and a group-commit batch are in flight.
 *
 * <p>Running in this JVM also checks that the WAR finds its JDBC driver when DriverManager was
 * initialised before the deployment (here by {@link PostgresSchema}), as in stock Tomcat.
 */
class DatabaseOutageIT {
    /** Longest acceptable answer while the database is gone: the pool's 2 s timeouts plus slack for a busy machine. */
    private static final Duration NO_HANG = Duration.ofSeconds(8);

    @Test
    @Timeout(150)
    void answers503WhileTheDatabaseIsUnreachableAndRecoversWithoutLosingAcceptedTasks() throws Exception {
        outage(TcpProxy::cut, "", NO_HANG);
    }

    /** With the URL's socket timeout of 3 s (the WAR's default for PostgreSQL is 30 s). */
    @Test
    @Timeout(150)
    void answers503DuringANetworkPartitionAndRecoversWithoutLosingAcceptedTasks() throws Exception {
        outage(TcpProxy::partition, "&socketTimeout=3", NO_HANG.plusSeconds(3));
    }

    private void outage(Consumer<TcpProxy> failure, String urlParams, Duration noHang)
            throws Exception {
        try (PostgresSchema pg = PostgresSchema.create();
                TcpProxy proxy = new TcpProxy(PostgresSchema.HOST, PostgresSchema.PORT);
                EmbeddedWar war = new EmbeddedWar()) {
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("asyncreply.store", "jdbc");
            settings.put("asyncreply.jdbc.url", pg.jdbcUrl("127.0.0.1", proxy.port()) + urlParams);
            settings.put("asyncreply.jdbc.user", pg.user());
            settings.put("asyncreply.jdbc.pool-size", "6");
            settings.put("asyncreply.workers", "2");
            settings.put("asyncreply.lease", "3s");
            settings.put("asyncreply.shutdown.grace", "2s");
            Api api = new Api(war.start(settings));
            Workload work = new Workload(7);

            // Before: accepted, and a long sleep running when the database goes away.
            assertThat(work.submitAll(api, 30, 4, Duration.ofSeconds(60))).as("answers other than 202").isEmpty();
            Api.Reply longSleep = work.submit(api, work.sleep(4_000));
            assertThat(longSleep.status()).as(longSleep.toString()).isEqualTo(202);
            String longId = longSleep.json().path("id").asText();
            await("the long sleep running").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> api.get("tasks/" + longId).json().path("status").asText(), "RUNNING"::equals);

            // A client keeps submitting through the failure, so that a batch is in flight when it strikes.
            AtomicBoolean submitting = new AtomicBoolean(true);
            List<Api.Reply> through = Collections.synchronizedList(new ArrayList<>());
            List<Throwable> throughErrors = Collections.synchronizedList(new ArrayList<>());
            Thread client = new Thread(() -> {
                for (int i = 0; i < 2_000 && submitting.get(); i++) {
                    try {
                        through.add(work.submit(api, work.next()));
                    } catch (RuntimeException e) {
                        throughErrors.add(e);
                    }
                }
            }, "submitting-through-the-failure");
            client.start();
            await("submissions flowing").atMost(Duration.ofSeconds(10)).until(() -> through.size() >= 5);
            int acceptedBefore = work.accepted().size();

            failure.accept(proxy);

            // During: /health 503 DOWN and submissions 503 with Retry-After, each answered promptly.
            Api.Reply down = await("GET /health answers 503 DOWN").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> promptly(api.get("health"), noHang), r -> r.status() == 503);
            assertThat(down.json().path("status").asText()).as(down.toString()).isEqualTo("DOWN");
            List<Api.Reply> refusals = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Api.Reply r = promptly(api.submit("echo", ("{\"during\":" + i + "}").getBytes(StandardCharsets.UTF_8),
                        "application/json"), noHang);
                refusals.add(r);
                assertThat(r.status()).as(r.toString()).isEqualTo(503);
                assertThat(r.header("Retry-After")).as(r.toString()).hasValueSatisfying(
                        v -> assertThat(Integer.parseInt(v)).isPositive());
                assertThat(r.mediaType()).as(r.toString()).isEqualTo("application/problem+json");
                assertThat(r.json().path("type").asText()).as(r.toString()).endsWith("store-unavailable");
                assertThat(r.json().path("status").asInt()).as(r.toString()).isEqualTo(503);
            }
            Api.Reply stillDown = promptly(api.get("health"), noHang);
            assertThat(stillDown.status()).as(stillDown.toString()).isEqualTo(503);
            submitting.set(false);
            client.join(40_000);
            assertThat(client.isAlive()).as("the client submitting through the failure ended").isFalse();
            assertThat(throughErrors).as("submissions through the failure that got no answer").isEmpty();
            assertThat(through).as("submissions through the failure answered promptly, 202 or 503")
                    .allSatisfy(r -> {
                        assertThat(r.elapsed()).as(r.request()).isLessThan(noHang);
                        assertThat(r.status()).as(r.toString()).isIn(202, 503);
                    });

            proxy.restore();

            // After: UP again by itself, accepting, and every task accepted before or during the failure finishes.
            await("GET /health answers 200 UP after the database returns").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> api.get("health"), r -> r.status() == 200 && "UP".equals(r.json().path("status")
                            .asText()));
            assertThat(work.submitAll(api, 12, 4, Duration.ofSeconds(30))).as("answers other than 202 after")
                    .isEmpty();
            Map<String, Workload.Spec> accepted = work.accepted();
            assertThat(accepted).hasSizeGreaterThanOrEqualTo(acceptedBefore + 12);
            Map<String, Workload.Outcome> outcomes = work.awaitTerminal(api, accepted.keySet(), Duration.ofSeconds(60));
            assertThat(Workload.problems(outcomes))
                    .as("every accepted task is found and ends SUCCEEDED with its result").isEmpty();
            long rerun = outcomes.values().stream().filter(o -> o.attempts() > 1).count();
            long slowest = through.stream().mapToLong(r -> r.elapsed().toMillis()).max().orElse(0);
            System.out.printf("outage: %d accepted, %d ran more than once, refusals took %s, slowest answer to the "
                    + "client submitting through the failure %d ms%n", accepted.size(), rerun,
                    refusals.stream().map(r -> r.elapsed().toMillis() + "ms").toList(), slowest);
        }
    }

    /** The reply, after checking that it came within {@code noHang}. */
    private static Api.Reply promptly(Api.Reply r, Duration noHang) {
        assertThat(r.elapsed()).as("time to answer %s", r.request()).isLessThan(noHang);
        return r;
    }
}
