package io.asyncreply.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncreply.engine.SubmitRequest;
import io.asyncreply.engine.TaskService;
import io.asyncreply.store.ClaimRequest;
import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.Completion;
import io.asyncreply.store.EventCursor;
import io.asyncreply.store.EventPage;
import io.asyncreply.store.InsertResult;
import io.asyncreply.store.MemoryTaskStore;
import io.asyncreply.store.NewTask;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.CancelResult;
import io.asyncreply.task.RetryPolicy;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fan-out of the event log to many subscriptions, on the memory store. */
class EventHubTest {
    private static final OptionalLong NONE = OptionalLong.empty();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final Frames frames = new Frames();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    /** Reports 50 %, then waits for its gate; returns {"ok":true}. */
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
            return TaskResult.json("{\"ok\":true}");
        }
    }

    /** Fails its first attempt, reports progress on the second, then succeeds: six events. */
    private static final class SecondTime implements TaskHandler {
        @Override
        public String type() {
            return "second-time";
        }

        @Override
        public RetryPolicy retryPolicy() {
            return new RetryPolicy(2, Duration.ZERO, Duration.ZERO, 1);
        }

        @Override
        public TaskResult handle(TaskContext context) {
            if (context.attempt() == 1) {
                throw new IllegalStateException("first time");
            }
            context.progress(50);
            return TaskResult.json("{\"ok\":true}");
        }
    }

    /** Reports progress 1..n and succeeds: n + 3 events. */
    private static TaskHandler steps(String type, int n) {
        return new TaskHandler() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public TaskResult handle(TaskContext context) {
                for (int i = 1; i <= n; i++) {
                    context.progress(i);
                }
                return TaskResult.json("{}");
            }
        };
    }

    private TaskService service(TaskStore store, int workers, TaskHandler... handlers) {
        TaskService s = TaskService.builder().store(store).workers(workers).shutdownGrace(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(50)).handlers(List.of(handlers)).build();
        toClose.add(s);
        return s;
    }

    private EventHub hub(TaskService service, int max, long bufferBytes) {
        EventHub h = new EventHub(service, frames, max, bufferBytes);
        toClose.add(h);
        return h;
    }

    private static String submit(TaskService s, String type) {
        return submit(s, type, null);
    }

    private static String submit(TaskService s, String type, String owner) {
        Submission sub = s.submit(SubmitRequest.of(type, new byte[0]).owner(owner)).toCompletableFuture().join();
        return ((Submission.Accepted) sub).task().id();
    }

    private static Task awaitStatus(TaskService s, String id, TaskStatus status) {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> s.find(id).orElseThrow(), t -> t.status() == status);
    }

    private static Subscription opened(Start start) {
        assertThat(start).isInstanceOf(Start.Opened.class);
        return ((Start.Opened) start).subscription();
    }

    /** Polls until {@code until} holds for what was collected, waking on the sink (no sleeps). */
    private static List<Object> collect(Subscription s, java.util.function.Predicate<List<Object>> until) {
        List<Object> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(2)).until(() -> {
            got.addAll(Frames.drain(s));
            return until.test(got);
        });
        return got;
    }

    private static boolean ended(List<Object> got) {
        return !got.isEmpty() && got.get(got.size() - 1) instanceof EndReason;
    }

    private static List<Long> ids(List<Object> got) {
        return got.stream().filter(o -> o instanceof Frames.Frame f && !f.isNotice())
                .map(o -> ((Frames.Frame) o).id()).toList();
    }

    private static List<String> kinds(List<Object> got) {
        return got.stream().filter(o -> o instanceof Frames.Frame f && !f.isNotice())
                .map(o -> ((Frames.Frame) o).kind()).toList();
    }

    // ---------------------------------------------------------------- one task

    @Test
    void aTaskSubscriptionStartsWithTheCurrentStateThenGetsEveryChangeInOrderAndEndsAfterTheTerminalEvent() {
        Gate gate = new Gate();
        TaskService service = service(new MemoryTaskStore(), 1, gate);
        EventHub hub = hub(service, 10, 64 * 1024);
        String id = submit(service, "gate");
        await().atMost(Duration.ofSeconds(10)).until(() -> kindsOf(service, id).contains(TaskEvent.Kind.PROGRESS));

        AtomicInteger wakes = new AtomicInteger();
        Subscription s = opened(hub.task(id, null, NONE, wakes::incrementAndGet));
        List<Object> first = Frames.drain(s);
        assertThat(kinds(first)).containsExactly("progress");
        assertThat(hub.size()).isEqualTo(1);

        gate.open.countDown();
        List<Object> rest = collect(s, EventHubTest::ended);

        assertThat(kinds(rest)).containsExactly("succeeded");
        assertThat(rest.get(rest.size() - 1)).isEqualTo(EndReason.COMPLETED);
        assertThat(wakes.get()).isPositive();
        List<Long> all = new ArrayList<>(ids(first));
        all.addAll(ids(rest));
        assertThat(all).isSorted().doesNotHaveDuplicates();
        assertThat(hub.size()).isZero();
        assertThat(Frames.next(s)).isEqualTo(EndReason.COMPLETED);
    }

    @Test
    void aSubscriptionOfAFinishedTaskWithoutAnIdGetsItsTerminalEventAndEnds() {
        TaskService service = service(new MemoryTaskStore(), 1, steps("steps", 3));
        EventHub hub = hub(service, 10, 64 * 1024);
        String id = submit(service, "steps");
        awaitStatus(service, id, TaskStatus.SUCCEEDED);

        List<Object> got = Frames.drain(opened(hub.task(id, null, NONE, () -> { })));

        assertThat(kinds(got)).containsExactly("succeeded");
        assertThat(got.get(1)).isEqualTo(EndReason.COMPLETED);
    }

    @Test
    void resumingAfterAnyEventOfATaskGivesExactlyTheEventsAfterItAndAfterTheLastOneNothingIsOpened() {
        TaskService service = service(new MemoryTaskStore(), 1, new SecondTime());
        EventHub hub = hub(service, 10, 64 * 1024);
        String id = submit(service, "second-time");
        awaitStatus(service, id, TaskStatus.SUCCEEDED);
        List<Long> all = service.taskEvents(id, 0, 100).stream().map(TaskEvent::id).toList();
        assertThat(all).hasSize(6);

        for (int i = 0; i < all.size() - 1; i++) {
            List<Object> got = Frames.drain(opened(hub.task(id, null, OptionalLong.of(all.get(i)), () -> { })));
            assertThat(ids(got)).as("after %s", all.get(i)).isEqualTo(all.subList(i + 1, all.size()));
            assertThat(got.get(got.size() - 1)).isEqualTo(EndReason.COMPLETED);
        }
        assertThat(hub.task(id, null, OptionalLong.of(all.get(all.size() - 1)), () -> { }))
                .isInstanceOf(Start.Finished.class);
        assertThat(hub.task(id, null, OptionalLong.of(0), () -> { })).isInstanceOf(Start.Opened.class);
        assertThat(hub.size()).isEqualTo(1);
    }

    @Test
    void resumingATaskWhileItRunsLosesAndRepeatsNothing() {
        TaskService service = service(new MemoryTaskStore(), 2, steps("steps", 300));
        EventHub hub = hub(service, 100, 1 << 20);
        String id = submit(service, "steps");
        List<Object> got = new ArrayList<>();
        long last = 0;
        // reconnect again and again while the task reports progress, each time after the last id taken
        while (got.isEmpty() || !(got.get(got.size() - 1) instanceof EndReason)) {
            Start start = hub.task(id, null, last == 0 ? NONE : OptionalLong.of(last), () -> { });
            if (start instanceof Start.Finished) {
                break;
            }
            Subscription s = opened(start);
            for (int i = 0; i < 3; i++) {
                Object o = Frames.next(s);
                if (o instanceof Frames.Frame f) {
                    got.add(f);
                    last = f.id();
                } else if (o instanceof EndReason r) {
                    got.add(r);
                    break;
                }
            }
            s.close();
        }
        List<Long> expected = service.taskEvents(id, 0, 1000).stream().map(TaskEvent::id).toList();
        List<Long> seen = ids(got);
        assertThat(seen).doesNotHaveDuplicates().isSorted();
        assertThat(expected).endsWith(seen.toArray(new Long[0]));
        assertThat(seen.get(seen.size() - 1)).isEqualTo(expected.get(expected.size() - 1));
        assertThat(hub.size()).isZero();
    }

    @Test
    void anUnknownTaskAnotherOwnersTaskAndAMalformedIdAreNotFoundAndHoldNoPlace() {
        TaskService service = service(new MemoryTaskStore(), 1, steps("steps", 1));
        EventHub hub = hub(service, 10, 64 * 1024);
        String id = submit(service, "steps", "alice");

        assertThat(hub.task(id, "bob", NONE, () -> { })).isInstanceOf(Start.NotFound.class);
        assertThat(hub.task("AAAAAAAAAAAAAAAAAAAAAA", null, NONE, () -> { })).isInstanceOf(Start.NotFound.class);
        assertThat(hub.task("not an id", null, NONE, () -> { })).isInstanceOf(Start.NotFound.class);
        assertThat(hub.size()).isZero();
        assertThat(hub.task(id, "alice", NONE, () -> { })).isInstanceOf(Start.Opened.class);
        assertThat(hub.task(id, null, NONE, () -> { })).isInstanceOf(Start.Opened.class);
    }

    @Test
    void aLastEventIdNewerThanTheLogIsSaidAndTheTaskStartsFromItsCurrentState() {
        TaskService service = service(new MemoryTaskStore(), 1, steps("steps", 1));
        EventHub hub = hub(service, 10, 64 * 1024);
        String id = submit(service, "steps");
        awaitStatus(service, id, TaskStatus.SUCCEEDED);

        List<Object> got = Frames.drain(opened(hub.task(id, null, OptionalLong.of(1_000_000), () -> { })));

        assertThat(got.get(0)).isEqualTo(new Frames.Frame("!unknown 1000000"));
        assertThat(kinds(got)).containsExactly("succeeded");
    }

    @Test
    void aTaskIsResumedFromAnEventOfItsOwnThatIsAboveTheLogsHead() {
        // A task's events are read as soon as they commit, while the log's head waits for every
        // writer below it: a client can hold an id the head has not reached yet.
        Gate gate = new Gate();
        CountingStore store = new CountingStore(new MemoryTaskStore());
        TaskService service = service(store, 1, gate);
        String id = submit(service, "gate");
        await().atMost(Duration.ofSeconds(10)).until(() -> service.taskEvents(id, 0, 10).size() == 3); // queued, started, progress
        long progress = service.taskEvents(id, 0, 10).get(2).id();
        store.heldHead = EventCursor.after(0);
        EventHub hub = hub(service, 10, 64 * 1024);

        Subscription s = opened(hub.task(id, null, OptionalLong.of(progress), () -> { }));
        gate.open.countDown();

        List<Object> got = collect(s, l -> !l.isEmpty() && l.get(l.size() - 1) instanceof EndReason);
        assertThat(got.get(0)).as("no 'unknown id' notice").isNotEqualTo(new Frames.Frame("!unknown " + progress));
        assertThat(kinds(got)).containsExactly("succeeded");
    }

    // ---------------------------------------------------------------- every task

    @Test
    void aSubscriptionOfEveryTaskGetsTheEventsThatPassItsFilterOnly() {
        TaskService service = service(new MemoryTaskStore(), 2, steps("a", 1), steps("b", 1));
        EventHub hub = hub(service, 10, 64 * 1024);
        Subscription everything = opened(hub.all(EventFilter.ALL, NONE, () -> { }));
        Subscription aSucceeded = opened(hub.all(new EventFilter(null, "a", TaskStatus.SUCCEEDED), NONE, () -> { }));
        Subscription alices = opened(hub.all(new EventFilter("alice", null, null), NONE, () -> { }));

        String a1 = submit(service, "a", "alice");
        String b1 = submit(service, "b", "bob");
        String a2 = submit(service, "a", "bob");

        List<Object> all = collect(everything, got -> kinds(got).stream().filter("succeeded"::equals).count() == 3);
        assertThat(all).hasSize(12);
        List<Object> succeeded = collect(aSucceeded, got -> got.size() == 2);
        assertThat(succeeded).extracting(o -> ((Frames.Frame) o).taskId()).containsExactlyInAnyOrder(a1, a2);
        assertThat(kinds(succeeded)).containsOnly("succeeded");
        List<Object> alice = collect(alices, got -> got.size() == 4);
        assertThat(alice).extracting(o -> ((Frames.Frame) o).taskId()).containsOnly(a1);
        assertThat(kinds(alice)).containsExactly("queued", "started", "progress", "succeeded");
        assertThat(ids(all)).isSorted().doesNotHaveDuplicates();
        assertThat(b1).isNotNull();
    }

    /**
     * The case the join exists for: while tasks run and change (so the dispatcher keeps moving),
     * subscriptions resume from points of the log, read the rest from the store, and join the live
     * feed. Each must get exactly the events after its point, in the order of the log.
     */
    @Test
    void resumingEveryTaskWhileTasksRunJoinsTheLiveFeedWithoutLosingOrRepeatingAnEvent() throws Exception {
        TaskService service = service(new MemoryTaskStore(), 4, steps("steps", 20));
        EventHub hub = hub(service, 100, 1 << 22);
        Subscription reference = opened(hub.all(EventFilter.ALL, NONE, () -> { }));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(submit(service, "steps"));
        }
        List<Object> head = collect(reference, got -> got.size() >= 40);
        List<Long> resumePoints = List.of(ids(head).get(0), ids(head).get(10), ids(head).get(39));
        List<Subscription> resumed = new ArrayList<>();
        List<List<Object>> resumedGot = new ArrayList<>();
        for (long from : resumePoints) {
            resumed.add(opened(hub.all(EventFilter.ALL, OptionalLong.of(from), () -> { })));
            resumedGot.add(new ArrayList<>());
        }
        for (int i = 0; i < 60; i++) { // more tasks while they catch up
            ids.add(submit(service, "steps"));
            for (int r = 0; r < resumed.size(); r++) {
                Object o = Frames.next(resumed.get(r)); // one at a time: slow readers
                if (o != null) {
                    resumedGot.get(r).add(o);
                }
            }
        }
        for (String id : ids) {
            awaitStatus(service, id, TaskStatus.SUCCEEDED);
        }
        int total = ids.size() * 23;
        List<Object> all = new ArrayList<>(head);
        all.addAll(collect(reference, got -> got.size() + head.size() >= total));
        List<Long> expected = ids(all);
        assertThat(expected).hasSize(total).isSorted().doesNotHaveDuplicates();

        for (int r = 0; r < resumed.size(); r++) {
            long from = resumePoints.get(r);
            List<Object> got = resumedGot.get(r);
            List<Long> wanted = expected.stream().filter(id -> id > from).toList();
            got.addAll(collect(resumed.get(r), g -> ids(got).size() + ids(g).size() >= wanted.size()));
            assertThat(ids(got)).as("resumed after %s", from).isEqualTo(wanted);
        }
    }

    /**
     * The race of the join, made to happen: right after the catch-up's last read of the store, a
     * new task is submitted and its first event delivered live before the subscription registers.
     * It must read on and get that event, not join after it.
     */
    @Test
    void aCatchUpOvertakenByTheLiveFeedJustBeforeItJoinsReadsOnAndLosesNothing() {
        CountingStore store = new CountingStore(new MemoryTaskStore());
        TaskService service = service(store, 1, steps("steps", 1));
        EventHub hub = hub(service, 10, 1 << 20);
        String first = submit(service, "steps");
        awaitStatus(service, first, TaskStatus.SUCCEEDED);
        long from = service.taskEvents(first, 0, 10).get(0).id();
        List<TaskEvent> delivered = Collections.synchronizedList(new ArrayList<>());
        service.listen(delivered::add); // after the hub's listener: what it sees, the hub has seen
        String[] second = new String[1];
        store.afterRead = page -> { // on the subscription's poller, not the dispatcher
            if (!Thread.currentThread().getName().startsWith("asyncreply-events") && page.events().isEmpty() && second[0] == null) {
                second[0] = submit(service, "steps");
                await().atMost(Duration.ofSeconds(10)).until(() -> delivered.stream()
                        .anyMatch(e -> e.taskId().equals(second[0])));
            }
        };

        Subscription s = opened(hub.all(EventFilter.ALL, OptionalLong.of(from), () -> { }));
        List<Object> got = collect(s, g -> second[0] != null && kinds(g).stream().filter("succeeded"::equals).count() == 2);

        List<Long> expected = store.readEvents(EventCursor.after(from), 100).events().stream().map(TaskEvent::id).toList();
        assertThat(ids(got)).isEqualTo(expected);
        assertThat(got).extracting(o -> ((Frames.Frame) o).taskId()).filteredOn(second[0]::equals).hasSize(4);
    }

    @Test
    void resumingEveryTaskFromAnEvictedPartOfABoundedLogSaysSomeWereMissed() {
        TaskService service = service(new MemoryTaskStore(10, 1 << 20), 1, steps("steps", 1));
        EventHub hub = hub(service, 10, 1 << 20);
        for (int i = 0; i < 5; i++) {
            awaitStatus(service, submit(service, "steps"), TaskStatus.SUCCEEDED);
        }

        List<Object> got = collect(opened(hub.all(EventFilter.ALL, OptionalLong.of(1), () -> { })),
                g -> ids(g).size() >= 10);

        assertThat(got.get(0)).isEqualTo(new Frames.Frame("!missed -1"));
        assertThat(ids(got)).hasSize(10).isSorted();
    }

    // ---------------------------------------------------------------- bounds

    @Test
    void aSubscriberThatDoesNotTakeItsEventsIsEndedWhenItsBufferWouldPassTheBoundAndItsBufferIsLetGo() {
        TaskService service = service(new MemoryTaskStore(), 1, steps("steps", 50));
        EventHub hub = hub(service, 10, 1_000);
        AtomicInteger wakes = new AtomicInteger();
        Subscription slow = opened(hub.all(EventFilter.ALL, NONE, wakes::incrementAndGet));
        List<Object> fastGot = Collections.synchronizedList(new ArrayList<>());
        Subscription[] fast = new Subscription[1];
        fast[0] = opened(hub.all(EventFilter.ALL, NONE, () -> fastGot.addAll(Frames.drain(fast[0]))));

        String id = submit(service, "steps");
        await().atMost(Duration.ofSeconds(10)).until(() -> fastGot.size() == 53);

        await().atMost(Duration.ofSeconds(10)).until(slow::isEnded);
        assertThat(Frames.next(slow)).isEqualTo(EndReason.OVERFLOW);
        assertThat(slow.bufferedBytes()).isZero();
        assertThat(hub.bufferedBytes()).isZero();
        assertThat(wakes.get()).isPositive();
        assertThat(hub.size()).isEqualTo(1);
        assertThat(kinds(fastGot)).last().isEqualTo("succeeded");
        assertThat(id).isNotNull();
    }

    @Test
    void anEventLargerThanTheBoundIsStillTakenByAnEmptyBuffer() {
        TaskService service = service(new MemoryTaskStore(), 1, steps("steps", 1));
        EventHub hub = hub(service, 10, 1);
        List<Object> got = Collections.synchronizedList(new ArrayList<>());
        Subscription[] s = new Subscription[1];
        s[0] = opened(hub.all(EventFilter.ALL, NONE, () -> got.addAll(Frames.drain(s[0]))));

        submit(service, "steps");

        await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 4);
        assertThat(kinds(got)).containsExactly("queued", "started", "progress", "succeeded");
    }

    @Test
    void atMostMaxSubscriptionsAreOpenAndClosingOneMakesRoom() {
        TaskService service = service(new MemoryTaskStore(), 1, steps("steps", 1));
        EventHub hub = hub(service, 2, 1_000);
        Subscription one = opened(hub.all(EventFilter.ALL, NONE, () -> { }));
        opened(hub.all(EventFilter.ALL, NONE, () -> { }));

        assertThat(hub.all(EventFilter.ALL, NONE, () -> { })).isEqualTo(new Start.Full(2));
        one.close();
        assertThat(hub.size()).isEqualTo(1);
        assertThat(hub.all(EventFilter.ALL, NONE, () -> { })).isInstanceOf(Start.Opened.class);
        assertThat(Frames.next(one)).isEqualTo(EndReason.CLOSED);
    }

    @Test
    void closingTheHubEndsEverySubscriptionWakesItsSubscriberAndRefusesNewOnes() {
        Gate gate = new Gate();
        TaskService service = service(new MemoryTaskStore(), 1, gate);
        EventHub hub = hub(service, 10, 1_000);
        String id = submit(service, "gate");
        // The gate's task starts on the worker meanwhile, so its events may wake the subscribers
        // too: what must hold is that each is woken once the hub is closing.
        AtomicBoolean closing = new AtomicBoolean();
        AtomicBoolean oneWoken = new AtomicBoolean();
        AtomicBoolean allWoken = new AtomicBoolean();
        Subscription one = opened(hub.task(id, null, NONE, () -> oneWoken.compareAndSet(false, closing.get())));
        Subscription all = opened(hub.all(EventFilter.ALL, OptionalLong.of(0),
                () -> allWoken.compareAndSet(false, closing.get())));

        closing.set(true);
        hub.close();

        assertThat(oneWoken).isTrue();
        assertThat(allWoken).isTrue();
        assertThat(Frames.next(one)).isEqualTo(EndReason.SHUTDOWN);
        assertThat(Frames.next(all)).isEqualTo(EndReason.SHUTDOWN);
        assertThat(hub.size()).isZero();
        assertThat(hub.task(id, null, NONE, () -> { })).isInstanceOf(Start.Closed.class);
        assertThat(hub.all(EventFilter.ALL, NONE, () -> { })).isInstanceOf(Start.Closed.class);
        gate.open.countDown();
    }

    // ---------------------------------------------------------------- once per node

    @Test
    void theLogIsReadAndEachEventRenderedOnceHoweverManySubscribe() {
        CountingStore store = new CountingStore(new MemoryTaskStore());
        TaskService service = service(store, 2, steps("steps", 2));
        EventHub hub = hub(service, 2_000, 1 << 20);
        List<Subscription> subs = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            subs.add(opened(hub.all(EventFilter.ALL, NONE, () -> { })));
        }
        int readsBefore = store.reads.get();

        for (int i = 0; i < 10; i++) {
            submit(service, "steps");
        }
        for (Subscription s : subs) {
            collect(s, got -> got.size() == 50);
        }

        assertThat(frames.rendered.get()).isEqualTo(50);
        assertThat(store.reads.get() - readsBefore).as("reads of the log").isLessThan(200);
        assertThat(store.taskReads.get()).isZero();
    }

    private static List<TaskEvent.Kind> kindsOf(TaskService s, String id) {
        return s.taskEvents(id, 0, 100).stream().map(TaskEvent::kind).toList();
    }

    /** Counts reads of the event log. */
    static final class CountingStore implements TaskStore {
        final TaskStore d;
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger taskReads = new AtomicInteger();
        volatile java.util.function.Consumer<EventPage> afterRead = page -> { };
        /** When set, the head the store reports (a writer below it still in flight). */
        volatile EventCursor heldHead;

        CountingStore(TaskStore d) {
            this.d = d;
        }

        @Override
        public EventPage readEvents(EventCursor cursor, int limit) {
            reads.incrementAndGet();
            EventPage page = d.readEvents(cursor, limit);
            afterRead.accept(page);
            return page;
        }

        @Override
        public List<TaskEvent> taskEvents(String taskId, long afterId, int limit) {
            taskReads.incrementAndGet();
            return d.taskEvents(taskId, afterId, limit);
        }

        @Override
        public CompletionStage<InsertResult> insert(NewTask task, long queueLimit) {
            return d.insert(task, queueLimit);
        }

        @Override
        public Optional<Task> find(String id) {
            return d.find(id);
        }

        @Override
        public List<ClaimedTask> claim(ClaimRequest request) {
            return d.claim(request);
        }

        @Override
        public int renewLeases(String owner, Instant leaseUntil) {
            return d.renewLeases(owner, leaseUntil);
        }

        @Override
        public List<Optional<Task>> complete(List<Completion> completions) {
            return d.complete(completions);
        }

        @Override
        public boolean progress(String id, int attempt, int percent, Instant now, String node) {
            return d.progress(id, attempt, percent, now, node);
        }

        @Override
        public CancelResult cancel(String id, Instant now, String node) {
            return d.cancel(id, now, node);
        }

        @Override
        public TaskPage list(TaskQuery query) {
            return d.list(query);
        }

        @Override
        public List<Task> recoverExpired(Instant now, int maxAttempts, String node) {
            return d.recoverExpired(now, maxAttempts, node);
        }

        @Override
        public List<Task> expire(Instant now, int max, String node) {
            return d.expire(now, max, node);
        }

        @Override
        public int purge(Instant cutoff, long keepAtMost) {
            return d.purge(cutoff, keepAtMost);
        }

        @Override
        public long queued() {
            return d.queued();
        }

        @Override
        public void ping() {
            d.ping();
        }

        @Override
        public EventCursor eventHead() {
            EventCursor held = heldHead;
            return held != null ? held : d.eventHead();
        }

        @Override
        public void close() {
            d.close();
        }
    }
}
