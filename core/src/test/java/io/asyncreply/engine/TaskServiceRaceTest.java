package io.asyncreply.engine;

import static io.asyncreply.engine.Tasks.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Submit, cancel and finish racing on many threads; then the invariants must hold. */
class TaskServiceRaceTest {
    private static final int SUBMITTERS = 8;
    private static final int PER_SUBMITTER = 2000;

    @Test
    void under_concurrent_submits_cancels_and_finishes_no_task_is_lost_or_finished_twice() throws Exception {
        Map<String, List<TaskStatus>> events = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> terminalEvents = new ConcurrentHashMap<>();
        Map<String, CancelResult.Outcome> cancels = new ConcurrentHashMap<>();
        List<String> accepted = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Optional<Task>>> waits = new CopyOnWriteArrayList<>();
        AtomicInteger rejected = new AtomicInteger();

        // trivial work, with a little variety so that cancels land in every state
        TaskHandler quick = Tasks.handler("quick", ctx -> {
            if (ctx.payload().length % 7 == 0) {
                Thread.yield();
            }
            if (ctx.payload().length % 11 == 0) {
                throw new IllegalStateException("unlucky " + ctx.payload().length);
            }
            return TaskResult.of(ctx.payload(), "text/plain");
        });
        ExecutorService submitters = Executors.newFixedThreadPool(SUBMITTERS);
        try (TaskService s = Tasks.builder().workers(4).queueCapacity(100_000).handler(quick).build()) {
            s.subscribe(t -> {
                events.computeIfAbsent(t.id(), k -> new CopyOnWriteArrayList<>()).add(t.status());
                if (t.isTerminal()) {
                    terminalEvents.computeIfAbsent(t.id(), k -> new AtomicInteger()).incrementAndGet();
                }
            });

            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> running = new ArrayList<>();
            for (int n = 0; n < SUBMITTERS; n++) {
                running.add(submitters.submit(() -> {
                    go.await();
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    List<String> mine = new ArrayList<>();
                    for (int i = 0; i < PER_SUBMITTER; i++) {
                        Submission sub = s.submit("quick", bytes("x".repeat(1 + rnd.nextInt(30))), null, null)
                                .toCompletableFuture().get(10, TimeUnit.SECONDS);
                        if (sub instanceof Submission.Accepted a) {
                            String id = a.task().id();
                            accepted.add(id);
                            mine.add(id);
                            if (i % 10 == 0) {
                                waits.add(s.awaitTerminal(id, Duration.ofSeconds(60)).toCompletableFuture());
                            }
                        } else {
                            rejected.incrementAndGet();
                        }
                        if (rnd.nextInt(3) == 0 && !mine.isEmpty()) {
                            // the one just submitted (likely queued) or an earlier one (likely running or done)
                            String victim = rnd.nextBoolean() ? mine.get(mine.size() - 1)
                                    : mine.get(rnd.nextInt(mine.size()));
                            CancelResult r = s.cancel(victim);
                            cancels.merge(victim, r.outcome(), TaskServiceRaceTest::strongest);
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : running) {
                f.get(120, TimeUnit.SECONDS);
            }

            assertThat(rejected).as("the queue was big enough for all").hasValue(0);
            assertThat(accepted).hasSize(SUBMITTERS * PER_SUBMITTER);
            assertThat(new HashSet<>(accepted)).as("distinct ids").hasSize(accepted.size());

            // every accepted task ends terminal, and every listener heard it end
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> terminalEvents.size() == accepted.size());
            for (CompletableFuture<Optional<Task>> w : waits) {
                assertThat(w.get(10, TimeUnit.SECONDS)).hasValueSatisfying(t -> assertThat(t.isTerminal()).isTrue());
            }
            // one more task through the single notifier thread: events of earlier finishes are all out
            String last = Tasks.submit(s, "quick", "last").id();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> terminalEvents.containsKey(last));

            // none lost: the store holds exactly the accepted tasks, all terminal
            List<Task> stored = Tasks.all(s);
            assertThat(stored).hasSize(accepted.size() + 1);
            Map<String, Task> byId = new ConcurrentHashMap<>();
            stored.forEach(t -> byId.put(t.id(), t));
            Set<String> missing = new HashSet<>(accepted);
            missing.removeAll(byId.keySet()); // (AssertJ's containsAll is quadratic: seconds here)
            assertThat(missing).as("accepted tasks missing from the store").isEmpty();
            assertThat(s.store().queued()).isZero();
            assertThat(s.health().running()).isZero();

            int cancelled = 0;
            for (String id : accepted) {
                Task t = byId.get(id);
                assertThat(t.isTerminal()).as("terminal: %s", t).isTrue();
                assertThat(terminalEvents.get(id)).as("terminal events of %s", id).hasValue(1);
                List<TaskStatus> seen = events.get(id);
                assertThat(seen.get(seen.size() - 1)).as("events of %s: %s", id, seen).isEqualTo(t.status());
                assertThat(seen.get(0)).as("events of %s: %s", id, seen).isEqualTo(TaskStatus.QUEUED);
                switch (t.status()) {
                    case SUCCEEDED -> {
                        assertThat(t.result()).isNotNull();
                        assertThat(t.error()).isNull();
                    }
                    case FAILED -> {
                        assertThat(t.result()).isNull();
                        assertThat(t.error().message()).startsWith("unlucky");
                    }
                    case CANCELLED -> {
                        cancelled++;
                        assertThat(t.result()).as("a cancelled task reports no result").isNull();
                        assertThat(cancels).as("only cancelled tasks end cancelled").containsKey(id);
                    }
                    default -> throw new AssertionError(t);
                }
                CancelResult.Outcome c = cancels.get(id);
                if (c == CancelResult.Outcome.CANCELLED || c == CancelResult.Outcome.CANCEL_REQUESTED) {
                    assertThat(t.status()).as("a cancel that was accepted wins: %s", t)
                            .isEqualTo(TaskStatus.CANCELLED);
                }
                if (c == CancelResult.Outcome.CANCELLED) {
                    assertThat(t.attempts()).as("cancelled while queued: never ran").isZero();
                }
            }
            assertThat(cancelled).as("the race did cancel some tasks").isPositive();
        } finally {
            submitters.shutdownNow();
        }
    }

    /** Of two cancel outcomes for one task, the one that changed something. */
    private static CancelResult.Outcome strongest(CancelResult.Outcome a, CancelResult.Outcome b) {
        return a == CancelResult.Outcome.ALREADY_FINISHED ? b : a;
    }
}
