package io.asyncreply.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncreply.task.CancelResult;
import io.asyncreply.task.Outcome;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskError;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskResult;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.task.Transitions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Everything the {@link TaskStore} javadoc promises, run against every store. A subclass supplies
 * an empty store per test. Time is explicit: the store never reads a clock, so every instant here
 * is a fixed one with millisecond precision.
 */
public abstract class TaskStoreContract {
    protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    protected static final Duration LEASE = Duration.ofSeconds(30);
    protected static final long NO_LIMIT = Long.MAX_VALUE;

    protected TaskStore store;

    /** A store holding no tasks, for one test; {@link #closeStore} releases it. */
    protected abstract TaskStore createStore() throws Exception;

    protected void closeStore(TaskStore s) throws Exception {
        s.close();
    }

    @BeforeEach
    void openStore() throws Exception {
        store = createStore();
    }

    @AfterEach
    void releaseStore() throws Exception {
        if (store != null) {
            closeStore(store);
        }
    }

    // ---------------------------------------------------------------- helpers

    protected static String newId() {
        UUID u = UUID.randomUUID();
        ByteBuffer b = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static byte[] digest(String type, byte[] payload) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(bytes(type));
            md.update((byte) 0);
            md.update(payload);
            return md.digest();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    protected static NewTask newTask(String type, String payload, Instant at) {
        return new NewTask(Task.queued(newId(), type, at), bytes(payload), "text/plain", null, null);
    }

    protected static NewTask keyed(String key, String type, String payload, Instant at) {
        byte[] p = bytes(payload);
        return new NewTask(Task.queued(newId(), type, at), p, "text/plain", key, digest(type, p));
    }

    protected static InsertResult await(java.util.concurrent.CompletionStage<InsertResult> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    protected InsertResult insert(NewTask t, long limit) throws Exception {
        return await(store.insert(t, limit));
    }

    /** Inserts a task of type {@code echo} submitted at {@code at}; returns its snapshot. */
    protected Task submit(Instant at) throws Exception {
        return submit("echo", at);
    }

    protected Task submit(String type, Instant at) throws Exception {
        InsertResult r = insert(newTask(type, "payload", at), NO_LIMIT);
        assertThat(r).isInstanceOf(InsertResult.Inserted.class);
        return ((InsertResult.Inserted) r).task();
    }

    protected ClaimedTask claim(String owner, Instant now) {
        return store.claim(owner, now, now.plus(LEASE)).orElseThrow(() -> new AssertionError("nothing to claim"));
    }

    protected Task find(String id) {
        return store.find(id).orElseThrow(() -> new AssertionError("no task " + id));
    }

    /** Submits, claims and finishes a task; it finishes at {@code finishedAt}. */
    protected Task finished(Instant finishedAt) throws Exception {
        Task t = submit(finishedAt.minusMillis(2));
        ClaimedTask c = claim("node-a", finishedAt.minusMillis(1));
        assertThat(c.task().id()).isEqualTo(t.id());
        return store.finish(t.id(), c.attempt(), Outcome.succeeded(TaskResult.json("{}")), finishedAt).orElseThrow();
    }

    protected static Instant ms(long millis) {
        return T0.plusMillis(millis);
    }

    // ---------------------------------------------------------------- insert and find

    @Test
    void insertStoresAQueuedTaskThatFindReturnsAsInserted() throws Exception {
        NewTask t = newTask("echo", "hello", T0);
        InsertResult r = insert(t, NO_LIMIT);

        assertThat(r).isEqualTo(new InsertResult.Inserted(t.task()));
        assertThat(store.find(t.task().id())).contains(t.task());
        assertThat(find(t.task().id()).status()).isEqualTo(TaskStatus.QUEUED);
        assertThat(store.queued()).isEqualTo(1);
    }

    @Test
    void findOfAnUnknownIdIsEmpty() {
        assertThat(store.find(newId())).isEmpty();
    }

    @Test
    void aKnownKeyWithTheSamePayloadReturnsTheFirstTaskAndStoresNothing() throws Exception {
        NewTask first = keyed("key-1", "echo", "same", T0);
        insert(first, NO_LIMIT);

        NewTask again = keyed("key-1", "echo", "same", ms(5));
        InsertResult r = insert(again, NO_LIMIT);

        assertThat(r).isInstanceOf(InsertResult.Duplicate.class);
        assertThat(((InsertResult.Duplicate) r).existing().id()).isEqualTo(first.task().id());
        assertThat(store.find(again.task().id())).isEmpty();
        assertThat(store.queued()).isEqualTo(1);
    }

    @Test
    void aKnownKeyWithAnotherPayloadIsAConflictAndStoresNothing() throws Exception {
        NewTask first = keyed("key-2", "echo", "one", T0);
        insert(first, NO_LIMIT);

        NewTask other = keyed("key-2", "echo", "two", ms(5));
        InsertResult r = insert(other, NO_LIMIT);

        assertThat(r).isEqualTo(new InsertResult.Conflict(first.task().id()));
        assertThat(store.find(other.task().id())).isEmpty();
        assertThat(store.queued()).isEqualTo(1);
    }

    @Test
    void aKnownKeyWithAnotherTypeIsAConflict() throws Exception {
        NewTask first = keyed("key-3", "echo", "one", T0);
        insert(first, NO_LIMIT);

        InsertResult r = insert(keyed("key-3", "sha256", "one", ms(5)), NO_LIMIT);

        assertThat(r).isEqualTo(new InsertResult.Conflict(first.task().id()));
    }

    @Test
    void beyondTheQueueLimitAnInsertIsRefusedAndNothingIsStored() throws Exception {
        submit(T0);
        submit(ms(1));

        NewTask third = newTask("echo", "x", ms(2));
        InsertResult r = insert(third, 2);

        assertThat(r).isEqualTo(new InsertResult.QueueFull(2));
        assertThat(store.find(third.task().id())).isEmpty();
        assertThat(store.queued()).isEqualTo(2);
    }

    @Test
    void aClaimMakesRoomInTheQueueAgain() throws Exception {
        submit(T0);
        submit(ms(1));
        assertThat(insert(newTask("echo", "x", ms(2)), 2)).isInstanceOf(InsertResult.QueueFull.class);

        claim("node-a", ms(3));

        assertThat(insert(newTask("echo", "x", ms(4)), 2)).isInstanceOf(InsertResult.Inserted.class);
        assertThat(store.queued()).isEqualTo(2);
    }

    @Test
    void aDuplicateIsRecognizedEvenWhenTheQueueIsFull() throws Exception {
        NewTask first = keyed("key-4", "echo", "same", T0);
        insert(first, 1);

        InsertResult r = insert(keyed("key-4", "echo", "same", ms(1)), 1);

        assertThat(r).isInstanceOf(InsertResult.Duplicate.class);
    }

    @Test
    void concurrentInsertsWithOneKeyStoreOneTaskAndAllSeeItsId() throws Exception {
        int n = 16;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<InsertResult>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return insert(keyed("shared-key", "echo", "same", T0), NO_LIMIT);
                }));
            }
            go.countDown();
            List<InsertResult> all = new ArrayList<>();
            for (Future<InsertResult> f : results) {
                all.add(f.get(30, TimeUnit.SECONDS));
            }
            List<InsertResult> inserted = all.stream().filter(r -> r instanceof InsertResult.Inserted).toList();
            assertThat(inserted).hasSize(1);
            String id = ((InsertResult.Inserted) inserted.get(0)).task().id();
            assertThat(all).filteredOn(r -> r instanceof InsertResult.Duplicate).hasSize(n - 1)
                    .allSatisfy(r -> assertThat(((InsertResult.Duplicate) r).existing().id()).isEqualTo(id));
            assertThat(store.queued()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void mayHaveQueuedIsTrueWhileATaskIsQueued() throws Exception {
        submit(T0);
        submit(ms(1));
        assertThat(store.mayHaveQueued()).as("two queued").isTrue();

        claim("node-a", ms(2));

        assertThat(store.mayHaveQueued()).as("one still queued after a claim").isTrue();
    }

    // ---------------------------------------------------------------- claim

    @Test
    void claimOnAnEmptyStoreIsEmpty() {
        assertThat(store.claim("node-a", T0, T0.plus(LEASE))).isEmpty();
    }

    @Test
    void claimStartsTheTaskWithItsPayloadAndAttemptOne() throws Exception {
        NewTask t = new NewTask(Task.queued(newId(), "echo", T0), bytes("the payload"), "application/x-test", null,
                null);
        insert(t, NO_LIMIT);

        ClaimedTask c = claim("node-a", ms(10));

        assertThat(c.task().id()).isEqualTo(t.task().id());
        assertThat(c.task().status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(c.attempt()).isEqualTo(1);
        assertThat(c.task().startedAt()).isEqualTo(ms(10));
        assertThat(c.task().runAt()).isNull();
        assertThat(c.payload()).isEqualTo(bytes("the payload"));
        assertThat(c.contentType()).isEqualTo("application/x-test");
        assertThat(find(t.task().id())).isEqualTo(c.task());
        assertThat(store.queued()).isZero();
    }

    @Test
    void claimTakesTheOldestReadyTaskFirst() throws Exception {
        Task a = submit(T0);
        Task b = submit(ms(1));
        Task c = submit(ms(2));

        assertThat(claim("n", ms(10)).task().id()).isEqualTo(a.id());
        assertThat(claim("n", ms(10)).task().id()).isEqualTo(b.id());
        assertThat(claim("n", ms(10)).task().id()).isEqualTo(c.id());
        assertThat(store.claim("n", ms(10), ms(10).plus(LEASE))).isEmpty();
    }

    @Test
    void aTaskQueuedForLaterIsNotClaimedBeforeItsRunTime() throws Exception {
        Task a = submit(T0);
        ClaimedTask first = claim("n", ms(1));
        Task requeued = store.requeue(a.id(), first.attempt(), new TaskError("boom"), ms(60_000), ms(2)).orElseThrow();
        assertThat(requeued.status()).isEqualTo(TaskStatus.QUEUED);
        assertThat(requeued.runAt()).isEqualTo(ms(60_000));
        Task b = submit(ms(3));

        assertThat(claim("n", ms(4)).task().id()).isEqualTo(b.id());
        assertThat(store.claim("n", ms(59_999), ms(59_999).plus(LEASE))).isEmpty();
        ClaimedTask second = claim("n", ms(60_000));
        assertThat(second.task().id()).isEqualTo(a.id());
        assertThat(second.attempt()).isEqualTo(2);
    }

    @Test
    void aTaskSubmittedToRunLaterIsNotClaimedBeforeItsRunTime() throws Exception {
        Task later = new Task(newId(), "echo", TaskStatus.QUEUED, T0, null, null, 0, null, null, null, false,
                ms(10_000));
        insert(new NewTask(later, bytes("later"), null, null, null), NO_LIMIT);
        Task soon = submit(ms(1));

        assertThat(claim("n", ms(2)).task().id()).isEqualTo(soon.id());
        assertThat(store.claim("n", ms(9_999), ms(9_999).plus(LEASE))).isEmpty();
        assertThat(claim("n", ms(10_000)).task().id()).isEqualTo(later.id());
    }

    @Test
    void concurrentClaimersNeverGetTheSameTask() throws Exception {
        int tasks = 120;
        List<CompletableFuture<InsertResult>> inserts = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            inserts.add(store.insert(newTask("echo", "p" + i, ms(i)), NO_LIMIT).toCompletableFuture());
        }
        for (CompletableFuture<InsertResult> f : inserts) {
            assertThat(f.get(30, TimeUnit.SECONDS)).isInstanceOf(InsertResult.Inserted.class);
        }
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        ConcurrentLinkedQueue<String> claimed = new ConcurrentLinkedQueue<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                String owner = "node-" + w;
                workers.add(pool.submit(() -> {
                    go.await();
                    Optional<ClaimedTask> c;
                    while ((c = store.claim(owner, ms(100_000), ms(100_000).plus(LEASE))).isPresent()) {
                        claimed.add(c.get().task().id());
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : workers) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(claimed).hasSize(tasks).doesNotHaveDuplicates();
        assertThat(store.queued()).isZero();
    }

    // ---------------------------------------------------------------- finish, requeue, progress, fencing

    @Test
    void finishRecordsASuccessWithItsResult() throws Exception {
        Task t = submit(T0);
        ClaimedTask c = claim("n", ms(1));

        Task done = store.finish(t.id(), c.attempt(), Outcome.succeeded(TaskResult.of(bytes("res"), "text/x-res")),
                ms(2)).orElseThrow();

        assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
        assertThat(done.finishedAt()).isEqualTo(ms(2));
        Task read = find(t.id());
        assertThat(read.status()).isEqualTo(TaskStatus.SUCCEEDED);
        assertThat(read.result().bytes()).isEqualTo(bytes("res"));
        assertThat(read.result().contentType()).isEqualTo("text/x-res");
        assertThat(read.error()).isNull();
        assertThat(read.attempts()).isEqualTo(1);
        assertThat(read.finishedAt()).isEqualTo(ms(2));
    }

    @Test
    void finishRecordsAFailureWithItsError() throws Exception {
        Task t = submit(T0);
        ClaimedTask c = claim("n", ms(1));

        Task done = store.finish(t.id(), c.attempt(), Outcome.failed(new TaskError("it broke")), ms(2)).orElseThrow();

        assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(find(t.id())).isEqualTo(done);
        assertThat(find(t.id()).error()).isEqualTo(new TaskError("it broke"));
        assertThat(find(t.id()).result()).isNull();
    }

    @Test
    void aTerminalTaskNeverChangesAgain() throws Exception {
        Task t = submit(T0);
        ClaimedTask c = claim("n", ms(1));
        Task done = store.finish(t.id(), c.attempt(), Outcome.failed(new TaskError("first")), ms(2)).orElseThrow();

        assertThat(store.finish(t.id(), c.attempt(), Outcome.succeeded(TaskResult.empty()), ms(3))).isEmpty();
        assertThat(store.requeue(t.id(), c.attempt(), new TaskError("x"), ms(3), ms(3))).isEmpty();
        assertThat(store.progress(t.id(), c.attempt(), 50)).isFalse();
        assertThat(store.recoverExpired(ms(999_999), 5)).isEmpty();
        assertThat(find(t.id())).isEqualTo(done);
    }

    @Test
    void aStaleAttemptCannotFinishRequeueOrReportProgress() throws Exception {
        Task t = submit(T0);
        ClaimedTask first = claim("node-a", ms(1));
        Instant expired = ms(1).plus(LEASE).plusMillis(1);
        assertThat(store.recoverExpired(expired, 5)).hasSize(1);
        ClaimedTask second = claim("node-b", expired.plusMillis(1));
        assertThat(second.attempt()).isEqualTo(2);

        assertThat(store.finish(t.id(), first.attempt(), Outcome.succeeded(TaskResult.empty()), expired)).isEmpty();
        assertThat(store.requeue(t.id(), first.attempt(), new TaskError("stale"), expired, expired)).isEmpty();
        assertThat(store.progress(t.id(), first.attempt(), 99)).isFalse();
        Task current = find(t.id());
        assertThat(current.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(current.attempts()).isEqualTo(2);
        assertThat(current.progress()).isNull();

        assertThat(store.finish(t.id(), second.attempt(), Outcome.succeeded(TaskResult.empty()), expired.plusMillis(2)))
                .hasValueSatisfying(done -> assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED));
    }

    @Test
    void requeueQueuesTheTaskAgainWithItsLastError() throws Exception {
        Task t = submit(T0);
        ClaimedTask c = claim("n", ms(1));

        Task q = store.requeue(t.id(), c.attempt(), new TaskError("try again"), ms(500), ms(2)).orElseThrow();

        assertThat(q.status()).isEqualTo(TaskStatus.QUEUED);
        assertThat(q.attempts()).isEqualTo(1);
        assertThat(q.error()).isEqualTo(new TaskError("try again"));
        assertThat(q.runAt()).isEqualTo(ms(500));
        assertThat(q.finishedAt()).isNull();
        assertThat(find(t.id())).isEqualTo(q);
        assertThat(store.queued()).isEqualTo(1);
    }

    @Test
    void progressOfTheCurrentAttemptIsRecorded() throws Exception {
        Task t = submit(T0);
        ClaimedTask c = claim("n", ms(1));

        assertThat(store.progress(t.id(), c.attempt(), 40)).isTrue();

        assertThat(find(t.id()).progress()).isEqualTo(40);
        assertThat(store.progress(newId(), 1, 40)).isFalse();
    }

    // ---------------------------------------------------------------- cancel

    @Test
    void cancellingAQueuedTaskEndsItAtOnceAndItNeverRuns() throws Exception {
        Task t = submit(T0);

        CancelResult r = store.cancel(t.id(), ms(5));

        assertThat(r.outcome()).isEqualTo(CancelResult.Outcome.CANCELLED);
        assertThat(r.task().status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(r.task().finishedAt()).isEqualTo(ms(5));
        assertThat(find(t.id())).isEqualTo(r.task());
        assertThat(store.claim("n", ms(6), ms(6).plus(LEASE))).isEmpty();
        assertThat(store.queued()).isZero();
    }

    @Test
    void cancellingARunningTaskRecordsARequestAndItsFinishEndsCancelled() throws Exception {
        Task t = submit(T0);
        ClaimedTask c = claim("n", ms(1));

        CancelResult r = store.cancel(t.id(), ms(2));

        assertThat(r.outcome()).isEqualTo(CancelResult.Outcome.CANCEL_REQUESTED);
        assertThat(r.task().status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(r.task().cancelRequested()).isTrue();
        assertThat(store.cancel(t.id(), ms(3)).outcome()).isEqualTo(CancelResult.Outcome.CANCEL_REQUESTED);

        Task done = store.finish(t.id(), c.attempt(), Outcome.succeeded(TaskResult.json("{}")), ms(4)).orElseThrow();

        assertThat(done.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(done.result()).isNull();
        assertThat(done.finishedAt()).isEqualTo(ms(4));
        assertThat(find(t.id()).status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void aCancelRequestTurnsARequeueIntoCancelled() throws Exception {
        Task t = submit(T0);
        ClaimedTask c = claim("n", ms(1));
        store.cancel(t.id(), ms(2));

        Task done = store.requeue(t.id(), c.attempt(), new TaskError("retry"), ms(100), ms(3)).orElseThrow();

        assertThat(done.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(done.finishedAt()).isEqualTo(ms(3));
        assertThat(store.claim("n", ms(200), ms(200).plus(LEASE))).isEmpty();
    }

    @Test
    void cancellingATerminalTaskChangesNothing() throws Exception {
        Task done = finished(ms(10));

        CancelResult r = store.cancel(done.id(), ms(20));

        assertThat(r.outcome()).isEqualTo(CancelResult.Outcome.ALREADY_FINISHED);
        assertThat(r.task().status()).isEqualTo(TaskStatus.SUCCEEDED);
        assertThat(find(done.id()).status()).isEqualTo(TaskStatus.SUCCEEDED);
        assertThat(find(done.id()).finishedAt()).isEqualTo(ms(10));
    }

    @Test
    void cancellingAnUnknownTaskFindsNothing() {
        CancelResult r = store.cancel(newId(), T0);

        assertThat(r.outcome()).isEqualTo(CancelResult.Outcome.NOT_FOUND);
        assertThat(r.task()).isNull();
    }

    // ---------------------------------------------------------------- recovery and leases

    @Test
    void anExpiredLeaseQueuesTheTaskAgainWithTheAttemptCounted() throws Exception {
        Task t = submit(T0);
        claim("dead-node", ms(1));
        Instant now = ms(1).plus(LEASE).plusMillis(1);

        List<Task> changed = store.recoverExpired(now, 3);

        assertThat(changed).hasSize(1);
        Task q = changed.get(0);
        assertThat(q.id()).isEqualTo(t.id());
        assertThat(q.status()).isEqualTo(TaskStatus.QUEUED);
        assertThat(q.attempts()).isEqualTo(1);
        assertThat(q.runAt()).isEqualTo(now);
        assertThat(q.error().message()).contains("lease expired");
        assertThat(find(t.id())).isEqualTo(q);
        assertThat(claim("live-node", now).attempt()).isEqualTo(2);
    }

    @Test
    void anExpiredLeaseAtTheMaximumAttemptsEndsFailed() throws Exception {
        Task t = submit(T0);
        claim("dead-node", ms(1));
        Instant now = ms(1).plus(LEASE).plusMillis(1);

        List<Task> changed = store.recoverExpired(now, 1);

        assertThat(changed).hasSize(1);
        Task f = changed.get(0);
        assertThat(f.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(f.finishedAt()).isEqualTo(now);
        assertThat(f.error().message()).contains("Abandoned after 1 attempts");
        assertThat(find(t.id())).isEqualTo(f);
    }

    @Test
    void anExpiredLeaseWithACancelRequestEndsCancelled() throws Exception {
        Task t = submit(T0);
        claim("dead-node", ms(1));
        store.cancel(t.id(), ms(2));
        Instant now = ms(1).plus(LEASE).plusMillis(1);

        List<Task> changed = store.recoverExpired(now, 5);

        assertThat(changed).singleElement().satisfies(c -> {
            assertThat(c.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(c.finishedAt()).isEqualTo(now);
        });
    }

    @Test
    void recoveryLeavesLiveLeasesAndQueuedTasksAlone() throws Exception {
        Task running = submit(T0);
        claim("node-a", ms(1));
        Task queued = submit(ms(2));

        assertThat(store.recoverExpired(ms(1).plus(LEASE).minusMillis(1), 5)).isEmpty();

        assertThat(find(running.id()).status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(find(queued.id()).status()).isEqualTo(TaskStatus.QUEUED);
        assertThat(find(queued.id()).attempts()).isZero();
    }

    @Test
    void renewingLeasesExtendsOnlyThoseOfTheOwner() throws Exception {
        Task a = submit(T0);
        Task b = submit(ms(1));
        assertThat(claim("node-a", ms(2)).task().id()).isEqualTo(a.id());
        assertThat(claim("node-b", ms(2)).task().id()).isEqualTo(b.id());

        assertThat(store.renewLeases("node-a", ms(100_000))).isEqualTo(1);
        assertThat(store.renewLeases("node-c", ms(100_000))).isZero();

        List<Task> recovered = store.recoverExpired(ms(2).plus(LEASE).plusMillis(1), 5);
        assertThat(recovered).extracting(Task::id).containsExactly(b.id());
        assertThat(find(a.id()).status()).isEqualTo(TaskStatus.RUNNING);
    }

    // ---------------------------------------------------------------- started at once

    /** Whether this store starts a task at once when an insert asks it to (a store may always queue instead). */
    protected boolean startsAtOnce() {
        return false;
    }

    /** A task of {@code type} submitted by {@code node} at {@code at}, asking to be started at once. */
    protected static NewTask startingAtOnce(String type, String node, Instant at) {
        return new NewTask(Task.queued(newId(), type, at), bytes("payload"), "text/plain", null, null, node, null,
                at.plus(LEASE));
    }

    @Test
    void aTaskAskedToStartAtOnceIsStoredAsAClaimAtItsSubmissionLeavesItOrElseQueued() throws Exception {
        NewTask n = startingAtOnce("echo", "node-a", T0);

        InsertResult.Inserted r = (InsertResult.Inserted) insert(n, NO_LIMIT);

        assertThat(r.task()).isEqualTo(n.task()); // the QUEUED snapshot, as submitted
        assertThat(r.started()).isEqualTo(startsAtOnce());
        List<TaskEvent> events = store.taskEvents(n.task().id(), 0, 100);
        if (!r.started()) {
            assertThat(find(n.task().id())).isEqualTo(n.task());
            assertThat(events).extracting(TaskEvent::kind).containsExactly(TaskEvent.Kind.QUEUED);
            assertThat(claim("node-b", ms(1)).task().id()).isEqualTo(n.task().id());
            return;
        }
        Task running = Transitions.claim(n.task(), T0).orElseThrow().after();
        assertThat(find(n.task().id())).isEqualTo(running);
        assertThat(events).extracting(TaskEvent::kind).containsExactly(TaskEvent.Kind.QUEUED, TaskEvent.Kind.STARTED);
        assertThat(events).extracting(TaskEvent::node).containsExactly("node-a", "node-a");
        assertThat(events).extracting(TaskEvent::at).containsExactly(T0, T0);
        assertThat(events).extracting(TaskEvent::task).containsExactly(n.task(), running);
        assertThat(store.claim(new ClaimRequest("node-b", null, 5, ms(1), ms(1).plus(LEASE)))).isEmpty();
        assertThat(store.typeStates()).filteredOn(TypeState::type, "echo").singleElement()
                .isEqualTo(new TypeState("echo", false, 0, 1));
        Task done = store.finish(n.task().id(), 1, Outcome.succeeded(TaskResult.json("{}")), ms(2)).orElseThrow();
        assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
    }

    @Test
    void aTaskOfAPausedTypeIsQueuedThoughAskedToStartAtOnce() throws Exception {
        store.pause("echo", true);
        try {
            NewTask paused = startingAtOnce("echo", "node-a", T0);
            NewTask other = startingAtOnce("sleep", "node-a", T0);

            InsertResult.Inserted p = (InsertResult.Inserted) insert(paused, NO_LIMIT);
            InsertResult.Inserted o = (InsertResult.Inserted) insert(other, NO_LIMIT);

            assertThat(p.started()).isFalse();
            assertThat(find(paused.task().id())).isEqualTo(paused.task());
            assertThat(o.started()).isEqualTo(startsAtOnce());
            store.pause("echo", false);
            assertThat(claim("node-b", ms(1)).task().id()).isEqualTo(paused.task().id());
        } finally {
            store.pause("echo", false); // the type table outlives the test on a shared database
        }
    }

    @Test
    void aDuplicateOrARefusalAskedToStartAtOnceStartsNothing() throws Exception {
        byte[] payload = bytes("payload");
        NewTask first = keyed("k", "echo", "payload", T0);
        insert(first, NO_LIMIT);
        NewTask again = new NewTask(Task.queued(newId(), "echo", ms(1)), payload, "text/plain", "k",
                digest("echo", payload), "node-a", null, ms(1).plus(LEASE));

        assertThat(insert(again, NO_LIMIT)).isEqualTo(new InsertResult.Duplicate(first.task()));
        assertThat(insert(startingAtOnce("echo", "node-a", ms(2)), 1)).isInstanceOf(InsertResult.QueueFull.class);
        assertThat(find(first.task().id())).isEqualTo(first.task());
        assertThat(store.typeStates()).filteredOn(TypeState::type, "echo").singleElement()
                .isEqualTo(new TypeState("echo", false, 1, 0));
    }

    // ---------------------------------------------------------------- list

    @Test
    void listPagesThroughAllTasksNewestFirst() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(submit(ms(i)).id());
        }
        List<String> newestFirst = new ArrayList<>(ids);
        java.util.Collections.reverse(newestFirst);

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            TaskPage page = store.list(new TaskQuery(null, null, 3, cursor));
            page.items().forEach(t -> seen.add(t.id()));
            cursor = page.next();
            pages++;
        } while (cursor != null && pages < 10);

        assertThat(seen).containsExactlyElementsOf(newestFirst);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void aPageThatEndsTheListHasNoNextCursor() throws Exception {
        submit(T0);
        submit(ms(1));

        TaskPage page = store.list(new TaskQuery(null, null, 2, null));

        assertThat(page.items()).hasSize(2);
        assertThat(page.next()).isNull();
    }

    @Test
    void listFiltersByStatusAndType() throws Exception {
        Task echo1 = submit("echo", T0);
        Task sha1 = submit("sha256", ms(1));
        Task echo2 = submit("echo", ms(2));
        Task sha2 = submit("sha256", ms(3));
        assertThat(claim("n", ms(4)).task().id()).isEqualTo(echo1.id());

        assertThat(store.list(new TaskQuery(null, "echo", 10, null)).items()).extracting(Task::id)
                .containsExactly(echo2.id(), echo1.id());
        assertThat(store.list(new TaskQuery(TaskStatus.QUEUED, null, 10, null)).items()).extracting(Task::id)
                .containsExactly(sha2.id(), echo2.id(), sha1.id());
        assertThat(store.list(new TaskQuery(TaskStatus.QUEUED, "echo", 10, null)).items()).extracting(Task::id)
                .containsExactly(echo2.id());

        TaskPage first = store.list(new TaskQuery(TaskStatus.QUEUED, null, 1, null));
        TaskPage second = store.list(new TaskQuery(TaskStatus.QUEUED, null, 1, first.next()));
        assertThat(second.items()).extracting(Task::id).containsExactly(echo2.id());
    }

    @Test
    void aMalformedCursorIsAnIllegalArgument() {
        assertThatThrownBy(() -> store.list(new TaskQuery(null, null, 10, "not a cursor!")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.list(new TaskQuery(null, null, 10, "eDEy")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- purge

    @Test
    void purgeDeletesTasksThatFinishedBeforeTheCutoff() throws Exception {
        Task old1 = finished(ms(1_000));
        Task old2 = finished(ms(2_000));
        Task young = finished(ms(3_000));
        Task queued = submit(ms(3_500));

        int n = store.purge(ms(2_500), 1_000);

        assertThat(n).isEqualTo(2);
        assertThat(store.find(old1.id())).isEmpty();
        assertThat(store.find(old2.id())).isEmpty();
        assertThat(store.find(young.id())).isPresent();
        assertThat(store.find(queued.id())).isPresent();
    }

    @Test
    void purgeKeepsOnlyTheNewestFinishedTasksBeyondTheCount() throws Exception {
        List<Task> done = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            done.add(finished(ms(i * 1_000L)));
        }
        Task running = submit(ms(6_000));
        claim("n", ms(6_001));

        int n = store.purge(T0, 2);

        assertThat(n).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(store.find(done.get(i).id())).isEmpty();
        }
        assertThat(store.find(done.get(3).id())).isPresent();
        assertThat(store.find(done.get(4).id())).isPresent();
        assertThat(store.find(running.id())).isPresent();
        assertThat(store.purge(T0, 2)).isZero();
    }

    @Test
    void purgeBeyondTheCountBreaksTiesOfFinishTimeByAge() throws Exception {
        List<Task> tied = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tied.add(finished(ms(5_000)));
        }
        Task newest = finished(ms(6_000));

        int n = store.purge(T0, 3);

        assertThat(n).isEqualTo(2);
        assertThat(store.find(tied.get(0).id())).isEmpty();
        assertThat(store.find(tied.get(1).id())).isEmpty();
        assertThat(store.find(tied.get(2).id())).isPresent();
        assertThat(store.find(tied.get(3).id())).isPresent();
        assertThat(store.find(newest.id())).isPresent();
        assertThat(store.purge(T0, 3)).isZero();
    }

    @Test
    void purgingATaskFreesItsIdempotencyKey() throws Exception {
        NewTask first = keyed("purged-key", "echo", "same", T0);
        insert(first, NO_LIMIT);
        ClaimedTask c = claim("n", ms(1));
        store.finish(first.task().id(), c.attempt(), Outcome.succeeded(TaskResult.empty()), ms(2)).orElseThrow();
        assertThat(insert(keyed("purged-key", "echo", "same", ms(3)), NO_LIMIT))
                .isInstanceOf(InsertResult.Duplicate.class);

        assertThat(store.purge(ms(10), 1_000)).isEqualTo(1);

        NewTask again = keyed("purged-key", "echo", "same", ms(20));
        assertThat(insert(again, NO_LIMIT)).isEqualTo(new InsertResult.Inserted(again.task()));
    }


    // ---------------------------------------------------------------- the transition table as oracle

    /**
     * A task as a comparable text: every field, the result by media type and size (a store may
     * give a summary where another gives the bytes).
     */
    protected static String view(Task t) {
        if (t == null) {
            return "none";
        }
        TaskResult r = t.result();
        return t.toBuilder().result(null).build() + " result=" + (r == null ? "none" : r.contentType() + "/" + r.size());
    }

    private List<TaskEvent> eventsOf(String id) {
        return store.taskEvents(id, 0, 10_000);
    }

    /** Checks that {@code got} is what {@code expected} decided, and that its event (if any) was appended. */
    private void assertApplied(String what, Task was, Optional<Transitions.Change> expected, List<TaskEvent> before,
            Optional<Task> returned) {
        String id = was.id();
        Task now = store.find(id).orElseThrow();
        List<TaskEvent> after = eventsOf(id);
        if (expected.isEmpty()) {
            assertThat(returned).as(what + ": refused").isEmpty();
            assertThat(view(now)).as(what + ": unchanged").isEqualTo(view(was));
            assertThat(after).as(what + ": no event").hasSameSizeAs(before);
            return;
        }
        Transitions.Change c = expected.get();
        assertThat(view(now)).as(what + ": the stored task").isEqualTo(view(c.after()));
        returned.ifPresent(r -> assertThat(view(r)).as(what + ": the returned task").isEqualTo(view(c.after())));
        if (c.event() == null) {
            assertThat(after).as(what + ": no event").hasSameSizeAs(before);
        } else {
            assertThat(after).as(what + ": one event").hasSize(before.size() + 1);
            TaskEvent e = after.get(after.size() - 1);
            assertThat(e.kind()).as(what + ": the event's kind").isEqualTo(c.event());
            assertThat(view(e.task())).as(what + ": the event's task").isEqualTo(view(c.after()));
            if (!before.isEmpty()) {
                assertThat(e.id()).as(what + ": event ids increase").isGreaterThan(before.get(before.size() - 1).id());
            }
        }
    }

    @Test
    void everyChangeIsTheOneTheTransitionTableDecidesWithItsEvent() throws Exception {
        java.util.Random rnd = new java.util.Random(20261201);
        List<String> ids = new ArrayList<>();
        java.util.Map<String, Integer> lastAttempt = new java.util.HashMap<>();
        for (int i = 0; i < 6; i++) {
            Task q = Task.queued(newId(), i % 2 == 0 ? "echo" : "sleep", ms(i)).toBuilder()
                    .expiresAt(i == 5 ? ms(400) : null).priority(i % 3 - 1).build();
            assertThat(insert(new NewTask(q, bytes("p" + i), "text/plain", null, null, "node-a"), NO_LIMIT))
                    .isInstanceOf(InsertResult.Inserted.class);
            assertThat(eventsOf(q.id())).extracting(TaskEvent::kind).containsExactly(TaskEvent.Kind.QUEUED);
            ids.add(q.id());
        }
        Instant now = ms(10);
        for (int step = 0; step < 400; step++) {
            now = now.plusMillis(rnd.nextInt(4));
            String id = ids.get(rnd.nextInt(ids.size()));
            Task before = find(id);
            List<TaskEvent> events = eventsOf(id);
            int attempt = lastAttempt.getOrDefault(id, 0) - (rnd.nextInt(5) == 0 ? 1 : 0); // sometimes stale
            String what = "step " + step;
            switch (rnd.nextInt(8)) {
                case 0 -> { // claim, by whoever is ready: check what the claimed tasks became
                    java.util.Map<String, Task> all = new java.util.HashMap<>();
                    for (String x : ids) {
                        all.put(x, find(x));
                    }
                    java.util.Map<String, Integer> counts = new java.util.HashMap<>();
                    for (String x : ids) {
                        counts.put(x, eventsOf(x).size());
                    }
                    List<ClaimedTask> claimed = store.claim(new ClaimRequest("node-" + rnd.nextInt(2), null,
                            1 + rnd.nextInt(2), now, now.plus(LEASE)));
                    for (ClaimedTask c : claimed) {
                        String x = c.task().id();
                        Optional<Transitions.Change> exp = Transitions.claim(all.get(x), now);
                        assertThat(exp).as(what + ": only ready tasks are claimed").isPresent();
                        assertThat(view(c.task())).as(what + ": claimed").isEqualTo(view(exp.get().after()));
                        assertThat(eventsOf(x)).as(what + ": a started event").hasSize(counts.get(x) + 1);
                        lastAttempt.put(x, c.attempt());
                    }
                    for (String x : ids) {
                        boolean wasClaimed = claimed.stream().anyMatch(c -> c.task().id().equals(x));
                        if (!wasClaimed) {
                            assertThat(view(find(x))).as(what + ": not claimed, unchanged").isEqualTo(view(all.get(x)));
                        }
                    }
                }
                case 1 -> {
                    int percent = rnd.nextInt(101);
                    Optional<Transitions.Change> exp = Transitions.progress(before, attempt, percent);
                    boolean written = store.progress(id, attempt, percent, now, "node-a");
                    assertThat(written).as(what + ": progress written").isEqualTo(exp.isPresent());
                    assertApplied(what + " progress", before, exp, events, exp.map(Transitions.Change::after));
                }
                case 2 -> {
                    io.asyncreply.task.Outcome o = switch (rnd.nextInt(3)) {
                        case 0 -> io.asyncreply.task.Outcome.succeeded(TaskResult.json("{\"n\":" + step + "}"));
                        case 1 -> io.asyncreply.task.Outcome.failed(new TaskError("broke at " + step));
                        default -> io.asyncreply.task.Outcome.cancelled();
                    };
                    Optional<Transitions.Change> exp = Transitions.finish(before, attempt, o, now);
                    assertApplied(what + " finish", before, exp, events, store.finish(id, attempt, o, now));
                }
                case 3 -> {
                    Instant runAt = now.plusMillis(rnd.nextInt(3) * 5);
                    TaskError err = new TaskError("try again " + step);
                    Optional<Transitions.Change> exp = Transitions.requeue(before, attempt, err, runAt, now);
                    assertApplied(what + " requeue", before, exp, events, store.requeue(id, attempt, err, runAt, now));
                }
                case 4 -> {
                    Transitions.CancelDecision d = Transitions.cancel(before, now);
                    CancelResult r = store.cancel(id, now, "node-b");
                    assertThat(r.outcome()).as(what + ": cancel outcome").isEqualTo(d.outcome());
                    assertApplied(what + " cancel", before, Optional.ofNullable(d.change()), events,
                            d.change() == null ? Optional.empty() : Optional.of(r.task()));
                }
                case 5 -> { // recovery, after the leases of this moment ran out
                    Instant later = now.plus(LEASE).plusMillis(1);
                    java.util.Map<String, Task> all = new java.util.HashMap<>();
                    for (String x : ids) {
                        all.put(x, find(x));
                    }
                    List<Task> recovered = store.recoverExpired(later, 3, "node-c");
                    for (Task t : recovered) {
                        Optional<Transitions.Change> exp = Transitions.recover(all.get(t.id()), later, 3);
                        assertThat(exp).as(what + ": only running tasks are recovered").isPresent();
                        assertThat(view(t)).as(what + ": recovered").isEqualTo(view(exp.get().after()));
                        assertThat(view(find(t.id()))).isEqualTo(view(exp.get().after()));
                        assertThat(eventsOf(t.id()).get(eventsOf(t.id()).size() - 1).kind())
                                .isEqualTo(exp.get().event());
                    }
                    for (String x : ids) {
                        if (all.get(x).status() == TaskStatus.RUNNING) {
                            assertThat(recovered).as(what + ": every expired lease is recovered")
                                    .anyMatch(t -> t.id().equals(x));
                        }
                    }
                    now = later;
                }
                case 6 -> {
                    Optional<Transitions.Change> exp = Transitions.expire(before, now);
                    List<Task> expired = store.expire(now, 100, "node-a");
                    assertThat(expired.stream().anyMatch(t -> t.id().equals(id))).as(what + ": expired")
                            .isEqualTo(exp.isPresent());
                    assertApplied(what + " expire", before, exp, events,
                            expired.stream().filter(t -> t.id().equals(id)).findFirst());
                }
                default -> { // a new task now and then keeps the queue busy
                    Task q = Task.queued(newId(), "echo", now);
                    insert(new NewTask(q, bytes("n"), null, null, null, "node-a"), NO_LIMIT);
                    ids.add(q.id());
                }
            }
        }
        // the whole log, read in pages, holds every task's events once and in each task's order
        List<TaskEvent> log = new ArrayList<>();
        EventCursor c = EventCursor.start();
        for (int guard = 0; guard < 10_000; guard++) {
            EventPage p = store.readEvents(c, 7);
            log.addAll(p.events());
            c = p.next();
            if (p.events().isEmpty() && !p.pending()) {
                break;
            }
        }
        assertThat(log).extracting(TaskEvent::id).isSorted().doesNotHaveDuplicates();
        for (String id : ids) {
            assertThat(log.stream().filter(e -> e.taskId().equals(id)).map(TaskEvent::id).toList())
                    .as("the log's events of " + id).isEqualTo(eventsOf(id).stream().map(TaskEvent::id).toList());
        }
    }

    // ---------------------------------------------------------------- batches

    @Test
    void aBatchClaimedByANodeThatDiesIsRecoveredWholeAndRunsAgainElsewhere() throws Exception {
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tasks.add(submit(ms(i)));
        }
        List<ClaimedTask> batch = store.claim(new ClaimRequest("dying", null, 6, ms(10), ms(10).plus(LEASE)));
        assertThat(batch).hasSize(6);
        // "dying" never renews, completes or gives back anything: its leases run out.

        Instant after = ms(10).plus(LEASE).plusMillis(1);
        List<Task> recovered = store.recoverExpired(after, 5, "survivor");

        assertThat(recovered).extracting(Task::id).containsExactlyInAnyOrderElementsOf(ids(tasks));
        assertThat(recovered).allSatisfy(t -> {
            assertThat(t.status()).isEqualTo(TaskStatus.QUEUED);
            assertThat(t.attempts()).isEqualTo(1);
        });
        List<ClaimedTask> again = store.claim(new ClaimRequest("survivor", null, 10, after, after.plus(LEASE)));
        assertThat(again).extracting(c -> c.task().id()).containsExactlyInAnyOrderElementsOf(ids(tasks));
        assertThat(again).allSatisfy(c -> assertThat(c.attempt()).isEqualTo(2));
        for (ClaimedTask old : batch) { // the dead node's writes, should it come back, are fenced off
            assertThat(store.progress(old.task().id(), old.attempt(), 50, after, "dying")).isFalse();
        }
    }

    @Test
    void aBatchCompletionRefusedForOneTaskStillRecordsTheOthers() throws Exception {
        Task a = submit(T0);
        Task b = submit(ms(1));
        Task c = submit(ms(2));
        List<ClaimedTask> batch = store.claim(new ClaimRequest("n1", null, 3, ms(10), ms(10).plus(LEASE)));
        assertThat(batch).hasSize(3);
        // n1 stalls past its leases: all three are recovered and claimed again by n2 (attempt 2).
        Instant late = ms(10).plus(LEASE).plusMillis(1);
        store.recoverExpired(late, 5, "n2");
        List<ClaimedTask> retaken = store.claim(new ClaimRequest("n2", null, 3, late, late.plus(LEASE)));
        assertThat(retaken).hasSize(3);
        // One batch of the completer holds a and c of attempt 2 and, late, b of attempt 1 (n1's lost lease):
        // b is refused, a and c are recorded.
        ClaimedTask a2 = retaken.stream().filter(x -> x.task().id().equals(a.id())).findFirst().orElseThrow();
        ClaimedTask c2 = retaken.stream().filter(x -> x.task().id().equals(c.id())).findFirst().orElseThrow();

        List<Optional<Task>> written = store.complete(List.of(
                Completion.finish(a.id(), a2.attempt(), Outcome.succeeded(TaskResult.json("{}")), late.plusMillis(1),
                        "n2"),
                Completion.finish(b.id(), 1, Outcome.succeeded(TaskResult.json("{}")), late.plusMillis(1), "n1"),
                Completion.requeue(c.id(), c2.attempt(), new TaskError("handler-error", "again"), late.plusMillis(5),
                        late.plusMillis(1), "n2")));

        assertThat(written).hasSize(3);
        assertThat(written.get(0)).get().extracting(Task::status).isEqualTo(TaskStatus.SUCCEEDED);
        assertThat(written.get(1)).as("b: a stale attempt, refused").isEmpty();
        assertThat(written.get(2)).get().extracting(Task::status).isEqualTo(TaskStatus.QUEUED);
        assertThat(find(b.id()).status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(find(b.id()).attempts()).isEqualTo(2);
        assertThat(store.taskEvents(b.id(), 0, 10)).extracting(TaskEvent::kind).as("no event for the refused one")
                .containsExactly(TaskEvent.Kind.QUEUED, TaskEvent.Kind.STARTED, TaskEvent.Kind.REQUEUED,
                        TaskEvent.Kind.STARTED);
    }

    // ---------------------------------------------------------------- the event log

    @Test
    void aTasksLifeIsInTheLogInOrderWithTheNodeThatMadeEachChange() throws Exception {
        Task t = Task.queued(newId(), "echo", T0);
        insert(new NewTask(t, bytes("x"), null, null, null, "node-a"), NO_LIMIT);
        ClaimedTask c = store.claim(new ClaimRequest("node-b", null, 1, ms(1), ms(1).plus(LEASE))).get(0);
        store.progress(t.id(), c.attempt(), 50, ms(2), "node-b");
        store.complete(List.of(Completion.finish(t.id(), c.attempt(),
                io.asyncreply.task.Outcome.succeeded(TaskResult.json("{\"ok\":true}")), ms(3), "node-b")));

        List<TaskEvent> events = store.taskEvents(t.id(), 0, 100);

        assertThat(events).extracting(TaskEvent::kind).containsExactly(TaskEvent.Kind.QUEUED, TaskEvent.Kind.STARTED,
                TaskEvent.Kind.PROGRESS, TaskEvent.Kind.SUCCEEDED);
        assertThat(events).extracting(TaskEvent::node).containsExactly("node-a", "node-b", "node-b", "node-b");
        assertThat(events).extracting(TaskEvent::at).containsExactly(T0, ms(1), ms(2), ms(3));
        assertThat(events).extracting(e -> e.task().status()).containsExactly(TaskStatus.QUEUED, TaskStatus.RUNNING,
                TaskStatus.RUNNING, TaskStatus.SUCCEEDED);
        assertThat(events.get(2).task().progress()).isEqualTo(50);
        assertThat(events.get(3).task().result().contentType()).isEqualTo("application/json");
        assertThat(events).extracting(TaskEvent::id).isSorted().doesNotHaveDuplicates();
        assertThat(store.taskEvents(t.id(), events.get(1).id(), 100)).extracting(TaskEvent::kind)
                .containsExactly(TaskEvent.Kind.PROGRESS, TaskEvent.Kind.SUCCEEDED);
        assertThat(store.taskEvents(newId(), 0, 100)).isEmpty();
    }

    @Test
    void aRefusedChangeAppendsNoEvent() throws Exception {
        Task t = submit(T0);
        ClaimedTask c = claim("node-a", ms(1));
        store.finish(t.id(), c.attempt(), io.asyncreply.task.Outcome.cancelled(), ms(2));
        int n = store.taskEvents(t.id(), 0, 100).size();

        assertThat(store.finish(t.id(), c.attempt(), io.asyncreply.task.Outcome.cancelled(), ms(3))).isEmpty();
        assertThat(store.progress(t.id(), c.attempt(), 10, ms(3), null)).isFalse();
        assertThat(store.cancel(t.id(), ms(3)).outcome()).isEqualTo(CancelResult.Outcome.ALREADY_FINISHED);

        assertThat(store.taskEvents(t.id(), 0, 100)).hasSize(n);
    }

    @Test
    void aCancelRequestIsAChangeButNotAnEvent() throws Exception {
        Task t = submit(T0);
        claim("node-a", ms(1));
        int n = store.taskEvents(t.id(), 0, 100).size();

        CancelResult r = store.cancel(t.id(), ms(2));

        assertThat(r.outcome()).isEqualTo(CancelResult.Outcome.CANCEL_REQUESTED);
        assertThat(find(t.id()).cancelRequested()).isTrue();
        assertThat(store.taskEvents(t.id(), 0, 100)).hasSize(n);
    }

    @Test
    void theLogIsReadInPagesFromTheHeadOnwardsWithoutRepeats() throws Exception {
        submit(T0);
        EventCursor head = store.eventHead();
        Task a = submit(ms(1));
        Task b = submit(ms(2));
        Task c = submit(ms(3));

        EventPage first = store.readEvents(head, 2);
        EventPage second = store.readEvents(first.next(), 2);
        EventPage third = store.readEvents(second.next(), 2);

        assertThat(first.events()).extracting(TaskEvent::taskId).containsExactly(a.id(), b.id());
        assertThat(second.events()).extracting(TaskEvent::taskId).containsExactly(c.id());
        assertThat(third.events()).isEmpty();
        assertThat(third.pending()).isFalse();
        assertThat(store.readEvents(EventCursor.after(first.events().get(0).id()), 10).events())
                .extracting(TaskEvent::taskId).containsExactly(b.id(), c.id());
    }

    @Test
    void purgingATaskDeletesItsEvents() throws Exception {
        Task t = finished(ms(5));
        assertThat(store.taskEvents(t.id(), 0, 100)).isNotEmpty();

        store.purge(ms(6), 0);

        assertThat(store.taskEvents(t.id(), 0, 100)).isEmpty();
        assertThat(store.readEvents(EventCursor.start(), 100).events()).noneMatch(e -> e.taskId().equals(t.id()));
    }

    @Test
    void expiryEndsQueuedTasksPastTheirTimeToLiveOnly() throws Exception {
        Task ttl = Task.queued(newId(), "echo", T0).toBuilder().expiresAt(ms(100)).build();
        insert(new NewTask(ttl, bytes("t"), null, null, null), NO_LIMIT);
        Task forever = submit(ms(1));

        assertThat(store.expire(ms(99), 10, "n")).isEmpty();
        List<Task> expired = store.expire(ms(100), 10, "n");

        assertThat(expired).extracting(Task::id).containsExactly(ttl.id());
        Task t = find(ttl.id());
        assertThat(t.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(t.error().code()).isEqualTo(TaskError.EXPIRED);
        assertThat(store.taskEvents(ttl.id(), 0, 10)).extracting(TaskEvent::kind)
                .containsExactly(TaskEvent.Kind.QUEUED, TaskEvent.Kind.FAILED);
        assertThat(find(forever.id()).status()).isEqualTo(TaskStatus.QUEUED);
        assertThat(store.claim("n", ms(101), ms(101).plus(LEASE)).orElseThrow().task().id()).isEqualTo(forever.id());
    }

    @Test
    void anExpiredTaskIsNotClaimed() throws Exception {
        Task ttl = Task.queued(newId(), "echo", T0).toBuilder().expiresAt(ms(10)).build();
        insert(new NewTask(ttl, bytes("t"), null, null, null), NO_LIMIT);

        assertThat(store.claim("n", ms(10), ms(10).plus(LEASE))).isEmpty();
        assertThat(find(ttl.id()).status()).isEqualTo(TaskStatus.QUEUED);
    }

    @Test
    void claimTakesTheHighestPriorityFirstThenTheOldest() throws Exception {
        Task low = insertTask(Task.queued(newId(), "echo", T0).toBuilder().priority(-5).build());
        Task normal = submit(ms(1));
        Task high = insertTask(Task.queued(newId(), "echo", ms(2)).toBuilder().priority(7).build());
        Task normal2 = submit(ms(3));

        List<ClaimedTask> c = store.claim(new ClaimRequest("n", null, 4, ms(10), ms(10).plus(LEASE)));

        assertThat(c).extracting(x -> x.task().id()).containsExactly(high.id(), normal.id(), normal2.id(), low.id());
    }

    @Test
    void aClaimTakesOnlyTheTypesItServes() throws Exception {
        Task echo = submit("echo", T0);
        Task sleep = submit("sleep", ms(1));

        List<ClaimedTask> c = store.claim(new ClaimRequest("n", java.util.Set.of("sleep"), 5, ms(10),
                ms(10).plus(LEASE)));

        assertThat(c).extracting(x -> x.task().id()).containsExactly(sleep.id());
        assertThat(find(echo.id()).status()).isEqualTo(TaskStatus.QUEUED);
    }

    @Test
    void idempotencyKeysAreUniquePerOwner() throws Exception {
        byte[] p = bytes("same");
        Task a = Task.queued(newId(), "echo", T0).toBuilder().owner("alice").build();
        Task b = Task.queued(newId(), "echo", ms(1)).toBuilder().owner("bob").build();
        Task a2 = Task.queued(newId(), "echo", ms(2)).toBuilder().owner("alice").build();

        assertThat(insert(new NewTask(a, p, null, "k", digest("echo", p)), NO_LIMIT))
                .isInstanceOf(InsertResult.Inserted.class);
        assertThat(insert(new NewTask(b, p, null, "k", digest("echo", p)), NO_LIMIT))
                .isInstanceOf(InsertResult.Inserted.class);
        InsertResult again = insert(new NewTask(a2, p, null, "k", digest("echo", p)), NO_LIMIT);
        assertThat(again).isInstanceOf(InsertResult.Duplicate.class);
        assertThat(((InsertResult.Duplicate) again).existing().id()).isEqualTo(a.id());
        assertThat(find(b.id()).owner()).isEqualTo("bob");
    }

    // ---------------------------------------------------------------- owners

    protected Task insertOwned(String owner, String type, Instant at) throws Exception {
        return insertTask(Task.queued(newId(), type, at).toBuilder().owner(owner).build());
    }

    @Test
    void theAnonymousOwnerAndANamedOneMayUseTheSameKey() throws Exception {
        byte[] p = bytes("same");
        Task anon = Task.queued(newId(), "echo", T0);
        Task alice = Task.queued(newId(), "echo", ms(1)).toBuilder().owner("alice").build();

        assertThat(insert(new NewTask(anon, p, null, "k", digest("echo", p)), NO_LIMIT))
                .isInstanceOf(InsertResult.Inserted.class);
        assertThat(insert(new NewTask(alice, p, null, "k", digest("echo", p)), NO_LIMIT))
                .isInstanceOf(InsertResult.Inserted.class);
        assertThat(find(anon.id()).owner()).isNull();
    }

    @Test
    void anotherOwnersTaskIsUnknownToEveryOwnerScopedRead() throws Exception {
        Task a = insertOwned("alice", "echo", T0);

        assertThat(store.find(a.id(), "bob")).isEmpty();
        assertThat(store.findWithPayload(a.id(), "bob")).isEmpty();
        assertThat(store.taskEvents(a.id(), 0, 10, "bob")).isEmpty();
        assertThat(store.cancel(a.id(), ms(1), "n", "bob").outcome()).isEqualTo(CancelResult.Outcome.NOT_FOUND);
        assertThat(find(a.id()).status()).isEqualTo(TaskStatus.QUEUED);

        assertThat(store.find(a.id(), "alice")).isPresent();
        assertThat(store.find(a.id(), null)).as("null: anyone's").isPresent();
        assertThat(store.findWithPayload(a.id(), "alice")).get().extracting(c -> new String(c.payload(),
                StandardCharsets.UTF_8)).isEqualTo("x");
        assertThat(store.taskEvents(a.id(), 0, 10, "alice")).extracting(TaskEvent::kind)
                .containsExactly(TaskEvent.Kind.QUEUED);
        assertThat(store.cancel(a.id(), ms(2), "n", "alice").outcome()).isEqualTo(CancelResult.Outcome.CANCELLED);
    }

    @Test
    void anAnonymousTaskIsNotANamedOwnersTask() throws Exception {
        Task anon = submit(T0);

        assertThat(store.find(anon.id(), "alice")).isEmpty();
        assertThat(store.cancel(anon.id(), ms(1), "n", "alice").outcome()).isEqualTo(CancelResult.Outcome.NOT_FOUND);
    }

    @Test
    void aListForAnOwnerHoldsOnlyThatOwnersTasks() throws Exception {
        Task a1 = insertOwned("alice", "echo", T0);
        insertOwned("bob", "echo", ms(1));
        Task a2 = insertOwned("alice", "sleep", ms(2));
        submit(ms(3));

        TaskPage page = store.list(new TaskQuery(null, null, "alice", 10, null));

        assertThat(page.items()).extracting(Task::id).containsExactly(a2.id(), a1.id());
    }

    @Test
    void theFailedTasksPayloadIsKeptForARetry() throws Exception {
        Task t = submit(T0);
        ClaimedTask c = claim("n", ms(1));
        store.finish(t.id(), c.attempt(), Outcome.failed(new TaskError("handler-error", "no")), ms(2)).orElseThrow();

        assertThat(store.findWithPayload(t.id(), null)).get().satisfies(x -> {
            assertThat(x.task().status()).isEqualTo(TaskStatus.FAILED);
            assertThat(new String(x.payload(), StandardCharsets.UTF_8)).isEqualTo("payload");
            assertThat(x.contentType()).isEqualTo("text/plain");
        });
    }

    @Test
    void theFailedTasksCallbackIsReadBackWithItsPayloadForARetry() throws Exception {
        Task t = Task.queued(newId(), "echo", T0);
        insert(new NewTask(t, bytes("payload"), "text/plain", null, null, "n", "https://example.com/hook"), NO_LIMIT);
        Task none = submit(ms(1));
        ClaimedTask c = claim("n", ms(2));
        store.finish(t.id(), c.attempt(), Outcome.failed(new TaskError("handler-error", "no")), ms(3)).orElseThrow();

        assertThat(store.findWithPayload(t.id(), null)).get().extracting(ClaimedTask::callback)
                .isEqualTo("https://example.com/hook");
        assertThat(store.findWithPayload(none.id(), null)).get().extracting(ClaimedTask::callback)
                .as("a task without a callback").isNull();
    }

    // ---------------------------------------------------------------- types: pause, bulk cancel, limits

    @Test
    void aPausedTypeIsNotClaimedUntilResumed() throws Exception {
        Task sleep = submit("sleep", T0);
        Task echo = submit("echo", ms(1));
        store.pause("sleep", true);

        assertThat(store.claim(new ClaimRequest("n", null, 5, ms(10), ms(10).plus(LEASE))))
                .extracting(x -> x.task().id()).containsExactly(echo.id());
        assertThat(store.typeStates()).filteredOn(TypeState::type, "sleep").singleElement()
                .satisfies(st -> assertThat(st.paused()).isTrue());

        store.pause("sleep", false);
        assertThat(store.claim(new ClaimRequest("n", null, 5, ms(11), ms(11).plus(LEASE))))
                .extracting(x -> x.task().id()).containsExactly(sleep.id());
    }

    @Test
    void aPausedLimitedTypeIsNotClaimedEither() throws Exception {
        submit("sleep", T0);
        store.pause("sleep", true);

        assertThat(store.claim(new ClaimRequest("n", null, 5, ms(10), ms(10).plus(LEASE),
                java.util.Map.of("sleep", io.asyncreply.task.TypePolicy.DEFAULT.withConcurrency(3))))).isEmpty();
    }

    @Test
    void typeStatesCountQueuedAndRunningTasksPerType() throws Exception {
        submit("echo", T0);
        submit("echo", ms(1));
        submit("sleep", ms(2));
        store.claim(new ClaimRequest("n", Set.of("echo"), 1, ms(10), ms(10).plus(LEASE)));

        assertThat(store.typeStates()).filteredOn(st -> !st.paused() || st.queued() + st.running() > 0)
                .containsExactly(new TypeState("echo", false, 1, 1), new TypeState("sleep", false, 1, 0));
    }

    @Test
    void cancelQueuedEndsOnlyQueuedTasksOfThatTypeAndOwnerEachWithItsEvent() throws Exception {
        Task a1 = insertOwned("alice", "sleep", T0);
        Task a2 = insertOwned("alice", "sleep", ms(1));
        Task a3 = insertOwned("alice", "sleep", ms(2));
        Task echo = insertOwned("alice", "echo", ms(3));
        Task bob = insertOwned("bob", "sleep", ms(4));
        ClaimedTask running = claim("n", ms(5)); // a1, the oldest
        assertThat(running.task().id()).isEqualTo(a1.id());

        int n = store.cancelQueued("sleep", "alice", ms(6), "n", 1);
        assertThat(n).isEqualTo(1);
        assertThat(find(a2.id()).status()).as("oldest queued first").isEqualTo(TaskStatus.CANCELLED);
        assertThat(find(a3.id()).status()).isEqualTo(TaskStatus.QUEUED);

        assertThat(store.cancelQueued("sleep", "alice", ms(7), "n", 100)).isEqualTo(1);
        assertThat(find(a3.id()).status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(find(a1.id()).status()).as("running: not touched").isEqualTo(TaskStatus.RUNNING);
        assertThat(find(echo.id()).status()).isEqualTo(TaskStatus.QUEUED);
        assertThat(find(bob.id()).status()).isEqualTo(TaskStatus.QUEUED);
        assertThat(store.taskEvents(a3.id(), 0, 10)).extracting(TaskEvent::kind)
                .containsExactly(TaskEvent.Kind.QUEUED, TaskEvent.Kind.CANCELLED);

        assertThat(store.cancelQueued(null, null, ms(8), "n", 100)).as("every type, every owner").isEqualTo(2);
        assertThat(find(bob.id()).status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void aClaimTakesNoMoreOfATypeThanItsConcurrencyLeavesAcrossClaims() throws Exception {
        for (int i = 0; i < 5; i++) {
            submit("sleep", ms(i));
        }
        Task echo = submit("echo", ms(10));
        java.util.Map<String, io.asyncreply.task.TypePolicy> limits = java.util.Map.of("sleep",
                io.asyncreply.task.TypePolicy.DEFAULT.withConcurrency(2));

        List<ClaimedTask> first = store.claim(new ClaimRequest("a", null, 10, ms(20), ms(20).plus(LEASE), limits));
        assertThat(first).extracting(x -> x.task().type()).containsExactlyInAnyOrder("sleep", "sleep", "echo");
        assertThat(store.claim(new ClaimRequest("b", null, 10, ms(21), ms(21).plus(LEASE), limits)))
                .as("another node: two run already").isEmpty();

        ClaimedTask done = first.stream().filter(x -> x.task().type().equals("sleep")).findFirst().orElseThrow();
        store.finish(done.task().id(), done.attempt(), Outcome.succeeded(TaskResult.empty()), ms(22)).orElseThrow();
        assertThat(store.claim(new ClaimRequest("b", null, 10, ms(23), ms(23).plus(LEASE), limits)))
                .hasSize(1);
        assertThat(find(echo.id()).status()).isEqualTo(TaskStatus.RUNNING);
    }

    @Test
    void aRateLimitedTypeStartsNoMoreThanItsTokensAllow() throws Exception {
        for (int i = 0; i < 10; i++) {
            submit("sleep", ms(i));
        }
        java.util.Map<String, io.asyncreply.task.TypePolicy> limits = java.util.Map.of("sleep",
                io.asyncreply.task.TypePolicy.DEFAULT.withRate(2));
        Instant t = ms(1000);

        assertThat(store.claim(new ClaimRequest("a", null, 10, t, t.plus(LEASE), limits)))
                .as("a full bucket: one second's worth").hasSize(2);
        assertThat(store.claim(new ClaimRequest("b", null, 10, t.plusMillis(100), t.plus(LEASE), limits))).isEmpty();
        assertThat(store.claim(new ClaimRequest("b", null, 10, t.plusMillis(500), t.plus(LEASE), limits)))
                .as("half a second later: one token").hasSize(1);
        assertThat(store.claim(new ClaimRequest("a", null, 10, t.plusMillis(400), t.plus(LEASE), limits)))
                .as("an older clock adds no time").isEmpty();
        assertThat(store.claim(new ClaimRequest("a", null, 10, t.plusMillis(5000), t.plus(LEASE), limits)))
                .as("a bucket holds one second's worth at most").hasSize(2);
    }

    @Test
    void aPageReadsOnlyResultsItWouldInline() throws Exception {
        Task big = submit(T0);
        ClaimedTask c = claim("n", ms(1));
        byte[] huge = new byte[io.asyncreply.task.Limits.MAX_INLINE_RESULT_BYTES + 1];
        store.finish(big.id(), c.attempt(), io.asyncreply.task.Outcome.succeeded(TaskResult.of(huge,
                "application/octet-stream")), ms(2));
        Task small = submit(ms(3));
        ClaimedTask c2 = claim("n", ms(4));
        store.finish(small.id(), c2.attempt(), io.asyncreply.task.Outcome.succeeded(TaskResult.json("[1]")), ms(5));

        List<Task> page = store.list(TaskQuery.firstPage()).items();

        Task b = page.stream().filter(t -> t.id().equals(big.id())).findFirst().orElseThrow();
        Task s = page.stream().filter(t -> t.id().equals(small.id())).findFirst().orElseThrow();
        assertThat(b.result().hasBytes()).isFalse();
        assertThat(b.result().size()).isEqualTo(huge.length);
        assertThat(b.result().contentType()).isEqualTo("application/octet-stream");
        assertThat(s.result().hasBytes()).isTrue();
        assertThat(find(big.id()).result().bytes()).hasSize(huge.length);
    }

    private Task insertTask(Task t) throws Exception {
        assertThat(insert(new NewTask(t, bytes("x"), null, null, null), NO_LIMIT)).isInstanceOf(InsertResult.Inserted.class);
        return t;
    }

    // ---------------------------------------------------------------- dashboard reads

    @Test
    void aListForAnOwnerPagesNewestFirstAlsoWithAStatusFilter() throws Exception {
        Task a1 = insertOwned("alice", "echo", T0);
        insertOwned("bob", "echo", ms(1));
        Task a2 = insertOwned("alice", "echo", ms(2));
        Task a3 = insertOwned("alice", "sleep", ms(3));
        store.cancel(a2.id(), ms(4), "n");

        TaskPage first = store.list(new TaskQuery(null, null, "alice", 2, null));
        TaskPage second = store.list(new TaskQuery(null, null, "alice", 2, first.next()));
        TaskPage queued = store.list(new TaskQuery(TaskStatus.QUEUED, null, "alice", 10, null));

        assertThat(first.items()).extracting(Task::id).containsExactly(a3.id(), a2.id());
        assertThat(second.items()).extracting(Task::id).containsExactly(a1.id());
        assertThat(second.next()).isNull();
        assertThat(queued.items()).extracting(Task::id).containsExactly(a3.id(), a1.id());
    }

    @Test
    void findByKeyFindsTheTaskHoldingTheKeyOfThatOwnerOnly() throws Exception {
        byte[] p = bytes("same");
        Task anon = Task.queued(newId(), "echo", T0);
        Task alice = Task.queued(newId(), "echo", ms(1)).toBuilder().owner("alice").build();
        insert(new NewTask(anon, p, null, "order-42", digest("echo", p)), NO_LIMIT);
        insert(new NewTask(alice, p, null, "order-42", digest("echo", p)), NO_LIMIT);
        submit(ms(2)); // no key

        assertThat(store.findByKey("order-42", null)).get().extracting(Task::id).isEqualTo(anon.id());
        assertThat(store.findByKey("order-42", "alice")).get().extracting(Task::id).isEqualTo(alice.id());
        assertThat(store.findByKey("order-42", "bob")).as("another owner's key").isEmpty();
        assertThat(store.findByKey("order-43", null)).isEmpty();
    }

    @Test
    void aPurgedTaskIsNoLongerFoundByItsKey() throws Exception {
        Task t = ((InsertResult.Inserted) insert(keyed("k", "echo", "p", T0), NO_LIMIT)).task();
        ClaimedTask c = claim("n", ms(1));
        store.finish(t.id(), c.attempt(), Outcome.succeeded(TaskResult.json("{}")), ms(2));
        store.purge(ms(3), 0);

        assertThat(store.findByKey("k", null)).isEmpty();
    }

    @Test
    void payloadSizeIsThePayloadsLengthInBytesForItsOwner() throws Exception {
        Task t = Task.queued(newId(), "echo", T0).toBuilder().owner("alice").build();
        insert(new NewTask(t, bytes("h\u00e9llo"), "text/plain", null, null), NO_LIMIT);

        assertThat(store.payloadSize(t.id(), null)).hasValue(6);
        assertThat(store.payloadSize(t.id(), "alice")).hasValue(6);
        assertThat(store.payloadSize(t.id(), "bob")).isEmpty();
        assertThat(store.payloadSize(newId(), null)).isEmpty();
    }

    /** A task of {@code type} submitted, claimed and ended with {@code outcome} at {@code at}, alone in the queue. */
    private Task ended(String type, Instant at, Outcome outcome) throws Exception {
        Task t = submit(type, at.minusMillis(2));
        ClaimedTask c = claim("n", at.minusMillis(1));
        assertThat(c.task().id()).isEqualTo(t.id());
        return store.finish(t.id(), c.attempt(), outcome, at).orElseThrow();
    }

    @Test
    void finishedCountsCountTasksThatFinishedSinceByTypeStateAndMinute() throws Exception {
        long m0 = T0.getEpochSecond() / 60;
        Outcome ok = Outcome.succeeded(TaskResult.json("{}"));
        ended("echo", T0.minusSeconds(1), ok); // before the range
        ended("echo", T0, ok);
        ended("echo", T0.plusSeconds(59), ok);
        ended("echo", T0.plusSeconds(61), Outcome.failed(new TaskError("boom")));
        Task s = submit("sleep", T0.plusSeconds(62));
        store.cancel(s.id(), T0.plusSeconds(63), "n");
        ended("sha256", T0.plusSeconds(65), ok);
        submit("sleep", T0.plusSeconds(64)); // queued: not finished
        claim("n", T0.plusSeconds(67)); // running: not finished

        assertThat(store.finishedCounts(T0)).containsExactlyInAnyOrder(
                new FinishedCount("echo", TaskStatus.SUCCEEDED, m0, 2),
                new FinishedCount("echo", TaskStatus.FAILED, m0 + 1, 1),
                new FinishedCount("sleep", TaskStatus.CANCELLED, m0 + 1, 1),
                new FinishedCount("sha256", TaskStatus.SUCCEEDED, m0 + 1, 1));
        assertThat(store.finishedCounts(T0.plusSeconds(62))).containsExactlyInAnyOrder(
                new FinishedCount("sleep", TaskStatus.CANCELLED, m0 + 1, 1),
                new FinishedCount("sha256", TaskStatus.SUCCEEDED, m0 + 1, 1));
        assertThat(store.finishedCounts(T0.plusSeconds(3600))).isEmpty();
    }

    // ---------------------------------------------------------------- health

    @Test
    void queuedCountsOnlyQueuedTasks() throws Exception {
        submit(T0);
        submit(ms(1));
        Task third = submit(ms(2));
        claim("n", ms(3));
        store.cancel(third.id(), ms(4));

        assertThat(store.queued()).isEqualTo(1);
    }

    @Test
    void pingSucceedsOnAReachableStore() {
        store.ping();
    }

    protected static Set<String> ids(List<Task> tasks) {
        Set<String> s = new HashSet<>();
        tasks.forEach(t -> s.add(t.id()));
        return s;
    }
}
