package io.asyncreply.bench.peers;

import java.util.Locale;

/**
 * One figure of one round of one system: a line of {@code peers.csv}.
 *
 * @param tasksPerSecond NaN for the pickup figure
 * @param p50Ms for enqueue: the call's duration; for pickup: submit to handler start; NaN when none
 * @param errors tasks refused, failed, or never run within the timeout
 * @param duplicates tasks whose handler ran more than once
 */
record Row(int round, String system, String store, String figure, long tasks, double seconds, double tasksPerSecond,
        double jvmCpuMsPerTask, double pgCpuMsPerTask, double pgOwnCpuMsPerTask, double machineCpuMsPerTask,
        double p50Ms, double p99Ms, double maxMs, long errors, long duplicates, String loadBefore, String loadAfter) {

    static final String HEADER = "round,system,store,figure,tasks,seconds,tasks_per_s,jvm_cpu_ms_per_task,"
            + "pg_cpu_ms_per_task,pg_own_cpu_ms_per_task,machine_cpu_ms_per_task,p50_ms,p99_ms,max_ms,errors,"
            + "duplicates,loadavg_before,loadavg_after";

    String csv() {
        return String.format(Locale.ROOT, "%d,%s,%s,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%d,%d,%s,%s", round, system, store,
                figure, tasks, num(seconds, 3), num(tasksPerSecond, 1), num(jvmCpuMsPerTask, 4), num(pgCpuMsPerTask, 4),
                num(pgOwnCpuMsPerTask, 4), num(machineCpuMsPerTask, 4), num(p50Ms, 3), num(p99Ms, 3), num(maxMs, 3),
                errors, duplicates, loadBefore, loadAfter);
    }

    /** A number with {@code decimals} digits, or empty when NaN. */
    static String num(double v, int decimals) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
