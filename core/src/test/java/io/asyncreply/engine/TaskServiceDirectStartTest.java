package io.asyncreply.engine;

import static io.asyncreply.engine.Tasks.accepted;
import static io.asyncreply.engine.Tasks.awaitTerminal;
import static io.asyncreply.engine.Tasks.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.store.TaskStore;
import io.asyncreply.store.jdbc.JdbcTaskStore;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.task.TypePolicy;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A submission on an idle node starts in its own insert (on a store that can), and only then:
 * never past a task that waits, never for a type whose limits only a claim enforces, never while
 * its type is paused. The store is H2 through a proxy that counts claims.
 */
class TaskServiceDirectStartTest {
    private JdbcConnectionPool pool;
    private JdbcTaskStore jdbc;
    private final AtomicInteger claims = new AtomicInteger();
    private TaskStore store;
    private TaskService service;
    /** Per task started: the number of claims made before it started. */
    private final BlockingQueue<Integer> claimsAtStart = new LinkedBlockingQueue<>();

    @BeforeEach
    void open() {
        pool = JdbcConnectionPool.create("jdbc:h2:mem:direct-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
        jdbc = JdbcTaskStore.builder(pool).build();
        store = (TaskStore) Proxy.newProxyInstance(TaskStore.class.getClassLoader(), new Class<?>[] {TaskStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("claim")) {
                        claims.incrementAndGet();
                    }
                    try {
                        return method.invoke(jdbc, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @AfterEach
    void close() {
        if (service != null) {
            service.close();
        }
        jdbc.close();
        pool.dispose();
    }

    private TaskHandler recording(String type) {
        return Tasks.handler(type, context -> {
            claimsAtStart.add(claims.get());
            return TaskResult.empty();
        });
    }

    private TaskService start(TaskService.Builder b) {
        service = b.store(store).shutdownGrace(Duration.ofSeconds(2)).build();
        return service;
    }

    private Integer nextStart() throws InterruptedException {
        Integer n = claimsAtStart.poll(10, TimeUnit.SECONDS);
        assertThat(n).as("a task started").isNotNull();
        return n;
    }

    @Test
    void aSubmissionToAnIdleNodeStartsInItsOwnInsertWithoutAClaim() throws Exception {
        TaskService s = start(TaskService.builder().workers(2).handler(recording("work")));
        await().atMost(Duration.ofSeconds(10)).until(s::startsAtOnce);
        int before = claims.get();

        Task queued = accepted(s.submit("work", bytes("x"), null, null).toCompletableFuture().get(10,
                TimeUnit.SECONDS)).task();

        assertThat(queued.status()).isEqualTo(TaskStatus.QUEUED); // what the 202 says
        assertThat(nextStart()).isEqualTo(before);
        Task done = awaitTerminal(s, queued.id());
        assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.startedAt()).isEqualTo(queued.submittedAt());
        List<TaskEvent> events = s.taskEvents(queued.id(), 0, 10);
        assertThat(events).extracting(TaskEvent::kind).containsExactly(TaskEvent.Kind.QUEUED, TaskEvent.Kind.STARTED,
                TaskEvent.Kind.SUCCEEDED);
        assertThat(events).extracting(TaskEvent::node).containsOnly(s.nodeId());
    }

    @Test
    void aSubmissionWhileAnotherTaskWaitsIsQueuedBehindItAndClaimed() throws Exception {
        GateHandler gate = new GateHandler("gate");
        TaskService s = start(TaskService.builder().workers(1).handler(gate).handler(recording("work")));
        await().atMost(Duration.ofSeconds(10)).until(s::startsAtOnce);
        Task held = accepted(s.submit("gate", bytes("x"), null, null).toCompletableFuture().get(10,
                TimeUnit.SECONDS)).task();
        assertThat(gate.awaitStart()).isEqualTo(held.id());

        Task first = Tasks.submit(s, "work", "1");
        Task second = Tasks.submit(s, "work", "2");
        assertThat(s.startsAtOnce()).isFalse();
        int before = claims.get();
        gate.open();

        assertThat(nextStart()).isGreaterThan(before);
        assertThat(nextStart()).isGreaterThan(before);
        assertThat(awaitTerminal(s, first.id()).startedAt()).isBeforeOrEqualTo(awaitTerminal(s, second.id())
                .startedAt());
        assertThat(s.taskEvents(first.id(), 0, 10)).extracting(TaskEvent::kind).containsExactly(TaskEvent.Kind.QUEUED,
                TaskEvent.Kind.STARTED, TaskEvent.Kind.SUCCEEDED);
    }

    @Test
    void aTypeWithAConcurrencyLimitIsAlwaysClaimed() throws Exception {
        TaskService s = start(TaskService.builder().workers(2).handler(recording("limited"))
                .policy("limited", TypePolicy.DEFAULT.withConcurrency(1)));
        await().atMost(Duration.ofSeconds(10)).until(s::startsAtOnce);
        int before = claims.get();

        Task t = Tasks.submit(s, "limited", "x");

        assertThat(nextStart()).isGreaterThan(before);
        assertThat(awaitTerminal(s, t.id()).status()).isEqualTo(TaskStatus.SUCCEEDED);
    }

    @Test
    void aSubmissionOfAPausedTypeQueuesAndStartsWhenTheTypeResumes() throws Exception {
        TaskService s = start(TaskService.builder().workers(2).handler(recording("work")));
        s.pause("work");
        await().atMost(Duration.ofSeconds(10)).until(s::startsAtOnce);

        Task t = Tasks.submit(s, "work", "x");

        assertThat(claimsAtStart.poll(200, TimeUnit.MILLISECONDS)).as("started while paused").isNull();
        assertThat(Tasks.find(s, t.id()).status()).isEqualTo(TaskStatus.QUEUED);
        int before = claims.get();
        s.resume("work");
        assertThat(nextStart()).isGreaterThan(before);
        assertThat(awaitTerminal(s, t.id()).status()).isEqualTo(TaskStatus.SUCCEEDED);
    }
}
