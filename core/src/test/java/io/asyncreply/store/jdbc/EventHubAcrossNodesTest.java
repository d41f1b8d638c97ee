package io.asyncreply.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.engine.TaskService;
import io.asyncreply.events.EventFilter;
import io.asyncreply.events.EventHub;
import io.asyncreply.events.Next;
import io.asyncreply.events.Renderer;
import io.asyncreply.events.Start;
import io.asyncreply.events.Subscription;
import io.asyncreply.task.Submission;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hub on one node hands out the events of tasks that run on another, on H2 (two stores on one
 * database file in one JVM: the dispatcher polls) and PostgreSQL (notifications; skipped without it
 * unless CI=true).
 */
class EventHubAcrossNodesTest {
    @TempDir
    static Path dir;
    private static JdbcConnectionPool h2;
    @RegisterExtension
    static final PerClassPostgres POSTGRES = new PerClassPostgres();
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    @BeforeAll
    static void openDatabases() {
        h2 = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("tasks").toAbsolutePath(), "sa", "");
        h2.setMaxConnections(16);
    }

    @AfterAll
    static void closeDatabases() throws Exception {
        h2.dispose();
    }

    @AfterEach
    void closeAll() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    /** Reports 50 %, waits for its gate, succeeds. */
    private static final class Gate implements TaskHandler {
        final CountDownLatch open = new CountDownLatch(1);

        @Override
        public String type() {
            return "gate";
        }

        @Override
        public TaskResult handle(TaskContext context) throws Exception {
            context.progress(50);
            open.await(30, TimeUnit.SECONDS);
            return TaskResult.json("{}");
        }
    }

    private static final Renderer KINDS = new Renderer() {
        @Override
        public byte[] event(TaskEvent e) {
            return (e.kind().wireName() + " " + e.taskId() + " " + e.node()).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] missed(long count) {
            return ("!missed " + count).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] unknownLastEventId(long lastEventId) {
            return ("!unknown " + lastEventId).getBytes(StandardCharsets.UTF_8);
        }
    };

    @Test
    void onH2AStreamOnOneNodeSeesEveryEventOfATaskRunOnAnother() throws Exception {
        seesEveryEventOfATaskRunOnAnotherNode(h2);
    }

    @Test
    void onPostgresAStreamOnOneNodeSeesEveryEventOfATaskRunOnAnother() throws Exception {
        seesEveryEventOfATaskRunOnAnotherNode(POSTGRES.dataSource());
    }

    private void seesEveryEventOfATaskRunOnAnotherNode(DataSource db) throws Exception {
        String prefix = "hub_" + UUID.randomUUID().toString().substring(0, 8) + "_";
        Gate gate = new Gate();
        TaskService a = node(db, prefix, "node-a", gate);
        TaskService b = node(db, prefix, "node-b", null);
        EventHub hub = new EventHub(b, KINDS, 10, 1 << 20);
        toClose.push(hub);
        Subscription all = opened(hub.all(new EventFilter(null, "gate", null), OptionalLong.empty(), () -> { }));

        String id = ((Submission.Accepted) a.submit("gate", new byte[0], null, null).toCompletableFuture()
                .get(10, TimeUnit.SECONDS)).task().id();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.taskEvents(id, 0, 10).size() >= 3); // queued, started, progress
        Subscription one = opened(hub.task(id, null, OptionalLong.empty(), () -> { }));
        List<String> first = poll(one, 1);
        gate.open.countDown();
        List<String> rest = poll(one, 2);
        List<String> every = poll(all, 4);

        assertThat(first).containsExactly("progress " + id + " node-a");
        assertThat(rest).containsExactly("succeeded " + id + " node-a", "end COMPLETED");
        assertThat(every).containsExactly("queued " + id + " node-a", "started " + id + " node-a",
                "progress " + id + " node-a", "succeeded " + id + " node-a");
    }

    private TaskService node(DataSource db, String prefix, String nodeId, TaskHandler handler) {
        JdbcTaskStore store = JdbcTaskStore.builder(db).tablePrefix(prefix).build();
        toClose.push(store);
        TaskService.Builder builder = TaskService.builder().store(store).nodeId(nodeId).workers(1)
                .pollInterval(Duration.ofMillis(50)).shutdownGrace(Duration.ofSeconds(2));
        if (handler != null) {
            builder.handler(handler);
        }
        TaskService s = builder.build();
        toClose.push(s);
        return s;
    }

    private static Subscription opened(Start start) {
        assertThat(start).isInstanceOf(Start.Opened.class);
        return ((Start.Opened) start).subscription();
    }

    /** Polls until {@code n} frames (or the end, counted as one) arrived. */
    private static List<String> poll(Subscription s, int n) {
        List<String> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(5)).until(() -> {
            while (got.size() < n) {
                Next next = s.poll();
                if (next instanceof Next.Frame f) {
                    got.add(new String(f.bytes(), StandardCharsets.UTF_8));
                } else if (next instanceof Next.End e) {
                    got.add("end " + e.reason());
                    break;
                } else {
                    break;
                }
            }
            return got.size() >= n;
        });
        return got;
    }

}
