package io.asyncreply.bench.peers;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code peers.csv} (every round) and writes the medians over the rounds: a CSV with one
 * line per system and figure, and the summary table that docs/benchmarks.md quotes.
 * Usage: {@code summary PEERS_CSV MEDIANS_CSV} (the table goes to standard output).
 */
final class Summary {
    /** Numeric columns of {@link Row#HEADER} whose median is taken, by name. */
    private static final List<String> NUMBERS = List.of("tasks", "seconds", "tasks_per_s", "jvm_cpu_ms_per_task",
            "pg_cpu_ms_per_task", "pg_own_cpu_ms_per_task", "machine_cpu_ms_per_task", "p50_ms", "p99_ms", "max_ms");
    private static final List<String> PEERS = List.of("db-scheduler", "db-scheduler-fetch", "jobrunr");

    private Summary() {
    }

    /** system -> figure -> column -> median; plus the sum of errors and duplicates and the round count. */
    static Map<String, Map<String, Map<String, Double>>> medians(List<String> lines) {
        String[] header = lines.get(0).split(",", -1);
        Map<String, Map<String, List<String[]>>> grouped = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            grouped.computeIfAbsent(f[1], k -> new LinkedHashMap<>()).computeIfAbsent(f[3], k -> new ArrayList<>()).add(f);
        }
        Map<String, Map<String, Map<String, Double>>> out = new LinkedHashMap<>();
        grouped.forEach((system, figures) -> figures.forEach((figure, rows) -> {
            Map<String, Double> m = new LinkedHashMap<>();
            for (String col : NUMBERS) {
                int c = Arrays.asList(header).indexOf(col);
                double[] v = rows.stream().map(r -> r[c]).filter(s -> !s.isEmpty()).mapToDouble(Double::parseDouble)
                        .sorted().toArray();
                m.put(col, median(v));
            }
            int e = Arrays.asList(header).indexOf("errors");
            int d = Arrays.asList(header).indexOf("duplicates");
            m.put("errors", rows.stream().mapToDouble(r -> Double.parseDouble(r[e])).sum());
            m.put("duplicates", rows.stream().mapToDouble(r -> Double.parseDouble(r[d])).sum());
            m.put("rounds", (double) rows.size());
            out.computeIfAbsent(system, k -> new LinkedHashMap<>()).put(figure, m);
        }));
        return out;
    }

    /** The median of sorted values (mean of the middle two for an even count); NaN when none. */
    static double median(double[] sorted) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    static void main(String[] args) throws IOException {
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        Map<String, Map<String, Map<String, Double>>> med = medians(lines);
        List<String> out = new ArrayList<>();
        out.add("system,figure,rounds," + String.join(",", NUMBERS) + ",errors,duplicates");
        med.forEach((system, figures) -> figures.forEach((figure, m) -> {
            StringBuilder sb = new StringBuilder(system).append(',').append(figure).append(',')
                    .append(m.get("rounds").intValue());
            for (String col : NUMBERS) {
                sb.append(',').append(Row.num(m.get(col), col.startsWith("tasks") && !col.equals("tasks_per_s") ? 0 : 4));
            }
            sb.append(',').append(m.get("errors").longValue()).append(',').append(m.get("duplicates").longValue());
            out.add(sb.toString());
        }));
        Files.write(Path.of(args[1]), out);
        table(med, System.out);
    }

    private static void table(Map<String, Map<String, Map<String, Double>>> med, PrintStream o) {
        Set<String> systems = new LinkedHashSet<>();
        for (String s : List.of("asyncreply", "db-scheduler", "db-scheduler-fetch", "jobrunr")) {
            if (med.containsKey(s)) {
                systems.add(s);
            }
        }
        int rounds = med.values().stream().flatMap(f -> f.values().stream()).mapToInt(m -> m.get("rounds").intValue())
                .max().orElse(0);
        o.printf(Locale.ROOT, "PostgreSQL, medians of %d round(s); CPU per task in ms (JVM + PostgreSQL, all of its"
                + " processes; in brackets the backends of the system's own pool)%n%n", rounds);
        o.printf(Locale.ROOT, "%-48s", "figure");
        for (String s : systems) {
            o.printf(Locale.ROOT, " %-24s", s);
        }
        o.println();
        line(o, med, systems, "(A) enqueue, one call per task, tasks/s", "enqueue_one", m -> fmt(m.get("tasks_per_s"), 0));
        line(o, med, systems, "    call duration p50 / p99, ms", "enqueue_one",
                m -> fmt(m.get("p50_ms"), 2) + " / " + fmt(m.get("p99_ms"), 2));
        line(o, med, systems, "(A) enqueue, batch or pipelined, tasks/s", "enqueue_batch", m -> fmt(m.get("tasks_per_s"), 0));
        line(o, med, systems, "(B) burn-down, tasks/s", "burndown", m -> fmt(m.get("tasks_per_s"), 0));
        line(o, med, systems, "    CPU per task, JVM + PostgreSQL (own), ms", "burndown", Summary::cpu);
        line(o, med, systems, "(B) burn-down of the big queue, tasks/s", "burndown_big", m -> fmt(m.get("tasks_per_s"), 0)
                + " (" + fmt(m.get("tasks"), 0) + ")");
        line(o, med, systems, "    CPU per task, JVM + PostgreSQL (own), ms", "burndown_big", Summary::cpu);
        line(o, med, systems, "(C) pickup latency p50 / p99, ms", "pickup",
                m -> fmt(m.get("p50_ms"), 2) + " / " + fmt(m.get("p99_ms"), 2));
        line(o, med, systems, "    CPU per pickup, JVM + PostgreSQL (own), ms", "pickup", Summary::cpu);
        line(o, med, systems, "errors / duplicate runs, all figures", null, null);

        Double ours = get(med, "asyncreply", "burndown", "tasks_per_s");
        double bestPeer = Double.NaN;
        String best = null;
        for (String peer : PEERS) {
            Double v = get(med, peer, "burndown", "tasks_per_s");
            if (v != null && !(v <= bestPeer)) {
                bestPeer = v;
                best = peer;
            }
        }
        if (ours != null && best != null) {
            o.printf(Locale.ROOT, "%nburn-down, asyncreply / the faster peer (%s): %.2f (target: at least 10)%n", best,
                    ours / bestPeer);
        }

        List<String> stores = new ArrayList<>();
        for (String s : List.of("asyncreply", "asyncreply-h2", "asyncreply-memory")) {
            if (med.containsKey(s)) {
                stores.add(s);
            }
        }
        if (!stores.isEmpty()) {
            o.printf(Locale.ROOT, "%nasyncreply by store (burn-down, tasks/s; CPU per task of the JVM, ms)%n");
            for (String s : stores) {
                o.printf(Locale.ROOT, "  %-20s %s: %s (%s ms); %s: %s (%s ms); enqueue one/batch %s / %s tasks/s%n", s,
                        fmt(get(med, s, "burndown", "tasks"), 0), fmt(get(med, s, "burndown", "tasks_per_s"), 0),
                        fmt(get(med, s, "burndown", "jvm_cpu_ms_per_task"), 3),
                        fmt(get(med, s, "burndown_big", "tasks"), 0), fmt(get(med, s, "burndown_big", "tasks_per_s"), 0),
                        fmt(get(med, s, "burndown_big", "jvm_cpu_ms_per_task"), 3),
                        fmt(get(med, s, "enqueue_one", "tasks_per_s"), 0),
                        fmt(get(med, s, "enqueue_batch", "tasks_per_s"), 0));
            }
        }
    }

    private interface Cell {
        String of(Map<String, Double> m);
    }

    private static void line(PrintStream o, Map<String, Map<String, Map<String, Double>>> med, Set<String> systems,
            String label, String figure, Cell cell) {
        o.printf(Locale.ROOT, "%-48s", label);
        for (String s : systems) {
            String v;
            if (figure == null) {
                long errors = 0;
                long dups = 0;
                for (Map<String, Double> m : med.get(s).values()) {
                    errors += m.get("errors").longValue();
                    dups += m.get("duplicates").longValue();
                }
                v = errors + " / " + dups;
            } else {
                Map<String, Double> m = med.get(s).get(figure);
                v = m == null ? "-" : cell.of(m);
            }
            o.printf(Locale.ROOT, " %-24s", v);
        }
        o.println();
    }

    private static String cpu(Map<String, Double> m) {
        return fmt(m.get("jvm_cpu_ms_per_task"), 3) + " + " + fmt(m.get("pg_cpu_ms_per_task"), 3) + " ("
                + fmt(m.get("pg_own_cpu_ms_per_task"), 3) + ")";
    }

    private static Double get(Map<String, Map<String, Map<String, Double>>> med, String system, String figure, String col) {
        Map<String, Map<String, Double>> f = med.get(system);
        Map<String, Double> m = f == null ? null : f.get(figure);
        return m == null ? null : m.get(col);
    }

    private static String fmt(Double v, int decimals) {
        if (v == null || v.isNaN()) {
            return "-";
        }
        if (decimals == 0) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
