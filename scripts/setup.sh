#!/usr/bin/env bash
# Installs everything Playlake needs to build, test and run, and nothing else:
# Debian packages (apt) and DuckDB's prebuilt library from the npm registry,
# checked against pinned sha256 sums. Idempotent: a second run does nothing.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
deps="$root/.deps"

packages=(
  cmake ninja-build g++ pkg-config
  clang libclang-rt-14-dev
  libexpected-dev libsimdjson-dev nlohmann-json3-dev libyaml-cpp-dev libcli11-dev
  libspdlog-dev libfmt-dev libcurl4-openssl-dev libssl-dev libxxhash-dev
  libcpp-httplib-dev libmicrohttpd-dev librdkafka-dev libzstd-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nodejs npm zstd chromium fonts-dejavu-core fonts-noto-color-emoji fonts-ipafont-gothic iso-codes
  wrk bc curl kcat clickhouse-server
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # nodejs/npm may come from outside apt (e.g. a preinstalled toolchain); accept that.
    if { [ "$p" = nodejs ] && command -v node >/dev/null; } || { [ "$p" = npm ] && command -v npm >/dev/null; }; then
      continue
    fi
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# DuckDB 1.5.6: libduckdb.so from the node bindings; duckdb.h from the duckdb package,
# whose last release is 1.4.4 (the C API of 1.5 is a superset: Playlake calls none of
# what 1.5 added).
duck_lib_pkg="@duckdb/node-bindings-linux-x64@1.5.6-r.1"
duck_lib_sha="1b9f82478539bb9a1d1df44bd103121a12ae52142c07158dc52b97d2ec1d69ff"
duck_hdr_pkg="duckdb@1.4.4"
duck_hdr_sha="5bb967dcbcd517670ba5f169f238fb9d6787e53752c60ebe24386169d76941ed"
duck_dir="$deps/duckdb"
stamp="$duck_dir/.installed-$duck_lib_sha-$duck_hdr_sha"

fetch() { # fetch PACKAGE SHA256 -> prints the path of the verified tarball
  local pkg="$1" sha="$2" dir="$deps/npm"
  mkdir -p "$dir"
  local name
  name=$(cd "$dir" && npm pack --silent "$pkg" 2>/dev/null | tail -n 1)
  local got
  got=$(sha256sum "$dir/$name" | cut -d' ' -f1)
  if [ "$got" != "$sha" ]; then
    echo "setup: checksum mismatch for $pkg: expected $sha, got $got" >&2
    rm -f "$dir/$name"
    exit 1
  fi
  echo "$dir/$name"
}

if [ ! -f "$stamp" ]; then
  echo "setup: fetching DuckDB ($duck_lib_pkg, $duck_hdr_pkg)" >&2
  lib_tgz=$(fetch "$duck_lib_pkg" "$duck_lib_sha")
  hdr_tgz=$(fetch "$duck_hdr_pkg" "$duck_hdr_sha")
  rm -rf "$duck_dir" && mkdir -p "$duck_dir/include"
  tar xzf "$lib_tgz" -C "$duck_dir" --strip-components=1 package/libduckdb.so
  tar xzf "$hdr_tgz" -C "$duck_dir/include" --strip-components=5 package/src/duckdb/src/include/duckdb.h
  touch "$stamp"
fi

# The dashboard's npm packages (ECharts; the world map's world-atlas, topojson-client
# and i18n-iso-countries; playwright-core for the browser tests),
# pinned by web/package-lock.json.
if [ ! -f "$root/web/node_modules/.package-lock.json" ] ||
   [ "$root/web/package-lock.json" -nt "$root/web/node_modules/.package-lock.json" ]; then
  echo "setup: installing the dashboard's npm packages (web/package-lock.json)" >&2
  (cd "$root/web" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
