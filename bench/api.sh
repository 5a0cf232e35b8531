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
# Then the same server under attack: 500 idle and 50 slow-header connections
# held open while normal requests are timed (goal p99 < 100 ms), and its
# memory under amplification attempts (a 7.9 KB multi-range request from two
# clients that never read; 1,100 requests with an unknown empty parameter).
#
#   bench/api.sh [USERS] [DAYS] [SECONDS_PER_REQUEST]
#   API_PROJECT=DIR bench/api.sh     reuse a project built by `playlake demo`
#   API_SECTIONS=hostile bench/api.sh   only the attack section (default: "latency hostile")
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${PLAYLAKE_BUILD:-$ROOT/build/release}"
OUT="${BENCH_OUT:-$ROOT/bench/out}"
PLAYLAKE="$BUILD/src/cli/playlake"
USERS="${1:-20000}" DAYS="${2:-30}" DURATION="${3:-5}"
PROJECT="${API_PROJECT:-$OUT/api-demo-$USERS-$DAYS}"
SECTIONS="${API_SECTIONS:-latency hostile}"
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

hostile_section() {
  local port=${cached_url%/}; port=${port##*:}
  local pid=${pids[1]}
  rss() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status"; }
  # fresh URL N: p99 (ms) of N requests, each on a new connection, as curl times them.
  fresh() {
    for _ in $(seq "$2"); do curl -s -o /dev/null -m 10 -w '%{time_total}\n' "$1" || echo 10; done |
      sort -n | awk '{t[NR] = $1 * 1000} END {i = int(NR * 0.99); if (i < 1) i = 1; printf "%.1f", t[i]}'
  }
  echo
  echo "== api under attack: 500 idle + 50 slow-header connections held; goal p99 < 100 ms =="
  read -r _ _ calm99 calm_rps < <(measure "${cached_url}api/overview" 4)
  local calm_fresh99; calm_fresh99=$(fresh "${cached_url}api/overview" 200)
  printf '%-60s %8.1f ms  (%.0f req/s)\n' "no attack: /api/overview p99, 4 kept-alive connections" "$calm99" "$calm_rps"
  printf '%-60s %8.1f ms\n' "no attack: /api/overview p99, 200 new connections" "$calm_fresh99"
  python3 "$ROOT/bench/hostile_clients.py" hold "$port" 500 50 > "$OUT/api-hostile.out" &
  local hostile=$!
  for _ in $(seq 100); do grep -q held "$OUT/api-hostile.out" && break; sleep 0.1; done
  read -r _ _ p99 rps < <(measure "${cached_url}api/overview" 4)
  local fresh99; fresh99=$(fresh "${cached_url}api/overview" 200)
  kill -TERM "$hostile"; wait "$hostile" || true
  printf '%-60s %8.1f ms  (%.0f req/s)\n' "/api/overview p99, 4 kept-alive connections (wrk)" "$p99" "$rps"
  printf '%-60s %8.1f ms\n' "/api/overview p99, 200 requests on new connections (curl)" "$fresh99"
  printf '%-60s %s\n' "hostile connections" "$(tail -2 "$OUT/api-hostile.out" | tr '\n' ';')"

  echo "== api memory under amplification attempts (server RSS) =="
  local asset; asset=$(find "$BUILD/share/playlake/web" -type f -printf '%s /%P\n' | sort -n | tail -1)
  local spec="bytes=0-$(printf ',0-%.0s' $(seq 2630))"
  local before; before=$(rss)
  local bytes; bytes=$(curl -s -o /dev/null -m 30 -w '%{size_download}' -H "Range: $spec" "${cached_url%/}${asset#* }")
  python3 "$ROOT/bench/hostile_clients.py" range "$port" "${asset#* }" 2 &
  local ranger=$!
  sleep 2; local during; during=$(rss); wait "$ranger" || true
  printf '%-60s %s bytes for a %s-byte file\n' "7.9 KB multi-range request: answer" "$bytes" "${asset%% *}"
  printf '%-60s %s -> %s MB\n' "RSS before -> while 2 clients never read it" "$before" "$during"
  before=$(rss)
  for i in $(seq 1100); do printf 'url = "%sapi/overview?junk%d="\noutput = "/dev/null"\n' "$cached_url" "$i"; done > "$OUT/junk.curl"
  local codes; codes=$(curl -s -K "$OUT/junk.curl" -w '%{http_code}\n' | sort | uniq -c | awk '{printf "%s x %s ", $1, $2}')
  printf '%-60s %s\n' "1,100 requests with ?junkN= : statuses" "$codes"
  printf '%-60s %s -> %s MB\n' "RSS before -> after" "$before" "$(rss)"
}

if [[ " $SECTIONS " != *" latency "* ]]; then
  hostile_section
  exit 0
fi

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
[[ " $SECTIONS " == *" hostile "* ]] && hostile_section
