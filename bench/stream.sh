#!/usr/bin/env bash
# Stream benchmark: Kafka → committed silver with `playlake stream`, side by
# side in one run with what a user would use instead, on the test broker
# (playlake-kafka-mock: the real Kafka protocol on 127.0.0.1, in memory).
#
#   bench/stream.sh [EVENTS] [BACKLOG_EVENTS]      defaults: 2000000 10000000
#   STREAM_SECTIONS=1 bench/stream.sh 300000        section 1 only
#
#  1. Throughput: EVENTS plays (1% duplicates, one day of event times) are
#     produced to a topic first; then, from that backlog, in events per second
#     of each process's own CPU time (user+sys):
#       - kcat copying the topic to a file (the floor of reading Kafka),
#       - `playlake ingest` of that file (the same events) into a fresh lake,
#       - `playlake stream` until its lake holds every offset.
#  2. Produced → queryable: `playlake generate --realtime` produces
#     STREAM_RATE plays/s for STREAM_LATENCY_SECONDS while a worker streams
#     them (default flush interval) and bench/stream_latency.py runs
#     `playlake sql` in a loop: an event's latency is the end of the first
#     query that counts it minus its time stamp (p50, p99, max).
#  3. Memory: peak RSS of a worker draining a BACKLOG_EVENTS backlog beside
#     the EVENTS one (bounded: it must not grow with the backlog), the
#     broker's own memory, and the backlog's plays files after compaction.
#  4. Committed files: count and size of silver's plays files as section 1's
#     stream committed them (background compaction off there), then after one
#     `playlake compact` and a vacuum of the files it replaced.
#  5. bench/live_latency.sh, when it exists.
#  6. Scaling: the same EVENTS backlog drained into one lake by one worker, then
#     (a fresh lake, another group) by two workers of one group: wall time until
#     the lake holds every offset, and the ratio.
#
# The test broker keeps at most 5 MiB of message batches per partition and
# drops the oldest past that (librdkafka's mock cluster, fixed), so plays are
# produced zstd-compressed (about 8 times smaller) to one partition per
# STREAM_PER_PARTITION plays (4/5 of that for section 3's backlog), and the
# script checks that nothing was dropped. Plays go to partitions by listener,
# so partitions fill unevenly: at 40,000 a partition the fullest of 2M plays
# passed 5 MiB, hence 30,000.
#
# Environment: PLAYLAKE_BUILD (default build/release), BENCH_OUT (default
# bench/out), STREAM_PER_PARTITION (30000), STREAM_THREADS (1: parser threads
# of ingest and stream), STREAM_RATE (5000), STREAM_LATENCY_SECONDS (60),
# STREAM_BACKLOG_BUFFER (max_buffer_bytes of section 3's worker, default
# 1073741824: the test broker needs hundreds of partitions for a large backlog,
# and 64 MiB shared by them makes tiny batches), STREAM_SECTIONS (default
# "1 2 3 4 5 6": the sections to run; 4 reports on section 1's lake, so runs
# only with it).
set -euo pipefail
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
  exit 0
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${PLAYLAKE_BUILD:-$ROOT/build/release}"
OUT="${BENCH_OUT:-$ROOT/bench/out}/stream"
PLAYLAKE="$BUILD/src/cli/playlake"
MOCK="$BUILD/src/stream/playlake-kafka-mock"
EVENTS="${1:-2000000}"
BACKLOG="${2:-10000000}"
PER_PARTITION="${STREAM_PER_PARTITION:-30000}"
THREADS="${STREAM_THREADS:-1}"
RATE="${STREAM_RATE:-5000}"
LATENCY_SECONDS="${STREAM_LATENCY_SECONDS:-60}"
BACKLOG_BUFFER="${STREAM_BACKLOG_BUFFER:-1073741824}"
SECTIONS=" ${STREAM_SECTIONS:-1 2 3 4 5 6} "
section() { [[ "$SECTIONS" == *" $1 "* ]]; }
DAY=2026-01-05
for tool in "$PLAYLAKE" "$MOCK"; do
  [[ -x "$tool" ]] || { echo "bench/stream.sh: $tool not found; run 'make release'" >&2; exit 1; }
done
command -v kcat > /dev/null || { echo "bench/stream.sh: kcat not found (scripts/setup.sh installs it)" >&2; exit 1; }
rm -rf "$OUT"
mkdir -p "$OUT"

# Every process this script starts in the background, stopped by PID on exit.
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
}
trap cleanup EXIT

# start_broker TOPIC PARTITIONS: starts a broker with TOPIC; sets BROKER_PID and BROKERS.
start_broker() {
  local ready="$OUT/broker-$1.out"
  "$MOCK" --topic "$1:$2" > "$ready" 2> "$OUT/broker-$1.log" &
  BROKER_PID=$!
  PIDS+=("$BROKER_PID")
  for _ in $(seq 200); do [[ -s "$ready" ]] && break; sleep 0.1; done
  BROKERS=$(head -1 "$ready")
  [[ -n "$BROKERS" ]] || { echo "bench/stream.sh: the broker did not start" >&2; exit 1; }
}

stop() {
  kill "$1" 2> /dev/null || true
  wait "$1" 2> /dev/null || true
}

rss_mb() { awk '/^VmRSS/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }

# project DIR TOPIC: a project streaming TOPIC of $BROKERS into DIR/lake.
project() {  # DIR TOPIC [COMPACT_TARGET_BYTES [MAX_BUFFER_BYTES]]
  mkdir -p "$1"
  cat > "$1/playlake.yml" << EOF
name: bench
threads: $THREADS
sources:
  - name: live
    format: playlake
    kafka:
      brokers: $BROKERS
      topics: $2
      group: bench-$2
      properties: {fetch.wait.max.ms: 5}
      compact_target_bytes: ${3:-134217728}
      max_buffer_bytes: ${4:-67108864}
EOF
}

# partitions_for N [PER_PARTITION]: partitions that hold N plays on the test broker.
partitions_for() {
  local per="${2:-$PER_PARTITION}"
  local p=$(( ($1 + per - 1) / per ))
  (( p < 4 )) && p=4
  (( p > 1000 )) && { echo "bench/stream.sh: $1 plays need more than 1000 partitions" >&2; exit 1; }
  echo "$p"
}

# offsets TOPIC PARTITIONS WHICH: the sum over the partitions of the
# earliest (WHICH=-2) or end (-1) offsets.
offsets() {
  local args=()
  for p in $(seq 0 $(($2 - 1))); do args+=(-t "$1:$p:$3"); done
  kcat -Q -b "$BROKERS" "${args[@]}" | awk '/offset/ {n += $NF} END {print n + 0}'
}

# produce TOPIC PARTITIONS N: N plays of one day (1% duplicates) to TOPIC,
# zstd-compressed; prints the number of messages the topic holds.
produce() {
  "$PLAYLAKE" --log-level warn generate --kafka "$BROKERS" --topic "$1" --events "$3" --dup-rate 0.01 \
    --users 200000 --start "$DAY" --end "$DAY" --kafka-property compression.type=zstd --quiet > /dev/null
  local dropped
  dropped=$(offsets "$1" "$2" -2)
  if (( dropped != 0 )); then
    echo "bench/stream.sh: the test broker dropped the first $dropped messages of $1 (5 MiB a partition);" \
      "lower STREAM_PER_PARTITION" >&2
    exit 1
  fi
  offsets "$1" "$2" -1
}

# timed NAME CMD...: runs CMD under /usr/bin/time; sets CPU (user+sys s), WALL, PEAK_MB.
timed() {
  local name="$1"; shift
  /usr/bin/time -f '%U %S %e %M' -o "$OUT/time-$name" "$@" > "$OUT/stdout-$name" 2> "$OUT/stderr-$name" ||
    { cat "$OUT/stderr-$name" >&2; exit 1; }
  read -r user sys WALL kb < "$OUT/time-$name"
  CPU=$(echo "$user + $sys" | bc -l)
  PEAK_MB=$((kb / 1024))
}

# stream_until DIR MESSAGES: runs `playlake stream` in project DIR until its
# log counts MESSAGES committed, then stops it (SIGTERM); sets CPU and WALL
# (at that moment, before the shutdown) and PEAK_MB (peak RSS). DIR/progress
# gets "seconds committed" lines as the count grows (see drain_rates).
stream_until() {
  local dir="$1" want="$2" log="$1/stream.log"
  local start end pid ticks
  ticks=$(getconf CLK_TCK)
  start=$(date +%s.%N)
  : > "$log"  # before the worker starts: the loop below reads it at once
  "$PLAYLAKE" --log-level info stream --project "$dir" 2> "$log" &
  pid=$!
  PIDS+=("$pid")
  while kill -0 "$pid" 2> /dev/null; do
    local done_
    done_=$(awk '/committed batch/ {sub(/.*\(/, ""); n += $1} END {print n + 0}' "$log")
    echo "$(echo "$(date +%s.%N) - $start" | bc -l) $done_" >> "$dir/progress"
    (( done_ >= want )) && break
    sleep 0.2
  done
  end=$(date +%s.%N)
  kill -0 "$pid" 2> /dev/null || { tail -5 "$log" >&2; echo "bench/stream.sh: the worker stopped" >&2; exit 1; }
  # utime and stime are fields 14 and 15 of /proc/PID/stat (after the name in parentheses).
  CPU=$(awk -v t="$ticks" '{sub(/.*\) /, ""); print ($12 + $13) / t}' "/proc/$pid/stat")
  PEAK_MB=$(awk '/^VmHWM/ {printf "%d", $2 / 1024}' "/proc/$pid/status")
  WALL=$(echo "$end - $start" | bc -l)
  stop "$pid"
}

# drain_rates DIR STEP: the worker's drain rate (messages committed per wall
# second) over each successive STEP messages of DIR/progress: flat when the
# cost of a batch does not grow with what the lake already holds.
drain_rates() {
  awk -v step="$2" '{
      while ($2 >= (k + 1) * step) {
        k++
        printf "  %9d-%-9d %8.0f/s\n", (k - 1) * step, k * step, step / ($1 - last)
        last = $1
      }
    }' "$1/progress"
}

row() {  # NAME EVENTS CPU WALL PEAK_MB RATIO
  printf '%-44s %10d %9.2f %12.0f %9.2f %8d %8s\n' "$1" "$2" "$3" "$(echo "$2 / $3" | bc -l)" "$4" "$5" "$6"
}

count() {
  "$PLAYLAKE" --log-level warn sql "select count(*) from plays" --lake "$1" --format csv | tail -1
}

# --- 1. throughput ----------------------------------------------------------
if section 1; then
PARTITIONS=$(partitions_for "$EVENTS")
start_broker plays "$PARTITIONS"
echo "producing $EVENTS plays (1% duplicates) to topic plays ($PARTITIONS partitions) ..." >&2
MESSAGES=$(produce plays "$PARTITIONS" "$EVENTS")
BROKER_MB=$(rss_mb "$BROKER_PID")
timed kcat kcat -C -b "$BROKERS" -t plays -o beginning -e -q -f '%s\n'
mv "$OUT/stdout-kcat" "$OUT/topic.jsonl"
KCAT_CPU=$CPU KCAT_WALL=$WALL KCAT_MB=$PEAK_MB
COPIED=$(wc -l < "$OUT/topic.jsonl")
(( COPIED == MESSAGES )) || { echo "bench/stream.sh: kcat copied $COPIED of $MESSAGES messages" >&2; exit 1; }
timed ingest "$PLAYLAKE" --log-level warn ingest "$OUT/topic.jsonl" --lake "$OUT/ingest/lake" --threads "$THREADS"
INGEST_CPU=$CPU INGEST_WALL=$WALL INGEST_MB=$PEAK_MB
project "$OUT/stream" plays 0   # no background compaction: section 4 compacts once
stream_until "$OUT/stream" "$MESSAGES"
STREAM_CPU=$CPU STREAM_WALL=$WALL STREAM_MB=$PEAK_MB

echo "== stream throughput: $MESSAGES messages ($(( $(stat -c %s "$OUT/topic.jsonl") / 1000000 )) MB, 1% duplicates, zstd on the wire) on $PARTITIONS partitions → committed silver, $THREADS parser thread(s) =="
printf '%-44s %10s %9s %12s %9s %8s %8s\n' "run" "events" "CPU s" "events/CPU-s" "wall s" "peak MB" "ratio"
STREAM_RATE=$(echo "$MESSAGES / $STREAM_CPU" | bc -l)
ratio() { printf '%.2fx' "$(echo "$STREAM_RATE / ($MESSAGES / $1)" | bc -l)"; }
row "kcat topic → file (the floor of reading Kafka)" "$MESSAGES" "$KCAT_CPU" "$KCAT_WALL" "$KCAT_MB" "$(ratio "$KCAT_CPU")"
row "playlake ingest of the same events (file)" "$MESSAGES" "$INGEST_CPU" "$INGEST_WALL" "$INGEST_MB" "$(ratio "$INGEST_CPU")"
row "playlake stream topic → silver" "$MESSAGES" "$STREAM_CPU" "$STREAM_WALL" "$STREAM_MB" "1.00x"
echo "(ratio: playlake stream's events per CPU second / the row's; goal: stream ≥ 300,000 events/CPU-s)"
echo "rows: silver.plays by ingest=$(count "$OUT/ingest/lake"), by stream=$(count "$OUT/stream/lake")"
echo "broker: $BROKER_MB MB RSS holding $MESSAGES messages"
plays_files() {  # sets FILES and FILE_BYTES: silver's plays files on disk
  FILES=$(find "$OUT/stream/lake/silver/plays" -name '*.parquet' | wc -l)
  FILE_BYTES=$(find "$OUT/stream/lake/silver/plays" -name '*.parquet' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
}
plays_files
BEFORE_FILES=$FILES BEFORE_BYTES=$FILE_BYTES
timed compact "$PLAYLAKE" --log-level warn compact --project "$OUT/stream" --min-files 2
COMPACT_CPU=$CPU COMPACT_WALL=$WALL
"$PLAYLAKE" --log-level warn vacuum --project "$OUT/stream" --older-than 0 > /dev/null
plays_files
echo "rows after compaction: silver.plays=$(count "$OUT/stream/lake")"
BATCHES=$(grep -c 'committed batch' "$OUT/stream/stream.log" || true)
stop "$BROKER_PID"
rm -rf "$OUT/topic.jsonl" "$OUT/ingest"
echo

fi
# --- 2. produced → queryable ------------------------------------------------
if section 2; then
start_broker live 4
project "$OUT/latency" live
"$PLAYLAKE" --log-level info stream --project "$OUT/latency" 2> "$OUT/latency/stream.log" &
WORKER_PID=$!
PIDS+=("$WORKER_PID")
sleep 3  # the worker joins its group
"$PLAYLAKE" --log-level warn generate --kafka "$BROKERS" --topic live --realtime --rate "$RATE" \
  --events $((RATE * LATENCY_SECONDS)) --users 20000 --quiet > /dev/null &
PRODUCER_PID=$!
PIDS+=("$PRODUCER_PID")
echo "== produced → queryable in silver with playlake sql: $RATE plays/s for $LATENCY_SECONDS s, 4 partitions, default flush interval (2 s) =="
python3 "$ROOT/bench/stream_latency.py" --playlake "$PLAYLAKE" --lake "$OUT/latency/lake" \
  --events $((RATE * LATENCY_SECONDS)) --timeout $((LATENCY_SECONDS + 30))
stop "$PRODUCER_PID"
stop "$WORKER_PID"
stop "$BROKER_PID"
echo "anchors: stream-to-lake sinks commit every 60–300 s by default (Kafka Connect S3/Iceberg, Firehose);"
echo "         the classic eventsim → Kafka → Spark pipeline lands data every 2 minutes and builds hourly."
echo "(goal: p99 ≤ 5 s)"
echo

fi
# --- 3. memory with a backlog -----------------------------------------------
if section 3; then
# Keys (listeners) spread unevenly over hundreds of partitions: 4/5 of the room
# (40,000 plays on 250 partitions lost 285,000 of 10 million, 32,000 on 313 none).
BACKLOG_PARTITIONS=$(partitions_for "$BACKLOG" $((PER_PARTITION * 4 / 5)))
start_broker backlog "$BACKLOG_PARTITIONS"
echo "producing a backlog of $BACKLOG plays to topic backlog ($BACKLOG_PARTITIONS partitions) ..." >&2
BACKLOG_MESSAGES=$(produce backlog "$BACKLOG_PARTITIONS" "$BACKLOG")
BACKLOG_BROKER_MB=$(rss_mb "$BROKER_PID")
project "$OUT/backlog" backlog 134217728 "$BACKLOG_BUFFER"
stream_until "$OUT/backlog" "$BACKLOG_MESSAGES"
echo "== memory: one worker draining a backlog in the topic =="
printf '%-44s %12s %12s %12s %14s %9s\n' "backlog" "messages" "worker peak" "broker RSS" "events/CPU-s" "wall s"
if section 1; then
  printf '%-44s %12d %9d MB %9d MB %14.0f %9.1f\n' "section 1 ($PARTITIONS partitions)" "$MESSAGES" "$STREAM_MB" \
    "$BROKER_MB" "$STREAM_RATE" "$STREAM_WALL"
fi
printf '%-44s %12d %9d MB %9d MB %14.0f %9.1f\n' "backlog ($BACKLOG_PARTITIONS partitions)" "$BACKLOG_MESSAGES" \
  "$PEAK_MB" "$BACKLOG_BROKER_MB" "$(echo "$BACKLOG_MESSAGES / $CPU" | bc -l)" "$WALL"
echo "rows: silver.plays=$(count "$OUT/backlog/lake")"
STEP=$(( BACKLOG_MESSAGES >= 5000000 ? 1000000 : 500000 ))
echo "drain rate of the backlog worker, by messages committed (all plays fall on one day):"
drain_rates "$OUT/backlog" "$STEP"
grep -o 'dedupe keys: .*' "$OUT/backlog/stream.log" | tail -1 || true
"$PLAYLAKE" --log-level warn compact --project "$OUT/backlog" --min-files 2 > /dev/null
"$PLAYLAKE" --log-level warn vacuum --project "$OUT/backlog" --older-than 0 > /dev/null
BACKLOG_FILES=$(find "$OUT/backlog/lake/silver/plays" -name '*.parquet' | wc -l)
BACKLOG_BYTES=$(find "$OUT/backlog/lake/silver/plays" -name '*.parquet' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
printf 'committed plays files after compaction (+ vacuum): %d files, %.1f MB (mean %.2f MB)\n' \
  "$BACKLOG_FILES" "$(echo "$BACKLOG_BYTES / 1000000" | bc -l)" "$(echo "$BACKLOG_BYTES / $BACKLOG_FILES / 1000000" | bc -l)"
echo "(the worker's bound: max_buffer_bytes ($((BACKLOG_BUFFER >> 20)) MiB here) of batches + librdkafka's 16 MiB"
echo " prefetch + the batch being committed + the dedupe keys (at most 256 MiB, or 16-32 bytes a play of one day"
echo " when that day alone holds more) + the background compactor; the broker holds the backlog zstd-compressed."
echo " The test broker keeps at most 5 MiB a partition, so the backlog is spread over $BACKLOG_PARTITIONS partitions"
batch_kib() { local b=$(($1 / BACKLOG_PARTITIONS)); echo $(((b < 16 << 20 ? b : 16 << 20) >> 10)); }
echo " and max_buffer_bytes is raised so that a partition's batch is up to $(batch_kib "$BACKLOG_BUFFER") KiB"
echo " instead of $(batch_kib $((64 << 20))) KiB with the default 64 MiB)"
stop "$BROKER_PID"
rm -rf "$OUT/backlog"
echo

fi
# --- 4. committed files -----------------------------------------------------
if section 1 && section 4; then
echo "== committed silver files of plays (section 1's stream: $BATCHES batches) =="
printf '%-44s %12s %14s %12s\n' "" "files" "mean MB" "total MB"
printf '%-44s %12d %14.2f %12.1f\n' "as the stream committed them" "$BEFORE_FILES" \
  "$(echo "$BEFORE_BYTES / $BEFORE_FILES / 1000000" | bc -l)" "$(echo "$BEFORE_BYTES / 1000000" | bc -l)"
printf '%-44s %12d %14.2f %12.1f\n' "after playlake compact (+ vacuum)" "$FILES" \
  "$(echo "$FILE_BYTES / $FILES / 1000000" | bc -l)" "$(echo "$FILE_BYTES / 1000000" | bc -l)"
printf '(playlake compact: %.1f s CPU, %.1f s wall; the stream compacts in the background by default)\n' \
  "$COMPACT_CPU" "$COMPACT_WALL"
echo

fi
# --- 5. live view ---------------------------------------------------------------
if section 5; then
if [[ -x "$ROOT/bench/live_latency.sh" ]]; then
  "$ROOT/bench/live_latency.sh"
fi
fi
# --- 6. two workers against one -------------------------------------------------
if section 6; then
PARTITIONS=$(partitions_for "$EVENTS")
start_broker scaling "$PARTITIONS"
echo "producing $EVENTS plays to topic scaling ($PARTITIONS partitions) ..." >&2
MESSAGES=$(produce scaling "$PARTITIONS" "$EVENTS")
# committed_by LOG...: the messages the workers writing LOG... committed.
committed_by() { cat "$@" 2> /dev/null | awk '/committed batch/ {sub(/.*\(/, ""); n += $1} END {print n + 0}'; }
# drain NAME WORKERS: WORKERS workers of one group (projects NAME-1.., one lake NAME-lake)
# drain the topic; sets WALL (until the lake holds every message), CPU (all workers') and ROWS.
drain() {
  local name="$1" n="$2" logs=() pids=() start end ticks
  ticks=$(getconf CLK_TCK)
  for i in $(seq "$n"); do
    project "$OUT/$name-$i" scaling
    sed -i "s/group: bench-scaling/group: bench-$name/" "$OUT/$name-$i/playlake.yml"
    echo "lake: $OUT/$name-lake" >> "$OUT/$name-$i/playlake.yml"
  done
  start=$(date +%s.%N)
  for i in $(seq "$n"); do
    "$PLAYLAKE" --log-level info stream --project "$OUT/$name-$i" 2> "$OUT/$name-$i/stream.log" &
    pids+=($!)
    PIDS+=($!)
    logs+=("$OUT/$name-$i/stream.log")
  done
  while (( $(committed_by "${logs[@]}") < MESSAGES )); do
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2> /dev/null || { tail -5 "${logs[@]}" >&2; echo "bench/stream.sh: a worker stopped" >&2; exit 1; }
    done
    sleep 0.2
  done
  end=$(date +%s.%N)
  WALL=$(echo "$end - $start" | bc -l)
  CPU=0
  for pid in "${pids[@]}"; do
    CPU=$(echo "$CPU + $(awk -v t="$ticks" '{sub(/.*\) /, ""); print ($12 + $13) / t}' "/proc/$pid/stat")" | bc -l)
    stop "$pid"
  done
  ROWS=$(count "$OUT/$name-lake")
}
drain one 1
ONE_WALL=$WALL ONE_CPU=$CPU ONE_ROWS=$ROWS
drain two 2
echo "== scaling: $MESSAGES messages on $PARTITIONS partitions drained into one lake by one worker, then by two =="
printf '%-36s %10s %9s %9s %10s %9s\n' "workers" "events" "wall s" "CPU s" "plays" "speed-up"
printf '%-36s %10d %9.2f %9.2f %10d %9s\n' "one worker" "$MESSAGES" "$ONE_WALL" "$ONE_CPU" "$ONE_ROWS" "1.00x"
printf '%-36s %10d %9.2f %9.2f %10d %8.2fx\n' "two workers, one group, one lake" "$MESSAGES" "$WALL" "$CPU" "$ROWS" \
  "$(echo "$ONE_WALL / $WALL" | bc -l)"
[[ "$ONE_ROWS" == "$ROWS" ]] || { echo "bench/stream.sh: the two lakes differ" >&2; exit 1; }
echo "(the workers take turns on the lake's writer lock for each batch's bronze and silver;"
echo " the broker and both workers share this machine's $(nproc) cores)"
stop "$BROKER_PID"
rm -rf "$OUT"/one-* "$OUT"/two-*
echo
fi
