#!/usr/bin/env bash
# Runs Playlake's benchmarks from build/release (this script builds nothing:
# `make release` first, or set PLAYLAKE_BUILD to another build folder) and
# prints one table per benchmark. Each benchmark is one section below; add
# new ones as new sections.
#
#   bench/run.sh                 all sections
#   bench/run.sh generate        only the named sections
#
# Environment: PLAYLAKE_BUILD (default build/release), BENCH_OUT (scratch
# folder, default bench/out), GENERATE_EVENTS (default 5000000),
# STREAM_EVENTS (2000000), STREAM_BACKLOG_EVENTS (10000000), SERVE_CLICKHOUSE_USERS (2000),
# SERVE_CLICKHOUSE_DAYS (30).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${PLAYLAKE_BUILD:-$ROOT/build/release}"
OUT="${BENCH_OUT:-$ROOT/bench/out}"
PLAYLAKE="$BUILD/src/cli/playlake"
mkdir -p "$OUT"

if [[ ! -x "$PLAYLAKE" ]]; then
  echo "bench/run.sh: $PLAYLAKE not found; run 'make release' first (or set PLAYLAKE_BUILD)" >&2
  exit 1
fi

selected() {
  local name="$1"; shift
  [[ ${#SECTIONS[@]} -eq 0 ]] && return 0
  for s in "${SECTIONS[@]}"; do [[ "$s" == "$name" ]] && return 0; done
  return 1
}
SECTIONS=("$@")

# seconds_of CMD...: runs CMD, prints its wall time in seconds (stdout of CMD discarded).
seconds_of() {
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}

# --- generate: `playlake generate` vs a naive Python generator ----------------
section_generate() {
  local events="${GENERATE_EVENTS:-5000000}"
  local ref_events="${GENERATE_REF_EVENTS:-200000}"
  local file="$OUT/generate.jsonl"
  echo "== generate: $events plays of Playlake NDJSON into a file (best of ${GENERATE_RUNS:-3}) =="
  printf '%-44s %12s %10s %14s %10s %8s\n' "run" "events" "seconds" "events/s" "MB/s" "ratio"
  local ref_rate=""
  if command -v python3 > /dev/null; then
    local s
    s=$(seconds_of python3 "$ROOT/bench/reference_generator.py" "$ref_events" "$OUT/reference.jsonl")
    local bytes
    bytes=$(stat -c %s "$OUT/reference.jsonl")
    ref_rate=$(echo "$ref_events / $s" | bc -l)
    printf '%-44s %12d %10.2f %14.0f %10.1f %8s\n' "python3 json.dumps reference (1 core)" "$ref_events" "$s" \
      "$ref_rate" "$(echo "$bytes / $s / 1000000" | bc -l)" "1.0x"
    rm -f "$OUT/reference.jsonl"
  fi
  local runs="${GENERATE_RUNS:-3}"
  # target: a file (the goal), or /dev/null to show the CPU-only rate.
  for spec in "1 file" "2 file" "1 null"; do
    local threads=${spec% *} target=${spec#* } dest="$file" label
    [[ "$target" == null ]] && dest=/dev/null
    label="playlake generate --threads $threads"
    [[ "$target" == null ]] && label="$label (to /dev/null)"
    local best=""
    for _ in $(seq "$runs"); do
      local s
      s=$(seconds_of "$PLAYLAKE" --log-level warn generate --users 100000 --start 2026-01-05 --end 2026-01-11 \
            --events "$events" --threads "$threads" --out "$dest" --quiet)
      if [[ -z "$best" ]] || (( $(echo "$s < $best" | bc -l) )); then best=$s; fi
    done
    local rate ratio="n/a"
    rate=$(echo "$events / $best" | bc -l)
    [[ -n "$ref_rate" ]] && ratio=$(printf '%.0fx' "$(echo "$rate / $ref_rate" | bc -l)")
    [[ "$target" == file ]] && bytes=$(stat -c %s "$file")
    printf '%-44s %12d %10.2f %14.0f %10.1f %8s\n' "$label" "$events" "$best" \
      "$rate" "$(echo "$bytes / $best / 1000000" | bc -l)" "$ratio"
  done
  # What the kernel alone needs to put the same bytes in a file on this machine.
  local mb=$(( bytes / 1048576 ))
  local s
  s=$(seconds_of dd if=/dev/zero of="$OUT/ceiling.bin" bs=1M count="$mb" status=none)
  rm -f "$OUT/ceiling.bin"
  printf '%-44s %12d %10.2f %14.0f %10.1f %8s\n' "ceiling: dd same bytes to the same disk" "$events" "$s" \
    "$(echo "$events / $s" | bc -l)" "$(echo "$bytes / $s / 1000000" | bc -l)" "-"
  rm -f "$file"
  echo "(times include building the catalog and population: 100,000 users, 200,000 tracks)"
  echo
}

if selected generate; then section_generate; fi

# --- ingest: raw NDJSON → committed silver Parquet vs DuckDB by SQL -----------
# Owned by the lake/silver engineer; the work is in bench/ingest.sh.
section_ingest() {
  "$ROOT/bench/ingest.sh" "${INGEST_EVENTS:-5000000}" "${INGEST_THREADS:-2}"
  echo
}

if selected ingest; then section_ingest; fi

# --- pipeline: `playlake run` raw NDJSON → tested gold vs DuckDB alone --------
# The work is in bench/pipeline.sh (needs bench/pipeline_baseline built in $BUILD).
section_pipeline() {
  "$ROOT/bench/pipeline.sh" "${PIPELINE_EVENTS:-5000000}" "${PIPELINE_THREADS:-2}"
  echo
}

if selected pipeline; then section_pipeline; fi

# --- stream: Kafka → committed silver vs kcat and ingest; latency; memory ----
# The work is in bench/stream.sh (starts its own test brokers on 127.0.0.1).
section_stream() {
  "$ROOT/bench/stream.sh" "${STREAM_EVENTS:-2000000}" "${STREAM_BACKLOG_EVENTS:-10000000}"
  echo
}

if selected stream; then section_stream; fi

# --- s3: ingest into a lake on S3 vs a local one; writers racing to commit ---
# The work is in bench/s3.sh (starts the test S3 server on 127.0.0.1).
section_s3() {
  "$ROOT/bench/s3.sh" "${S3_EVENTS:-1000000}" "${S3_WRITERS:-3}" "${S3_COMMITS:-10000}"
  echo
}

if selected s3; then section_s3; fi

# --- serve_clickhouse: the dashboard API from ClickHouse vs from DuckDB -------
# The work is in bench/serve_clickhouse.sh (starts clickhouse-server on 127.0.0.1).
section_serve_clickhouse() {
  "$ROOT/bench/serve_clickhouse.sh" "${SERVE_CLICKHOUSE_USERS:-2000}" "${SERVE_CLICKHOUSE_DAYS:-30}"
  echo
}
if selected serve_clickhouse; then section_serve_clickhouse; fi

# --- api: dashboard API latency, cache off and on, vs DuckDB over raw NDJSON ---
# The work is in bench/api.sh (builds a demo-sized project once, then reuses it).
section_api() {
  "$ROOT/bench/api.sh" "${API_USERS:-20000}" "${API_DAYS:-30}" "${API_SECONDS:-5}"
}
if selected api; then section_api; fi

# --- spotify: catalog enrichment vs a one-request-per-id client, against the fake API ---
section_spotify() {
  "$ROOT/bench/spotify.sh" "${SPOTIFY_TRACKS:-10000}" "${SPOTIFY_LATENCY_MS:-50}" "${SPOTIFY_RATE:-20}"
}
if selected spotify; then section_spotify; fi
