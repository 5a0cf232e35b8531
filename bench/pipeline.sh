#!/usr/bin/env bash
# Pipeline benchmark: `playlake run` from raw Playlake NDJSON (+ the catalog
# files) to tested gold (silver, all models, snapshots, data tests), in one
# run on the same input:
#   1. the full run over 30 days of plays;
#   2. a run after 10,000 new plays (about a minute of a busy stream: the first
#      10,000 lines of day 31 in a file of their own);
#   3. a run after one more day (day 32);
#   4. the floor: DuckDB alone turning the same 30 days of raw NDJSON into
#      deduplicated Parquet and nothing else (the DuckDB side of
#      bench/ingest.sh: read_ndjson -> dedupe on the event id -> COPY),
# with the full run's ratio to the floor. Last, a run with nothing new, and a
# build with nothing new, alone and while `playlake serve` reads the warehouse.
# With PIPELINE_SAME_SQL=1 it also runs bench/pipeline_baseline (DuckDB alone
# running the SQL Playlake rendered for the same models and tests).
#
#   bench/pipeline.sh [EVENTS] [THREADS]     defaults: 5000000 2
#
# Environment: PLAYLAKE_BUILD (default build/release; holds src/cli/playlake
# and bench/pipeline_baseline), BENCH_OUT (default bench/out).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/duckdb_floor.sh
source "$ROOT/bench/duckdb_floor.sh"
BUILD="${PLAYLAKE_BUILD:-$ROOT/build/release}"
OUT="${BENCH_OUT:-$ROOT/bench/out}/pipeline"
PLAYLAKE="$BUILD/src/cli/playlake"
BASELINE="${PIPELINE_BASELINE:-$BUILD/bench/pipeline_baseline}"
SAME_SQL="${PIPELINE_SAME_SQL:-0}"
EVENTS="${1:-5000000}"
THREADS="${2:-2}"
NEW_PLAYS=10000
[[ -x "$PLAYLAKE" ]] || { echo "bench/pipeline.sh: $PLAYLAKE not found; run 'make release'" >&2; exit 1; }
if [[ "$SAME_SQL" == 1 && ! -x "$BASELINE" ]]; then
  echo "bench/pipeline.sh: $BASELINE not found; build target pipeline_baseline" >&2
  exit 1
fi

# EVENTS plays over 30 days, plus days 31 and 32 held back for the later runs.
START=2026-01-05
DAY31=2026-02-04
DAY32=2026-02-05
GEN="$OUT/generated-$EVENTS-32d"
if [[ ! -s "$GEN/later/events-$DAY31-first-$NEW_PLAYS.jsonl" ]]; then
  echo "generating $EVENTS plays over 30 days (+2 days) into $GEN ..." >&2
  rm -rf "$GEN"
  mkdir -p "$GEN/events"
  "$PLAYLAKE" --log-level warn generate --events $((EVENTS * 32 / 30)) --users 100000 --start "$START" \
    --end "$DAY32" --dup-rate 0.005 --late-rate 0.002 --out "$GEN/events/" --catalog-out "$GEN/catalog" --quiet
  mkdir -p "$GEN/later"
  mv "$GEN/events/events-$DAY31.jsonl" "$GEN/events/events-$DAY32.jsonl" "$GEN/later/"
  head -n "$NEW_PLAYS" "$GEN/later/events-$DAY31.jsonl" > "$GEN/later/events-$DAY31-first-$NEW_PLAYS.jsonl"
fi

P="$OUT/project"
rm -rf "$P"
mkdir -p "$P/data/events"
cp -r "$GEN/catalog" "$P/data/catalog"
for f in "$GEN"/events/events-*.jsonl; do
  ln -s "$f" "$P/data/events/"
done
cat > "$P/playlake.yml" <<YML
name: bench
threads: $THREADS
sources:
  - name: catalog
    format: playlake-catalog
    path: data/catalog
  - name: events
    format: playlake
    path: data/events
YML
LINES=$(cat "$P"/data/events/*.jsonl | wc -l)
DAY_LINES=$(wc -l < "$GEN/later/events-$DAY32.jsonl")
cat "$GEN"/events/*.jsonl "$GEN"/later/*.jsonl > /dev/null  # every run starts with the input in the page cache

# wall CMD...: runs CMD, prints its wall time in seconds; stops the benchmark if CMD fails.
# What the step before wrote is on disk first (sync, not timed): a step is not
# slowed by the write-back of the one before, as a run a minute after the last
# one is not.
wall() {
  local start end
  sync
  start=$(date +%s.%N)
  "$@" > "$OUT/last.log" 2>&1 || { tail -20 "$OUT/last.log" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
step() { tail -1 "$P/target/runs.jsonl" | jq -r ".step_details[] | select(.name == \"$1\") | .seconds"; }
# node_seconds PREFIX: total execution_time of run_results nodes whose unique_id starts with PREFIX.
node_seconds() { jq "[.results[] | select(.unique_id | startswith(\"$1\")) | .execution_time] | add // 0" \
  "$P/target/run_results.json"; }
load() { cut -d' ' -f1 /proc/loadavg; }

echo "== pipeline: $LINES NDJSON lines (30 days) -> silver -> gold -> data tests, $THREADS threads;" \
  "then +$NEW_PLAYS plays, then +1 day ($DAY_LINES lines) =="

load_full=$(load)
full=$(wall "$PLAYLAKE" --log-level warn run --project "$P")
full_ingest=$(step ingest); full_build=$(step build)
full_models=$(node_seconds model.); full_snapshots=$(node_seconds snapshot.); full_tests=$(node_seconds test.)
cp "$P/target/run_results.json" "$OUT/run_results-full.json"
cp "$P/target/manifest.json" "$OUT/manifest-full.json"
ROWS=$("$PLAYLAKE" --log-level warn sql --project "$P" --format csv "SELECT count(*) FROM plays" | tail -1)

# The floor: the DuckDB side of bench/ingest.sh over the same 30 daily files.
rm -rf "$OUT/floor"
mkdir -p "$OUT/floor"
FLOOR_SQL=$(duckdb_floor_sql "$P/data/events/*.jsonl" "$OUT/floor/plays" "$THREADS")
load_floor=$(load)
floor=$(wall "$PLAYLAKE" --log-level warn sql "$FLOOR_SQL" --lake "$P/lake")

ln -s "$GEN/later/events-$DAY31-first-$NEW_PLAYS.jsonl" "$P/data/events/"
load_new=$(load)
new=$(wall "$PLAYLAKE" --log-level warn run --project "$P")
new_ingest=$(step ingest); new_build=$(step build); new_tests=$(node_seconds test.)
new_kept=$(jq -r '"\([.results[] | select(.message | contains("kept"))] | length) of \(.results | length)"' \
  "$P/target/run_results.json")
cp "$P/target/run_results.json" "$OUT/run_results-new-plays.json"

ln -s "$GEN/later/events-$DAY32.jsonl" "$P/data/events/"
load_day=$(load)
day=$(wall "$PLAYLAKE" --log-level warn run --project "$P")
day_ingest=$(step ingest); day_build=$(step build); day_tests=$(node_seconds test.)
cp "$P/target/run_results.json" "$OUT/run_results-day.json"

# A run with nothing new (a schedule between files) finds gold up to date and
# skips the build. `playlake build` always builds, keeping the nodes whose
# inputs did not change (here: all of them): alone, and while the dashboard
# reads the warehouse, when the build works on a copy and swaps it in
# (docs/architecture.md); the difference is the copy's cost.
noop=$(wall "$PLAYLAKE" --log-level warn run --project "$P")
rebuild=$(wall "$PLAYLAKE" --log-level warn build --project "$P")
"$PLAYLAKE" --log-level warn serve --project "$P" --port 0 > "$OUT/serve.log" 2>&1 &
SERVE=$!
trap 'kill $SERVE 2> /dev/null' EXIT
for _ in $(seq 200); do grep -q "Dashboard:" "$OUT/serve.log" && break; sleep 0.1; done
grep -q "Dashboard:" "$OUT/serve.log" || { cat "$OUT/serve.log" >&2; exit 1; }
rebuild_served=$(wall "$PLAYLAKE" --log-level warn build --project "$P")
kill $SERVE
WAREHOUSE_MB=$(( $(stat -c %s "$P/warehouse.duckdb") / 1000000 ))

row() { printf '%-60s %9.2f %9s %6s\n' "$1" "$2" "$3" "$4"; }
# times PLAYLAKE FLOOR: Playlake's seconds as a multiple of the floor's.
times() { printf '%.2fx' "$(echo "$1 / $2" | bc -l)"; }
printf '%-60s %9s %9s %6s\n' "run" "seconds" "/ floor" "load"
row "playlake run, full (wall)" "$full" "$(times "$full" "$floor")" "$load_full"
row "  ingest: raw NDJSON -> bronze + silver Parquet" "$full_ingest" "" ""
row "  build: silver views, models, snapshots, tests, docs" "$full_build" "" ""
row "    models (sum of node times)" "$full_models" "" ""
row "    snapshots" "$full_snapshots" "" ""
row "    data tests" "$full_tests" "" ""
row "floor: duckdb read_ndjson + dedupe + COPY to Parquet" "$floor" "1.00x" "$load_floor"
row "playlake run after $NEW_PLAYS new plays (wall)" "$new" "" "$load_new"
row "  ingest" "$new_ingest" "" ""
row "  build" "$new_build" "" ""
row "    data tests (sum of node times)" "$new_tests" "" ""
echo "    ($new_kept models, snapshots and tests kept: their inputs did not change)"
row "playlake run after one more day, $DAY_LINES lines (wall)" "$day" "" "$load_day"
row "  ingest" "$day_ingest" "" ""
row "  build" "$day_build" "" ""
row "    data tests (sum of node times)" "$day_tests" "" ""
row "playlake run, nothing new (gold up to date, no build)" "$noop" "" ""
row "playlake build, nothing new (every node kept)" "$rebuild" "" ""
row "  the same while the dashboard serves ($WAREHOUSE_MB MB copied)" "$rebuild_served" "" ""
echo "goals (2 cores): full <= 25 s and <= 1.3x the floor; +$NEW_PLAYS plays <= 1.5 s; +1 day <= 3 s"
echo "silver.plays rows after the full run: $ROWS"
if [[ "$SAME_SQL" == 1 ]]; then
  base_out=$("$BASELINE" "$GEN/events/*.jsonl" "$P/data/catalog" "$OUT/run_results-full.json" \
    "$OUT/manifest-full.json" "$OUT/baseline.duckdb" "$THREADS")
  echo "duckdb alone, the same models and tests by SQL over 30 days: $(echo "$base_out" | awk '$1 == "total" { print $2 }') s"
fi
for run in new-plays day full; do
  echo "slowest nodes of the $run run (execution_time, s):"
  jq -r '.results | sort_by(-.execution_time) | .[:8][] | "  \(.execution_time | . * 100 | round / 100)\t\(.unique_id)"' \
    "$OUT/run_results-$run.json"
done
