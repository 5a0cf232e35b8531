#!/usr/bin/env bash
# API latency: `playlake serve` over the demo's gold layer (30 days, 20,000
# listeners: about 7.5 million plays), each request loaded by wrk from a
# second process on loopback; goal p95 <= 50 ms. Two servers answer side by
# side: one with its answer cache off (every request runs its queries: the
# first visit of a filter combination), measured with 1 connection and loaded
# with 4, and one as shipped (cache on: every later visit). Then the overview
# question answered the way an analyst without Playlake would: DuckDB over
# the raw NDJSON.
#
#   bench/api.sh [USERS] [DAYS] [SECONDS_PER_REQUEST]
#   API_PROJECT=DIR bench/api.sh     reuse a project built by `playlake demo`
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${PLAYLAKE_BUILD:-$ROOT/build/release}"
OUT="${BENCH_OUT:-$ROOT/bench/out}"
PLAYLAKE="$BUILD/src/cli/playlake"
USERS="${1:-20000}" DAYS="${2:-30}" DURATION="${3:-5}"
PROJECT="${API_PROJECT:-$OUT/api-demo-$USERS-$DAYS}"
command -v wrk > /dev/null || { echo "bench/api.sh: wrk is missing (scripts/setup.sh installs it)" >&2; exit 1; }

if [[ ! -f "$PROJECT/warehouse.duckdb" ]]; then
  echo "building the demo project in $PROJECT ($USERS listeners, $DAYS days)..." >&2
  "$PLAYLAKE" --log-level warn demo --no-serve --dir "$PROJECT" --users "$USERS" --days "$DAYS" \
    --seed 42 --end 2026-10-31 > /dev/null
fi
plays=$("$PLAYLAKE" --log-level warn sql --project "$PROJECT" --format csv "SELECT count(*) FROM plays" | tail -1)

# start_server NAME ARGS...: starts `playlake serve`, sets SERVER_URL.
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
start_server() {
  local name="$1"; shift
  "$PLAYLAKE" --log-level warn serve --project "$PROJECT" --port 0 "$@" > "$OUT/api-$name.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 600); do grep -q "Dashboard:" "$OUT/api-$name.out" && break; sleep 0.1; done
  SERVER_URL=$(grep -o 'http://[^ ]*' "$OUT/api-$name.out") || { cat "$OUT/api-$name.out" >&2; exit 1; }
}
start_server cold --cache-entries 0
cold_url="$SERVER_URL"
start_server cached
cached_url="$SERVER_URL"

cat > "$OUT/p95.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.2f %.2f %.2f %.1f\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6)))
end
LUA
# measure URL CONNECTIONS: prints p50 p95 p99 req/s
measure() {
  wrk -t1 -c"$2" -d"${DURATION}s" -s "$OUT/p95.lua" "$1" | awk '/^RESULT/ {print $2, $3, $4, $5}'
}

read -r country max_date < <(curl -s "${cold_url}api/filters" |
  sed 's/.*"countries":\["\([A-Z]*\)".*"max_date":"\([0-9-]*\)".*/\1 \2/'; echo)
week_ago=$(date -d "$max_date - 7 days" +%F)
echo "== api: latency per request, $plays plays, wrk 1 thread, ${DURATION}s each; goal p95 <= 50 ms =="
echo "   first visit: cache off, 1 connection (what one person clicking a filter waits);"
echo "   loaded: cache off, 4 connections; served: cache on, 4 connections (every later visit)"
printf '%-46s %8s %8s | %8s %7s | %8s %7s | %s\n' "request" "p50 ms" "p95 ms" "p95 ms" "req/s" "p95 ms" "req/s" "goal"
printf '%-46s %-17s | %-16s | %-16s |\n' "" "-- first visit --" "---- loaded ----" "---- served ----"
worst_cold=0
for path in "api/filters" "api/overview" "api/overview?country=$country&device=mobile" "api/trending" \
            "api/trending?from=$week_ago&level=paid" "api/trending?country=$country" "api/artists" \
            "api/geography" "api/geography?country=$country" "api/devices" "api/devices?level=free" \
            "api/listeners" "api/listeners?country=$country" "api/pipeline"; do
  read -r p50 p95 _ _ < <(measure "$cold_url$path" 1)
  read -r _ lp95 _ lrps < <(measure "$cold_url$path" 4)
  curl -s -o /dev/null "$cached_url$path"  # the first visit fills the cache
  read -r _ cp95 _ crps < <(measure "$cached_url$path" 4)
  ok=$(awk -v a="$p95" -v b="$cp95" 'BEGIN { print (a <= 50 && b <= 50 ? "ok" : "MISS") }')
  worst_cold=$(awk -v a="$worst_cold" -v b="$p95" 'BEGIN { print (b > a ? b : a) }')
  printf '%-46s %8.1f %8.1f | %8.1f %7.0f | %8.1f %7.0f | %s\n' "/$path" "$p50" "$p95" "$lp95" "$lrps" \
    "$cp95" "$crps" "$ok"
done
printf 'worst first-visit p95: %.1f ms\n' "$worst_cold"

# The same overview numbers from the raw NDJSON with DuckDB, as an analyst would
# query the files directly: one cold query (what a dashboard tile would wait for).
start=$(date +%s.%N)
"$PLAYLAKE" --log-level warn sql --project "$PROJECT" --format csv \
  "SELECT count(*), count(DISTINCT user_id), sum(ms_played) / 3600000.0 FROM read_ndjson('$PROJECT/data/events/*.jsonl', ignore_errors = true, columns = {user_id: 'VARCHAR', country: 'VARCHAR', device: 'VARCHAR', ms_played: 'BIGINT'}) WHERE country = '$country' AND device = 'mobile'" > /dev/null
end=$(date +%s.%N)
raw_ms=$(echo "($end - $start) * 1000" | bc -l)
read -r _ api_p95 _ _ < <(measure "${cold_url}api/overview?country=$country&device=mobile" 1)
printf '\n%-52s %9.1f ms\n' "same question, DuckDB over the raw NDJSON (1 query)" "$raw_ms"
printf '%-52s %9.1f ms   (%.0fx faster)\n' "same question, Playlake API p95, cache off (1 conn.)" "$api_p95" "$(echo "$raw_ms / $api_p95" | bc -l)"
