package io.asyncreply.bench.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One round of one system, in this JVM: every figure in turn, each in a fresh backend (a schema
 * dropped and created, a new pool), written as rows of the CSV.
 *
 * <ol>
 *   <li>warm-up (not recorded): {@code warmup} tasks stored with the batch call and drained, and
 *       20 pickups, so that the JIT has compiled each system's paths before any figure;</li>
 *   <li>{@code enqueue_one}: {@code tasks} tasks stored by {@code clients} threads, one call per
 *       task, each durable before its call returns; then {@code burndown}: workers start on that
 *       queue and run it down;</li>
 *   <li>{@code enqueue_batch}: the same number stored with the system's batch or pipelined call,
 *       each thread its share;</li>
 *   <li>{@code burndown_big} (asyncreply only): {@code big} tasks stored with the batch call,
 *       then run down;</li>
 *   <li>{@code pickup} (PostgreSQL systems): on an idle node, {@code pickups} submissions spaced
 *       by a random gap (uniform, mean {@code gapMs}), each timed from its intended submission time
 *       to its handler's start.</li>
 * </ol>
 */
final class Run {
    private final String system;
    private final int round;
    private final Path csv;
    private final String pgUrl = System.getProperty("peers.pg.url", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    private final Path work = Path.of(System.getProperty("peers.work", "target/peers"));
    private final int tasks = Integer.getInteger("peers.tasks", 20_000);
    private final int big = Integer.getInteger("peers.big", 100_000);
    private final int clients = Integer.getInteger("peers.clients", 8);
    private final int pickups = Integer.getInteger("peers.pickups", 200);
    private final int pickupWarmup = Integer.getInteger("peers.pickup.warmup", 20);
    private final double gapMs = Double.parseDouble(System.getProperty("peers.gap.ms", "50"));
    private final int warmup = Integer.getInteger("peers.warmup", 2_000);
    /** Longest wait for a queue to drain, s (a figure that times out records the missing tasks as errors). */
    private final long drainTimeout = Long.getLong("peers.drain.timeout", 600);

    Run(String system, int round, Path csv) {
        this.system = system;
        this.round = round;
        this.csv = csv;
    }

    static String storeOf(String system) {
        return system.endsWith("-h2") ? "h2" : system.endsWith("-memory") ? "memory" : "pg";
    }

    private Peer peer(Backend b) throws Exception {
        return switch (system) {
            case "asyncreply", "asyncreply-h2", "asyncreply-memory" -> new AsyncreplyPeer(b);
            case "db-scheduler" -> new DbSchedulerPeer(b, true);
            case "db-scheduler-fetch" -> new DbSchedulerPeer(b, false);
            case "jobrunr" -> new JobRunrPeer(b);
            default -> throw new IllegalArgumentException("unknown system " + system
                    + " (asyncreply, asyncreply-h2, asyncreply-memory, db-scheduler, db-scheduler-fetch, jobrunr)");
        };
    }

    private Backend backend() {
        return Backend.open(storeOf(system), system, pgUrl, work);
    }

    void run() throws Exception {
        String store = storeOf(system);
        try (Backend b = backend(); Peer p = peer(b)) {
            for (Map.Entry<String, String> e : p.settings().entrySet()) {
                System.out.println("setting." + system + "." + e.getKey() + "=" + e.getValue());
            }
        }
        if (warmup > 0) {
            log("warm-up: " + warmup + " tasks stored and drained" + (store.equals("pg") ? ", 20 pickups" : ""));
            try (Backend b = backend(); Peer p = peer(b)) {
                Recorder r = new Recorder(warmup);
                p.openClient(r);
                enqueue(p, warmup, true, null);
                p.closeClient();
                burnDown(p, b, r, "warmup", false);
            }
            if (store.equals("pg")) {
                try (Backend b = backend(); Peer p = peer(b)) {
                    pickup(p, b, 20, 0, false);
                }
            }
        }
        try (Backend b = backend(); Peer p = peer(b)) {
            Recorder r = new Recorder(tasks);
            p.openClient(r);
            write(enqueueFigure(p, b, tasks, false));
            p.closeClient();
            write(burnDown(p, b, r, "burndown", true));
        }
        try (Backend b = backend(); Peer p = peer(b)) {
            p.openClient(new Recorder(tasks));
            write(enqueueFigure(p, b, tasks, true));
            p.closeClient();
        }
        if (system.startsWith("asyncreply") && big > 0) {
            try (Backend b = backend(); Peer p = peer(b)) {
                Recorder r = new Recorder(big);
                p.openClient(r);
                log("storing " + big + " tasks (pipelined) for burndown_big");
                enqueue(p, big, true, null);
                p.closeClient();
                write(burnDown(p, b, r, "burndown_big", true));
            }
        }
        if (store.equals("pg") && pickups > 0) {
            try (Backend b = backend(); Peer p = peer(b)) {
                write(pickup(p, b, pickups, pickupWarmup, true));
            }
        }
    }

    // ------------------------------------------------------------------ A: enqueue

    /**
     * Stores tasks 0 to n - 1 from {@link #clients} threads; returns the elapsed nanoseconds.
     * One call per task: the threads take indexes from a shared counter, and each call's duration
     * goes into {@code callNanos}. Batch: thread t stores the t-th contiguous share in one call.
     */
    private long enqueue(Peer p, int n, boolean batch, long[] callNanos) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger next = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < clients; t++) {
            int from = (int) ((long) n * t / clients);
            int to = (int) ((long) n * (t + 1) / clients);
            Thread th = new Thread(() -> {
                try {
                    go.await();
                    if (batch) {
                        p.submitBatch(from, to);
                        return;
                    }
                    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                        long t0 = System.nanoTime();
                        try {
                            p.submit(i);
                        } catch (Exception e) {
                            if (errors.getAndIncrement() == 0) {
                                failures.add(e);
                            }
                        }
                        if (callNanos != null) {
                            callNanos[i] = System.nanoTime() - t0;
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "peers-client-" + t);
            th.start();
            threads.add(th);
        }
        long start = System.nanoTime();
        go.countDown();
        for (Thread th : threads) {
            th.join();
        }
        long elapsed = System.nanoTime() - start;
        if (!failures.isEmpty()) {
            IllegalStateException e = new IllegalStateException(system + ": " + (errors.get() > 0 ? errors.get()
                    + " submissions failed" : "a client thread failed"), failures.get(0));
            throw e;
        }
        return elapsed;
    }

    private Row enqueueFigure(Peer p, Backend b, int n, boolean batch) throws Exception {
        String figure = batch ? "enqueue_batch" : "enqueue_one";
        log(figure + ": " + n + " tasks from " + clients + " threads" + (batch ? " (" + p.batchCall() + ")" : ""));
        long[] calls = batch ? null : new long[n];
        CpuMeter.Snapshot before = CpuMeter.now();
        long nanos = enqueue(p, n, batch, calls);
        CpuMeter.Snapshot after = CpuMeter.now();
        List<Integer> own = b.ownBackendPids();
        double secs = nanos / 1e9;
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        double max = Double.NaN;
        if (calls != null) {
            long[] sorted = calls.clone();
            Arrays.sort(sorted);
            p50 = percentile(sorted, 50) / 1e6;
            p99 = percentile(sorted, 99) / 1e6;
            max = sorted[sorted.length - 1] / 1e6;
        }
        Row row = row(figure, n, secs, n / secs, before, after, own, p50, p99, max, 0, 0);
        log(String.format(Locale.ROOT, "%s: %.0f tasks/s", figure, n / secs));
        return row;
    }

    // ------------------------------------------------------------------ B: burn-down

    /**
     * Starts the workers on a full queue and waits until every task has ended: tasks per second
     * from the first handler start to the last handler end; CPU from just before the workers start
     * until the last end was seen (so it includes starting the workers, which is small beside the
     * drain).
     */
    private Row burnDown(Peer p, Backend b, Recorder r, String figure, boolean record) throws Exception {
        log(figure + ": " + r.size() + " queued tasks, " + Peer.WORKERS + " workers");
        CpuMeter.Snapshot before = CpuMeter.now();
        p.startWorkers(r);
        boolean all = r.awaitAll(drainTimeout, TimeUnit.SECONDS);
        CpuMeter.Snapshot after = CpuMeter.now();
        List<Integer> own = b.ownBackendPids();
        p.stopWorkers();
        long missing = r.size() - r.ended();
        if (!all) {
            log(figure + ": " + missing + " tasks did not run within " + drainTimeout + " s");
        }
        double secs = (r.lastEnd() - r.firstStart()) / 1e9;
        if (!record) {
            return null;
        }
        Row row = row(figure, r.size(), secs, r.ended() / secs, before, after, own, Double.NaN, Double.NaN,
                Double.NaN, missing + r.strays(), r.duplicates());
        log(String.format(Locale.ROOT, "%s: %.0f tasks/s over %.2f s", figure, r.ended() / secs, secs));
        return row;
    }

    // ------------------------------------------------------------------ C: pickup latency

    /**
     * On an idle node, submissions at planned times: the k-th at {@code start + sum of k gaps},
     * each gap drawn uniformly from [0.5, 1.5] x {@link #gapMs} (a fixed seed, so every system gets
     * the same plan; random so that the plan cannot fall into step with a poll interval). One
     * thread submits; it waits for each planned time and never for a task. Latency runs from
     * the planned time, not from the call: a submission that goes out late because the previous
     * call was slow is charged the delay, so a slow phase cannot hide by delaying the samples that
     * would have measured it (no coordinated omission).
     */
    private Row pickup(Peer p, Backend b, int n, int warm, boolean record) throws Exception {
        log("pickup: " + (record ? warm + " warm-up + " : "") + n + " submissions, one every " + gapMs + " ms on average");
        int total = warm + n;
        Recorder r = new Recorder(total);
        p.startWorkers(r);
        Thread.sleep(1_000); // let the node settle into idle
        if (record) {
            System.out.println("setting." + system + ".threads_when_idle=" + threadCensus());
        }
        Random random = new Random(42);
        long[] planned = new long[total];
        long t = System.nanoTime() + 10_000_000L;
        for (int k = 0; k < total; k++) {
            t += (long) (gapMs * 1e6 * (0.5 + random.nextDouble()));
            planned[k] = t;
        }
        CpuMeter.Snapshot before = null;
        long maxLag = 0;
        for (int k = 0; k < total; k++) {
            if (k == warm) {
                before = CpuMeter.now();
            }
            long wait;
            while ((wait = planned[k] - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            maxLag = Math.max(maxLag, System.nanoTime() - planned[k]);
            p.submitLive(k);
        }
        boolean all = r.awaitAll(60, TimeUnit.SECONDS);
        CpuMeter.Snapshot after = CpuMeter.now();
        List<Integer> own = b.ownBackendPids();
        p.stopWorkers();
        if (!record) {
            return null;
        }
        long[] lat = new long[n];
        int got = 0;
        for (int k = warm; k < total; k++) {
            long s = r.start(k);
            if (s != 0) {
                lat[got++] = s - planned[k];
            }
        }
        long[] sorted = Arrays.copyOf(lat, got);
        Arrays.sort(sorted);
        double secs = (planned[total - 1] - planned[warm]) / 1e9;
        long missing = n - got;
        if (!all) {
            log("pickup: " + missing + " submissions never started within 60 s");
        }
        Row row = row("pickup", n, secs, Double.NaN, before, after, own,
                got == 0 ? Double.NaN : percentile(sorted, 50) / 1e6, got == 0 ? Double.NaN : percentile(sorted, 99) / 1e6,
                got == 0 ? Double.NaN : sorted[got - 1] / 1e6, missing + p.liveErrors() + r.strays(), r.duplicates());
        log(String.format(Locale.ROOT, "pickup: p50 %.2f ms, p99 %.2f ms, max %.2f ms; the submitter was at most %.2f ms"
                + " behind its plan", row.p50Ms(), row.p99Ms(), row.maxMs(), maxLag / 1e6));
        return row;
    }

    // ------------------------------------------------------------------ helpers

    /** This JVM's live threads, grouped by name with the numbers taken out: "name x count, ...". */
    static String threadCensus() {
        Map<String, Long> byName = new java.util.TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            byName.merge(t.getName().replaceAll("\\d+", "N"), 1L, Long::sum);
        }
        StringBuilder sb = new StringBuilder();
        byName.forEach((name, count) -> sb.append(sb.length() == 0 ? "" : ", ").append(name)
                .append(count > 1 ? " x" + count : ""));
        return sb.toString();
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double pct) {
        int rank = (int) Math.ceil(pct / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    private Row row(String figure, long n, double secs, double rate, CpuMeter.Snapshot before, CpuMeter.Snapshot after,
            List<Integer> own, double p50, double p99, double max, long errors, long duplicates) {
        return new Row(round, system, storeOf(system), figure, n, secs, rate, after.jvmMillis(before) / n,
                after.pgMillis(before) / n, after.ownPgMillis(before, own) / n, after.machineMillis(before) / n, p50, p99,
                max, errors, duplicates, before.loadavg, after.loadavg);
    }

    private void write(Row row) {
        if (row == null) {
            return;
        }
        try {
            Files.writeString(csv, row.csv() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void log(String message) {
        System.err.printf(Locale.ROOT, "%tT [peers %s r%d] %s%n", System.currentTimeMillis(), system, round, message);
    }
}
