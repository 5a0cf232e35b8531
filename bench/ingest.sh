#!/usr/bin/env bash
# Ingest benchmark: N generated Playlake events (1% duplicates) from a raw
# NDJSON file to committed silver Parquet, side by side with DuckDB doing the
# same by SQL (read_ndjson with the schema given → dedupe on event_id → COPY to
# Parquet partitioned by event date, zstd), with the same number of threads.
#
#   bench/ingest.sh [EVENTS] [THREADS]       defaults: 5000000 2
#
# Environment: PLAYLAKE_BUILD (default build/release), BENCH_OUT (default bench/out).
# Playlake's run also lands the raw file in bronze (zstd) and writes the
# quarantine and lineage columns: it does strictly more work than the SQL.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/duckdb_floor.sh
source "$ROOT/bench/duckdb_floor.sh"
BUILD="${PLAYLAKE_BUILD:-$ROOT/build/release}"
OUT="${BENCH_OUT:-$ROOT/bench/out}/ingest"
PLAYLAKE="$BUILD/src/cli/playlake"
EVENTS="${1:-5000000}"
THREADS="${2:-2}"
[[ -x "$PLAYLAKE" ]] || { echo "bench/ingest.sh: $PLAYLAKE not found; run 'make release'" >&2; exit 1; }
mkdir -p "$OUT"
INPUT="$OUT/events-$EVENTS.jsonl"

if [[ ! -s "$INPUT" ]]; then
  echo "generating $EVENTS events (1% duplicates) into $INPUT ..." >&2
  "$PLAYLAKE" --log-level warn generate --events "$EVENTS" --dup-rate 0.01 --users 100000 \
    --start 2026-01-05 --end 2026-02-03 --out "$INPUT" --quiet
fi
BYTES=$(stat -c %s "$INPUT")
LINES=$(wc -l < "$INPUT")
cat "$INPUT" > /dev/null  # both runs start with the input in the page cache

# run NAME CMD...: runs CMD under /usr/bin/time, prints one result row.
run() {
  local name="$1"; shift
  local log="$OUT/time-$name.log"
  sync
  /usr/bin/time -v "$@" > "$OUT/stdout-$name.log" 2> "$log" || { cat "$log" >&2; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  printf '%-34s %9.2f %10.1f %12.0f %10.0f\n' "$name" "$wall" "$(echo "$BYTES / $wall / 1000000" | bc -l)" \
    "$(echo "$LINES / $wall" | bc -l)" "$((rss / 1024))"
  echo "$wall" > "$OUT/wall-$name"
}

echo "== ingest: $LINES lines ($((BYTES / 1000000)) MB NDJSON, 1% duplicates) → silver Parquet, $THREADS threads =="
printf '%-34s %9s %10s %12s %10s\n' "run" "seconds" "MB/s" "events/s" "peak MB"

rm -rf "$OUT/lake"
run "playlake ingest" "$PLAYLAKE" --log-level warn ingest "$INPUT" --lake "$OUT/lake" --threads "$THREADS" --json

rm -rf "$OUT/duckdb"
mkdir -p "$OUT/duckdb"
SQL=$(duckdb_floor_sql "$INPUT" "$OUT/duckdb/plays" "$THREADS")
run "duckdb read_ndjson+dedupe+COPY" "$PLAYLAKE" --log-level warn sql "$SQL" --lake "$OUT/lake"

P=$(cat "$OUT/wall-playlake ingest")
D=$(cat "$OUT/wall-duckdb read_ndjson+dedupe+COPY")
printf 'ratio (DuckDB seconds / Playlake seconds): %.2fx\n' "$(echo "$D / $P" | bc -l)"
ROWS=$("$PLAYLAKE" --log-level warn sql "SELECT count(*) FROM plays" --lake "$OUT/lake" --format csv | tail -1)
DROWS=$("$PLAYLAKE" --log-level warn sql "SELECT count(*) FROM read_parquet('$OUT/duckdb/plays/*/*.parquet')" --lake "$OUT/lake" --format csv | tail -1)
echo "rows: playlake silver.plays=$ROWS, duckdb=$DROWS"
