#!/usr/bin/env bash
# Model projects side by side: `playlake build --full-refresh` of one project's
# warehouse with model folder A, then B, ROUNDS times alternating, printing each
# build's CPU time (user + system), wall time and load average, then the mean CPU
# of B over A. CPU time is the figure to compare on a shared machine: under load
# the wall time follows the other work, the CPU a build needs much less.
#
#   bench/models_cpu.sh PROJECT MODELS_A MODELS_B [ROUNDS]     ROUNDS default: 3
#
# PROJECT is a project whose silver is ingested (e.g. bench/out/pipeline/project
# after bench/pipeline.sh); its warehouse is rebuilt by every round. MODELS_A and
# MODELS_B are model project folders (e.g. `git archive main models | tar -x -C
# /tmp/main` gives /tmp/main/models). Environment: PLAYLAKE_BUILD (default
# build/release).
set -euo pipefail

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then usage; exit 0; fi
if [[ $# -lt 3 ]]; then usage >&2; exit 2; fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PLAYLAKE="${PLAYLAKE_BUILD:-$ROOT/build/release}/src/cli/playlake"
PROJECT="$1" A="$2" B="$3" ROUNDS="${4:-3}"
[[ -x "$PLAYLAKE" ]] || { echo "bench/models_cpu.sh: $PLAYLAKE not found; run 'make release'" >&2; exit 1; }
for dir in "$A" "$B"; do
  [[ -d "$dir/models" ]] || { echo "bench/models_cpu.sh: $dir holds no models/ folder" >&2; exit 2; }
done

TIMES=$(mktemp)
trap 'rm -f "$TIMES"' EXIT
declare -A total=([A]=0 [B]=0)
printf '%-6s %-5s %9s %9s %6s\n' round side "cpu s" "wall s" load
for round in $(seq "$ROUNDS"); do
  for side in A B; do
    models=$([[ $side == A ]] && echo "$A" || echo "$B")
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -f "%U %S %e" -o "$TIMES" "$PLAYLAKE" --log-level warn build --full-refresh \
      --project "$PROJECT" --models "$models" > /dev/null 2>&1 ||
      { echo "bench/models_cpu.sh: the build with $models failed; see $PROJECT/target" >&2; exit 1; }
    read -r user sys wall < "$TIMES"
    cpu=$(echo "$user + $sys" | bc -l)
    total[$side]=$(echo "${total[$side]} + $cpu" | bc -l)
    printf '%-6s %-5s %9.2f %9.2f %6s\n' "$round" "$side" "$cpu" "$wall" "$load"
  done
done
printf 'mean cpu: A %.2f s, B %.2f s, B / A %.3f\n' "$(echo "${total[A]} / $ROUNDS" | bc -l)" \
  "$(echo "${total[B]} / $ROUNDS" | bc -l)" "$(echo "${total[B]} / ${total[A]}" | bc -l)"
