# bench/plot.gp: draws the PNGs of docs/benchmarks.md from the CSVs in the current folder
# (bench/run.sh runs it in bench/results).
set datafile separator ','
set terminal pngcairo size 860,460 font 'sans,10' noenhanced
set style fill solid 0.85 border -1
set grid ytics
set key below horizontal
set offsets 0, 0, graph 0.12, 0
have(f) = system('test -f ' . f . ' && test $(wc -l < ' . f . ') -gt 1 && echo 1 || echo 0') eq "1"
factor(name) = name eq 'memory' ? 0.85 : name eq 'h2' ? 0.50 : name eq 'pg' ? 0.35 : NaN

if (have('intake.csv')) {
    set output 'intake_throughput.png'
    set title 'POST /tasks/echo, 100-byte body, wrk -t2 -c64: intake vs the ceiling servlet in the same JVM'
    set style data histograms
    set style histogram clustered gap 1
    set boxwidth 0.9
    set ylabel 'requests per second'
    set yrange [0:*]
    # the first data row is the ceiling itself: skip it (every ::1 after the header is skipped)
    plot 'intake.csv' every ::1 using 3:xtic(1) skip 1 title 'ceiling (same JVM)' lc rgb '#bbbbbb', \
         '' every ::1 using 2 skip 1 title 'intake (2 workers running the tasks)' lc rgb '#4477aa', \
         (have('intake_held.csv') ? 'intake_held.csv' : '/dev/null') using 2 skip 1 title 'intake, workers held (tasks only queue)' lc rgb '#66ccee', \
         'intake.csv' every ::1 using ($0):2:(sprintf('%.0f%%', $4 * 100)) skip 1 with labels offset 0,0.8 notitle, \
         '' every ::1 using ($0):($3 * factor(strcol(1))) skip 1 with points pt 7 ps 1.6 lc rgb '#cc3311' title 'target share of the ceiling'

}

if (have('intake_latency.csv')) {
    # intake_latency.csv: config,rate,pairs,ceiling_achieved_rate,ceiling_p50_ms,ceiling_p99_ms,achieved_rate,p50_ms,p99_ms,p99_ratio,errors
    set output 'intake_latency.png'
    set title 'POST /tasks/echo vs the ceiling servlet at the same fixed rate, same JVM (label: p99 / ceiling p99)'
    set style data histograms
    set style histogram clustered gap 1
    set boxwidth 0.9
    set ylabel 'latency, ms (log scale)'
    set logscale y
    set yrange [0.05:*]
    plot 'intake_latency.csv' using 5:xtic(sprintf('%s (%s req/s)', strcol(1), strcol(2))) skip 1 title 'ceiling p50' lc rgb '#cccccc', \
         '' using 6 skip 1 title 'ceiling p99' lc rgb '#888888', \
         '' using 8 skip 1 title 'intake p50' lc rgb '#88ccee', \
         '' using 9 skip 1 title 'intake p99' lc rgb '#117733', \
         '' using ($0 + 0.3):9:(sprintf('%.2fx', $10)) skip 1 with labels offset 0,0.8 notitle
    unset logscale y
}

if (have('latency.csv')) {
    set output 'latency_targets.png'
    set title 'Other latencies: long-poll wake (finishedAt -> answer read), fast client under slow uploads, 503 when full'
    set style data histograms
    set style histogram clustered gap 1
    set ylabel 'ms (log scale)'
    set logscale y
    set yrange [0.05:*]
    set xtics rotate by -30 font ",9"
    plot 'latency.csv' using 2:xtic(1) skip 1 title 'p50 (median)' lc rgb '#88ccee', \
         '' using 3 skip 1 title 'p99' lc rgb '#117733', \
         '' using ($0 - 0.17):4 skip 1 with points pt 7 ps 1.6 lc rgb '#cc3311' title 'target', \
         '' using ($0 + 0.17):5 skip 1 with points pt 7 ps 1.6 lc rgb '#cc3311' notitle
}

if (have('peers_medians.csv')) {
    # peers_medians.csv: system,figure,...,tasks_per_s (6th); the burn-down of 20,000 queued no-op tasks
    # (and of 100,000 for asyncreply), medians of the interleaved rounds of bench/peers.sh
    set output 'peers_burndown.png'
    set title 'Burn-down of queued no-op tasks, 8 workers, medians of bench/peers.sh rounds (log scale)'
    set style fill solid 0.85 border -1
    set style data boxes
    set boxwidth 0.7
    set logscale y
    set yrange [100:*]
    set ylabel 'tasks per second'
    set xtics rotate by -25
    plot "< awk -F, 'NR > 1 && ($2 == \"burndown\" || $2 == \"burndown_big\") { printf \"%s %s,%s\\n\", $1, ($2 == \"burndown\" ? \"20k\" : \"100k\"), $6 }' peers_medians.csv" \
             using 0:2:xtic(1) lc rgb '#4477aa' notitle, \
         '' using 0:2:(sprintf('%.0f', $2)) with labels offset 0,0.8 notitle
    unset logscale y
    unset xtics
    set xtics
}
