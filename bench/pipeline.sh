#!/usr/bin/env bash
# Pipeline benchmark: `playlake run` from raw Playlake NDJSON (+ the catalog
# files) to tested gold (silver, all models, snapshots, data tests), then an
# incremental run after one more day of data; side by side with DuckDB alone
# doing the same work by SQL in one process (bench/pipeline_baseline.cc: the
# raw files loaded with read_ndjson, deduplicated, then the SQL Playlake
# rendered for the same models run as plain CREATE TABLE/VIEW statements and
# the same data tests). DuckDB has no incremental state, so its "one more day"
# is a rebuild over all days. Last, a run with nothing new, and a build with
# nothing new, alone and while `playlake serve` reads the warehouse.
#
#   bench/pipeline.sh [EVENTS] [THREADS]     defaults: 5000000 2
#
# Environment: PLAYLAKE_BUILD (default build/release; holds src/cli/playlake
# and bench/pipeline_baseline), BENCH_OUT (default bench/out).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${PLAYLAKE_BUILD:-$ROOT/build/release}"
OUT="${BENCH_OUT:-$ROOT/bench/out}/pipeline"
PLAYLAKE="$BUILD/src/cli/playlake"
BASELINE="${PIPELINE_BASELINE:-$BUILD/bench/pipeline_baseline}"
EVENTS="${1:-5000000}"
THREADS="${2:-2}"
[[ -x "$PLAYLAKE" ]] || { echo "bench/pipeline.sh: $PLAYLAKE not found; run 'make release'" >&2; exit 1; }
[[ -x "$BASELINE" ]] || { echo "bench/pipeline.sh: $BASELINE not found; build target pipeline_baseline" >&2; exit 1; }

# EVENTS plays over 30 days, plus a 31st day held back for the incremental run.
START=2026-01-05
END=2026-02-04
LAST_FILE="events-$END.jsonl"
GEN="$OUT/generated-$EVENTS"
if [[ ! -s "$GEN/events/$LAST_FILE" ]]; then
  echo "generating $EVENTS plays over 30 days (+1 day) into $GEN ..." >&2
  rm -rf "$GEN"
  mkdir -p "$GEN/events"
  "$PLAYLAKE" --log-level warn generate --events $((EVENTS * 31 / 30)) --users 100000 --start "$START" --end "$END" \
    --dup-rate 0.005 --late-rate 0.002 --out "$GEN/events/" --catalog-out "$GEN/catalog" --quiet
fi

P="$OUT/project"
rm -rf "$P"
mkdir -p "$P/data/events"
cp -r "$GEN/catalog" "$P/data/catalog"
for f in "$GEN"/events/*.jsonl; do
  [[ "$(basename "$f")" == "$LAST_FILE" ]] || ln -s "$f" "$P/data/events/"
done
cat > "$P/playlake.yml" <<EOF
name: bench
threads: $THREADS
sources:
  - name: catalog
    format: playlake-catalog
    path: data/catalog
  - name: events
    format: playlake
    path: data/events
EOF
LINES=$(cat "$P"/data/events/*.jsonl | wc -l)
DAY_LINES=$(wc -l < "$GEN/events/$LAST_FILE")
cat "$GEN"/events/*.jsonl > /dev/null  # every run starts with the input in the page cache

# wall CMD...: runs CMD, prints its wall time in seconds; stops the benchmark if CMD fails.
wall() {
  local start end
  start=$(date +%s.%N)
  "$@" > "$OUT/last.log" 2>&1 || { tail -20 "$OUT/last.log" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
step() { tail -1 "$P/target/runs.jsonl" | jq -r ".step_details[] | select(.name == \"$1\") | .seconds"; }
# node_seconds PREFIX: total execution_time of run_results nodes whose unique_id starts with PREFIX.
node_seconds() { jq "[.results[] | select(.unique_id | startswith(\"$1\")) | .execution_time] | add // 0" \
  "$P/target/run_results.json"; }

echo "== pipeline: $LINES NDJSON lines (30 days) -> silver -> gold -> data tests, $THREADS threads; then +1 day ($DAY_LINES lines) =="

full=$(wall "$PLAYLAKE" --log-level warn run --project "$P")
full_ingest=$(step ingest); full_build=$(step build)
full_models=$(node_seconds model.); full_snapshots=$(node_seconds snapshot.); full_tests=$(node_seconds test.)
cp "$P/target/run_results.json" "$OUT/run_results-full.json"
cp "$P/target/manifest.json" "$OUT/manifest-full.json"
ROWS=$("$PLAYLAKE" --log-level warn sql --project "$P" --format csv "SELECT count(*) FROM plays" | tail -1)

base_out=$("$BASELINE" "$P/data/events/*.jsonl" "$P/data/catalog" "$OUT/run_results-full.json" \
  "$OUT/manifest-full.json" "$OUT/baseline.duckdb" "$THREADS")
bget() { echo "$1" | awk -v k="$2" '$1 == k { print $2 }'; }
base=$(bget "$base_out" total)

ln -s "$GEN/events/$LAST_FILE" "$P/data/events/"
inc=$(wall "$PLAYLAKE" --log-level warn run --project "$P")
inc_ingest=$(step ingest); inc_build=$(step build)
cp "$P/target/run_results.json" "$OUT/run_results-incremental.json"
base_inc_out=$("$BASELINE" "$P/data/events/*.jsonl" "$P/data/catalog" "$OUT/run_results-full.json" \
  "$OUT/manifest-full.json" "$OUT/baseline.duckdb" "$THREADS")
base_inc=$(bget "$base_inc_out" total)

# A run with nothing new (an hourly schedule between files) finds gold up to
# date and skips the build. `playlake build` always builds: alone, and while
# the dashboard reads the warehouse, when the build works on a copy and swaps
# it in (docs/architecture.md); the difference is the copy's cost.
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

row() { printf '%-58s %9.2f %9s\n' "$1" "$2" "$3"; }
# ratio PLAYLAKE DUCKDB: how many times faster Playlake is (below 1: slower).
ratio() { printf '%.2fx' "$(echo "$2 / $1" | bc -l)"; }
printf '%-58s %9s %9s\n' "run" "seconds" "x faster"
row "playlake run, full (wall)" "$full" "$(ratio "$full" "$base")"
row "  ingest: raw NDJSON -> bronze + silver Parquet" "$full_ingest" ""
row "  build: silver views, models, snapshots, tests, docs" "$full_build" ""
row "    models (sum of node times)" "$full_models" ""
row "    snapshots" "$full_snapshots" ""
row "    data tests" "$full_tests" ""
row "duckdb alone: read_ndjson + same models + same tests" "$base" "1.00x"
row "  silver by SQL (read_ndjson, dedupe)" "$(bget "$base_out" silver)" ""
row "  models + snapshots" "$(bget "$base_out" models)" ""
row "  data tests" "$(bget "$base_out" tests)" ""
row "playlake run, incremental +1 day (wall)" "$inc" "$(ratio "$inc" "$base_inc")"
row "  ingest" "$inc_ingest" ""
row "  build" "$inc_build" ""
row "duckdb alone, rebuild with +1 day" "$base_inc" "1.00x"
row "playlake run, nothing new (gold up to date, no build)" "$noop" ""
row "playlake build, nothing new (every model and test again)" "$rebuild" ""
row "  the same while the dashboard serves ($WAREHOUSE_MB MB copied)" "$rebuild_served" ""
echo "goals (2 cores): full <= 12 s, incremental <= 2 s; silver.plays rows after the full run: $ROWS"
echo "duckdb baseline failed tests: $(bget "$base_out" failed_tests) (playlake: all passed, or the run would have failed)"
echo "slowest nodes of the incremental run (execution_time, s):"
jq -r '.results | sort_by(-.execution_time) | .[:8][] | "  \(.execution_time | . * 100 | round / 100)\t\(.unique_id)"' \
  "$OUT/run_results-incremental.json"
echo "slowest nodes of the full run (execution_time, s):"
jq -r '.results | sort_by(-.execution_time) | .[:8][] | "  \(.execution_time | . * 100 | round / 100)\t\(.unique_id)"' \
  "$OUT/run_results-full.json"
