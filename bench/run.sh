#!/usr/bin/env bash
# bench/run.sh: reproduces every figure of docs/benchmarks.md, from a fresh clone, in one run.
#
#   bench/run.sh                      everything (about 40 minutes on 2 cores)
#   BENCH_SECTIONS="intake wake" bench/run.sh      only some sections
#
# Sections, in order: jmh intake slow wake heap full multinode sse webhook peers (see docs/benchmarks.md for
# what each measures; peers is bench/peers.sh, with its own PEERS_* settings, writing into BENCH_OUT too).
# Settings (environment):
#   BENCH_SECTIONS   sections to run (default: all)
#   BENCH_STORES     stores for intake and wake (default: "memory h2 pg"; a store the WAR cannot
#                    open is reported and skipped)
#   BENCH_SECONDS    length of each measured load figure, s (default 10)
#   BENCH_ROUNDS     rounds of (ceiling, intake) per store, and pairs of fixed-rate latency runs (default 2)
#   BENCH_LATENCY_RATE  the fixed rate of the latency pairs, req/s (default: half of each store's measured
#                    intake); the ceiling and the intake run at the same rate in the same JVM
#   BENCH_WARMUP     warm-up before each throughput figure, s (default 5)
#   BENCH_PG_URL     PostgreSQL for the jdbc store and JMH (default
#                    jdbc:postgresql://127.0.0.1:5432/test?user=postgres); a dedicated schema is
#                    dropped and created in it (asyncreply_bench for the WAR, asyncreply_jmh for JMH)
#   BENCH_FAST_RATE  the fast client's rate beside the 1,000 slow uploads, req/s (default 500)
#   BENCH_HEAP_PASS  tasks pushed through for the retention figure (default 1000000)
#   BENCH_JVM_OPTS   options of the container JVM (default "-Xms2g -Xmx2g"); its GC log goes to
#                    bench/target/run/logs/<container>-gc.log
#   BENCH_OUT        where the results go (default bench/results)
#   BENCH_JFR=1      record a JFR file per container run into bench/target/run/jfr/
#   BENCH_SKIP_BUILD=1  reuse the last build
#   BENCH_SSE_EVENTS (200), BENCH_SSE_WARMUP (3000) and BENCH_SSE_STREAMS (10000): events timed per
#                    configuration, events before them (so that both JVMs have compiled the path), and
#                    streams held open by the sse section
#
# Everything listens on 127.0.0.1 only. Results: bench/results/*.csv, *.txt and *.png (small, kept in
# git); logs and the container under bench/target/run/ (not kept).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench
OUT=${BENCH_OUT:-$BENCH/results}
WORK=$BENCH/target/run
LOGS=$WORK/logs
SECTIONS=${BENCH_SECTIONS:-jmh intake slow wake heap full multinode sse webhook peers}
STORES=${BENCH_STORES:-memory h2 pg}
SECS=${BENCH_SECONDS:-10}
WARM=${BENCH_WARMUP:-5}
PG_URL=${BENCH_PG_URL:-jdbc:postgresql://127.0.0.1:5432/test?user=postgres}
HEAP_PASS=${BENCH_HEAP_PASS:-1000000}
JETTY_VERSION=12.1.8
JETTY_HOME=$BENCH/target/jetty/jetty-home-$JETTY_VERSION
BASE=$WORK/base
# the container JVM (BENCH_JVM_OPTS replaces it): fixed heap, the JDK's default collector (G1)
JVM_OPTS=${BENCH_JVM_OPTS:--Xms2g -Xmx2g}
# The load: wrk threads and connections sized for a 2-core machine that also runs the server.
WRK_T=2
WRK_C=64

log() { printf '%s [bench] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
has() { [[ " $SECTIONS " == *" $1 "* ]]; }

# One benchmark at a time on this machine (bench/peers.sh takes the same lock).
exec 9>"${TMPDIR:-/tmp}/asyncreply-bench.lock"
flock -n 9 || die "another benchmark (bench/run.sh or bench/peers.sh) is running on this machine"

# ------------------------------------------------------------------ tools
need_pkg() { # command package
    command -v "$1" >/dev/null 2>&1 && return 0
    log "installing $2 (Debian package)"
    local SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get install -y "$2" >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y "$2" >/dev/null; }
}
need_pkg wrk wrk
need_pkg gnuplot gnuplot-nox
command -v jcmd >/dev/null || die "jcmd not found: a full JDK 17 is needed"

mkdir -p "$OUT" "$LOGS"
START_TIME=$(date +%s)

# ------------------------------------------------------------------ build
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
    log "building the WAR, the ceiling WAR and the benchmark tools"
    (cd "$ROOT" && mvn -B -q -Pbench -Dmaven.test.skip=true package -pl web,bench,bench/ceiling -am)
fi
WAR=$ROOT/web/target/asyncreply.war
CEILING_WAR=$BENCH/ceiling/target/ceiling.war
[ -f "$WAR" ] && [ -f "$CEILING_WAR" ] || die "WARs not built"
CP="$BENCH/target/classes:$(cat "$BENCH/target/classpath.txt")"
tool() { java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$CP" io.asyncreply.bench.load.Main "$@"; }
# the fixed-rate generator measures latency: full JIT for it
tool_c2() { java -XX:+UseSerialGC -cp "$CP" io.asyncreply.bench.load.Main "$@"; }

# ------------------------------------------------------------------ Jetty 12 standalone
if [ ! -f "$JETTY_HOME/start.jar" ]; then
    log "fetching jetty-home $JETTY_VERSION"
    (cd "$BENCH" && mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:unpack \
        -Dartifact=org.eclipse.jetty:jetty-home:$JETTY_VERSION:tar.gz \
        -DoutputDirectory="$BENCH/target/jetty" -DmarkersDirectory="$BENCH/target/jetty/.markers")
fi
if [ ! -d "$BASE/webapps" ]; then
    mkdir -p "$BASE"
    (cd "$BASE" && java -jar "$JETTY_HOME/start.jar" jetty.home="$JETTY_HOME" jetty.base="$BASE" \
        --add-modules=ee10-deploy,http,jmx >"$LOGS/jetty-base.log" 2>&1)
fi
mkdir -p "$BASE/work"

free_port() {
    local p
    for p in $(seq 18080 18180); do
        (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; return; }
    done
    die "no free port"
}

JETTY_PID=""
PORT=""
URL=""
# start_jetty NAME [JVM options...]: a fresh Jetty with the product WAR as ROOT (/) and the ceiling
# WAR beside it at /ceiling, so that every figure can be compared with the ceiling measured in the
# same JVM a moment before; waits until both answer.
start_jetty() {
    local name=$1
    shift
    rm -rf "$BASE/webapps"/* "$BASE/work"/*
    cp "$WAR" "$BASE/webapps/ROOT.war"
    cp "$CEILING_WAR" "$BASE/webapps/ceiling.war"
    PORT=$(free_port)
    URL="http://127.0.0.1:$PORT"
    local jfr=""
    if [ -n "${BENCH_JFR:-}" ]; then
        mkdir -p "$WORK/jfr"
        jfr="-XX:StartFlightRecording=filename=$WORK/jfr/$name.jfr,settings=profile"
    fi
    (cd "$BASE" && exec java $JVM_OPTS -Xlog:gc:file="$LOGS/$name-gc.log" $jfr "$@" -jar "$JETTY_HOME/start.jar" jetty.home="$JETTY_HOME" \
        jetty.base="$BASE" jetty.http.host=127.0.0.1 jetty.http.port="$PORT" >"$LOGS/$name.log" 2>&1) &
    JETTY_PID=$!
    local i
    for i in $(seq 1 240); do
        if curl -fsS -o /dev/null "$URL/health" 2>/dev/null && curl -fsS -o /dev/null "$URL/ceiling/" 2>/dev/null; then
            log "$name: up on port $PORT (pid $JETTY_PID)"
            return 0
        fi
        kill -0 "$JETTY_PID" 2>/dev/null || { tail -20 "$LOGS/$name.log" >&2; return 1; }
        sleep 0.25
    done
    tail -20 "$LOGS/$name.log" >&2
    stop_jetty
    return 1
}

stop_jetty() {
    [ -n "$JETTY_PID" ] || return 0
    kill "$JETTY_PID" 2>/dev/null || true
    local i
    for i in $(seq 1 100); do
        kill -0 "$JETTY_PID" 2>/dev/null || break
        sleep 0.2
    done
    kill -9 "$JETTY_PID" 2>/dev/null || true
    wait "$JETTY_PID" 2>/dev/null || true
    JETTY_PID=""
}
trap stop_jetty EXIT

# kv FILE KEY: a value from key=value lines (tools print them; wrk's Lua prints them prefixed "KV ")
kv() { sed -n "s/^\(KV \)\{0,1\}$2=//p" "$1" 2>/dev/null | tail -1; }
kvn() { local v; v=$(kv "$@"); echo "${v:-0}"; } # a count: 0 when absent
health() { curl -fsS "$URL/health" 2>/dev/null || true; }
health_num() { health | sed -n "s/.*\"$1\":\([0-9-]*\).*/\1/p"; }

# wait_depth N [TIMEOUT_S]: until /health queueDepth == N (and, for 0, nothing running)
wait_depth() {
    local want=$1 timeout=${2:-120} i
    for i in $(seq 1 $((timeout * 4))); do
        local d r
        d=$(health_num queueDepth)
        r=$(health_num running)
        if [ "$d" = "$want" ] && { [ "$want" != 0 ] || [ "$r" = 0 ]; }; then
            return 0
        fi
        sleep 0.25
    done
    return 1
}

# heap_used_kb: live heap after a full GC, in KiB
heap_used_kb() {
    jcmd "$JETTY_PID" GC.run >/dev/null
    sleep 1
    jcmd "$JETTY_PID" GC.heap_info | sed -n 's/.*total [0-9]*K, used \([0-9]*\)K.*/\1/p' | head -1
}

wrk_post() { # NAME LUA SECONDS THREADS CONNECTIONS PATH [--latency]
    local name=$1 lua=$2 secs=$3 t=$4 c=$5 path=$6
    wrk -t"$t" -c"$c" -d"${secs}s" --timeout 10s -s "$BENCH/lua/$lua" "$URL$path" >"$LOGS/$name.wrk" 2>&1 \
        || die "wrk $name"
}

# ------------------------------------------------------------------ store settings
# store_opts STORE: the JVM options for the WAR with that store (after resetting its data)
H2_DIR=$WORK/h2
PG_SCHEMA=asyncreply_bench
store_opts() {
    local common="-Dasyncreply.queue.capacity=10000000 -Dasyncreply.retention.max-tasks=100000"
    case $1 in
        memory) echo "-Dasyncreply.store=memory $common" ;;
        h2) rm -rf "$H2_DIR"; echo "-Dasyncreply.store=h2 -Dasyncreply.h2.dir=$H2_DIR $common" ;;
        pg)
            tool pg-reset "$PG_URL" "$PG_SCHEMA" >/dev/null 2>"$LOGS/pg-reset.log" || { log "PostgreSQL unreachable at $PG_URL"; return 1; }
            local sep='&'
            [[ "$PG_URL" == *\?* ]] || sep='?'
            echo "-Dasyncreply.store=jdbc -Dasyncreply.jdbc.url=$PG_URL${sep}currentSchema=$PG_SCHEMA $common" ;;
    esac
}

# ------------------------------------------------------------------ machine
{
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc=$(nproc)"
    echo "memory_mib=$(free -m | awk '/^Mem:/{print $2}')"
    echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "jdk=$(java -version 2>&1 | head -2 | tail -1)"
    echo "loadavg_at_start=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "git=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo none)"
    echo "jetty=$JETTY_VERSION"
    echo "wrk=$(wrk -v 2>&1 | head -1)"
    echo "seconds_per_figure=$SECS warmup=$WARM wrk=-t$WRK_T -c$WRK_C"
} >"$OUT/machine.txt"

# ------------------------------------------------------------------ JMH
if has jmh; then
    log "JMH (1 fork, 3x2 s warm-up, 3x2 s measurement per benchmark)"
    JMH_STORES=memory
    if [ -f "$ROOT/core/src/main/java/io/asyncreply/store/jdbc/JdbcTaskStore.java" ]; then
        JMH_STORES="memory,h2"
        tool pg-reset "$PG_URL" asyncreply_jmh >/dev/null 2>&1 && JMH_STORES="$JMH_STORES,postgres"
    fi
    java -cp "$CP" org.openjdk.jmh.Main -f 1 -wi 3 -w 2s -i 3 -r 2s -p store="$JMH_STORES" \
        -jvmArgsAppend "-Dbench.pg.url=$PG_URL" -rf csv -rff "$OUT/jmh.csv" \
        'io.asyncreply.bench.jmh.*' >"$LOGS/jmh.log" 2>&1 || die "JMH (see $LOGS/jmh.log)"
    sed -n '/^Benchmark /,$p' "$LOGS/jmh.log" >"$OUT/jmh.txt"
fi

# ------------------------------------------------------------------ a+b: ceiling and intake per store
# One JVM per store, the ceiling servlet deployed beside the WAR: after a warm-up of both,
# BENCH_ROUNDS rounds of (ceiling, then intake), each wrk -t2 -c64 for BENCH_SECONDS, the workers
# left to drain the backlog between figures; the ratio is intake / ceiling over the rounds. Then
# the latency figure: BENCH_ROUNDS pairs of fixed-rate runs, the ceiling and the intake at the same
# rate (half the intake max just measured, or BENCH_LATENCY_RATE), in the same JVM, the order
# alternating; the figure is the intake's p99 over the ceiling's p99, median over the pairs.
ROUNDS=${BENCH_ROUNDS:-2}
CEIL_PATH=/ceiling/tasks/echo
# median: the median of the numbers on standard input (one a line; empty when none)
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# median_kv OUT FILE...: key=value lines of fixed-rate, each the median over the FILEs (errors and
# other statuses: the sum)
median_kv() {
    local out=$1 k
    shift
    : >"$out"
    for k in target_rate achieved_rate latency.p50_ms latency.p90_ms latency.p99_ms latency.p999_ms latency.max_ms; do
        echo "$k=$(for f in "$@"; do kv "$f" "$k"; done | median)" >>"$out"
    done
    for k in errors status.other; do
        echo "$k=$(for f in "$@"; do kvn "$f" "$k"; done | awk '{ s += $1 } END { print s + 0 }')" >>"$out"
    done
}
fixed_row() { # CONFIG RPS CEILING_RPS KVFILE NONEXPECTED_FROM_WRK BACKLOG "CEILING_CPU,CPU,CPU_WITH_DRAIN"
    local f=$4 cc=${7%%,*} rest=${7#*,}
    local pc=${rest%%,*}
    echo "$1,$2,$3,$(awk -v a="$2" -v b="$3" 'BEGIN{printf "%.3f", a / b}'),$(kv "$f" target_rate),$(kv "$f" achieved_rate),$(kv "$f" latency.p50_ms),$(kv "$f" latency.p90_ms),$(kv "$f" latency.p99_ms),$(kv "$f" latency.p999_ms),$(kv "$f" latency.max_ms),$(kvn "$f" errors),$(( $5 + $(kvn "$f" status.other) )),$6,$7,$(awk -v a="$cc" -v b="$pc" 'BEGIN{printf "%.3f", a / b}')"
}
# CPU time of the container JVM (user + system), in clock ticks, and microseconds per request between two readings
CLK_TCK=$(getconf CLK_TCK)
jvm_ticks() { awk '{print $14 + $15}' "/proc/$JETTY_PID/stat"; }
cpu_us() { awk -v a="$1" -v b="$2" -v n="$3" -v hz="$CLK_TCK" 'BEGIN{printf "%.1f", (b - a) * 1e6 / hz / n}'; }
intake_store() { # STORE
    local s=$1 opts r
    opts=$(store_opts "$s") || return 1
    # shellcheck disable=SC2086
    start_jetty "intake-$s" $opts -Dasyncreply.shutdown.grace=1s || { log "$s: the container did not start; skipped"; return 1; }
    log "$s: warm-up 2 x (${WARM}s ceiling + ${WARM}s intake), then $ROUNDS rounds of ${SECS}s ceiling + ${SECS}s intake"
    # twice: the second pass lets the JIT settle the code both paths share (a single warm-up left
    # the first ceiling figure 30-40% below the next one)
    wrk_post "$s-warmup-ceiling" post.lua "$WARM" $WRK_T $WRK_C $CEIL_PATH
    wrk_post "$s-warmup" post.lua "$WARM" $WRK_T $WRK_C /tasks/echo
    wait_depth 0 120 || log "$s: backlog not drained in 120 s"
    wrk_post "$s-warmup-ceiling-2" post.lua "$WARM" $WRK_T $WRK_C $CEIL_PATH
    wrk_post "$s-warmup-2" post.lua "$WARM" $WRK_T $WRK_C /tasks/echo
    wait_depth 0 120 || log "$s: backlog not drained in 120 s"
    local csum=0 psum=0 ccpu=0 pcpu=0 dcpu=0 bad=0 backlog=0
    for r in $(seq 1 "$ROUNDS"); do
        local t0 t1 t2 t3 c p b cn pn
        t0=$(jvm_ticks)
        wrk_post "$s-ceiling-r$r" post.lua "$SECS" $WRK_T $WRK_C $CEIL_PATH
        t1=$(jvm_ticks)
        wrk_post "$s-r$r" post.lua "$SECS" $WRK_T $WRK_C /tasks/echo
        t2=$(jvm_ticks)
        c=$(kv "$LOGS/$s-ceiling-r$r.wrk" rps)
        p=$(kv "$LOGS/$s-r$r.wrk" rps)
        cn=$(kv "$LOGS/$s-ceiling-r$r.wrk" requests)
        pn=$(kv "$LOGS/$s-r$r.wrk" requests)
        b=$(health_num queueDepth)
        # the workers drain what the intake queued, so that the next figure measures intake alone
        wait_depth 0 180 || log "$s: backlog not drained in 180 s"
        t3=$(jvm_ticks)
        local cu pu du
        cu=$(cpu_us "$t0" "$t1" "$cn")
        pu=$(cpu_us "$t1" "$t2" "$pn")
        du=$(cpu_us "$t1" "$t3" "$pn")
        echo "$s,$r,$c,$p,$cu,$pu,$du,${b:-},$(cut -d' ' -f1 /proc/loadavg)" >>"$OUT/intake_rounds.csv"
        csum=$(awk -v a="$csum" -v b="$c" 'BEGIN{print a + b}')
        psum=$(awk -v a="$psum" -v b="$p" 'BEGIN{print a + b}')
        ccpu=$(awk -v a="$ccpu" -v b="$cu" 'BEGIN{print a + b}')
        pcpu=$(awk -v a="$pcpu" -v b="$pu" 'BEGIN{print a + b}')
        dcpu=$(awk -v a="$dcpu" -v b="$du" 'BEGIN{print a + b}')
        bad=$(( bad + $(kvn "$LOGS/$s-r$r.wrk" errors.status) + $(kvn "$LOGS/$s-r$r.wrk" errors.read) + $(kvn "$LOGS/$s-r$r.wrk" errors.timeout) ))
        [ "${b:-0}" -gt "$backlog" ] && backlog=$b
        log "$s: round $r: ceiling $c req/s ($cu us CPU each), intake $p req/s ($pu us CPU each, $du with the backlog drained), backlog $b"
    done
    CPU_COLS="$(awk -v a="$ccpu" -v n="$ROUNDS" 'BEGIN{printf "%.1f", a / n}'),$(awk -v a="$pcpu" -v n="$ROUNDS" 'BEGIN{printf "%.1f", a / n}'),$(awk -v a="$dcpu" -v n="$ROUNDS" 'BEGIN{printf "%.1f", a / n}')"
    local crps prps rate which order
    crps=$(awk -v a="$csum" -v n="$ROUNDS" 'BEGIN{printf "%.1f", a / n}')
    prps=$(awk -v a="$psum" -v n="$ROUNDS" 'BEGIN{printf "%.1f", a / n}')
    # Latency: the intake's p99 against the ceiling servlet's p99 at the same fixed rate, in this
    # JVM, pair by pair (FixedRate: open model, each request timed from its scheduled send time, so
    # a stall is charged to every request it delays: no coordinated omission). The ceiling's own
    # tail (garbage-collection pauses and scheduling on a shared machine) is in both figures; the
    # ratio is what the intake adds to it. Odd pairs start with the ceiling, even pairs with the
    # intake; the intake's backlog is drained before the next run.
    rate=${BENCH_LATENCY_RATE:-$(awk -v r="$prps" 'BEGIN{printf "%d", r / 2}')}
    for r in $(seq 1 "$ROUNDS"); do
        order="ceiling intake"
        [ $((r % 2)) -eq 0 ] && order="intake ceiling"
        for which in $order; do
            if [ "$which" = ceiling ]; then
                log "$s: latency pair $r: ceiling at $rate req/s for ${SECS}s"
                tool_c2 fixed-rate "$URL$CEIL_PATH" "$rate" "$SECS" $WRK_C 100 >"$LOGS/$s-ceiling-fixed-r$r.kv" 2>&1 \
                    || die "fixed-rate ceiling ($s)"
            else
                log "$s: latency pair $r: intake at $rate req/s for ${SECS}s"
                tool_c2 fixed-rate "$URL/tasks/echo" "$rate" "$SECS" $WRK_C 100 >"$LOGS/$s-fixed-r$r.kv" 2>&1 \
                    || die "fixed-rate $s"
                wait_depth 0 180 || log "$s: backlog not drained in 180 s"
            fi
        done
        local cf=$LOGS/$s-ceiling-fixed-r$r.kv pf=$LOGS/$s-fixed-r$r.kv
        echo "$s,$r,$rate,$(kv "$cf" achieved_rate),$(kv "$cf" latency.p50_ms),$(kv "$cf" latency.p99_ms),$(kv "$pf" achieved_rate),$(kv "$pf" latency.p50_ms),$(kv "$pf" latency.p99_ms),$(awk -v a="$(kv "$pf" latency.p99_ms)" -v b="$(kv "$cf" latency.p99_ms)" 'BEGIN{ if (b > 0) printf "%.3f", a / b }'),$(( $(kvn "$pf" errors) + $(kvn "$pf" status.other) + $(kvn "$cf" errors) + $(kvn "$cf" status.other) )),$(cut -d' ' -f1 /proc/loadavg)" >>"$OUT/intake_latency_rounds.csv"
        log "$s: latency pair $r: p99 $(kv "$pf" latency.p99_ms) ms, ceiling p99 $(kv "$cf" latency.p99_ms) ms"
    done
    local pfs=() cfs=() rows=$WORK/latency-$s.rows
    for r in $(seq 1 "$ROUNDS"); do
        pfs+=("$LOGS/$s-fixed-r$r.kv")
        cfs+=("$LOGS/$s-ceiling-fixed-r$r.kv")
    done
    median_kv "$LOGS/$s-fixed.kv" "${pfs[@]}"
    median_kv "$LOGS/$s-ceiling-fixed.kv" "${cfs[@]}"
    awk -F, -v s="$s" '$1 == s' "$OUT/intake_latency_rounds.csv" >"$rows"
    echo "$s,$rate,$ROUNDS,$(cut -d, -f4 "$rows" | median),$(cut -d, -f5 "$rows" | median),$(cut -d, -f6 "$rows" | median),$(cut -d, -f7 "$rows" | median),$(cut -d, -f8 "$rows" | median),$(cut -d, -f9 "$rows" | median),$(cut -d, -f10 "$rows" | median),$(cut -d, -f11 "$rows" | awk '{ s += $1 } END { print s + 0 }')" >>"$OUT/intake_latency.csv"
    if [ "$s" = "$FIRST_STORE" ]; then
        # intake.csv's first row: the ceiling, with its latency at this (the first store's) rate
        local cc=${CPU_COLS%%,*}
        fixed_row ceiling "$crps" "$crps" "$LOGS/$s-ceiling-fixed.kv" 0 "" "$cc,$cc,$cc" >>"$WORK/intake.rows"
    fi
    # Intake alone: every worker held by a long sleep task, so that no claim or finish competes
    # with the intake for the CPU (the tasks only queue). Shows what processing costs the intake.
    local workers
    workers=$(health_num workers)
    tool submit "$URL/tasks/sleep" "${workers:-2}" 1 '{"ms":600000}' application/json >/dev/null
    sleep 1
    log "$s: intake with its ${workers:-2} workers held, ${SECS}s"
    wrk_post "$s-held" post.lua "$SECS" $WRK_T $WRK_C /tasks/echo
    echo "$s,$(kv "$LOGS/$s-held.wrk" rps),$crps,$(awk -v a="$(kv "$LOGS/$s-held.wrk" rps)" -v b="$crps" 'BEGIN{printf "%.3f", a / b}'),$(health_num queueDepth)" >>"$OUT/intake_held.csv"
    stop_jetty
    fixed_row "$s" "$prps" "$crps" "$LOGS/$s-fixed.kv" "$bad" "$backlog" "$CPU_COLS" >>"$WORK/intake.rows"
}

if has intake; then
    rm -f "$WORK/intake.rows"
    echo "config,round,ceiling_rps,rps,ceiling_cpu_us_per_req,cpu_us_per_req,cpu_us_per_req_with_drain,backlog_after,loadavg_1min" >"$OUT/intake_rounds.csv"
    echo "config,rps_workers_held,ceiling_rps,ratio_to_ceiling,queue_depth_after" >"$OUT/intake_held.csv"
    echo "config,round,rate,ceiling_achieved_rate,ceiling_p50_ms,ceiling_p99_ms,achieved_rate,p50_ms,p99_ms,p99_ratio,errors,loadavg_1min" >"$OUT/intake_latency_rounds.csv"
    echo "config,rate,pairs,ceiling_achieved_rate,ceiling_p50_ms,ceiling_p99_ms,achieved_rate,p50_ms,p99_ms,p99_ratio,errors" >"$OUT/intake_latency.csv"
    FIRST_STORE=${STORES%% *}
    for s in $STORES; do
        intake_store "$s" || true
    done
    {
        echo "config,rps,ceiling_rps,ratio_to_ceiling,latency_rate,achieved_rate,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,errors,non_202,max_backlog,ceiling_cpu_us_per_req,cpu_us_per_req,cpu_us_per_req_with_drain,cpu_ratio"
        cat "$WORK/intake.rows"
    } >"$OUT/intake.csv"
    log "intake: $(tr '\n' ' ' <"$OUT/intake.csv")"
fi

# ------------------------------------------------------------------ c: 1,000 slow uploads + a fast client
if has slow; then
    # slow.csv: phase,rps,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,errors,busy_median,busy_max,pool_threads_max,jvm_threads_max,slow_uploads_done,slow_errors
    # The fast client: FAST_RATE requests/s (open model, latency from each request's due time) over 4
    # connections. A closed-loop wrk here saturated the 2 cores on its own and so measured CPU
    # contention, not what slow clients do to a normal one. 1,000 slow clients each send a 1,000-byte
    # body 10 bytes every 100 ms, spread evenly over each 100 ms (10 s per upload, then the next one
    # on the same connection).
    FAST_RATE=${BENCH_FAST_RATE:-500}
    slow_phase() { # PHASE PATH: the fast client for SECS while the thread sampler runs
        tool threads "$JETTY_PID" "$SECS" 250 >"$LOGS/slow-$1.threads" 2>&1 &
        local tp=$!
        tool_c2 fixed-rate "$URL$2" "$FAST_RATE" "$SECS" 4 100 >"$LOGS/slow-$1.kv" 2>&1 || die "fast client $1"
        wait $tp || die "thread sampler"
    }
    slow_with_uploads() { # PHASE PATH
        tool slow "$URL$2" 1000 $((SECS + 12)) 1000 10 100 >"$LOGS/slow-$1.uploads" 2>"$LOGS/slow-$1.uploads.err" &
        local sp=$!
        sleep 5
        slow_phase "$1" "$2"
        wait $sp || die "slow uploads"
    }
    # shellcheck disable=SC2046
    start_jetty slow $(store_opts memory) || die "slow"
    wrk_post slow-warmup post.lua "$WARM" 1 4 /tasks/echo
    wrk_post slow-warmup-ceiling post.lua "$WARM" 1 4 $CEIL_PATH
    wait_depth 0 60 || true
    log "slow: fast client alone ($FAST_RATE req/s over 4 connections, ${SECS}s)"
    slow_phase alone /tasks/echo
    wait_depth 0 60 || true
    log "slow: 1,000 slow uploads (10 bytes every 100 ms each) + the same fast client"
    slow_with_uploads with-1000-slow /tasks/echo
    wait_depth 0 60 || true
    # the same against the ceiling servlet, same JVM: what the container itself does with them
    log "slow: ceiling servlet + 1,000 slow uploads + the fast client, on the ceiling"
    slow_with_uploads ceiling-with-1000-slow $CEIL_PATH
    stop_jetty
    {
        echo "phase,rps,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,errors,busy_median,busy_max,pool_threads_max,jvm_threads_max,slow_uploads_done,slow_errors"
        for ph in alone with-1000-slow ceiling-with-1000-slow; do
            w=$LOGS/slow-$ph.kv t=$LOGS/slow-$ph.threads u=$LOGS/slow-$ph.uploads
            done_=""; errs=""
            if [ -f "$u" ]; then
                done_=$(kv "$u" uploads_done)
                errs=$(( $(kvn "$u" errors) + $(kvn "$u" connect_errors) ))
            fi
            echo "$ph,$(kv "$w" achieved_rate),$(kv "$w" latency.p50_ms),$(kv "$w" latency.p90_ms),$(kv "$w" latency.p99_ms),$(kv "$w" latency.p999_ms),$(kv "$w" latency.max_ms),$(( $(kvn "$w" errors) + $(kvn "$w" status.other) )),$(kv "$t" busy_median),$(kv "$t" busy_max),$(kv "$t" pool_threads_max),$(kv "$t" jvm_threads_max),$done_,$errs"
        done
    } >"$OUT/slow.csv"
    log "slow: $(tr '\n' ' ' <"$OUT/slow.csv")"
fi

# ------------------------------------------------------------------ d: long-poll wake latency
if has wake; then
    # wake.csv: store,mode,n,p50_ms,p90_ms,p99_ms,max_ms,mean_ms,not_wakes,failures
    # mode get: GET /tasks/{id}?wait=10 (Jersey); mode prefer: POST with Prefer: wait=10 (servlet intake)
    echo "store,mode,n,p50_ms,p90_ms,p99_ms,max_ms,mean_ms,not_wakes,failures" >"$OUT/wake.csv"
    for s in $STORES; do
        opts=$(store_opts "$s") || continue
        # shellcheck disable=SC2086
        start_jetty "wake-$s" $opts || { log "wake $s: the container did not start; skipped"; continue; }
        for mode in get prefer; do
            # warm-up: 2,000 tasks of 1 ms through the same path, so that the JIT has compiled it as
            # it would have in a server that has been up for a while (not counted)
            tool wake "$URL/" 2000 2 1 2000 $mode >"$LOGS/wake-$s-$mode-warmup.kv" 2>&1 || die "wake warm-up $s"
            log "wake $s ($mode): 2 clients, sleep tasks of 50 ms, 440 tasks"
            tool wake "$URL/" 440 2 50 40 $mode >"$LOGS/wake-$s-$mode.kv" 2>&1 || die "wake $s"
            f=$LOGS/wake-$s-$mode.kv
            echo "$s,$mode,$(kv "$f" wake.n),$(kv "$f" wake.p50_ms),$(kv "$f" wake.p90_ms),$(kv "$f" wake.p99_ms),$(kv "$f" wake.max_ms),$(kv "$f" wake.mean_ms),$(kv "$f" not_wakes),$(kv "$f" failures)" >>"$OUT/wake.csv"
        done
        stop_jetty
    done
    log "wake: $(tr '\n' ' ' <"$OUT/wake.csv")"
fi

# ------------------------------------------------------------------ e: heap
if has heap; then
    # heap.csv: figure,tasks,heap_before_mib,heap_after_mib,delta_mib,bytes_per_task,queue_depth
    echo "figure,tasks,heap_before_mib,heap_after_mib,delta_mib,bytes_per_task,queue_depth" >"$OUT/heap.csv"
    start_jetty heap-queued -Dasyncreply.store=memory -Dasyncreply.workers=2 \
        -Dasyncreply.queue.capacity=10000000 || die "heap"
    tool submit "$URL/tasks/echo" 2000 4 1024 >/dev/null   # warm the code paths (and their garbage) first
    wait_depth 0 60 || die "warm-up tasks did not drain"
    sleep 2
    before=$(heap_used_kb)
    # block both workers with long sleep tasks so that nothing drains
    tool submit "$URL/tasks/sleep" 2 1 '{"ms":3600000}' application/json >/dev/null
    sleep 1
    log "heap: 100,000 tasks of 1 KiB queued behind 2 blocked workers"
    tool submit "$URL/tasks/echo" 100000 8 1024 >"$LOGS/heap-queued.kv" 2>&1
    wait_depth 100000 30 || log "heap: queue depth is $(health_num queueDepth), not 100000"
    depth=$(health_num queueDepth)
    after=$(heap_used_kb)
    stop_jetty
    awk -v b="$before" -v a="$after" -v d="$depth" 'BEGIN{printf "queued_1KiB,100000,%.1f,%.1f,%.1f,%.0f,%s\n", b/1024, a/1024, (a-b)/1024, (a-b)*1024/100000, d}' >>"$OUT/heap.csv"

    start_jetty heap-passed -Dasyncreply.store=memory -Dasyncreply.queue.capacity=10000000 || die "heap"
    tool submit "$URL/tasks/echo" 2000 4 1024 >/dev/null
    wait_depth 0 60 || die "warm-up tasks did not drain"
    sleep 2
    before=$(heap_used_kb)
    log "heap: $HEAP_PASS tasks of 1 KiB through, default retention (100,000 finished tasks at most)"
    tool submit "$URL/tasks/echo" "$HEAP_PASS" 8 1024 >"$LOGS/heap-passed.kv" 2>&1
    wait_depth 0 600 || log "heap: not drained"
    sleep 3 # the purge runs every second
    depth=$(health_num queueDepth)
    after=$(heap_used_kb)
    stop_jetty
    awk -v b="$before" -v a="$after" -v d="$depth" -v n="$HEAP_PASS" 'BEGIN{printf "passed_1KiB_default_retention,%d,%.1f,%.1f,%.1f,%.0f,%s\n", n, b/1024, a/1024, (a-b)/1024, (a-b)*1024/100000, d}' >>"$OUT/heap.csv"
    log "heap: $(tr '\n' ' ' <"$OUT/heap.csv")"
fi

# ------------------------------------------------------------------ f: full queue
if has full; then
    # full.csv: capacity,depth_before,depth_after,requests,rps,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,status_503,status_other,socket_errors
    start_jetty full -Dasyncreply.store=memory -Dasyncreply.workers=2 -Dasyncreply.queue.capacity=100 \
        -Dasyncreply.shutdown.grace=1s || die "full"
    tool submit "$URL/tasks/sleep" 2 1 '{"ms":600000}' application/json >/dev/null
    sleep 1
    tool submit "$URL/tasks/sleep" 100 1 '{"ms":600000}' application/json >/dev/null
    wait_depth 100 10 || log "full: queue depth $(health_num queueDepth), expected 100"
    d0=$(health_num queueDepth)
    log "full: queue full (100); wrk ${WARM}s warm-up + ${SECS}s POST /tasks/echo"
    wrk_post full-warmup statuses.lua "$WARM" $WRK_T $WRK_C /tasks/echo
    wrk_post full statuses.lua "$SECS" $WRK_T $WRK_C /tasks/echo
    d1=$(health_num queueDepth)
    stop_jetty
    w=$LOGS/full.wrk
    {
        echo "capacity,depth_before,depth_after,requests,rps,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,status_503,status_other,socket_errors"
        echo "100,$d0,$d1,$(kv "$w" requests),$(kv "$w" rps),$(kv "$w" latency.p50_ms),$(kv "$w" latency.p90_ms),$(kv "$w" latency.p99_ms),$(kv "$w" latency.p999_ms),$(kv "$w" latency.max_ms),$(kv "$w" status.503),$(kvn "$w" status.other),$(( $(kvn "$w" errors.connect) + $(kvn "$w" errors.read) + $(kvn "$w" errors.write) + $(kvn "$w" errors.timeout) ))"
    } >"$OUT/full.csv"
    log "full: $(tr '\n' ' ' <"$OUT/full.csv")"
fi

# ------------------------------------------------------------------ g: several nodes
if has multinode; then
    # Cross-node wake latency and one node against two, on PostgreSQL: the test-scoped
    # MultiNodeBenchmark (web/src/test/java/io/asyncreply/it/multinode/), which starts each node as
    # its own JVM. See docs/benchmarks.md, "Several nodes".
    log "multinode: MultiNodeBenchmark (each node its own JVM, on PostgreSQL; about 5 minutes)"
    rm -f "$ROOT/web/target/multinode/benchmark.txt"
    (cd "$ROOT" && CI=true mvn -B -q -pl web -am verify -Dit.test=MultiNodeBenchmark -Dtest=none \
        -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dcontainers.skip=true) \
        >"$LOGS/multinode.log" 2>&1 || die "multinode (see $LOGS/multinode.log)"
    cp "$ROOT/web/target/multinode/benchmark.txt" "$OUT/multinode.txt"
    log "multinode: $(tr '\n' ' ' <"$OUT/multinode.txt")"
fi

# ------------------------------------------------------------------ h: server-sent events
if has sse; then
    # Event to client on one node and across nodes, and 10,000 open streams (threads, heap per stream,
    # fan-out): the test-scoped SseBenchmark (web/src/test/java/io/asyncreply/it/multinode/), each node
    # its own JVM. See docs/benchmarks.md, "Server-sent events".
    log "sse: SseBenchmark (each node its own JVM; memory store and PostgreSQL; about 5 minutes)"
    rm -f "$ROOT/web/target/multinode/sse-benchmark.txt"
    (cd "$ROOT" && CI=true mvn -B -q -pl web -am verify -Dit.test=SseBenchmark -Dtest=none \
        -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dcontainers.skip=true \
        -Dsse.bench.events="${BENCH_SSE_EVENTS:-200}" -Dsse.bench.warmup="${BENCH_SSE_WARMUP:-3000}" -Dsse.bench.streams="${BENCH_SSE_STREAMS:-10000}") \
        >"$LOGS/sse.log" 2>&1 || die "sse (see $LOGS/sse.log)"
    cp "$ROOT/web/target/multinode/sse-benchmark.txt" "$OUT/sse.txt"
    log "sse: $(tr '\n' ' ' <"$OUT/sse.txt")"
fi

# ------------------------------------------------------------------ i: webhook delivery latency
if has webhook; then
    # Commit to delivery at a local receiver, one task at a time (io.asyncreply.bench.load.WebhookLatency):
    # 1,000 timed after 200 of warm-up, per store; PostgreSQL in its own schema, made and dropped by the run.
    : >"$OUT/webhook.txt"
    for s in memory h2 "$PG_URL"; do
        log "webhook: $s"
        java -XX:+UseSerialGC -cp "$CP" io.asyncreply.bench.load.Main webhook "$s" 1000 200 \
            >>"$OUT/webhook.txt" 2>>"$LOGS/webhook.log" || log "webhook $s failed (see $LOGS/webhook.log)"
    done
    log "webhook: $(tr '\n' ' ' <"$OUT/webhook.txt")"
fi

# ------------------------------------------------------------------ j: the peers (db-scheduler, JobRunr)
if has peers; then
    # bench/peers.sh under this run's lock, with this run's build and results directory
    log "peers: bench/peers.sh (about 10 minutes with its defaults)"
    BENCH_LOCK_HELD=1 BENCH_SKIP_BUILD=1 BENCH_OUT="$OUT" BENCH_PG_URL="$PG_URL" bash "$BENCH/peers.sh" \
        2>"$LOGS/peers-run.log" || die "peers (see $LOGS/peers-run.log)"
fi

# ------------------------------------------------------------------ plots and summary
echo "loadavg_at_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
echo "run_seconds=$(( $(date +%s) - START_TIME ))" >>"$OUT/machine.txt"
log "summary and plots"
bash "$BENCH/summary.sh" "$OUT" >"$OUT/summary.txt" || log "summary failed"
cat "$OUT/summary.txt" >&2
rm -f "$OUT"/*.png
(cd "$OUT" && gnuplot "$BENCH/plot.gp") 2>"$LOGS/gnuplot.log" || log "gnuplot failed (see $LOGS/gnuplot.log)"
log "done in $(( $(date +%s) - START_TIME )) s; results in $OUT"
