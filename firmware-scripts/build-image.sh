#!/usr/bin/env bash
# Builds the appliance root filesystem archive from this repository.
#
#   build-image.sh --out FILE [--version V] [--no-npm] [--debootstrap SUITE [--mirror URL]]
#
# Without --debootstrap the archive holds only Branchline's part of the root
# filesystem, to unpack over a Debian system that ran install-system-deps.sh:
#   opt/branchline/slots/a/          the application (npm ci --omit=dev, VERSION)
#   opt/branchline/current -> slots/a
#   opt/branchline/state/good        slot a is the known-good one
#   opt/branchline/tools/            apply-update, mark-good, rollback (outside the slots)
#   opt/branchline/keys/             pinned update public key, if certs/update-signing.pub.pem exists
#   etc/systemd/system/              units + enablement symlinks
#   usr/lib/sysusers.d/branchline.conf   the branchline system user
#   usr/local/bin/branchline         the CLI
# With --debootstrap SUITE (root, network to a Debian mirror; not run in CI) a
# minimal Debian is bootstrapped first and the system packages are installed into it.
# FILE ending in .zst is compressed with zstd, anything else with gzip.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

out="" version="" npm=1 suite="" mirror="http://deb.debian.org/debian"
while (($# > 0)); do
  case "$1" in
  --out) out="$2" && shift 2 ;;
  --version) version="$2" && shift 2 ;;
  --no-npm) npm=0 && shift ;;
  --debootstrap) suite="$2" && shift 2 ;;
  --mirror) mirror="$2" && shift 2 ;;
  *) echo "unknown option $1" >&2 && exit 2 ;;
  esac
done
[[ -n "$out" ]] || { echo "usage: build-image.sh --out FILE [options]" >&2 && exit 2; }
version="${version:-$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$repo/package.json" | head -1)}"
out="$(realpath -m "$out")"

stage="$(mktemp -d)"
# shellcheck disable=SC2064 # expand now: the trap must remove this very directory
trap "rm -rf '$stage'" EXIT
rootfs="$stage/rootfs"
mkdir -p "$rootfs"

if [[ -n "$suite" ]]; then
  debootstrap --variant=minbase "$suite" "$rootfs" "$mirror"
  cp "$repo/firmware-scripts/install-system-deps.sh" "$rootfs/tmp/"
  chroot "$rootfs" /tmp/install-system-deps.sh
  rm -f "$rootfs/tmp/install-system-deps.sh"
fi

base="$rootfs/opt/branchline"
slot="$base/slots/a"
mkdir -p "$slot" "$base/state" "$base/tools/lib" "$base/keys"
# The application: its sources, never local data, secrets or build junk.
members=()
# The console bundle is built here, where vite (a dev dependency) is installed: the
# slot's `npm ci --omit=dev` cannot build it, and its prepare step only checks the stamp.
node "$repo/scripts/console-build.mjs" ensure >&2
for p in package.json package-lock.json appliance sync web bin certs systemd firmware-scripts README.md scripts/console-build.mjs; do
  if [[ -e "$repo/$p" ]]; then members+=("$p"); fi
done
tar -C "$repo" \
  --exclude=node_modules --exclude=.git --exclude=var --exclude=test-artifacts --exclude=.deno \
  --exclude='*.key' --exclude='*/private' --exclude='*.test.ts' --exclude='*.test.tsx' \
  -cf - "${members[@]}" | tar -C "$slot" -xf -
if ((npm == 1)); then
  (cd "$slot" && npm ci --omit=dev --no-audit --no-fund)
fi
echo "$version" >"$slot/VERSION"
ln -sfn slots/a "$base/current"
printf 'slot=a\nversion=%s\nat=%s\n' "$version" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$base/state/good"
cp "$repo"/firmware-scripts/{apply-update.sh,mark-good.sh,rollback.sh} "$base/tools/"
cp "$repo/firmware-scripts/lib/ab.sh" "$base/tools/lib/"
if [[ -f "$repo/certs/update-signing.pub.pem" ]]; then
  cp "$repo/certs/update-signing.pub.pem" "$base/keys/"
fi

units="$rootfs/etc/systemd/system"
mkdir -p "$units/multi-user.target.wants" "$rootfs/etc/branchline"
cp "$repo"/systemd/*.service "$repo"/systemd/*.timer "$units/"
for u in branchline.service branchline-update-guard.service branchline-update-confirm.service; do
  ln -sfn "../$u" "$units/multi-user.target.wants/$u"
done
# The backup timer ships disabled: main.ts schedules the nightly backup in-process;
# enable the timer instead when backups must run while the appliance is down.
: >"$rootfs/etc/branchline/branchline.env"
mkdir -p "$rootfs/usr/lib/sysusers.d" "$rootfs/usr/local/bin"
echo 'u branchline - "Branchline appliance" /var/lib/branchline' >"$rootfs/usr/lib/sysusers.d/branchline.conf"
ln -sfn /opt/branchline/current/bin/branchline.mjs "$rootfs/usr/local/bin/branchline"

mkdir -p "$(dirname "$out")"
if [[ "$out" == *.zst ]]; then
  tar -C "$rootfs" --owner=0 --group=0 --numeric-owner -cf - . | zstd -q -T0 -o "$out.tmp"
else
  tar -C "$rootfs" --owner=0 --group=0 --numeric-owner -czf "$out.tmp" .
fi
mv -f "$out.tmp" "$out"
echo "$out"
