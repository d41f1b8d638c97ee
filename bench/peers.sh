#!/usr/bin/env bash
# bench/peers.sh: the peer comparison of docs/benchmarks.md ("Peers: db-scheduler and JobRunr"), in one
# command: asyncreply's core, db-scheduler and JobRunr, each over the same PostgreSQL and the same HikariCP
# pool (10), 8 workers, the same no-op tasks; rounds interleaved; medians reported.
#
#   bench/peers.sh                                   3 rounds of every system (about 15 minutes on 2 cores)
#   PEERS_ROUNDS=1 PEERS_TASKS=2000 PEERS_BIG=5000 PEERS_PICKUPS=40 bench/peers.sh    a smoke run
#
# Figures per system and round (each in a fresh schema, see io.asyncreply.bench.peers.Run):
#   enqueue_one    (A) PEERS_TASKS tasks stored from 8 client threads, one call per task, each durable on return
#   burndown       (B) 8 workers start on that queue: tasks/s from the first handler start to the last end,
#                      CPU per task of the JVM and of PostgreSQL (its processes' times in /proc, before and after)
#   enqueue_batch  (A) PEERS_TASKS tasks with the system's batch or pipelined call
#   burndown_big   (B) asyncreply only: PEERS_BIG tasks
#   pickup         (C) idle node, PEERS_PICKUPS submissions spaced PEERS_GAP_MS apart on average: planned
#                      submission time to handler start, p50 and p99
# Systems (PEERS_SYSTEMS, default "asyncreply db-scheduler jobrunr asyncreply-h2 asyncreply-memory"):
#   asyncreply (PostgreSQL), asyncreply-h2, asyncreply-memory (no pickup figure), db-scheduler
#   (lock-and-fetch), db-scheduler-fetch (its default polling strategy), jobrunr.
# Settings (environment):
#   PEERS_ROUNDS (3), PEERS_TASKS (20000), PEERS_BIG (100000), PEERS_PICKUPS (200), PEERS_GAP_MS (50),
#   PEERS_WARMUP (2000: tasks stored and drained in each JVM before its figures; 0 for none),
#   PEERS_JVM_OPTS ("-Xms1g -Xmx1g"), BENCH_PG_URL (jdbc:postgresql://127.0.0.1:5432/test?user=postgres;
#   each system gets the schema peers_<system>, dropped and created for every figure and dropped after),
#   BENCH_OUT (bench/results), BENCH_SKIP_BUILD=1 (reuse the last build), PEERS_TASK_LOG (off: asyncreply's
#   task log, one INFO line per task ended, is turned down to WARNING by bench/peers-logging.properties, as the
#   peers log nothing per task; on: the JDK's logging defaults, the line written to the run's .err file).
# Results: $BENCH_OUT/peers.csv (every figure of every round), peers_medians.csv, peers_summary.txt (the
# table, with the machine, versions and every system's settings); logs in bench/target/peers/logs/.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench
OUT=${BENCH_OUT:-$BENCH/results}
WORK=$BENCH/target/peers
LOGS=$WORK/logs
ROUNDS=${PEERS_ROUNDS:-3}
SYSTEMS=${PEERS_SYSTEMS:-asyncreply db-scheduler jobrunr asyncreply-h2 asyncreply-memory}
PG_URL=${BENCH_PG_URL:-jdbc:postgresql://127.0.0.1:5432/test?user=postgres}
JVM_OPTS=${PEERS_JVM_OPTS:--Xms1g -Xmx1g}
TASK_LOG=${PEERS_TASK_LOG:-off}

log() { printf '%s [peers] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# One benchmark at a time on this machine (bench/run.sh takes the same lock, and holds it when it runs
# this script as its peers section: BENCH_LOCK_HELD=1).
if [ -z "${BENCH_LOCK_HELD:-}" ]; then
    exec 9>"${TMPDIR:-/tmp}/asyncreply-bench.lock"
    flock -n 9 || die "another benchmark (bench/run.sh or bench/peers.sh) is running on this machine"
fi

mkdir -p "$OUT" "$LOGS"
START_TIME=$(date +%s)
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
    log "building the benchmark tools"
    (cd "$ROOT" && mvn -B -q -Pbench -Dmaven.test.skip=true package -pl bench -am)
fi
CP="$BENCH/target/classes:$(cat "$BENCH/target/classpath.txt")"
LOGGING=()
[ "$TASK_LOG" = on ] || LOGGING=(-Djava.util.logging.config.file="$BENCH/peers-logging.properties")
PROPS=("${LOGGING[@]}" -Dpeers.pg.url="$PG_URL" -Dpeers.work="$WORK" -Dpeers.clk.tck="$(getconf CLK_TCK)"
    -Dpeers.tasks="${PEERS_TASKS:-20000}" -Dpeers.big="${PEERS_BIG:-100000}"
    -Dpeers.pickups="${PEERS_PICKUPS:-200}" -Dpeers.gap.ms="${PEERS_GAP_MS:-50}"
    -Dpeers.warmup="${PEERS_WARMUP:-2000}"
    -Dpeers.asyncreply.version="$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(cd "$ROOT" && git diff --quiet HEAD 2>/dev/null || echo '+changes')")
peers() { # JVM for one use of io.asyncreply.bench.peers.Main
    # shellcheck disable=SC2086
    java $JVM_OPTS "${PROPS[@]}" -cp "$CP" io.asyncreply.bench.peers.Main "$@"
}

PG_INFO=$(peers pg-settings)
case "$PG_INFO" in *unreachable*) die "PostgreSQL: $PG_INFO" ;; esac

MACHINE=$WORK/machine.txt
{
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc=$(nproc)"
    echo "memory_mib=$(free -m | awk '/^Mem:/{print $2}')"
    echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "jdk=$(java -version 2>&1 | head -2 | tail -1)"
    echo "jvm_options=$JVM_OPTS"
    echo "git=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo none)"
    echo "$PG_INFO"
    echo "pool=HikariCP $(sed -n 's/.*HikariCP-\([0-9.]*\)\.jar.*/\1/p' "$BENCH/target/classpath.txt"), maximumPoolSize 10, other settings default; PostgreSQL URL + reWriteBatchedInserts=true"
    echo "rounds=$ROUNDS systems=$SYSTEMS"
    echo "tasks=${PEERS_TASKS:-20000} big=${PEERS_BIG:-100000} pickups=${PEERS_PICKUPS:-200} gap_ms=${PEERS_GAP_MS:-50} warmup=${PEERS_WARMUP:-2000} clients=8 workers=8"
    echo "loadavg_at_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$MACHINE"
load1=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load1" -v n="$(nproc)" 'BEGIN{exit !(l > n)}'; then
    log "warning: load average $load1 on $(nproc) cores: something else is running, figures will be low"
fi

CSV=$OUT/peers.csv
echo "round,system,store,figure,tasks,seconds,tasks_per_s,jvm_cpu_ms_per_task,pg_cpu_ms_per_task,pg_own_cpu_ms_per_task,machine_cpu_ms_per_task,p50_ms,p99_ms,max_ms,errors,duplicates,loadavg_before,loadavg_after" >"$CSV"
SETTINGS=$WORK/settings.txt
: >"$SETTINGS"
read -r -a LIST <<<"$SYSTEMS"
n=${#LIST[@]}
failed=0
for r in $(seq 1 "$ROUNDS"); do
    # interleaved: each round starts one system later, so that no system always runs first or last
    for i in $(seq 0 $((n - 1))); do
        s=${LIST[$(( (i + r - 1) % n ))]}
        log "round $r/$ROUNDS: $s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
        if peers run "$s" "$r" "$CSV" >"$LOGS/$s-r$r.out" 2>"$LOGS/$s-r$r.err"; then
            grep -q "^setting\.$s\." "$SETTINGS" || grep "^setting\.$s\." "$LOGS/$s-r$r.out" >>"$SETTINGS" || true
            grep -h "^[0-9:]* \[peers" "$LOGS/$s-r$r.err" | grep -v "warm-up\|warmup" | sed 's/^[0-9:]* //' >&2 || true
        else
            failed=$((failed + 1))
            log "$s, round $r failed: see $LOGS/$s-r$r.err"
            tail -5 "$LOGS/$s-r$r.err" >&2
        fi
    done
done
echo "loadavg_at_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$MACHINE"
echo "run_seconds=$(( $(date +%s) - START_TIME ))" >>"$MACHINE"
echo "failed_runs=$failed" >>"$MACHINE"

{
    echo "asyncreply peer comparison (bench/peers.sh)"
    sed 's/^/  /' "$MACHINE"
    echo
    peers summary "$CSV" "$OUT/peers_medians.csv"
    echo
    echo "Settings of each system (as each run printed them):"
    sed 's/^setting\./  /' "$SETTINGS"
} >"$OUT/peers_summary.txt"
cat "$OUT/peers_summary.txt" >&2
log "done in $(( $(date +%s) - START_TIME )) s; results in $OUT/peers.csv, peers_medians.csv, peers_summary.txt"
[ "$failed" -eq 0 ] || die "$failed run(s) failed"
