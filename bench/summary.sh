#!/usr/bin/env bash
# bench/summary.sh RESULTS_DIR: today's figures against the targets of issue 6 (called by run.sh).
# Also writes RESULTS_DIR/latency.csv (figure,p50_ms,p99_ms,target_ms) for plot.gp.
set -uo pipefail
OUT=${1:-$(dirname "$0")/results}
cd "$OUT" || exit 1
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN{ if (v == "") print "n/a"; else if ((op == ">=" && v + 0 >= t + 0) || (op == "<=" && v + 0 <= t + 0)) print "MET"; else print "MISSED" }'; }
col() { awk -F, -v k="$2" -v c="$3" 'NR > 1 && $1 == k { print $c }' "$1" 2>/dev/null | tail -1; }

echo "asyncreply benchmark summary"
sed 's/^/  /' machine.txt 2>/dev/null
echo
printf '%-52s %-14s %-10s %s\n' figure value target verdict
row() { printf '%-52s %-14s %-10s %s\n' "$1" "$2" "$3" "$(verdict "$2" "$4" "$5")"; }
if [ -f intake.csv ]; then
    for s in memory h2 pg; do
        case $s in memory) t=0.85 ;; h2) t=0.50 ;; pg) t=0.35 ;; esac
        r=$(col intake.csv $s 4)
        row "intake $s: $(col intake.csv $s 2) req/s, ceiling $(col intake.csv $s 3)" "$r" ">= $t" "$t" ">="
        [ -n "$r" ] && row "  by CPU: $(col intake.csv $s 16) us/req, ceiling $(col intake.csv $s 15) us/req" "$(col intake.csv $s 18)" ">= $t" "$t" ">="
        h=$(col intake_held.csv $s 4)
        [ -n "$h" ] && row "  workers held (no processing): $(col intake_held.csv $s 2) req/s" "$h" ">= $t" "$t" ">="
    done
fi
if [ -f intake_latency.csv ]; then
    # the p99 of the 202 over the ceiling servlet's p99 at the same fixed rate, same JVM (median of the pairs)
    for s in memory h2 pg; do
        r=$(col intake_latency.csv $s 10)
        [ -n "$r" ] && row "$s: p99 / ceiling p99 at $(col intake_latency.csv $s 2) req/s ($(col intake_latency.csv $s 9) / $(col intake_latency.csv $s 6) ms)" "$r" "<= 2" 2 "<="
    done
fi
if [ -f slow.csv ]; then
    row "fast client p99, alone (busy threads max $(col slow.csv alone 10))" "$(col slow.csv alone 5) ms" "" 1e9 "<="
    row "fast client p99 + 1,000 slow uploads (busy max $(col slow.csv with-1000-slow 10))" "$(col slow.csv with-1000-slow 5) ms" "<= 20 ms" 20 "<="
    row "  same on the ceiling servlet (busy max $(col slow.csv ceiling-with-1000-slow 10))" "$(col slow.csv ceiling-with-1000-slow 5) ms" "" 1e9 "<="
fi
if [ -f wake.csv ]; then
    for s in memory h2 pg; do
        for mode in get prefer; do
            m=$(awk -F, -v k="$s" -v md="$mode" 'NR > 1 && $1 == k && $2 == md { print $4 }' wake.csv)
            p=$(awk -F, -v k="$s" -v md="$mode" 'NR > 1 && $1 == k && $2 == md { print $6 }' wake.csv)
            [ -n "$m" ] && row "wake $s ($mode): median (p99 $p ms)" "$m ms" "<= 2 ms" 2 "<="
        done
    done
fi
if [ -f heap.csv ]; then
    printf '%-52s %s MiB (%s bytes/task)\n' "heap delta, 100,000 queued tasks of 1 KiB" "$(col heap.csv queued_1KiB 5)" "$(col heap.csv queued_1KiB 6)"
    printf '%-52s %s MiB live (delta %s MiB)\n' "heap after $(col heap.csv passed_1KiB_default_retention 2) tasks through" "$(col heap.csv passed_1KiB_default_retention 4)" "$(col heap.csv passed_1KiB_default_retention 5)"
fi
if [ -f full.csv ]; then
    awk -F, 'NR == 2 { printf "%-52s p50 %s ms, p99 %s ms; %s x 503, %s other, depth %s -> %s (capacity %s)\n", "full queue: 503s", $6, $8, $11, $12, $2, $3, $1 }' full.csv
fi
if [ -f jmh.txt ]; then
    echo
    echo "JMH, time per operation (error: 99.9% confidence interval of 3 iterations x 2 s, 1 fork):"
    grep -v '^Benchmark result\|^$' jmh.txt | sed 's/^/  /'
fi
if [ -f multinode.txt ]; then
    echo
    echo "Several nodes (MultiNodeBenchmark, PostgreSQL):"
    sed 's/^[^ ]* /  /' multinode.txt
fi
if [ -s webhook.txt ]; then
    echo
    echo "Webhook delivery, commit to a local receiver (WebhookLatency, one task at a time; target: median <= 20 ms):"
    sed 's/^/  /' webhook.txt
fi
if [ -f peers_summary.txt ]; then
    echo
    sed 's/^/  /' peers_summary.txt
fi

# latency.csv for the plot: figure,p50_ms,p99_ms,target_p50_ms,target_p99_ms
{
    echo "figure,p50_ms,p99_ms,target_p50_ms,target_p99_ms"
    [ -f wake.csv ] && awk -F, 'NR > 1 { printf "wake %s %s,%s,%s,2,NaN\n", $1, ($2 == "get" ? "GET" : "Prefer"), $4, $6 }' wake.csv
    [ -f slow.csv ] && awk -F, 'NR > 1 { printf "fast client %s,%s,%s,NaN,%s\n", ($1 == "alone" ? "alone" : $1 == "with-1000-slow" ? "+1000 slow" : "ceiling +1000 slow"), $3, $5, ($1 == "with-1000-slow" ? 20 : "NaN") }' slow.csv
    [ -f full.csv ] && awk -F, 'NR == 2 { printf "503 (queue full),%s,%s,NaN,NaN\n", $6, $8 }' full.csv
} >latency.csv
exit 0
