package io.asyncreply.bench.peers;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.jobrunr.jobs.mappers.JobMapper;
import org.jobrunr.scheduling.JobScheduler;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.server.JobActivator;
import org.jobrunr.storage.StorageProvider;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;
import org.jobrunr.utils.mapper.JsonMapper;
import org.jobrunr.utils.mapper.jackson.JacksonJsonMapper;

/**
 * JobRunr (org.jobrunr:jobrunr, the open-source edition), wired by hand rather than through
 * {@code JobRunr.configure()}, whose static state would outlive a phase: a
 * {@link PostgresStorageProvider} over the pool (it creates its tables in the pool's schema), a
 * {@link JobScheduler} as the client, and a {@link BackgroundJobServer} as the workers. No
 * dashboard, no JMX or Micrometer extensions, carbon-aware processing off (its default).
 *
 * <p>Settings: {@code andWorkerCount(8)}; {@code andPollInterval(5 s)}, the smallest JobRunr
 * accepts for a SQL store ("The smallest supported pollInterval is 5 seconds - otherwise it will
 * cause to much load on your SQL/noSQL datastore"; the default is 15 s). The open-source edition
 * has no way to start a job enqueued on the same node before the next poll, so the pickup latency
 * is the wait for that poll.
 *
 * <p>One call per task is {@code enqueue(() -> JobRunrJobs.run(i))}; the batch call is
 * {@code enqueue(Stream, lambda)}, which JobRunr saves in batches.
 */
final class JobRunrPeer implements Peer {
    private static final Duration POLL = Duration.ofSeconds(5);

    private final JsonMapper json = new JacksonJsonMapper();
    private final StorageProvider storage;
    private JobScheduler client;
    private BackgroundJobServer server;
    private final AtomicLong liveErrors = new AtomicLong();

    JobRunrPeer(Backend backend) {
        if (!"pg".equals(backend.kind())) {
            throw new IllegalArgumentException("JobRunr runs here on PostgreSQL only");
        }
        storage = new PostgresStorageProvider(backend.dataSource());
        storage.setJobMapper(new JobMapper(json));
    }

    @Override
    public void openClient(Recorder r) {
        JobRunrJobs.recorder = r;
        client = new JobScheduler(storage);
    }

    @Override
    public void submit(int index) {
        client.enqueue(() -> JobRunrJobs.run(index));
    }

    @Override
    public void submitBatch(int from, int to) {
        client.enqueue(IntStream.range(from, to).boxed(), i -> JobRunrJobs.run(i));
    }

    @Override
    public void closeClient() {
        client = null;
    }

    @Override
    public void startWorkers(Recorder r) throws InterruptedException {
        JobRunrJobs.recorder = r;
        client = new JobScheduler(storage);
        JobActivator activator = new JobActivator() {
            @Override
            public <T> T activateJob(Class<T> type) {
                return null; // the job is a static method
            }
        };
        server = new BackgroundJobServer(storage, json, activator, BackgroundJobServerConfiguration
                .usingStandardBackgroundJobServerConfiguration().andWorkerCount(WORKERS).andPollInterval(POLL));
        server.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!server.isAnnounced()) { // announced: it takes work from now on
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("JobRunr's server did not announce itself in 30 s");
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void submitLive(int index) {
        try {
            client.enqueue(() -> JobRunrJobs.run(index));
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
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    @Override
    public void close() {
        stopWorkers();
        storage.close();
        JobRunrJobs.recorder = null;
    }

    @Override
    public String batchCall() {
        return "JobScheduler.enqueue(Stream of the thread's share, lambda)";
    }

    @Override
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("version", Versions.of(JobScheduler.class));
        s.put("json", Versions.of(com.fasterxml.jackson.databind.ObjectMapper.class) + " (JacksonJsonMapper)");
        s.put("workers", "andWorkerCount(" + WORKERS + ")");
        s.put("poll", "andPollInterval(" + POLL + "): the smallest JobRunr accepts for a SQL store (default 15 s)");
        s.put("low_latency", "none in the open-source edition beyond the shortest poll interval");
        s.put("one_call", "JobScheduler.enqueue(() -> JobRunrJobs.run(i))");
        s.put("batch", batchCall());
        s.put("storage", "PostgresStorageProvider (creates its tables), JobMapper(JacksonJsonMapper)");
        s.put("not_started", "dashboard, JMX extensions, Micrometer; carbon-aware processing off (default)");
        s.put("completion", "a succeeded job is kept (state SUCCEEDED, deleted after 36 h by default)");
        return s;
    }
}
