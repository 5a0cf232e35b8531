#!/usr/bin/env bash
# Dashboard API from ClickHouse against DuckDB: a `playlake demo` project
# published by `playlake run` to Debian's clickhouse-server (started here on
# 127.0.0.1 with a scratch data folder), then two servers side by side,
# `playlake serve --cache-entries 0` (DuckDB: every request runs its queries)
# and `playlake serve --from clickhouse` (never cached), each endpoint loaded
# by wrk with the same connections for the same time: p50, p95 and requests/s,
# and ClickHouse's p95 and requests/s as ratios of DuckDB's.
#
#   bench/serve_clickhouse.sh [USERS] [DAYS] [SECONDS] [CONNECTIONS]   defaults: 2000 30 5 4
#
# Environment: PLAYLAKE_BUILD (default build/release), BENCH_OUT (default bench/out),
# CLICKHOUSE_SERVER (default: clickhouse-server on the PATH or in /usr/sbin).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${PLAYLAKE_BUILD:-$ROOT/build/release}"
OUT="${BENCH_OUT:-$ROOT/bench/out}/serve_clickhouse"
PLAYLAKE="$BUILD/src/cli/playlake"
USERS="${1:-2000}" DAYS="${2:-30}" DURATION="${3:-5}" CONNECTIONS="${4:-4}"
SERVER="${CLICKHOUSE_SERVER:-$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)}"
[[ -x "$PLAYLAKE" ]] || { echo "bench/serve_clickhouse.sh: $PLAYLAKE not found; run 'make release'" >&2; exit 1; }
[[ -x "$SERVER" ]] || { echo "bench/serve_clickhouse.sh: $SERVER not found (apt-get install clickhouse-server)" >&2; exit 1; }
command -v wrk > /dev/null || { echo "bench/serve_clickhouse.sh: wrk is missing (scripts/setup.sh installs it)" >&2; exit 1; }
rm -rf "$OUT" && mkdir -p "$OUT/clickhouse"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http_port=$(free_port) tcp_port=$(free_port)
cat > "$OUT/clickhouse/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http_port</http_port>
  <tcp_port>$tcp_port</tcp_port>
  <path>$OUT/clickhouse/data/</path>
  <tmp_path>$OUT/clickhouse/tmp/</tmp_path>
  <user_files_path>$OUT/clickhouse/user_files/</user_files_path>
  <format_schema_path>$OUT/clickhouse/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>5368709120</mark_cache_size>
  <max_concurrent_queries>200</max_concurrent_queries>
</yandex>
XML
cat > "$OUT/clickhouse/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
XML
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
"$SERVER" --config-file="$OUT/clickhouse/config.xml" > "$OUT/clickhouse/server.log" 2>&1 &
pids+=($!)
clickhouse="http://127.0.0.1:$http_port"
for _ in $(seq 300); do curl -sf "$clickhouse/?query=SELECT%201" > /dev/null && break; sleep 0.1; done
curl -sf "$clickhouse/?query=SELECT%201" > /dev/null ||
  { echo "bench/serve_clickhouse.sh: clickhouse-server did not answer:" >&2; cat "$OUT/clickhouse/server.log" >&2; exit 1; }

PROJECT="$OUT/demo"
echo "building the demo project ($USERS listeners, $DAYS days) and publishing it..." >&2
"$PLAYLAKE" --log-level warn demo --no-serve --dir "$PROJECT" --users "$USERS" --days "$DAYS" \
  --seed 42 --end 2026-10-31 > /dev/null
printf 'publish:\n  clickhouse: {url: "%s", database: bench}\n' "$clickhouse" >> "$PROJECT/playlake.yml"
"$PLAYLAKE" --log-level warn run --project "$PROJECT" > /dev/null
plays=$(curl -sf "$clickhouse/?query=SELECT%20count()%20FROM%20bench.fct_plays")

# start_server NAME ARGS...: starts `playlake serve`, sets SERVER_URL.
start_server() {
  local name="$1"; shift
  "$PLAYLAKE" --log-level warn serve --project "$PROJECT" --port 0 --no-schedule "$@" > "$OUT/$name.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 600); do grep -q "Dashboard:" "$OUT/$name.out" && break; sleep 0.1; done
  SERVER_URL=$(grep -o 'http://[^ ]*' "$OUT/$name.out") || { cat "$OUT/$name.out" >&2; exit 1; }
}
start_server duckdb --cache-entries 0
duckdb_url="$SERVER_URL"
start_server clickhouse --from clickhouse
clickhouse_url="$SERVER_URL"

cat > "$OUT/p95.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.2f %.2f %.1f\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, summary.requests / (summary.duration / 1e6)))
end
LUA
# measure URL: prints p50 p95 req/s
measure() {
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$OUT/p95.lua" "$1" | awk '/^RESULT/ {print $2, $3, $4}'
}

version=$(curl -sf "$clickhouse/?query=SELECT%20version()")
echo "== dashboard API: ClickHouse $version vs DuckDB, $plays plays, wrk $CONNECTIONS connections x ${DURATION}s, no answer cache =="
echo "load before: $(uptime | sed 's/.*load average: //')"
printf '%-44s %9s %9s %9s   %9s %9s %9s   %8s %8s\n' "request" "duck p50" "duck p95" "duck r/s" \
  "ch p50" "ch p95" "ch r/s" "p95 x" "r/s x"
for path in "api/filters" "api/overview" "api/overview?country=US&level=paid" "api/trending" \
            "api/trending?device=mobile" "api/artists" "api/geography" "api/devices" \
            "api/listeners" "api/listener" "api/shows"; do
  curl -sf "$duckdb_url$path" > /dev/null && curl -sf "$clickhouse_url$path" > /dev/null ||
    { echo "bench/serve_clickhouse.sh: /$path failed" >&2; exit 1; }
  read -r d50 d95 drps < <(measure "$duckdb_url$path")
  read -r c50 c95 crps < <(measure "$clickhouse_url$path")
  printf '%-44s %9.1f %9.1f %9.0f   %9.1f %9.1f %9.0f   %7.2fx %7.2fx\n' "/$path" "$d50" "$d95" "$drps" \
    "$c50" "$c95" "$crps" "$(echo "$c95 / $d95" | bc -l)" "$(echo "$crps / $drps" | bc -l)"
done
echo "load after: $(uptime | sed 's/.*load average: //')"
