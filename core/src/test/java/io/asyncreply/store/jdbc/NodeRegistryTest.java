package io.asyncreply.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.asyncreply.engine.TaskService;
import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.store.NodeInfo;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Health;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The node registry ({@code <prefix>nodes}): written by each service's heartbeat, shown by
 * {@link TaskService#health()}, silent nodes marked stale and later forgotten. On the memory store,
 * H2 and PostgreSQL (skipped without PostgreSQL unless CI=true; see {@link TestPostgres}).
 */
class NodeRegistryTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    enum Kind { MEMORY, H2, POSTGRESQL }

    private static TestPostgres postgres;
    private static JdbcConnectionPool h2;
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    @AfterEach
    void closeAll() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    @AfterAll
    static void closeDatabases() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
        if (h2 != null) {
            h2.dispose();
        }
    }

    private TaskStore store(Kind kind, String prefix) {
        TaskStore s;
        switch (kind) {
            case MEMORY:
                s = new MemoryTaskStore();
                break;
            case H2:
                if (h2 == null) {
                    h2 = JdbcConnectionPool.create("jdbc:h2:mem:nodes" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                            "sa", "");
                }
                s = JdbcTaskStore.builder(h2).tablePrefix(prefix).build();
                break;
            default:
                if (postgres == null) {
                    postgres = TestPostgres.freshSchema(); // aborts (skips) without PostgreSQL unless CI=true
                }
                s = JdbcTaskStore.builder(postgres.dataSource()).tablePrefix(prefix).build();
        }
        toClose.push(s);
        return s;
    }

    private static String prefix() {
        return "n" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_";
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aHeartbeatInsertsTheNodesRowThenReplacesIt(Kind kind) {
        TaskStore s = store(kind, prefix());

        s.heartbeat("node-b", T0, 3, T0.plusSeconds(1));
        s.heartbeat("node-a", T0, 1, T0.plusSeconds(2));
        s.heartbeat("node-b", T0.plusSeconds(5), 0, T0.plusSeconds(6));

        assertThat(s.nodes()).containsExactly(
                new NodeInfo("node-a", T0, T0.plusSeconds(2), 1),
                new NodeInfo("node-b", T0.plusSeconds(5), T0.plusSeconds(6), 0));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void forgettingRemovesOnlyNodesSilentSinceTheCutoff(Kind kind) {
        TaskStore s = store(kind, prefix());
        s.heartbeat("old", T0, 0, T0);
        s.heartbeat("recent", T0, 0, T0.plusSeconds(60));

        assertThat(s.forgetNodes(T0.plusSeconds(30))).isEqualTo(1);

        assertThat(s.nodes()).extracting(NodeInfo::id).containsExactly("recent");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void healthListsEveryNodeOnTheStoreAndMarksASilentOneStale(Kind kind) {
        String prefix = prefix();
        TaskStore shared = store(kind, prefix);
        TaskService a = service(shared, "node-a");
        TaskService b = service(kind == Kind.MEMORY ? shared : store(kind, prefix), "node-b");
        shared.heartbeat("gone", T0, 2, Instant.now().minusSeconds(5)); // silent for more than a lease (3 s)

        await().atMost(Duration.ofSeconds(10)).until(() -> a.health().nodes().size() == 3);
        Health h = a.health();

        assertThat(h.nodeId()).isEqualTo("node-a");
        assertThat(h.nodes()).extracting(Health.Node::id, Health.Node::running, Health.Node::stale)
                .containsExactly(
                        tuple("gone", 2, true),
                        tuple("node-a", 0, false),
                        tuple("node-b", 0, false));
        assertThat(b.health().nodes()).hasSize(3);
        assertThat(h.nodes().get(1).startedAt()).isBeforeOrEqualTo(h.nodes().get(1).lastHeartbeat());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aNodeSilentForSeveralLeasesIsForgottenByTheOthers(Kind kind) {
        TaskStore s = store(kind, prefix());
        s.heartbeat("long-gone", T0, 0, Instant.now().minusSeconds(60)); // 20 leases of 3 s
        TaskService a = service(s, "node-a");

        await().atMost(Duration.ofSeconds(10)).until(() -> a.health().nodes().stream()
                .map(Health.Node::id).toList().equals(List.of("node-a")));
    }

    /**
     * A node that stops leaves the registry at once: after a redeploy {@code /health} no longer lists
     * the previous run as a second, stale node for five leases.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void aServiceThatStopsLeavesTheRegistryAtOnce(Kind kind) {
        String prefix = prefix();
        TaskStore shared = store(kind, prefix);
        TaskService before = service(shared, "before-redeploy");
        TaskService after = service(kind == Kind.MEMORY ? shared : store(kind, prefix), "after-redeploy");
        await().atMost(Duration.ofSeconds(10)).until(() -> after.health().nodes().size() == 2);

        before.close();

        assertThat(after.health().nodes()).extracting(Health.Node::id).containsExactly("after-redeploy");
    }

    private TaskService service(TaskStore store, String nodeId) {
        TaskService s = TaskService.builder().store(store).nodeId(nodeId).leaseDuration(Duration.ofSeconds(3))
                .shutdownGrace(Duration.ZERO).build();
        toClose.push(s);
        return s;
    }
}
