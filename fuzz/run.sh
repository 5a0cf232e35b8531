#!/usr/bin/env bash
# Runs one libFuzzer target for a while, starting from its seed corpus.
#   fuzz/run.sh FUZZER SEED_DIR SECONDS WORK_DIR [extra libFuzzer flags...]
# New inputs go to WORK_DIR/corpus (kept between runs, so each run starts where
# the last one stopped); libFuzzer's log goes to WORK_DIR/log. Prints one line
# of figures; on a crash, a leak, a timeout or a broken property it prints the
# end of the log, leaves the input in WORK_DIR/crash-* (or leak-*, timeout-*)
# and exits non-zero. The seed corpus in the repository is never written.
set -uo pipefail
fuzzer="$1" seeds="$2" seconds="$3" work="$4"
shift 4
mkdir -p "$work/corpus"
name=$(basename "$fuzzer")
# -timeout: an input that takes 10 s is a hang; -rss_limit_mb: 2 GB is a leak or a bomb.
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$@" "$work/corpus" "$seeds" >"$work/log" 2>&1
status=$?
stat() { sed -n "s/^stat::$1: *//p" "$work/log" | tail -n 1; }
echo "$name: ${seconds}s, $(stat number_of_executed_units) executions ($(stat average_exec_per_sec)/s)," \
  "$(ls "$work/corpus" | wc -l) inputs in the corpus, exit $status"
if [ "$status" -ne 0 ]; then
  tail -n 60 "$work/log"
  ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null
fi
exit "$status"
