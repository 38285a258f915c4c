#!/usr/bin/env bash
# Profiles `cairn dev` under a redis-benchmark load with async-profiler (CPU, Java and native
# frames in one stack, per thread) and prints where the time goes: by thread group, then the
# hottest frames (inclusive) of the groups named with -g. Numbers only; nothing is asserted.
#
#   benchmarks/scripts/profile.sh [-t TEST] [-P PIPELINE] [-n REQUESTS] [-c CLIENTS] [-r KEYSPACE] [-w WARMUP] [-W WARMUP_TESTS] [-g THREADS] [-o FILE] [-j "JVM OPTIONS"]
#
# Defaults: -t set -P 1 -n 200000 -c 50 -r 100000 -w 100000 -g raft-apply,raft-log-writer.
# The profile covers the whole run, warm-up included (C2 compiler threads are listed apart);
# -W names the warm-up's tests (default: TEST; e.g. -t get -W set,get profiles GETs of keys that
# exist, as redis-compare.sh's GET runs after its SETs); -o keeps the collapsed stacks (one line
# per stack: "[thread];frame;...;frame count"); -j passes options to cairn's JVM (e.g. a -D
# switch to profile both sides of a change). Takes
# async-profiler from Maven Central (tools.profiler:async-profiler, through the local Maven
# repository) and runs the jar ./cairn builds from a copy, so editing sources meanwhile does not
# trigger a rebuild mid-run, with the launcher's collector (-XX:+UseParallelGC, docs/deploy.md)
# unless -j names one.
# Needs redis-benchmark and redis-cli (Debian: redis-tools).
set -euo pipefail

AP_VERSION=3.0
TEST=set PIPELINE=1 REQUESTS=200000 CLIENTS=50 KEYSPACE=100000 WARMUP=100000
GROUPS_SHOWN=raft-apply,raft-log-writer OUT="" JVM_OPTS="" WARMUP_TESTS=""
while getopts "t:P:n:c:r:w:W:g:o:j:" opt; do
  case $opt in
    t) TEST=$OPTARG ;; P) PIPELINE=$OPTARG ;; n) REQUESTS=$OPTARG ;; c) CLIENTS=$OPTARG ;;
    r) KEYSPACE=$OPTARG ;; w) WARMUP=$OPTARG ;; g) GROUPS_SHOWN=$OPTARG ;; o) OUT=$OPTARG ;;
    j) JVM_OPTS=$OPTARG ;; W) WARMUP_TESTS=$OPTARG ;;
    *) sed -n 2,18p "$0"; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=cairn-dev.sh
. "$ROOT/benchmarks/scripts/cairn-dev.sh"
for tool in redis-benchmark redis-cli python3 unzip; do
  command -v $tool >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
JAR=$(cairn_jar "$ROOT")

REPO=${MAVEN_REPO:-$HOME/.m2/repository} # the local Maven repository
AP_JAR="$REPO/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION.jar"
if [ ! -f "$AP_JAR" ]; then
  mvn -B -q dependency:get -Dartifact="tools.profiler:async-profiler:$AP_VERSION" >&2
fi

use_workdir profile
unzip -q -o "$AP_JAR" 'linux-x64/*' -d "$WORK"
cp "$JAR" "$WORK/cairn.jar"
PORT=$(free_port)
STACKS="$WORK/stacks.collapsed"

# shellcheck disable=SC2046,SC2086 # gc_option and JVM_OPTS are lists of options
java $(gc_option "$JVM_OPTS") $JVM_OPTS "-agentpath:$WORK/linux-x64/libasyncProfiler.so=start,event=cpu,interval=1ms,file=$STACKS,collapsed,threads" \
  -jar "$WORK/cairn.jar" dev --data "$WORK/data" --port "$PORT" >"$WORK/cairn.log" 2>&1 &
CAIRN_PID=$!
await_cairn "$PORT" "$CAIRN_PID" "$WORK/cairn.log"

if [ "$WARMUP" -gt 0 ]; then
  redis-benchmark -p "$PORT" -n "$WARMUP" -c "$CLIENTS" -r "$KEYSPACE" -P "$PIPELINE" -t "${WARMUP_TESTS:-$TEST}" -q >/dev/null 2>&1
fi
echo "redis-benchmark -t $TEST -P $PIPELINE -n $REQUESTS -c $CLIENTS -r $KEYSPACE (after $WARMUP warm-up requests of ${WARMUP_TESTS:-$TEST})"
redis-benchmark -p "$PORT" -n "$REQUESTS" -c "$CLIENTS" -r "$KEYSPACE" -P "$PIPELINE" -t "$TEST" --csv 2>/dev/null | tail -n +2
kill -TERM "$CAIRN_PID" # the profiler writes its file as the JVM exits
wait "$CAIRN_PID" 2>/dev/null || true
CAIRN_PID=""
[ -f "$STACKS" ] || { echo "no profile written" >&2; tail -20 "$WORK/cairn.log" >&2; exit 1; }
[ -z "$OUT" ] || cp "$STACKS" "$OUT"

python3 - "$STACKS" "$GROUPS_SHOWN" <<'EOF'
import collections, re, sys
path, shown = sys.argv[1], [g for g in sys.argv[2].split(',') if g]
by_group = collections.Counter()
inclusive = collections.defaultdict(collections.Counter)
total = 0
for line in open(path):
    stack, _, n = line.rstrip('\n').rpartition(' ')
    n = int(n)
    frames = stack.split(';')
    group = re.sub(r'\d+', 'N', re.sub(r' tid=\d+', '', frames[0]))
    total += n
    by_group[group] += n
    for g in shown:
        if g in group:
            for f in set(frames[1:]):
                inclusive[g][f] += n
print(f"\n{total} samples (1 ms of CPU each)\n\nby thread group:")
for g, n in by_group.most_common(15):
    print(f"  {100 * n / total:6.2f}%  {g}")
for g in shown:
    t = sum(n for grp, n in by_group.items() if g in grp)
    if not t:
        continue
    print(f"\n{g}* ({100 * t / total:.1f}% of all), frames by inclusive share of the group:")
    for f, n in inclusive[g].most_common(40)[:30]:
        print(f"  {100 * n / t:6.2f}%  {f[:130]}")
EOF
