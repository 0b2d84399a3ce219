#!/usr/bin/env bash
# Builds mediasoup's C++ worker offline: sources from the npm tarball, libraries
# from Debian bookworm (-dev packages), the shim subprojects beside this script in
# place of mediasoup's .wrap downloads, and the DtlsTransport patch.
#
# Usage: build.sh <mediasoup-version> <output-binary-path>
# Build deps (see infra/setup/packages.mjs) must already be installed.
set -euo pipefail

version="$1"
out="$2"
here="$(cd "$(dirname "$0")" && pwd)"
jobs="$(nproc)"
work="$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-worker-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

step() { echo "[mediasoup-worker] $*"; }

step "fetching mediasoup@$version sources from the npm registry"
(cd "$work" && npm pack "mediasoup@$version" --silent >/dev/null && tar xzf "mediasoup-$version.tgz")
src="$work/package/worker"

step "replacing .wrap subprojects with Debian system-library shims"
rm -f "$src"/subprojects/*.wrap
cp -a "$here"/subprojects/. "$src/subprojects/"

step "applying DtlsTransport-bio-callback.patch"
if ! patch -d "$work/package" -p1 --forward --batch < "$here/DtlsTransport-bio-callback.patch"; then
  echo "[mediasoup-worker] ERROR: the DtlsTransport patch no longer applies to mediasoup $version." >&2
  echo "[mediasoup-worker] Check whether upstream fixed onSslBioOut and update or drop the patch." >&2
  exit 1
fi
grep -q '(operationType & BIO_CB_RETURN)' "$src/src/RTC/DtlsTransport.cpp" || {
  echo "[mediasoup-worker] ERROR: patched line not found after patching" >&2
  exit 1
}

build="$src/out/Release/build"
step "meson setup (release)"
meson setup --wrap-mode=nodownload --buildtype release -Db_ndebug=true "$build" "$src" >"$work/meson-setup.log" 2>&1 || {
  cat "$work/meson-setup.log" >&2
  exit 1
}
step "generating flatbuffers headers"
meson compile -C "$build" flatbuffers-generator >/dev/null
step "compiling mediasoup-worker with $jobs jobs (about 4 minutes on 2 cores)"
start=$(date +%s)
# ninja prints [n/total] lines; keep one line every 20 steps as progress.
meson compile -C "$build" -j "$jobs" mediasoup-worker 2>&1 | awk '/^\[[0-9]+\/[0-9]+\]/ { split($1, a, /[\[\/\]]/); if (a[2] % 20 == 0 || a[2] == a[3]) { print "[mediasoup-worker]   step " a[2] "/" a[3]; fflush() } next } { print }'
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
step "compiled in $(( $(date +%s) - start ))s"

mkdir -p "$(dirname "$out")"
install -m 0755 "$build/mediasoup-worker" "$out.tmp"
mv "$out.tmp" "$out"
step "installed $out"
