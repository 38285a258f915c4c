#!/usr/bin/env bash
# A local multi-process Cairn cluster on loopback ports: 3 meta, 3 store (meta mode) and 2 gateway
# processes, each `java -jar deploy/target/cairn.jar ROLE --config FILE` (docs/deploy.md).
#
#   deploy/local-cluster.sh start  [DIR]   generate config files (first time) and start the processes
#   deploy/local-cluster.sh stop   [DIR]   SIGTERM every process (SIGKILL after 20 s)
#   deploy/local-cluster.sh status [DIR]   which processes are up, PING of each gateway, `cairn admin status`
#
# DIR (default: <repo>/local-cluster) holds conf/NAME.properties, data/NAME/, logs/NAME.log and
# pids/NAME.pid. Config files are written once and then left alone, so you can edit them; delete
# DIR to start from scratch.
#
# Ports (127.0.0.1), from PORT_BASE (default 7000) and GATEWAY_PORT_BASE (default 6379):
#                      meta N    service PORT_BASE+N (7001..7003), raft PORT_BASE+10+N (7011..7013)
#                      store N   raft PORT_BASE+20+N (7021..7023), service PORT_BASE+30+N (7031..7033)
#                      gateway N GATEWAY_PORT_BASE+N (6380, 6381)
# (cairn dev uses 6379 and 7100..7107, so both can run side by side.) The ports are written into
# the config files on the first start; later starts read them from there.
#
# `start` returns once every process logged that it is ready (a gateway: it has a shard map with
# every slot assigned, i.e. the meta service has bootstrapped 3 groups x 3 replicas over the 3
# stores).
#
#   CAIRN_JAVA_OPTS   extra JVM options for every process (default: -Xmx512m -XX:+UseParallelGC)
#   CAIRN_LAUNCH      the command that runs the launcher (default: java $CAIRN_JAVA_OPTS -jar
#                     deploy/target/cairn.jar, built first by ./cairn when stale); tests set it
#   ROLES             which roles `start` starts (default: meta store gateway)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/deploy/target/cairn.jar"
cmd="${1:-}"
dir="${2:-$root/local-cluster}"
ROLES="${ROLES:-meta store gateway}"
PORT_BASE="${PORT_BASE:-7000}"
GATEWAY_PORT_BASE="${GATEWAY_PORT_BASE:-6379}"
# shellcheck disable=SC2206 # a list of words
LAUNCH=(${CAIRN_LAUNCH:-java ${CAIRN_JAVA_OPTS:--Xmx512m -XX:+UseParallelGC} -jar $jar})

METAS=(meta-1 meta-2 meta-3)
STORES=(store-1 store-2 store-3)
GATEWAYS=(gateway-1 gateway-2)

usage() {
  echo "usage: $0 start|stop|status [DIR]" >&2
  exit 2
}

meta_addresses() {
  echo "127.0.0.1:$((PORT_BASE + 1)),127.0.0.1:$((PORT_BASE + 2)),127.0.0.1:$((PORT_BASE + 3))"
}

write_configs() {
  mkdir -p "$dir/conf" "$dir/data" "$dir/logs" "$dir/pids"
  local n f peers="" g
  for n in 1 2 3; do
    peers="$peers${peers:+,}$n@127.0.0.1:$((PORT_BASE + 10 + n)):$((PORT_BASE + n))"
  done
  for n in 1 2 3; do
    f="$dir/conf/meta-$n.properties"
    [ -f "$f" ] || cat > "$f" <<CONF
# meta replica $n of the local cluster (keys: docs/meta-service.md). Bootstraps 3 groups x 3
# replicas once 3 stores have registered.
node.id=$n
data.dir=$dir/data/meta-$n
host=127.0.0.1
service.port=$((PORT_BASE + n))
raft.port=$((PORT_BASE + 10 + n))
peers=$peers
CONF
  done
  for n in 1 2 3; do
    f="$dir/conf/store-$n.properties"
    [ -f "$f" ] || cat > "$f" <<CONF
# store node $n of the local cluster (keys: docs/store-node.md). The meta service places the groups.
node.id=$n
data.dir=$dir/data/store-$n
host=127.0.0.1
raft.port=$((PORT_BASE + 20 + n))
service.port=$((PORT_BASE + 30 + n))
meta.address=$(meta_addresses)
CONF
  done
  for g in "${GATEWAYS[@]}"; do
    f="$dir/conf/$g.properties"
    [ -f "$f" ] || cat > "$f" <<CONF
# $g of the local cluster (keys: docs/gateway.md).
host=127.0.0.1
port=$((GATEWAY_PORT_BASE + ${g#gateway-}))
meta.address=$(meta_addresses)
CONF
  done
}

# A key's value in a config file of DIR (empty if missing).
conf_value() {
  sed -n "s/^$2=//p" "$dir/conf/$1.properties" 2>/dev/null | tail -1
}

pid_of() {
  local f="$dir/pids/$1.pid"
  [ -f "$f" ] && cat "$f"
}

alive() {
  # kill -0 also succeeds for a zombie (a killed process nobody has reaped yet): look at its state.
  kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]
}

is_up() {
  local pid
  pid="$(pid_of "$1")" || return 1
  [ -n "$pid" ] && alive "$pid"
}

role_of() { echo "${1%-*}"; }

names_of_roles() {
  local r
  for r in $ROLES; do
    case "$r" in
      meta) echo "${METAS[@]}" ;;
      store) echo "${STORES[@]}" ;;
      gateway) echo "${GATEWAYS[@]}" ;;
      *) echo "unknown role in ROLES: $r" >&2; exit 2 ;;
    esac
  done
}

# The log line a role prints once it serves.
ready_pattern() {
  case "$(role_of "$1")" in
    meta) echo "meta replica ${1#meta-} ready" ;;
    store) echo "store node ${1#store-} ready" ;;
    gateway) echo "gateway ready" ;;
  esac
}

start() {
  if [ -z "${CAIRN_LAUNCH:-}" ]; then
    # Builds the jar if it is missing or stale (see ./cairn).
    "$root/cairn" version >/dev/null
  fi
  write_configs
  local name started=() offsets=()
  for name in $(names_of_roles); do
    if is_up "$name"; then
      echo "$name: already up (pid $(pid_of "$name"))"
      continue
    fi
    # Readiness is looked for in what this run appends to the log.
    offsets+=("$(($(stat -c %s "$dir/logs/$name.log" 2>/dev/null || echo 0) + 1))")
    nohup "${LAUNCH[@]}" "$(role_of "$name")" --config "$dir/conf/$name.properties" \
      >>"$dir/logs/$name.log" 2>&1 </dev/null &
    echo $! > "$dir/pids/$name.pid"
    started+=("$name")
    echo "$name: started (pid $!), log $dir/logs/$name.log"
  done
  local deadline=$((SECONDS + 180)) i
  for i in "${!started[@]}"; do
    name="${started[$i]}"
    until tail -c "+${offsets[$i]}" "$dir/logs/$name.log" 2>/dev/null | grep -q "$(ready_pattern "$name")"; do
      if ! is_up "$name"; then
        echo "$name: exited; last lines of its log:" >&2
        tail -20 "$dir/logs/$name.log" >&2
        exit 1
      fi
      if [ $SECONDS -ge $deadline ]; then
        echo "$name: not ready after 180 s; see $dir/logs/$name.log" >&2
        exit 1
      fi
      sleep 0.5
    done
    echo "$name: ready"
  done
}

stop() {
  local name pid any=0
  # Gateways first (no new client work), then stores, then the meta service.
  for name in "${GATEWAYS[@]}" "${STORES[@]}" "${METAS[@]}"; do
    if is_up "$name"; then
      pid="$(pid_of "$name")"
      kill -TERM "$pid"
      any=1
      local deadline=$((SECONDS + 20))
      while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
      if alive "$pid"; then
        echo "$name: still running after 20 s, SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
      fi
      echo "$name: stopped"
    fi
    rm -f "$dir/pids/$name.pid"
  done
  [ $any = 1 ] || echo "nothing was running"
}

status() {
  local name state extra metas=""
  for name in "${METAS[@]}" "${STORES[@]}" "${GATEWAYS[@]}"; do
    extra=""
    if is_up "$name"; then
      state="up (pid $(pid_of "$name"))"
      if [ "$(role_of "$name")" = gateway ] && command -v redis-cli >/dev/null 2>&1; then
        extra="  PING: $(redis-cli -p "$(conf_value "$name" port)" PING 2>&1 | head -1)"
      fi
      if [ "$(role_of "$name")" = meta ]; then
        metas="$metas${metas:+,}127.0.0.1:$(conf_value "$name" service.port)"
      fi
    elif [ -f "$dir/pids/$name.pid" ]; then
      state="down (exited; see $dir/logs/$name.log)"
    else
      state="not running"
    fi
    printf '%-10s %s%s\n' "$name" "$state" "$extra"
  done
  if [ -n "$metas" ]; then
    echo
    echo "cairn admin --meta $metas status"
    "${LAUNCH[@]}" admin --meta "$metas" --timeout 10 status || true
  fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
