#!/usr/bin/env bash
# Spotify catalog enrichment: a listener's export with TRACKS distinct tracks,
# enriched by the spotify_api source from the fake Spotify API on loopback
# with LATENCY_MS per request and a rate limit of RATE requests per rolling
# second (429 with Retry-After: 1 past it). Requests against the minimum
# (tracks and artists 50 per request, albums 20, audio features 100), wall
# time against the floor the rate limit sets (minimum requests / RATE). Beside
# it, what a user's script does instead: one request per track, its audio
# features, each new artist and album, one at a time (NAIVE_TRACKS of them
# measured, scaled to TRACKS).
#
#   bench/spotify.sh [TRACKS] [LATENCY_MS] [RATE] [NAIVE_TRACKS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${PLAYLAKE_BUILD:-$ROOT/build/release}"
OUT="${BENCH_OUT:-$ROOT/bench/out}"
TRACKS="${1:-10000}" LATENCY="${2:-50}" RATE="${3:-20}" NAIVE="${4:-300}"
HELPER="$BUILD/bench/spotify_enrich"
[[ -x "$HELPER" ]] || { echo "bench/spotify.sh: $HELPER not found; build the release preset" >&2; exit 1; }

load() { cut -d' ' -f1 /proc/loadavg; }
LOAD_BEFORE=$(load)
RESULT=$("$HELPER" "$ROOT/../shared/realdata" "$OUT/spotify-enrich" "$TRACKS" "$LATENCY" "$RATE" "$NAIVE" 2>/dev/null)
LOAD_AFTER=$(load)
get() { awk -v k="$1" '$1 == k { print $2 }' <<< "$RESULT"; }

printf '%s\n' "$(grep '^summary' <<< "$RESULT" | cut -d' ' -f2-)"
printf '\n%-44s %12s %12s\n' "enrich $TRACKS tracks (${LATENCY} ms, $RATE req/s)" requests seconds
printf '%-44s %12s %12.1f\n' "Playlake (batch endpoints, 4 at a time)" "$(get playlake_requests)" "$(get playlake_seconds)"
printf '%-44s %12s %12.1f\n' "minimum requests / rate-limit floor" "$(get minimum_requests)" "$(get rate_floor_seconds)"
printf '%-44s %12s %12.1f\n' "naive, one request per id ($NAIVE tracks)" "$(get naive_requests)" "$(get naive_seconds)"
printf '%-44s %12s %12.1f\n' "naive, scaled to $TRACKS tracks" "$(get naive_requests_for_all)" "$(get naive_seconds_for_all)"
printf '\nPlaylake: %s 429s; requests %.2fx the minimum, time %.2fx the floor; naive/Playlake: requests %.0fx, time %.0fx (load %s -> %s)\n' \
  "$(get playlake_429)" \
  "$(echo "$(get playlake_requests) / $(get minimum_requests)" | bc -l)" \
  "$(echo "$(get playlake_seconds) / $(get rate_floor_seconds)" | bc -l)" \
  "$(echo "$(get naive_requests_for_all) / $(get playlake_requests)" | bc -l)" \
  "$(echo "$(get naive_seconds_for_all) / $(get playlake_seconds)" | bc -l)" \
  "$LOAD_BEFORE" "$LOAD_AFTER"
