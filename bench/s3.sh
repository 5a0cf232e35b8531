#!/usr/bin/env bash
# S3 lake benchmark, against the test S3 server (s3rver behind the verifying proxy,
# web/testing/s3_server.mjs, on 127.0.0.1; needs `npm install` in web/, as make setup does):
#  1. `playlake ingest` of N generated events into a lake on S3, side by side with the
#     same ingest into a local lake (the ratio is what the object store costs);
#  2. WRITERS writers committing COMMITS manifests to one lake on S3, each with its own
#     client and cache, racing for every tenth commit, with 1% of requests answered 503
#     (SlowDown) so retries are in the figures: commit latency p50/p99 and a check that
#     every batch is in the lake exactly once; then a new machine (empty cache) reads that
#     commit log, one manifest after another against concurrently (as the lake does).
#
#   bench/s3.sh [EVENTS] [WRITERS] [COMMITS]      defaults: 1000000 3 10000
#
# Environment: PLAYLAKE_BUILD (default build/release), BENCH_OUT (default bench/out).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${PLAYLAKE_BUILD:-$ROOT/build/release}"
OUT="${BENCH_OUT:-$ROOT/bench/out}/s3"
PLAYLAKE="$BUILD/src/cli/playlake"
COMMITS_BIN="$BUILD/bench/s3_commits"
EVENTS="${1:-1000000}"
WRITERS="${2:-3}"
COMMITS="${3:-10000}"
for bin in "$PLAYLAKE" "$COMMITS_BIN"; do
  [[ -x "$bin" ]] || { echo "bench/s3.sh: $bin not found; run 'make release'" >&2; exit 1; }
done
rm -rf "$OUT" && mkdir -p "$OUT"

export AWS_ACCESS_KEY_ID=PLAYLAKEBENCH AWS_SECRET_ACCESS_KEY=playlake-bench-secret
node --openssl-legacy-provider "$ROOT/web/testing/s3_server.mjs" --bucket lake \
  --access-key "$AWS_ACCESS_KEY_ID" --secret-key "$AWS_SECRET_ACCESS_KEY" > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  ENDPOINT=$(head -n 1 "$OUT/server.log" 2>/dev/null || true)
  [[ "$ENDPOINT" == http://* ]] && break
  sleep 0.1
done
[[ "$ENDPOINT" == http://* ]] || { echo "bench/s3.sh: the test S3 server did not start:" >&2; cat "$OUT/server.log" >&2; exit 1; }
export AWS_ENDPOINT_URL="$ENDPOINT" XDG_CACHE_HOME="$OUT/cache"

INPUT="$OUT/events.jsonl"
"$PLAYLAKE" --log-level warn generate --events "$EVENTS" --dup-rate 0.01 --users 20000 \
  --start 2026-01-05 --end 2026-01-12 --out "$INPUT" --quiet
cat "$INPUT" > /dev/null

# wall CMD...: runs CMD, prints its wall time in seconds.
wall() {
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}

echo "== s3: playlake ingest of $EVENTS events ($(($(stat -c %s "$INPUT") / 1000000)) MB), local lake vs S3 lake (test server on 127.0.0.1) =="
LOCAL=$(wall "$PLAYLAKE" --log-level warn ingest "$INPUT" --lake "$OUT/lake")
S3=$(wall "$PLAYLAKE" --log-level warn ingest "$INPUT" --lake s3://lake/bench)
local_rows=$("$PLAYLAKE" --log-level warn sql "select count(*) from plays" --lake "$OUT/lake" --format csv | tail -n 1)
s3_rows=$("$PLAYLAKE" --log-level warn sql "select count(*) from plays" --lake s3://lake/bench --format csv | tail -n 1)
printf '%-28s %10s %12s %10s\n' "lake" "seconds" "plays" "ratio"
printf '%-28s %10.2f %12s %10s\n' "local folder" "$LOCAL" "$local_rows" "1.00x"
printf '%-28s %10.2f %12s %9.2fx\n' "S3 (s3rver + proxy)" "$S3" "$s3_rows" "$(echo "$S3 / $LOCAL" | bc -l)"
[[ "$local_rows" == "$s3_rows" ]] || { echo "bench/s3.sh: the lakes differ" >&2; exit 1; }

echo
echo "== s3: $WRITERS writers, $COMMITS commits to one lake on S3, 1% of requests answered 503 =="
# The proxy answers 1% of the requests 503 (SlowDown), at random.
curl -s -X POST "$ENDPOINT/__faults" -d '{"status": 503, "rate": 0.01}' > /dev/null
"$COMMITS_BIN" "$ENDPOINT" lake "$WRITERS" "$COMMITS" "$OUT/commit-caches"
