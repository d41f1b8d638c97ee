package io.asyncreply.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.store.NewTask;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Outcome;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.webhooks.AttemptOutcome;
import io.asyncreply.webhooks.Delivery;
import io.asyncreply.webhooks.DeliveryState;
import io.asyncreply.webhooks.WebhookStore;
import io.asyncreply.webhooks.WebhookSubscription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.TestAbortedException;

/**
 * The webhook outbox of every store (memory, H2, PostgreSQL; PostgreSQL skipped without it unless
 * CI=true): a terminal change writes a delivery for the task's callback and one for each active
 * subscription of its owner that wants it, in the change's own transaction; deliveries are claimed
 * with a lease by one node at a time, and an expired lease is taken over by another node with the
 * same delivery id.
 */
class OutboxTest {
    @TempDir
    static Path dir;
    private static JdbcConnectionPool h2;
    private static TestPostgres postgres;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private FaultyDataSource faulty;

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @BeforeAll
    static void open() {
        h2 = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("outbox").toAbsolutePath(), "sa", "");
        h2.setMaxConnections(16);
        try {
            postgres = TestPostgres.freshSchema();
        } catch (TestAbortedException e) {
            System.err.println("OutboxTest: " + e.getMessage());
        }
    }

    @AfterAll
    static void close() throws SQLException {
        h2.dispose();
        if (postgres != null) {
            postgres.close();
        }
    }

    @AfterEach
    void closeStores() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private TaskStore store(String kind) {
        if (kind.equals("memory")) {
            return new MemoryTaskStore();
        }
        if (kind.equals("postgresql") && postgres == null) {
            throw new TestAbortedException("PostgreSQL not reachable");
        }
        faulty = new FaultyDataSource(kind.equals("h2") ? h2 : postgres.dataSource());
        String prefix = "o" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_";
        JdbcTaskStore s = JdbcTaskStore.builder(faulty).tablePrefix(prefix).build();
        toClose.add(s);
        return s;
    }

    private static Task insert(TaskStore s, String type, String owner, String callback) {
        Task t = Task.queued(UUID.randomUUID().toString(), type, T0).toBuilder().owner(owner)
                .traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").build();
        s.insert(new NewTask(t, "{}".getBytes(StandardCharsets.UTF_8), "application/json", null, null, "n1", callback),
                1000).toCompletableFuture().join();
        return t;
    }

    private static List<Delivery> due(WebhookStore w) {
        return w.claim("reader", T0.plus(Duration.ofDays(1)), T0.plus(Duration.ofDays(2)), 1000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "h2", "postgresql"})
    void aCancelledTaskWithACallbackHasOneDeliveryOfItsTerminalEvent(String kind) {
        TaskStore s = store(kind);
        Task t = insert(s, "sleep", null, "https://example.com/hook");
        s.cancel(t.id(), T0.plusSeconds(1), "n1");
        List<Delivery> due = due(s.webhooks());
        assertThat(due).hasSize(1);
        Delivery d = due.get(0);
        assertThat(d.subscriptionId()).isNull();
        assertThat(d.url()).isEqualTo("https://example.com/hook");
        assertThat(d.taskId()).isEqualTo(t.id());
        assertThat(d.event()).isEqualTo("cancelled");
        assertThat(d.traceparent()).isEqualTo(t.traceparent());
        assertThat(d.createdAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(d.eventId()).isEqualTo(s.taskEvents(t.id(), 0, 10).get(1).id());
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "h2", "postgresql"})
    void aSucceededTaskIsDeliveredToEachActiveSubscriptionOfItsOwnerThatWantsIt(String kind) {
        TaskStore s = store(kind);
        WebhookStore w = s.webhooks();
        w.create(sub("alice", Set.of("sleep"), Set.of("succeeded")), "whsec_a");
        w.create(sub("alice", Set.of(), Set.of("succeeded", "failed")), "whsec_b");
        w.create(sub("alice", Set.of("other"), Set.of("succeeded")), "whsec_c");
        w.create(sub("alice", Set.of(), Set.of("failed")), "whsec_d");
        w.create(sub("bob", Set.of(), Set.of("succeeded")), "whsec_e");
        WebhookSubscription gone = sub("alice", Set.of(), Set.of("succeeded"));
        w.create(gone, "whsec_f");
        assertThat(w.disable(gone.id(), T0)).isTrue();
        Task t = insert(s, "sleep", "alice", null);
        insert(s, "sleep", "bob", null); // queued only: no delivery
        ClaimedTask c = s.claim("n1", T0.plusSeconds(1), T0.plusSeconds(60)).orElseThrow();
        assertThat(c.task().id()).isEqualTo(t.id());
        assertThat(s.finish(t.id(), 1, Outcome.succeeded(TaskResult.json("{}")),
                T0.plusSeconds(2))).isPresent();
        List<Delivery> due = due(w);
        assertThat(due).extracting(Delivery::url).containsExactlyInAnyOrder("https://a.example/sleep-succeeded",
                "https://a.example/any-succeeded-failed");
        assertThat(due).allSatisfy(d -> {
            assertThat(d.event()).isEqualTo("succeeded");
            assertThat(d.owner()).isEqualTo("alice");
            assertThat(d.subscriptionId()).isNotNull();
        });
        assertThat(due).extracting(Delivery::id).doesNotHaveDuplicates();
    }

    private static WebhookSubscription sub(String owner, Set<String> types, Set<String> events) {
        String name = (types.isEmpty() ? "any" : String.join("-", types)) + "-" + String.join("-",
                events.stream().sorted((a, b) -> b.compareTo(a)).toList());
        return new WebhookSubscription(UUID.randomUUID().toString(), owner, "https://" + owner.charAt(0)
                + ".example/" + name, types, events, T0, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aChangeThatIsRolledBackWritesNoDelivery(String kind) {
        TaskStore s = store(kind);
        Task t = insert(s, "sleep", null, "https://example.com/hook");
        faulty.onCommit = new SQLException("the disk is gone", "08006");
        assertThatThrownBy(() -> s.cancel(t.id(), T0.plusSeconds(1), "n1")).isInstanceOf(RuntimeException.class);
        faulty.onCommit = null;
        assertThat(s.find(t.id()).orElseThrow().status()).isEqualTo(TaskStatus.QUEUED);
        assertThat(due(s.webhooks())).isEmpty();
        s.cancel(t.id(), T0.plusSeconds(2), "n1");
        assertThat(due(s.webhooks())).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "h2", "postgresql"})
    void aDeliveryIsClaimedByOneNodeUntilItsLeaseExpiresThenByAnotherWithTheSameId(String kind) {
        TaskStore s = store(kind);
        WebhookStore w = s.webhooks();
        Task t = insert(s, "sleep", null, "https://example.com/hook");
        s.cancel(t.id(), T0.plusSeconds(1), "n1");
        Instant now = T0.plusSeconds(5);
        List<Delivery> first = w.claim("a", now, now.plusSeconds(30), 10);
        assertThat(first).hasSize(1);
        assertThat(first.get(0).state()).isEqualTo(DeliveryState.DELIVERING);
        assertThat(w.claim("b", now.plusSeconds(29), now.plusSeconds(60), 10)).isEmpty();
        List<Delivery> second = w.claim("b", now.plusSeconds(31), now.plusSeconds(60), 10);
        assertThat(second).extracting(Delivery::id).containsExactly(first.get(0).id());
        assertThat(second.get(0).leaseOwner()).isEqualTo("b");
        AttemptOutcome ok = new AttemptOutcome(DeliveryState.DELIVERED, 204, null, now.plusSeconds(32), null);
        assertThat(w.record(first.get(0).id(), "a", ok)).as("the node that lost its lease records nothing").isFalse();
        assertThat(w.record(first.get(0).id(), "b", ok)).isTrue();
        assertThat(w.claim("c", now.plus(1, ChronoUnit.DAYS), now.plus(2, ChronoUnit.DAYS), 10)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "h2", "postgresql"})
    void aFailedDeliveryCanBeRetriedByHandAndIsDueAgain(String kind) {
        TaskStore s = store(kind);
        WebhookStore w = s.webhooks();
        WebhookSubscription sub = sub("alice", Set.of(), Set.of("cancelled"));
        w.create(sub, "whsec_x");
        Task t = insert(s, "sleep", "alice", null);
        s.cancel(t.id(), T0.plusSeconds(1), "n1");
        Delivery d = w.claim("a", T0.plusSeconds(2), T0.plusSeconds(30), 10).get(0);
        assertThat(w.record(d.id(), "a", new AttemptOutcome(DeliveryState.FAILED, 400, "http-400", T0.plusSeconds(3),
                null))).isTrue();
        assertThat(w.deliveries(sub.id(), 10)).singleElement().satisfies(x -> {
            assertThat(x.state()).isEqualTo(DeliveryState.FAILED);
            assertThat(x.attempts()).isEqualTo(1);
            assertThat(x.lastStatus()).isEqualTo(400);
        });
        assertThat(w.retry(sub.id(), d.id(), T0.plusSeconds(4))).isTrue();
        assertThat(w.claim("a", T0.plusSeconds(5), T0.plusSeconds(30), 10)).extracting(Delivery::id)
                .containsExactly(d.id());
        assertThat(w.secret(sub.id())).contains("whsec_x");
        assertThat(w.delete(sub.id(), "bob")).isFalse();
        assertThat(w.delete(sub.id(), "alice")).isTrue();
        assertThat(w.secret(sub.id())).isEmpty();
        assertThat(w.deliveries(sub.id(), 10)).isEmpty();
    }
}
