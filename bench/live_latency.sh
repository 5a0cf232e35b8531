#!/usr/bin/env bash
# Produced → drawn on the Live page, p50 and p99 (goal: p50 <= 60 ms, p99 <= 250 ms),
# with broker, producer, server and browser on this machine. A Kafka broker on
# 127.0.0.1 (playlake-kafka-mock), `playlake serve` (release build) on a small demo
# project with that broker as its Kafka source, the Live page open in Debian's
# Chromium (bench/live_latency.mjs), and at each rate `playlake generate --kafka
# --realtime` producing for SECONDS. Prints one table row per rate, with produced →
# received by a plain client of the event stream beside it (the server's part of the
# time, without the browser's) and the CPU the server used (per cent of one core).
#
#   bench/live_latency.sh [SECONDS] [RATE...]      default: 20 s at 10000 and 50000 plays/s
#
# The test broker keeps at most 5 MiB of each partition and drops the oldest past that: at
# 50,000 plays/s on 2 uncompressed partitions that is a third of a second, and a reader
# that stalls longer loses plays. So plays are produced zstd-compressed to LIVE_PARTITIONS
# partitions, and each row says how many produced plays the server read (a row that read
# fewer is marked: its latencies leave out what was lost).
#
# Environment: PLAYLAKE_BUILD (default build/release), BENCH_OUT (default bench/out),
# LIVE_PARTITIONS (default 8).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${PLAYLAKE_BUILD:-$ROOT/build/release}"
OUT="${BENCH_OUT:-$ROOT/bench/out}"
PLAYLAKE="$BUILD/src/cli/playlake"
MOCK="$BUILD/src/stream/playlake-kafka-mock"
SECONDS_PER_RATE="${1:-20}"
shift || true
if [[ $# -gt 0 ]]; then RATES=("$@"); else RATES=(10000 50000); fi
PROJECT="$OUT/live-demo"
mkdir -p "$OUT"
for tool in "$PLAYLAKE" "$MOCK"; do
  [[ -x "$tool" ]] || { echo "bench/live_latency.sh: $tool not found; run 'make release' first" >&2; exit 1; }
done

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
"$MOCK" --topic "plays:${LIVE_PARTITIONS:-8}" > "$OUT/live-broker.out" 2> "$OUT/live-broker.log" &
pids+=($!)
for _ in $(seq 600); do [[ -s "$OUT/live-broker.out" ]] && break; sleep 0.1; done
BROKERS=$(head -1 "$OUT/live-broker.out")
[[ -n "$BROKERS" ]] || { echo "bench/live_latency.sh: the broker did not start" >&2; cat "$OUT/live-broker.log" >&2; exit 1; }

rm -rf "$PROJECT"
"$PLAYLAKE" --log-level warn demo --no-serve --dir "$PROJECT" --users 20 --days 2 > /dev/null
# fetch.wait.max.ms as in the tests: an idle fetch returns after 5 ms, not 500.
cat >> "$PROJECT/playlake.yml" <<YML
  - name: live
    format: playlake
    kafka:
      brokers: $BROKERS
      topics: plays
      group: live-bench
      properties:
        fetch.wait.max.ms: 5
YML
"$PLAYLAKE" --log-level warn serve --project "$PROJECT" --port 0 > "$OUT/live-serve.out" 2>&1 &
server=$!
pids+=("$server")
for _ in $(seq 600); do grep -q "Dashboard:" "$OUT/live-serve.out" && break; sleep 0.1; done
URL=$(grep -o 'http://[^ ]*' "$OUT/live-serve.out") || { cat "$OUT/live-serve.out" >&2; exit 1; }

# cpu_ticks PID: user + system clock ticks the process has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICKS=$(getconf CLK_TCK)

echo "| Produced → drawn (Live page) | plays/s | plays read / produced | plays measured | p50 ms | p99 ms | max ms | received p50 / p99 ms | serve CPU |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for rate in "${RATES[@]}"; do
  before=$(cpu_ticks "$server")
  t0=$(date +%s.%N)
  result=$(node "$ROOT/bench/live_latency.mjs" "$URL" "$PLAYLAKE" --log-level warn generate \
    --kafka "$BROKERS" --topic plays --realtime --rate "$rate" --events $((rate * SECONDS_PER_RATE)) \
    --users 20000 --kafka-property compression.type=zstd --quiet)
  t1=$(date +%s.%N)
  after=$(cpu_ticks "$server")
  cpu=$(echo "100 * ($after - $before) / $TICKS / ($t1 - $t0)" | bc -l)
  node -e '
    const r = JSON.parse(process.argv[1]);
    if (!r.plays) {
      console.error("bench/live_latency.sh: the Live page drew no play; is the build older than its live-drawn event?");
      process.exit(1);
    }
    const f = (n) => n.toFixed(0);
    const produced = Number(process.argv[2]) * Number(process.argv[3]);
    const read = `${r.read.toLocaleString("en-US")} / ${produced.toLocaleString("en-US")}${r.read < produced ? " (plays lost: not comparable)" : ""}`;
    console.log(`| ${process.argv[2]} ev/s for ${process.argv[3]} s | ${Number(process.argv[2]).toLocaleString("en-US")} | ${read} | ${r.plays.toLocaleString("en-US")} | ${f(r.p50_ms)} | ${f(r.p99_ms)} | ${f(r.max_ms)} | ${f(r.received_p50_ms)} / ${f(r.received_p99_ms)} | ${Number(process.argv[4]).toFixed(0)} % |`);
  ' "$result" "$rate" "$SECONDS_PER_RATE" "$cpu"
done
