#!/usr/bin/env bash
# API latency: `playlake serve` over the demo's gold layer (30 days, 20,000
# listeners, several million plays), each endpoint loaded by wrk from a second
# process on loopback; goal p95 <= 50 ms. Side by side: the overview question
# answered the way an analyst without Playlake would, DuckDB over the raw NDJSON.
#
#   bench/api.sh [USERS] [DAYS] [SECONDS_PER_ENDPOINT]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${PLAYLAKE_BUILD:-$ROOT/build/release}"
OUT="${BENCH_OUT:-$ROOT/bench/out}"
PLAYLAKE="$BUILD/src/cli/playlake"
USERS="${1:-20000}" DAYS="${2:-30}" DURATION="${3:-5}"
PROJECT="$OUT/api-demo-$USERS-$DAYS"
command -v wrk > /dev/null || { echo "bench/api.sh: wrk is missing (scripts/setup.sh installs it)" >&2; exit 1; }

if [[ ! -f "$PROJECT/warehouse.duckdb" ]]; then
  echo "building the demo project in $PROJECT ($USERS listeners, $DAYS days)..." >&2
  "$PLAYLAKE" --log-level warn demo --no-serve --dir "$PROJECT" --users "$USERS" --days "$DAYS" \
    --seed 42 --end 2026-10-31 > /dev/null
fi
plays=$("$PLAYLAKE" --log-level warn sql --project "$PROJECT" --format csv "SELECT count(*) FROM plays" | tail -1)

"$PLAYLAKE" --log-level warn serve --project "$PROJECT" --port 0 > "$OUT/api-serve.out" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "Dashboard:" "$OUT/api-serve.out" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$OUT/api-serve.out")

cat > "$OUT/p95.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.2f %.2f %.2f %.1f\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6)))
end
LUA

country=$(curl -s "${url}api/filters" | sed 's/.*"countries":\["\([A-Z]*\)".*/\1/')
echo "== api: p95 latency per endpoint, $plays plays, wrk 1 thread 4 connections ${DURATION}s each =="
printf '%-52s %9s %9s %9s %9s %6s\n' "request" "p50 ms" "p95 ms" "p99 ms" "req/s" "goal"
for path in "api/filters" "api/overview" "api/overview?country=$country&device=mobile" "api/trending" \
            "api/trending?from=2026-10-20&level=paid" "api/artists" "api/geography" \
            "api/geography?country=$country" "api/devices" "api/listeners" "api/pipeline"; do
  read -r p50 p95 p99 rps < <(wrk -t1 -c4 -d"${DURATION}s" -s "$OUT/p95.lua" "$url$path" | awk '/^RESULT/ {print $2, $3, $4, $5}')
  ok=$(awk -v p="$p95" 'BEGIN { print (p <= 50 ? "ok" : "MISS") }')
  printf '%-52s %9.1f %9.1f %9.1f %9.0f %6s\n' "/$path" "$p50" "$p95" "$p99" "$rps" "$ok"
done

# The same overview numbers from the raw NDJSON with DuckDB, as an analyst would
# query the files directly: one cold query (what a dashboard tile would wait for).
start=$(date +%s.%N)
"$PLAYLAKE" --log-level warn sql --project "$PROJECT" --format csv \
  "SELECT count(*), count(DISTINCT user_id), sum(ms_played) / 3600000.0 FROM read_ndjson('$PROJECT/data/events/*.jsonl', ignore_errors = true, columns = {user_id: 'VARCHAR', country: 'VARCHAR', device: 'VARCHAR', ms_played: 'BIGINT'}) WHERE country = '$country' AND device = 'mobile'" > /dev/null
end=$(date +%s.%N)
raw_ms=$(echo "($end - $start) * 1000" | bc -l)
api_p95=$(wrk -t1 -c1 -d"${DURATION}s" -s "$OUT/p95.lua" "${url}api/overview?country=$country&device=mobile" | awk '/^RESULT/ {print $3}')
printf '\n%-52s %9.1f ms\n' "same question, DuckDB over the raw NDJSON (1 query)" "$raw_ms"
printf '%-52s %9.1f ms   (%.0fx faster)\n' "same question, Playlake API p95 (1 connection)" "$api_p95" "$(echo "$raw_ms / $api_p95" | bc -l)"
