package io.asyncreply.bench.peers;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time, read before and after a figure: this JVM's ({@code OperatingSystemMXBean}), the
 * PostgreSQL server's (from {@code /proc}), and the whole machine's ({@code /proc/stat}), plus the
 * load average. Linux only; elsewhere the PostgreSQL and machine figures are absent (NaN).
 *
 * <p>PostgreSQL's CPU is the sum over every process named {@code postgres} of its user and system
 * time, plus the postmaster's time of reaped children (backends and autovacuum workers that ended
 * during the figure move their time there, so none is lost). That counts the server's background
 * processes too (WAL writer, checkpointer, background writer, autovacuum), which is where part of
 * every write's cost goes, and it also counts whatever other clients of the same server did at
 * the same time: on a shared machine read {@link Snapshot#ownPgMillis} beside it, the time of
 * the backends that served this benchmark's own pool alone (without the background processes).
 */
final class CpuMeter {
    /** Clock ticks per second of {@code /proc}'s times ({@code getconf CLK_TCK}; 100 on Linux). */
    private static final double HZ = Double.parseDouble(System.getProperty("peers.clk.tck", "100"));
    private static final Path PROC = Paths.get("/proc");

    private CpuMeter() {
    }

    /** The readings at one moment. */
    static final class Snapshot {
        final long jvmNanos;
        final Map<Integer, Long> pgTicks; // pid -> utime + stime (+ children's for the postmaster)
        final long machineBusyTicks;
        final String loadavg;

        Snapshot(long jvmNanos, Map<Integer, Long> pgTicks, long machineBusyTicks, String loadavg) {
            this.jvmNanos = jvmNanos;
            this.pgTicks = pgTicks;
            this.machineBusyTicks = machineBusyTicks;
            this.loadavg = loadavg;
        }

        /** This JVM's CPU since {@code before}, ms. */
        double jvmMillis(Snapshot before) {
            return (jvmNanos - before.jvmNanos) / 1e6;
        }

        /** All PostgreSQL processes' CPU since {@code before}, ms; NaN when /proc is not there. */
        double pgMillis(Snapshot before) {
            if (pgTicks.isEmpty()) {
                return Double.NaN;
            }
            long sum = 0;
            for (Map.Entry<Integer, Long> e : pgTicks.entrySet()) {
                sum += e.getValue() - before.pgTicks.getOrDefault(e.getKey(), 0L);
            }
            // A process that ended in between moved its whole time (the part before too) into the
            // postmaster's reaped-children time, which the sum above counts: take its part before
            // out again.
            for (Map.Entry<Integer, Long> e : before.pgTicks.entrySet()) {
                if (!pgTicks.containsKey(e.getKey())) {
                    sum -= e.getValue();
                }
            }
            return sum * 1000.0 / HZ;
        }

        /** The CPU of the given PostgreSQL backends since {@code before}, ms. */
        double ownPgMillis(Snapshot before, Collection<Integer> pids) {
            if (pgTicks.isEmpty()) {
                return Double.NaN;
            }
            long sum = 0;
            for (Integer pid : pids) {
                Long now = pgTicks.get(pid);
                if (now != null) {
                    sum += now - before.pgTicks.getOrDefault(pid, 0L);
                }
            }
            return sum * 1000.0 / HZ;
        }

        /** The whole machine's busy CPU since {@code before}, ms; NaN when /proc is not there. */
        double machineMillis(Snapshot before) {
            return machineBusyTicks < 0 ? Double.NaN : (machineBusyTicks - before.machineBusyTicks) * 1000.0 / HZ;
        }
    }

    static Snapshot now() {
        return new Snapshot(jvmCpuNanos(), pgTicks(), machineBusyTicks(), loadavg());
    }

    static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The 1-minute load average, or "" when unknown. */
    static String loadavg() {
        try {
            return Files.readString(PROC.resolve("loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * pid -> CPU ticks of every process named postgres; the postmaster (the one whose parent is
     * not a postgres process) also counts its reaped children's time. Empty without /proc.
     */
    private static Map<Integer, Long> pgTicks() {
        Map<Integer, long[]> stats = new HashMap<>(); // pid -> {ppid, own, children}
        try (Stream<Path> dirs = Files.list(PROC)) {
            dirs.forEach(d -> {
                String name = d.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    return;
                }
                String stat;
                try {
                    stat = Files.readString(d.resolve("stat"), StandardCharsets.ISO_8859_1);
                } catch (IOException | RuntimeException e) {
                    return; // ended meanwhile, or not ours to read
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                if (open < 0 || close < 0 || !stat.substring(open + 1, close).equals("postgres")) {
                    return;
                }
                // after ") ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
                // utime stime cutime cstime ...  (fields 3 to 17 of proc(5))
                String[] f = stat.substring(close + 2).split(" ");
                long ppid = Long.parseLong(f[1]);
                long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                long children = Long.parseLong(f[13]) + Long.parseLong(f[14]);
                stats.put(Integer.parseInt(name), new long[] {ppid, own, children});
            });
        } catch (IOException e) {
            return Map.of();
        }
        Map<Integer, Long> out = new HashMap<>();
        for (Map.Entry<Integer, long[]> e : stats.entrySet()) {
            long[] s = e.getValue();
            boolean postmaster = !stats.containsKey((int) s[0]);
            out.put(e.getKey(), s[1] + (postmaster ? s[2] : 0));
        }
        return out;
    }

    /** user + nice + system + irq + softirq + steal of the first line of /proc/stat, or -1. */
    private static long machineBusyTicks() {
        try {
            String[] f = Files.readAllLines(PROC.resolve("stat")).get(0).trim().split("\\s+");
            return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]) + Long.parseLong(f[8]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
