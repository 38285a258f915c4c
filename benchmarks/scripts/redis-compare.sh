#!/usr/bin/env bash
# Runs the same redis-benchmark against a redis-server and against Cairn (`cairn dev`, started
# here with a fresh data dir) in one run, and prints a table of requests/s with the ratio
# Cairn / redis-server. Numbers only; nothing is asserted.
#
#   benchmarks/scripts/redis-compare.sh [-n REQUESTS] [-c CLIENTS] [-r KEYSPACE] [-t TESTS] [-P LIST] [-w WARMUP]
#
# Defaults: -n 100000 -c 50 -r 100000 -t get,set -P "1 16" -w 200000. A run with pipeline P sends
# REQUESTS x P requests, so a pipelined run lasts about as long as an unpipelined one (100,000
# GETs with -P 16 took Cairn 0.4 s and redis-server 0.1 s: one short stall moved Cairn's
# result between 190k and 310k/s from run to run). Before measuring, both
# servers get WARMUP requests of the same tests pipelined, then WARMUP more unpipelined (not
# printed): the JVM's JIT is still compiling during the first minute of load (with a quarter of
# that unpipelined, Cairn's GET still ran ~20% faster on a second run). -w 0 skips it. Needs
# redis-server and redis-benchmark (Debian: redis-server, redis-tools) and the cairn jar
# (./cairn builds it).
# Redis runs with fsync off (its default appendonly no); Cairn fsyncs every Raft batch. A second
# redis-server with `appendonly yes, appendfsync always` (an fsync per event-loop round, before
# the replies go out: one node's group commit) runs the same tests for reference: columns
# "redis fsync rps" and "vs fsync" (Cairn / that). The goals' ratio is against the first.
set -euo pipefail

REQUESTS=100000 CLIENTS=50 KEYSPACE=100000 TESTS=get,set PIPELINES="1 16" WARMUP=200000
while getopts "n:c:r:t:P:w:" opt; do
  case $opt in
    n) REQUESTS=$OPTARG ;; c) CLIENTS=$OPTARG ;; r) KEYSPACE=$OPTARG ;;
    t) TESTS=$OPTARG ;; P) PIPELINES=$OPTARG ;; w) WARMUP=$OPTARG ;;
    *) sed -n 2,17p "$0"; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=cairn-dev.sh
. "$ROOT/benchmarks/scripts/cairn-dev.sh"
for tool in redis-server redis-benchmark redis-cli; do
  command -v $tool >/dev/null || { echo "missing $tool (apt-get install redis-server redis-tools)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/cairn-compare.XXXXXX)
REDIS_PORT=$(free_port)
FSYNC_PORT=$(free_port)
CAIRN_PORT=$(free_port)
CAIRN_PID=""
cleanup() {
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  redis-cli -p "$FSYNC_PORT" shutdown nosave >/dev/null 2>&1 || true
  stop_cairn
  rm -rf "$WORK"
}
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
  --dir "$WORK" --logfile "$WORK/redis.log" >/dev/null
mkdir -p "$WORK/aof"
redis-server --port "$FSYNC_PORT" --bind 127.0.0.1 --daemonize yes --save "" --appendonly yes \
  --appendfsync always --dir "$WORK/aof" --logfile "$WORK/redis-fsync.log" >/dev/null
"$ROOT/cairn" dev --data "$WORK/cairn-data" --port "$CAIRN_PORT" >"$WORK/cairn.log" 2>&1 &
CAIRN_PID=$!
await_cairn "$CAIRN_PORT" "$CAIRN_PID" "$WORK/cairn.log"

# Waits (at most 90 s) until the cairn JVM uses under 10% of a core over 2 s: after a load it
# keeps compiling and compacting for a while, which would slow the next redis-server measurement.
settle() {
  local hz ticks before after
  hz=$(getconf CLK_TCK)
  for _ in $(seq 1 45); do
    before=$(awk '{print $14 + $15}' "/proc/$CAIRN_PID/stat")
    sleep 2
    after=$(awk '{print $14 + $15}' "/proc/$CAIRN_PID/stat")
    ticks=$((after - before))
    [ "$ticks" -lt $((hz / 5)) ] && return 0
  done
}

# redis-benchmark --csv prints: "test","rps","avg_latency_ms","min","p50","p95","p99","max"
run() { # port pipeline -> lines "TEST rps p50 p99"
  redis-benchmark -p "$1" -n $((REQUESTS * $2)) -c "$CLIENTS" -r "$KEYSPACE" -P "$2" -t "$TESTS" --csv 2>/dev/null \
    | tail -n +2 | tr -d '"' | awk -F, '{print $1, $2, $5, $7}'
}

if [ "$WARMUP" -gt 0 ]; then
  for port in "$REDIS_PORT" "$FSYNC_PORT" "$CAIRN_PORT"; do
    redis-benchmark -p "$port" -n "$WARMUP" -c "$CLIENTS" -r "$KEYSPACE" -P 16 -t "$TESTS" -q >/dev/null 2>&1
    redis-benchmark -p "$port" -n "$WARMUP" -c "$CLIENTS" -r "$KEYSPACE" -t "$TESTS" -q >/dev/null 2>&1
  done
fi

echo "redis-benchmark -n $REQUESTS x P -c $CLIENTS -r $KEYSPACE -t $TESTS; $(nproc) cores; $(date -u +%F)"
printf '| %-10s | %3s | %14s | %14s | %6s | %15s | %8s | %16s | %16s |\n' test P "redis rps" "cairn rps" ratio \
  "redis fsync rps" "vs fsync" "redis p50/p99 ms" "cairn p50/p99 ms"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' ------------ ----- ---------------- ---------------- -------- \
  ----------------- ---------- ------------------ ------------------
for P in $PIPELINES; do
  # Interleave: redis, redis with fsync, cairn — same machine state, same run.
  settle
  run "$REDIS_PORT" "$P" >"$WORK/redis.$P"
  run "$FSYNC_PORT" "$P" | awk '{print $1, $2}' >"$WORK/fsync.$P"
  run "$CAIRN_PORT" "$P" >"$WORK/cairn.$P"
  join <(sort "$WORK/redis.$P") <(sort "$WORK/cairn.$P") | join - <(sort "$WORK/fsync.$P") \
    | while read -r test rr rp50 rp99 cr cp50 cp99 fr; do
    ratio=$(awk -v a="$cr" -v b="$rr" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    vsf=$(awk -v a="$cr" -v b="$fr" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    printf '| %-10s | %3s | %14s | %14s | %6s | %15s | %8s | %16s | %16s |\n' "$test" "$P" "$rr" "$cr" "$ratio" \
      "$fr" "$vsf" "$rp50/$rp99" "$cp50/$cp99"
  done
done
