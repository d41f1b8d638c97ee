package io.asyncreply.bench.load;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Latency samples (nanoseconds) and status counts; percentiles by sorting; key=value lines out. */
final class Stats {
    private long[] samples = new long[1 << 16];
    private int n;
    final Map<Integer, Long> statuses = new TreeMap<>();
    long errors;

    synchronized void add(long nanos) {
        if (n == samples.length) {
            samples = Arrays.copyOf(samples, n * 2);
        }
        samples[n++] = nanos;
    }

    synchronized void status(int code) {
        statuses.merge(code, 1L, Long::sum);
    }

    synchronized void error() {
        errors++;
    }

    synchronized int count() {
        return n;
    }

    /** The p-th percentile (0-100) in milliseconds, nearest rank. */
    synchronized double percentileMs(double p) {
        if (n == 0) {
            return Double.NaN;
        }
        long[] s = Arrays.copyOf(samples, n);
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * n) - 1;
        return s[Math.max(0, Math.min(n - 1, rank))] / 1e6;
    }

    synchronized double meanMs() {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += samples[i];
        }
        return n == 0 ? Double.NaN : sum / 1e6 / n;
    }

    /** Lines {@code prefix.n=..}, {@code prefix.p50_ms=..} and so on, for bench/run.sh. */
    String latencyKv(String prefix) {
        return String.format(Locale.ROOT,
                "%1$s.n=%2$d%n%1$s.mean_ms=%3$.3f%n%1$s.p50_ms=%4$.3f%n%1$s.p90_ms=%5$.3f%n%1$s.p99_ms=%6$.3f%n"
                        + "%1$s.p999_ms=%7$.3f%n%1$s.max_ms=%8$.3f",
                prefix, count(), meanMs(), percentileMs(50), percentileMs(90), percentileMs(99), percentileMs(99.9),
                percentileMs(100));
    }

    /** Lines {@code prefix.202=..} per status, and {@code prefix.other=..}: answers that are not {@code expected}. */
    synchronized String statusesKv(String prefix, int expected) {
        StringBuilder sb = new StringBuilder();
        long other = 0;
        for (Map.Entry<Integer, Long> e : statuses.entrySet()) {
            sb.append(prefix).append('.').append(e.getKey()).append('=').append(e.getValue()).append('\n');
            if (e.getKey() != expected) {
                other += e.getValue();
            }
        }
        return sb.append(prefix).append(".other=").append(other).toString();
    }
}
