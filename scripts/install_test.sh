#!/bin/bash
# The installable release, end to end: `cmake --install BUILD` into a temporary prefix,
# the tree moved somewhere else (it must be relocatable), then `playlake demo` run from
# it and its dashboard served. Fails with the reason when any step does not hold.
#
# Usage: scripts/install_test.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: scripts/install_test.sh BUILD_DIR}
work=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "install test: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/installed" >/dev/null
mv "$work/installed" "$work/moved"
tree=$work/moved
for f in bin/playlake lib/libduckdb.so share/playlake/models/dbt_project.yml share/playlake/web/index.html; do
  [ -e "$tree/$f" ] || fail "the install has no $f"
done
runpath=$(readelf -d "$tree/bin/playlake" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')
[ "$runpath" = '$ORIGIN/../lib' ] || fail "the binary's RUNPATH is '$runpath', not \$ORIGIN/../lib"
# (Outputs are read whole before matching: `grep -q` would end a pipe early, and
# pipefail would count its writer's SIGPIPE as a failure.)
libraries=$(ldd "$tree/bin/playlake")
grep -q "libduckdb.so => $tree/bin/../lib/libduckdb.so" <<<"$libraries" ||
  fail "the binary does not load the installed libduckdb.so: $(grep duckdb <<<"$libraries")"

"$tree/bin/playlake" demo --dir "$work/demo" --no-serve --users 30 --days 2 >"$work/demo.log" 2>&1 ||
  fail "playlake demo failed from the install: $(tail -20 "$work/demo.log")"

"$tree/bin/playlake" serve --project "$work/demo" --port 0 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 200); do
  url=$(sed -n 's/.*Dashboard: \(http:[^ ]*\).*/\1/p' "$work/serve.log" | head -1)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || fail "playlake serve printed no URL: $(cat "$work/serve.log")"
page=$(curl -sf "$url") || fail "the installed dashboard is not served at $url"
grep -q '<title>Playlake</title>' <<<"$page" || fail "$url answers no dashboard: ${page:0:200}"
echo "install test: installed, moved, ran the demo and served the dashboard from $tree"
