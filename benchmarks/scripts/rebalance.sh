#!/usr/bin/env bash
# Client throughput during a rebalance relative to a quiet cluster, and the pause per slot
# migration (issue 6): starts `cairn dev` with a fresh data dir and runs RebalanceBench against
# it (preload, quiet phase, join a 4th group + automatic rebalance, leave it again, quiet phase).
# Prints a table; asserts nothing.
#
#   benchmarks/scripts/rebalance.sh [THREADS] [KEYS] [QUIET_SECONDS] [WARMUP_SECONDS] [CONTROL_SECONDS]
#   defaults: 32 100000 20 30 0
# CONTROL_SECONDS > 0: the control run, nothing moves (two phases of that length instead of join
# and leave), to see how much the cluster drifts over the same time on its own.
# CAIRN_LOG=FILE keeps cairn dev's log (the meta leader logs each migration's pause breakdown).
set -euo pipefail

THREADS=${1:-32} KEYS=${2:-100000} QUIET=${3:-20} WARMUP=${4:-30} CONTROL=${5:-0}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=cairn-dev.sh
. "$ROOT/benchmarks/scripts/cairn-dev.sh"
WORK=$(mktemp -d /tmp/cairn-rebalance.XXXXXX)
PORT=$(free_port)
CAIRN_PID=""
cleanup() {
  stop_cairn
  if [ -n "${CAIRN_LOG:-}" ]; then cp "$WORK/cairn.log" "$CAIRN_LOG" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

(cd "$ROOT" && mvn -B -q -o install -DskipTests -Djacoco.skip=true \
  && mvn -B -q -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt")
"$ROOT/cairn" dev --data "$WORK/cairn-data" --port "$PORT" >"$WORK/cairn.log" 2>&1 &
CAIRN_PID=$!
await_cairn "$PORT" "$CAIRN_PID" "$WORK/cairn.log"
META=127.0.0.1:7100 # cairn dev's default --base-port
java -cp "$ROOT/benchmarks/target/classes:$(cat "$WORK/cp.txt")" io.cairn.benchmarks.e2e.RebalanceBench \
  "127.0.0.1:$PORT" "$META" "$THREADS" "$KEYS" "$QUIET" "$WARMUP" "$CONTROL"
