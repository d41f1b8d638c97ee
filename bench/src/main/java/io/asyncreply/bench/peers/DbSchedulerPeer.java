package io.asyncreply.bench.peers;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * db-scheduler (com.github.kagkarlsson:db-scheduler): a one-time task {@code noop} whose data is
 * the task's index, in its one table {@code scheduled_tasks}, created with the project's own DDL
 * for PostgreSQL (db-scheduler creates no tables).
 *
 * <p>Settings, from its README: 8 {@code threads}; the {@code lock-and-fetch} polling strategy
 * ({@code pollUsingLockAndFetch(1.0, 4.0)}: "If you are running >1000 executions/s you might want
 * to use the lock-and-fetch polling-strategy for lower overhead and higher throughput", with
 * "1.0, 4.0" given "for high throughput"); {@code enableImmediateExecution()}, its documented way
 * to run a task scheduled for now at once on the local scheduler instead of at the next poll; the
 * default {@code pollingInterval} (10 s; with immediate execution it only finds work scheduled
 * elsewhere). The system {@code db-scheduler-fetch} runs the default strategy instead
 * ({@code pollUsingFetch(0.5, 3.0)}; {@code pollUsingFetchAndLockOnExecute} is its deprecated
 * older name, and the README calls it {@code fetch}); {@code -Dpeers.dbscheduler.poll=PT1S} sets
 * another polling interval.
 *
 * <p>The client is a {@link SchedulerClient} (no scheduler running); one call per task is
 * {@code schedule(instance, now)} (a SELECT for an existing instance, then the INSERT, each
 * committed), the batch call {@code scheduleBatch(list, now)} (one JDBC batch). Live submissions go
 * through the running {@link Scheduler}, which is what makes immediate execution apply.
 */
final class DbSchedulerPeer implements Peer {
    static final String TABLE_DDL = "CREATE TABLE scheduled_tasks ("
            + " task_name text NOT NULL, task_instance text NOT NULL, task_data bytea,"
            + " execution_time timestamp with time zone NOT NULL, picked boolean NOT NULL, picked_by text,"
            + " last_success timestamp with time zone, last_failure timestamp with time zone,"
            + " consecutive_failures int, last_heartbeat timestamp with time zone, version bigint NOT NULL,"
            + " priority smallint, PRIMARY KEY (task_name, task_instance))";
    static final List<String> DDL = List.of(TABLE_DDL,
            "CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time)",
            "CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat)",
            "CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority desc, execution_time asc)");

    private final Backend backend;
    private final boolean lockAndFetch;
    private final Duration poll = Duration.parse(System.getProperty("peers.dbscheduler.poll", "PT10S"));
    private SchedulerClient client;
    private OneTimeTask<Integer> clientTask;
    private Scheduler scheduler;
    private OneTimeTask<Integer> liveTask;
    private final AtomicLong liveErrors = new AtomicLong();

    /** @param lockAndFetch the lock-and-fetch polling strategy, else the default (fetch) */
    DbSchedulerPeer(Backend backend, boolean lockAndFetch) throws Exception {
        if (!"pg".equals(backend.kind())) {
            throw new IllegalArgumentException("db-scheduler runs here on PostgreSQL only");
        }
        this.backend = backend;
        this.lockAndFetch = lockAndFetch;
        backend.execute(DDL);
    }

    private static OneTimeTask<Integer> task(Recorder r) {
        return Tasks.oneTime("noop", Integer.class).execute((instance, context) -> {
            int i = instance.getData();
            r.started(i);
            r.ended(i);
        });
    }

    @Override
    public void openClient(Recorder r) {
        clientTask = task(r);
        client = SchedulerClient.Builder.create(backend.dataSource(), clientTask).build();
    }

    @Override
    public void submit(int index) {
        client.schedule(clientTask.instance(Integer.toString(index), index), Instant.now());
    }

    @Override
    public void submitBatch(int from, int to) {
        List<TaskInstance<?>> batch = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            batch.add(clientTask.instance(Integer.toString(i), i));
        }
        client.scheduleBatch(batch, Instant.now());
    }

    @Override
    public void closeClient() {
        client = null; // holds nothing but the DataSource
    }

    @Override
    public void startWorkers(Recorder r) {
        liveTask = task(r);
        var b = Scheduler.create(backend.dataSource(), liveTask).threads(WORKERS).pollingInterval(poll)
                .enableImmediateExecution().shutdownMaxWait(Duration.ofSeconds(5));
        if (lockAndFetch) {
            b.pollUsingLockAndFetch(1.0, 4.0);
        } else {
            b.pollUsingFetch(0.5, 3.0);
        }
        scheduler = b.build();
        scheduler.start();
    }

    @Override
    public void submitLive(int index) {
        try {
            scheduler.schedule(liveTask.instance(Integer.toString(index), index), Instant.now());
        } catch (RuntimeException e) {
            liveErrors.incrementAndGet();
        }
    }

    @Override
    public long liveErrors() {
        return liveErrors.get();
    }

    @Override
    public void stopWorkers() {
        if (scheduler != null) {
            scheduler.stop();
            scheduler = null;
        }
    }

    @Override
    public void close() {
        stopWorkers();
    }

    @Override
    public String batchCall() {
        return "SchedulerClient.scheduleBatch(list of the thread's share, now)";
    }

    @Override
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("version", Versions.of(Scheduler.class));
        s.put("workers", "threads(" + WORKERS + ")");
        s.put("poll", lockAndFetch
                ? "pollUsingLockAndFetch(1.0, 4.0) (strategy 'lock-and-fetch': SELECT ... FOR UPDATE SKIP LOCKED)"
                : "pollUsingFetch(0.5, 3.0) (strategy 'fetch', the default; deprecated name pollUsingFetchAndLockOnExecute)");
        s.put("polling_interval", poll.toString());
        s.put("low_latency", "enableImmediateExecution(): a task scheduled for now through the running Scheduler"
                + " triggers a check for due executions at once");
        s.put("one_call", "SchedulerClient.schedule(instance, now): SELECT, then INSERT");
        s.put("batch", batchCall());
        s.put("table", "scheduled_tasks, DDL of db-scheduler's postgresql_tables.sql (3 indexes + primary key)");
        s.put("completion", "a one-time task's row is deleted when it succeeds");
        return s;
    }
}
