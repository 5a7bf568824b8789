#!/usr/bin/env bash
# Streamgate's benchmarks: builds the packaged gateway and the harness, installs the Node servers' packages,
# runs every scenario against freshly started servers on this machine, and writes docs/benchmarks.md (with
# plots and raw results under docs/benchmarks/).
#
#   src/bench/run-benchmarks.sh            the full run (about 25 minutes on 2 cores)
#   src/bench/run-benchmarks.sh --quick    a smoke run of a few minutes at small sizes
#
# BENCH_ONLY=fanout-1000,idle runs only those scenarios (ids: fanout-<n>, many-channels, idle, resume, storm, rewind);
# the report then holds only them.
# BENCH_BASELINE_JAR=<quarkus-run.jar of an earlier build> (and BENCH_BASELINE_LABEL=<its name>) adds that gateway to
# every scenario, measured in the same run right after the current one: a before/after on a
# machine whose load varies. BENCH_SYSTEMS=Streamgate (name prefixes, comma-separated) runs only those systems.
# BENCH_GATEWAY_JVM_FLAGS="<flags>" adds JVM flags to every gateway (not to the other servers), e.g. a profile:
# BENCH_GATEWAY_JVM_FLAGS="-XX:StartFlightRecording=filename=gateway.jfr,settings=profile,dumponexit=true"
# (a relative file lands in the gateway's own directory, target/bench/run/<scenario>/<system>/gateway/).
#
# Needs JDK 17 (with jcmd), Node 20 and npm; ./mvnw fetches the rest. Every process it starts is ended on exit,
# also on Ctrl-C or failure. Run it on a quiet machine: the figures are ratios between systems measured the same
# way, but other load disturbs them.
set -euo pipefail
cd "$(dirname "$0")/../.."

mode=full
case "${1:-}" in
  "") ;;
  --quick) mode=quick ;;
  *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
esac
command_line="src/bench/run-benchmarks.sh${1:+ $1}"

bench=target/bench
run_dir="$bench/run"
pids="$bench/pids"
node_dir="$bench/node"
harness_pid=""

# Ends the harness and every process it registered (servers, brokers, PostgreSQL), by process id.
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$harness_pid" ] && kill -0 "$harness_pid" 2>/dev/null; then
    kill "$harness_pid" 2>/dev/null || true
    wait "$harness_pid" 2>/dev/null || true
  fi
  if [ -f "$pids" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$pids"
    sleep 2
    while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done < "$pids"
    rm -f "$pids"
  fi
  exit "$status"
}
trap cleanup EXIT INT TERM

for tool in java jcmd node npm; do
  command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 1; }
done
# Every server and the load generator may hold up to the hard limit of open files (20,000 here).
ulimit -n "$(ulimit -Hn)"

echo "== Building the packaged gateway and the harness"
./mvnw -B -q package -DskipTests
./mvnw -B -q -Pbench compile dependency:build-classpath -Dmdep.outputFile="$bench/classpath.txt"

echo "== Installing the Node servers' packages (socket.io, ws) into $node_dir"
mkdir -p "$node_dir"
cp src/bench/node/package.json src/bench/node/package-lock.json src/bench/node/*.js "$node_dir/"
(cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)

rm -rf "$run_dir" "$pids"
mkdir -p "$run_dir"
echo "== Running the $mode benchmark"
java -Xms2g -Xmx6g -XX:+UseParallelGC -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "$PWD/$bench/classes:$(cat "$bench/classpath.txt")" io.streamgate.bench.BenchMain \
  --mode "$mode" --gateway-jar target/quarkus-app/quarkus-run.jar --node-dir "$node_dir" \
  --run-dir "$run_dir" --docs docs --pids "$pids" --command "$command_line" ${BENCH_ONLY:+--only "$BENCH_ONLY"} \
  ${BENCH_SYSTEMS:+--systems "$BENCH_SYSTEMS"} ${BENCH_BASELINE_JAR:+--baseline-jar "$BENCH_BASELINE_JAR" --baseline-label "${BENCH_BASELINE_LABEL:-baseline}"} \
  ${BENCH_GATEWAY_JVM_FLAGS:+--gateway-jvm-flags "$BENCH_GATEWAY_JVM_FLAGS"} &
harness_pid=$!
wait "$harness_pid"
harness_pid=""
echo "== Done: docs/benchmarks.md"
