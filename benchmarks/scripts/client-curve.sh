#!/usr/bin/env bash
# Runs one redis-benchmark test against `cairn dev` at a series of client counts and prints, for
# each, requests/s, p50 and what the whole machine spent: CPU busy (from /proc/stat, all
# processes, redis-benchmark included), CPU per request, and the disk flushes (fsyncs reach the
# disk as flush requests) and voluntary context switches of the cairn JVM per request. Shows where
# a test stops scaling with clients (latency-bound) and what one request costs (CPU-bound).
# Numbers only; nothing is asserted.
#
#   benchmarks/scripts/client-curve.sh [-t TEST] [-c "CLIENT COUNTS"] [-n REQUESTS] [-r KEYSPACE] [-P PIPELINE] [-w WARMUP] [-j "JVM OPTIONS"]
#
# Defaults: -t set -c "1 10 50 200" -n 150000 (a tenth of it for fewer than 10 clients)
# -r 100000 -P 1 -w 100000. -j passes options to cairn's JVM (e.g. a -D switch to A/B a change).
# Runs the jar ./cairn builds from a copy, with the launcher's collector unless -j names one.
# Needs redis-benchmark and redis-cli (Debian: redis-tools) and python3.
set -euo pipefail

TEST=set CLIENT_COUNTS="1 10 50 200" REQUESTS=150000 KEYSPACE=100000 PIPELINE=1 WARMUP=100000 JVM_OPTS=""
while getopts "t:c:n:r:P:w:j:" opt; do
  case $opt in
    t) TEST=$OPTARG ;; c) CLIENT_COUNTS=$OPTARG ;; n) REQUESTS=$OPTARG ;; r) KEYSPACE=$OPTARG ;;
    P) PIPELINE=$OPTARG ;; w) WARMUP=$OPTARG ;; j) JVM_OPTS=$OPTARG ;;
    *) sed -n 2,14p "$0"; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=cairn-dev.sh
. "$ROOT/benchmarks/scripts/cairn-dev.sh"
for tool in redis-benchmark redis-cli python3; do
  command -v $tool >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
JAR=$(cairn_jar "$ROOT")

use_workdir curve
cp "$JAR" "$WORK/cairn.jar"
PORT=$(free_port)
# Flush requests are counted per whole disk: the disk under the data directory's filesystem.
SOURCE=$(df --output=source "$WORK" | tail -1)
DISK=$(lsblk -no pkname "$SOURCE" 2>/dev/null | head -1)
[ -n "$DISK" ] || DISK=$(basename "$SOURCE")

# shellcheck disable=SC2046,SC2086 # gc_option and JVM_OPTS are lists of options
java $(gc_option "$JVM_OPTS") $JVM_OPTS -jar "$WORK/cairn.jar" dev --data "$WORK/data" --port "$PORT" \
  >"$WORK/cairn.log" 2>&1 &
CAIRN_PID=$!
await_cairn "$PORT" "$CAIRN_PID" "$WORK/cairn.log"
if [ "$WARMUP" -gt 0 ]; then
  redis-benchmark -p "$PORT" -t "$TEST" -n "$WARMUP" -c 50 -r "$KEYSPACE" -P "$PIPELINE" -q >/dev/null 2>&1
fi

# One line of counters: busy and total CPU ticks of the machine, the disk's completed flush
# requests (field 19 of /proc/diskstats; -1 when the kernel or the disk has none: "n/a"), the
# JVM's voluntary switches.
counters() {
  local cpu flushes switches
  cpu=$(awk 'NR == 1 {printf "%.0f %.0f\n", $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8}' /proc/stat)
  flushes=$(awk -v d="$DISK" '$3 == d {print (NF >= 19 ? $19 : -1)}' /proc/diskstats)
  switches=$(cat /proc/"$CAIRN_PID"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ {s += $2} END {print s}')
  echo "$cpu ${flushes:--1} $switches"
}

echo "redis-benchmark -t $TEST -r $KEYSPACE -P $PIPELINE against cairn dev; $(nproc) cores; $(date +%F)"
echo "| clients | requests/s | p50 ms | CPU busy | CPU µs per request | flushes per request | JVM switches per request |"
echo "|---|---|---|---|---|---|---|"
for c in $CLIENT_COUNTS; do
  n=$REQUESTS
  [ "$c" -lt 10 ] && n=$((REQUESTS / 10))
  before=$(counters)
  line=$(redis-benchmark -p "$PORT" -t "$TEST" -n "$n" -c "$c" -r "$KEYSPACE" -P "$PIPELINE" --csv 2>/dev/null | tail -1 | tr -d '"')
  after=$(counters)
  python3 - "$c" "$n" "$line" "$before" "$after" "$(getconf CLK_TCK)" "$(nproc)" <<'PY'
import sys
c, n, line, before, after, hz, cores = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].split(), sys.argv[5].split(), int(sys.argv[6]), int(sys.argv[7])
f = line.split(',')  # test, rps, avg, min, p50, p95, p99, max
rps, p50 = float(f[1]), float(f[4])
busy, total = int(after[0]) - int(before[0]), int(after[1]) - int(before[1])
flushes = "n/a" if int(after[2]) < 0 else f"{(int(after[2]) - int(before[2])) / n:.2f}"
switches = int(after[3]) - int(before[3])
cpu_us = busy / hz * 1e6 / n
print(f"| {c} | {rps:,.0f} | {p50:.3f} | {100 * busy / max(total, 1):.0f}% | {cpu_us:.0f} | {flushes} | {switches / n:.2f} |")
PY
done
