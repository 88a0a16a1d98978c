#!/usr/bin/env bash
# Builds the appliance root filesystem archive, or a bootable disk image, from this repository.
#
#   build-image.sh --out FILE [--version V] [--no-npm] [--debootstrap SUITE [--mirror URL]]
#   build-image.sh --disk FILE [--version V] [--pubkey PEM] [--test-shell] [--cache-dir DIR]
#
# Without --debootstrap the archive holds only Branchline's part of the root
# filesystem, to unpack over a Debian system that ran install-system-deps.sh:
#   opt/branchline/slots/a/          the application (npm ci --omit=dev, VERSION)
#   opt/branchline/current -> slots/a
#   opt/branchline/state/good        slot a is the known-good one
#   opt/branchline/tools/            apply-update, mark-good, rollback, console-screen (outside the slots)
#   opt/branchline/keys/             pinned update public key (--pubkey PEM, else
#                                    certs/update-signing.pub.pem if it exists)
#   etc/systemd/system/              units + enablement symlinks
#   usr/lib/sysusers.d/branchline.conf   the branchline system user
#   usr/local/bin/branchline         the CLI
# With --debootstrap SUITE (root, network to a Debian mirror; not run in CI) a
# minimal Debian is bootstrapped first and the system packages are installed into it.
# FILE ending in .zst is compressed with zstd, anything else with gzip.
#
# --disk FILE (root; mmdebstrap, e2fsprogs, qemu-img for .qcow2) writes a bootable
# ext4 disk image (raw, or qcow2 if FILE ends in .qcow2) with no partition table and
# no bootloader: Debian 12 from this machine's apt sources (mmdebstrap), the kernel,
# systemd, the runtime packages of install-system-deps.sh, this machine's Node
# binary (/usr/bin/node), all of the above in it, the mediasoup worker if
# build-mediasoup-worker.sh has cached one, and /etc/branchline/branchline.env
# binding the LAN with TLS. FILE.vmlinuz and FILE.initrd are written beside it for
# direct kernel boot (qemu -kernel FILE.vmlinuz -initrd FILE.initrd -append
# "root=/dev/vda rw console=ttyS0"). Both layers are cached under
# ${BRANCHLINE_CACHE_DIR:-/var/cache/branchline}/image/: base-<key>.tar (the Debian
# root; key: suite, package list, apt sources) and disk-<key>/ (key: base key, the
# app's files, node, worker, public key, --test-shell); a hit only copies.
# --test-shell adds a root shell on the second serial port (ttyS1) that starts only
# when the kernel command line holds branchline.testshell=1: for the QEMU boot
# test, never in a delivered image.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

out="" disk="" version="" npm=1 suite="" mirror="http://deb.debian.org/debian" pubkey="" test_shell=0
cache_dir="${BRANCHLINE_CACHE_DIR:-/var/cache/branchline}"
while (($# > 0)); do
  case "$1" in
  --out) out="$2" && shift 2 ;;
  --disk) disk="$2" && shift 2 ;;
  --version) version="$2" && shift 2 ;;
  --no-npm) npm=0 && shift ;;
  --debootstrap) suite="$2" && shift 2 ;;
  --mirror) mirror="$2" && shift 2 ;;
  --pubkey) pubkey="$2" && shift 2 ;;
  --test-shell) test_shell=1 && shift ;;
  --cache-dir) cache_dir="$2" && shift 2 ;;
  *) echo "unknown option $1" >&2 && exit 2 ;;
  esac
done
[[ -n "$out" || -n "$disk" ]] || { echo "usage: build-image.sh --out FILE | --disk FILE [options]" >&2 && exit 2; }
[[ -z "$out" || -z "$disk" ]] || { echo "build-image.sh: --out and --disk exclude each other" >&2 && exit 2; }
version="${version:-$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$repo/package.json" | head -1)}"
if [[ -z "$pubkey" && -f "$repo/certs/update-signing.pub.pem" ]]; then
  pubkey="$repo/certs/update-signing.pub.pem"
fi
[[ -z "$pubkey" || -f "$pubkey" ]] || { echo "build-image.sh: no such public key: $pubkey" >&2 && exit 2; }
say() { echo "build-image: $*" >&2; }

stage="$(mktemp -d)"
# shellcheck disable=SC2064 # expand now: the trap must remove this very directory
trap "rm -rf '$stage'" EXIT
rootfs="$stage/rootfs"
mkdir -p "$rootfs"

# The application: its sources, never local data, secrets or build junk.
app_members() {
  local p
  for p in package.json package-lock.json appliance sync web bin certs systemd firmware-scripts README.md scripts/console-build.mjs; do
    if [[ -e "$repo/$p" ]]; then echo "$p"; fi
  done
}
app_tar() {
  local members
  mapfile -t members < <(app_members)
  tar -C "$repo" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    --exclude=node_modules --exclude=.git --exclude=var --exclude=test-artifacts --exclude=.deno \
    --exclude='*.key' --exclude='*/private' --exclude='*.test.ts' --exclude='*.test.tsx' \
    -cf - "${members[@]}"
}

# Lays Branchline's part of the root filesystem into $rootfs.
lay_app() {
  local base="$rootfs/opt/branchline"
  local slot="$base/slots/a"
  mkdir -p "$slot" "$base/state" "$base/tools/lib" "$base/keys"
  app_tar | tar -C "$slot" -xf -
  if ((npm == 1)); then
    (cd "$slot" && npm ci --omit=dev --no-audit --no-fund >&2)
  fi
  echo "$version" >"$slot/VERSION"
  ln -sfn slots/a "$base/current"
  printf 'slot=a\nversion=%s\nat=%s\n' "$version" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$base/state/good"
  cp "$repo"/firmware-scripts/{apply-update.sh,mark-good.sh,rollback.sh,console-screen.sh} "$base/tools/"
  cp "$repo/firmware-scripts/lib/ab.sh" "$base/tools/lib/"
  if [[ -n "$pubkey" ]]; then
    cp "$pubkey" "$base/keys/update-signing.pub.pem"
  fi

  local units="$rootfs/etc/systemd/system"
  mkdir -p "$units/multi-user.target.wants" "$rootfs/etc/branchline"
  cp "$repo"/systemd/*.service "$repo"/systemd/*.timer "$units/"
  local u
  for u in branchline.service branchline-update-guard.service branchline-update-confirm.service branchline-console-screen.service; do
    ln -sfn "../$u" "$units/multi-user.target.wants/$u"
  done
  # The backup timer ships disabled: main.ts schedules the nightly backup in-process;
  # enable the timer instead when backups must run while the appliance is down.
  : >"$rootfs/etc/branchline/branchline.env"
  mkdir -p "$rootfs/usr/lib/sysusers.d" "$rootfs/usr/local/bin"
  echo 'u branchline - "Branchline appliance" /var/lib/branchline' >"$rootfs/usr/lib/sysusers.d/branchline.conf"
  ln -sfn /opt/branchline/current/bin/branchline.mjs "$rootfs/usr/local/bin/branchline"
}

# The console bundle is built here, where vite (a dev dependency) is installed: the
# slot's `npm ci --omit=dev` cannot build it, and its prepare step only checks the stamp.
node "$repo/scripts/console-build.mjs" ensure >&2

if [[ -n "$out" ]]; then
  out="$(realpath -m "$out")"
  if [[ -n "$suite" ]]; then
    debootstrap --variant=minbase "$suite" "$rootfs" "$mirror"
    cp "$repo/firmware-scripts/install-system-deps.sh" "$rootfs/tmp/"
    chroot "$rootfs" /tmp/install-system-deps.sh
    rm -f "$rootfs/tmp/install-system-deps.sh"
  fi
  lay_app
  mkdir -p "$(dirname "$out")"
  if [[ "$out" == *.zst ]]; then
    tar -C "$rootfs" --owner=0 --group=0 --numeric-owner -cf - . | zstd -q -T0 -o "$out.tmp"
  else
    tar -C "$rootfs" --owner=0 --group=0 --numeric-owner -czf "$out.tmp" .
  fi
  mv -f "$out.tmp" "$out"
  echo "$out"
  exit 0
fi

# ---- --disk: a bootable Debian 12 disk image --------------------------------------------
disk="$(realpath -m "$disk")"
((EUID == 0)) || { echo "build-image.sh --disk needs root (mmdebstrap, file ownership)" >&2 && exit 2; }
missing=()
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs)
if [[ "$disk" == *.qcow2 ]]; then command -v qemu-img >/dev/null || missing+=(qemu-utils); fi
if ((${#missing[@]} > 0)); then
  echo "build-image.sh --disk needs the Debian packages: ${missing[*]}" \
    "(apt-get install ${missing[*]}, or install-system-deps.sh --test)" >&2
  exit 2
fi
[[ -x /usr/bin/node ]] || { echo "build-image.sh --disk copies /usr/bin/node into the image: not found" >&2 && exit 2; }

image_suite="${suite:-bookworm}"
# Besides the appliance's runtime packages: a kernel, systemd as init, udev (networkd
# waits for it), D-Bus, iproute2, procps and kmod.
mapfile -t packages < <(bash "$repo/firmware-scripts/install-system-deps.sh" --print)
packages+=(linux-image-amd64 initramfs-tools systemd-sysv udev dbus iproute2 procps kmod)
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  if [[ -f "$f" ]]; then sources+=("$f"); fi
done
((${#sources[@]} > 0)) || { echo "build-image.sh --disk: no apt sources on this machine" >&2 && exit 2; }
if [[ -n "$suite" && "$mirror" != "http://deb.debian.org/debian" ]]; then sources=("$mirror"); fi

base_key="$(
  {
    echo "suite $image_suite"
    printf 'package %s\n' "${packages[@]}" | sort
    cat "${sources[@]}"
    mmdebstrap --version
  } | sha256sum | cut -c1-16
)"
node_sum="$(sha256sum /usr/bin/node | cut -c1-16)"
worker="$(bash "$repo/firmware-scripts/build-mediasoup-worker.sh" --path --cache-dir "$cache_dir" 2>/dev/null || true)"
disk_key="$(
  {
    echo "base $base_key"
    echo "version $version"
    echo "node $node_sum"
    echo "test-shell $test_shell"
    if [[ -n "$pubkey" ]]; then echo "pubkey $(sha256sum <"$pubkey")"; fi
    if [[ -n "$worker" ]]; then echo "worker $worker $(sha256sum <"$worker")"; fi
    echo "app $(app_tar | sha256sum)"
    echo "script $(sha256sum <"${BASH_SOURCE[0]}")"
  } | sha256sum | cut -c1-16
)"
img_cache="$cache_dir/image"
mkdir -p "$img_cache"
# One image build at a time per cache.
exec 9>"$img_cache/.lock"
flock 9

base_tar="$img_cache/base-$base_key.tar"
disk_dir="$img_cache/disk-$disk_key"
started=$SECONDS
if [[ ! -f "$disk_dir/disk.raw" ]]; then
  if [[ ! -f "$base_tar" ]]; then
    say "no cached Debian root for key $base_key: mmdebstrap $image_suite (${#packages[@]} packages)"
    list="$(IFS=, && echo "${packages[*]}")"
    mmdebstrap --variant=apt --mode=root --format=tar --include="$list" \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
      "$image_suite" "$base_tar.tmp" "${sources[@]}" >&2
    mv -f "$base_tar.tmp" "$base_tar"
    say "Debian root cached: $base_tar ($((SECONDS - started)) s)"
  fi
  say "building disk $disk_key"
  tar -C "$rootfs" --numeric-owner --xattrs --xattrs-include='*' -xpf "$base_tar"
  lay_app

  # Node 20 is not a Debian 12 package: the image runs this machine's binary.
  install -m 0755 /usr/bin/node "$rootfs/usr/bin/node"
  if [[ -n "$worker" ]]; then
    # Where the appliance looks by default (BRANCHLINE_CACHE_DIR=/var/cache/branchline).
    install -D -m 0755 "$worker" "$rootfs/var/cache/branchline/mediasoup-worker/$(basename "$(dirname "$worker")")/mediasoup-worker"
  fi
  # On the LAN, with TLS: every interface, HTTPS on 443, HTTP on 80 only redirects
  # (loopback clients such as mark-good.sh are still served).
  cat >"$rootfs/etc/branchline/branchline.env" <<'ENV'
# Branchline appliance settings (see the README's settings table); read by
# branchline.service and by the update confirmation (mark-good.sh).
BRANCHLINE_BIND=0.0.0.0
BRANCHLINE_HTTPS_PORT=443
BRANCHLINE_HTTP_PORT=80
ENV
  echo branchline >"$rootfs/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\tbranchline\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$rootfs/etc/hosts"
  echo '/dev/vda / ext4 defaults,errors=remount-ro 0 1' >"$rootfs/etc/fstab"
  # A fresh machine id at first boot.
  : >"$rootfs/etc/machine-id"
  mkdir -p "$rootfs/etc/systemd/network"
  printf '[Match]\nType=ether\n\n[Network]\nDHCP=yes\n' >"$rootfs/etc/systemd/network/20-lan.network"
  systemctl --root="$rootfs" enable systemd-networkd.service systemd-networkd-wait-online.service >&2
  # No password login: root is locked (console access is physical access anyway).
  chroot "$rootfs" passwd -l root >/dev/null
  if ((test_shell == 1)); then
    cat >"$rootfs/etc/systemd/system/branchline-test-shell.service" <<'UNIT'
# TEST IMAGES ONLY (build-image.sh --test-shell): a root shell on the second serial
# port for the QEMU boot test, and only when the kernel command line asks for it.
[Unit]
Description=Branchline test shell on ttyS1 (test images only)
ConditionKernelCommandLine=branchline.testshell=1
After=systemd-user-sessions.service

[Service]
ExecStartPre=/bin/stty -F /dev/ttyS1 raw -echo 115200
ExecStart=/bin/bash --noprofile --norc
StandardInput=tty-force
StandardOutput=tty
# Not the tty: bash then runs non-interactively (no prompt, no line editing).
StandardError=journal
TTYPath=/dev/ttyS1
Restart=always

[Install]
WantedBy=multi-user.target
UNIT
    systemctl --root="$rootfs" enable branchline-test-shell.service >&2
    # Under QEMU without KVM (TCG) the first start (tsx compiling the sources) takes
    # minutes, past branchline.service's 90 s start timeout; hardware does not need this.
    mkdir -p "$rootfs/etc/systemd/system/branchline.service.d"
    printf '# TEST IMAGES ONLY: emulated CPU\n[Service]\nTimeoutStartSec=20min\n' \
      >"$rootfs/etc/systemd/system/branchline.service.d/test-emulated-cpu.conf"
  fi

  mkdir -p "$disk_dir.tmp"
  cp "$(readlink -f "$rootfs/vmlinuz")" "$disk_dir.tmp/vmlinuz"
  cp "$(readlink -f "$rootfs/initrd.img")" "$disk_dir.tmp/initrd"
  # Room for slot b, the data directory and logs besides what is installed.
  used_mb=$(($(du -sm "$rootfs" | cut -f1)))
  size_mb=$((used_mb * 2 + 2048))
  rm -f "$disk_dir.tmp/disk.raw"
  mkfs.ext4 -q -F -L branchline -d "$rootfs" "$disk_dir.tmp/disk.raw" "${size_mb}M" >&2
  printf 'base %s\nused_mb %s\nsize_mb %s\n' "$base_key" "$used_mb" "$size_mb" >"$disk_dir.tmp/info"
  rm -rf "$disk_dir"
  mv "$disk_dir.tmp" "$disk_dir"
  say "disk cached: $disk_dir ($used_mb MB used of $size_mb MB, $((SECONDS - started)) s)"
else
  say "cached disk $disk_key"
fi

mkdir -p "$(dirname "$disk")"
if [[ "$disk" == *.qcow2 ]]; then
  qemu-img convert -O qcow2 "$disk_dir/disk.raw" "$disk.tmp"
else
  cp --sparse=always "$disk_dir/disk.raw" "$disk.tmp"
fi
mv -f "$disk.tmp" "$disk"
cp "$disk_dir/vmlinuz" "$disk.vmlinuz"
cp "$disk_dir/initrd" "$disk.initrd"
echo "$disk"
