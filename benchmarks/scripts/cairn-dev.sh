# Sourced by the scripts in this folder: what each needs to run `cairn dev` under a load.

# A free TCP port on 127.0.0.1 (the kernel's pick).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# cairn_jar ROOT: prints the launcher's jar, rebuilt first by ./cairn when it is missing or older
# than the sources (CAIRN_NO_BUILD=1 keeps whatever jar is there, e.g. one copied in for an A/B).
cairn_jar() {
  local jar="$1/deploy/target/cairn.jar"
  "$1/cairn" --help >/dev/null 2>&1 || true # ./cairn builds it when stale
  [ -f "$jar" ] || { echo "no $jar (run ./cairn once)" >&2; return 1; }
  echo "$jar"
}

# await_cairn PORT PID LOG: waits (at most 2 minutes) until the `cairn dev` of process PID answers
# a SET on PORT; if it exits or does not answer, prints the tail of LOG and exits 1.
await_cairn() {
  for _ in $(seq 1 240); do
    if redis-cli -p "$1" set cairn:bench:probe 1 2>/dev/null | grep -q OK; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then echo "cairn dev exited:" >&2; tail -50 "$3" >&2; exit 1; fi
    sleep 0.5
  done
  echo "cairn dev not ready after 2 minutes:" >&2
  tail -50 "$3" >&2
  exit 1
}

# gc_option "JVM OPTIONS": the collector the launcher uses (-XX:+UseParallelGC, docs/deploy.md)
# unless the options name one, as ./cairn does.
gc_option() {
  case " $1 " in
    *" -XX:+Use"*GC" "*) ;;
    *) echo "-XX:+UseParallelGC" ;;
  esac
}

# Stops the `cairn dev` started as $CAIRN_PID, if any, and waits for it (for cleanup traps).
stop_cairn() {
  if [ -n "${CAIRN_PID:-}" ]; then kill "$CAIRN_PID" 2>/dev/null || true; wait "$CAIRN_PID" 2>/dev/null || true; fi
}

# use_workdir NAME: a fresh WORK directory (/tmp/cairn-NAME.*) that, with the `cairn dev` of
# $CAIRN_PID, goes away when the script exits (for scripts with nothing else to clean up).
use_workdir() {
  WORK=$(mktemp -d "/tmp/cairn-$1.XXXXXX")
  CAIRN_PID=""
  trap 'stop_cairn; rm -rf "$WORK"' EXIT
}
