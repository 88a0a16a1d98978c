#!/usr/bin/env bash
# Builds mediasoup's C++ worker (the media engine's data plane) from the source
# inside the npm package the appliance depends on, against Debian's libraries,
# with no download: the upstream build fetches meson from PyPI and its
# dependencies as meson wraps (or a prebuilt worker), none of which is reachable.
#
#   build-mediasoup-worker.sh [--cache-dir DIR]          build, or reuse the cached binary;
#                                                        prints its path last
#   build-mediasoup-worker.sh --path [--cache-dir DIR]   print the cached binary's path for this
#                                                        machine, build nothing (exit 1 if not built)
#
# The binary is cached outside the repository under
#   ${BRANCHLINE_CACHE_DIR:-/var/cache/branchline}/mediasoup-worker/<key>/mediasoup-worker
# where <key> is the mediasoup version plus a hash of the Debian versions of the
# libraries it links (and of our patch), written out in key.txt beside it. The
# appliance finds it there (appliance/src/config: BRANCHLINE_MEDIA_ENGINE).
# The project's patches are in firmware-scripts/mediasoup/: system-libs.patch (meson build
# files: Debian's libraries instead of wraps), srtp-compat.h (libsrtp3's API over libsrtp2),
# dtmf-passthrough.patch (consumers forward telephone-event, which 3.19.3 drops).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
key_packages=(libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev libflatbuffers-dev libssl-dev)

say() { echo "mediasoup-worker: $*" >&2; }
die() { say "error: $*" && exit 1; }

mode=build
cache_dir="${BRANCHLINE_CACHE_DIR:-/var/cache/branchline}"
while [ $# -gt 0 ]; do
  case "$1" in
  --path) mode=path ;;
  --cache-dir) cache_dir="${2:?--cache-dir needs a directory}" && shift ;;
  *) echo "usage: $0 [--path] [--cache-dir DIR]" >&2 && exit 2 ;;
  esac
  shift
done
cache_root="$cache_dir/mediasoup-worker"

# The pinned version is the exact one in appliance/package.json.
version="$(node -e 'process.stdout.write(require(process.argv[1]).dependencies.mediasoup ?? "")' "$repo/appliance/package.json")"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "appliance/package.json must pin mediasoup to an exact version (has '$version')"

if [ "$mode" = build ]; then
  say "installing Debian build dependencies"
  bash "$here/install-system-deps.sh" --build >&2
fi

key_text="mediasoup $version"$'\n'
for p in "${key_packages[@]}"; do
  v="$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || true)"
  [ -n "$v" ] || { [ "$mode" = path ] && exit 1; die "Debian package $p is not installed"; }
  key_text+="$p $v"$'\n'
done
patches=("$here"/mediasoup/*.patch)
key_text+="patch $(cat "${patches[@]}" "$here/mediasoup/srtp-compat.h" | sha256sum | cut -c1-16)"$'\n'
key="$version-$(printf '%s' "$key_text" | sha256sum | cut -c1-16)"
dir="$cache_root/$key"
bin="$dir/mediasoup-worker"

usable() { [ -x "$bin" ] && ! ldd "$bin" 2>/dev/null | grep -q 'not found'; }

if [ "$mode" = path ]; then
  usable && echo "$bin" && exit 0
  exit 1
fi

mkdir -p "$cache_root"
# One build at a time per cache (CI and developers may start it together).
exec 9>"$cache_root/.lock"
flock 9
if usable; then
  say "cached: $bin ($(stat -c %s "$bin") bytes)"
  echo "$bin"
  exit 0
fi

say "no cached worker for key $key; building mediasoup $version (about 5 minutes on 2 cores)"
started=$SECONDS
work="$(mktemp -d "$cache_root/.build-XXXXXX")"
trap 'rm -rf "$work"' EXIT

pkg_dir="$repo/node_modules/mediasoup"
have="$(node -e 'try { process.stdout.write(require(process.argv[1]).version) } catch {}' "$pkg_dir/package.json")"
if [ "$have" = "$version" ] && [ -f "$pkg_dir/worker/meson.build" ]; then
  say "source: $pkg_dir/worker"
  cp -r "$pkg_dir/worker" "$work/worker"
else
  say "source: npm pack mediasoup@$version (node_modules has '${have:-nothing}')"
  (cd "$work" && npm pack --silent "mediasoup@$version" >/dev/null)
  tar -xzf "$work/mediasoup-$version.tgz" -C "$work" package/worker
  mv "$work/package/worker" "$work/worker"
fi

for p in "${patches[@]}"; do
  say "patching: $(basename "$p")"
  patch -s -p1 -d "$work" <"$p"
done
mkdir -p "$work/worker/compat"
cp "$here/mediasoup/srtp-compat.h" "$work/worker/compat/srtp.h"

say "meson setup"
(cd "$work/worker" && meson setup --wrap-mode=nodownload --buildtype release \
  -Db_ndebug=true -Db_pie=true -Db_staticpic=true -Dms_disable_liburing=true out/build) >"$work/setup.log" 2>&1 ||
  { tail -40 "$work/setup.log" >&2 && die "meson setup failed"; }

say "ninja (fbs/FBS mediasoup-worker, -j2)"
# One progress line per 25 compile steps; anything else ninja says (errors) as is.
set +e
ninja -C "$work/worker/out/build" -j2 fbs/FBS mediasoup-worker 2>&1 |
  while IFS= read -r line; do
    if [[ "$line" =~ ^\[([0-9]+)/([0-9]+)\] ]]; then
      n="${BASH_REMATCH[1]}" && total="${BASH_REMATCH[2]}"
      if [ $((n % 25)) -eq 0 ] || [ "$n" = "$total" ]; then say "compiled $n/$total ($((SECONDS - started)) s)"; fi
    else
      echo "$line" >&2
    fi
  done
ninja_status="${PIPESTATUS[0]}"
set -e
[ "$ninja_status" -eq 0 ] || die "ninja failed"

mkdir -p "$dir"
install -m 0755 "$work/worker/out/build/mediasoup-worker" "$bin.tmp"
strip "$bin.tmp"
printf '%s' "$key_text" >"$dir/key.txt"
mv "$bin.tmp" "$bin"
usable || die "built $bin but it does not load: $(ldd "$bin" | grep 'not found' | tr -d '\t')"
say "built in $((SECONDS - started)) s: $bin ($(stat -c %s "$bin") bytes)"
echo "$bin"
