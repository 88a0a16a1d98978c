#!/usr/bin/env bash
# Debian packages the appliance needs (Node.js 20 itself is assumed present).
#
#   install-system-deps.sh            runtime packages
#   install-system-deps.sh --build    runtime + the toolchain and libraries that
#                                     build-mediasoup-worker.sh builds the media worker with
#   install-system-deps.sh --test     runtime + build + what the test suite drives
#   install-system-deps.sh --print    list the packages, install nothing
set -euo pipefail

runtime=(
  openssl         # local CA and certificates (certs/, system/certs.ts), update signatures
  systemd         # units, sd_notify helper (systemd-notify), systemd-analyze
  curl            # mark-good.sh health probe
  zstd            # image archives
  ca-certificates
  espeak-ng       # on-device TTS prompts
  sox             # audio conversion for prompts and recordings
  libsox-fmt-all
  pocketsphinx    # on-device ASR
  pocketsphinx-en-us
  libuv1          # shared libraries the mediasoup worker links (build-mediasoup-worker.sh)
  libsrtp2-1
  libusrsctp2
  libabsl20220623
)
testing=(
  chromium        # console tests via playwright-core
  sip-tester      # sipp as a SIP peer
  baresip         # SIP softphone peer
  strace          # proves fsync before 2xx
  shellcheck      # lints these scripts
  dovecot-imapd   # real IMAP server for the email IMAP-polling tests (they start their own; the packaged service is unused)
  fonts-wqy-zenhei # CJK glyphs in the zh-CN console screenshots
  qemu-system-x86 # boots the appliance disk image (tests/image-qemu-boot.test.ts)
  qemu-utils      # qemu-img
  mmdebstrap      # build-image.sh --disk bootstraps the image's Debian root
  rsyslog         # real syslog collector for the audit → SIEM tests (they start their own; the packaged service is unused)
  rsyslog-gnutls  # its TLS (RFC 5425) listener
  slapd           # real OpenLDAP for the directory sign-in tests (they start their own in a temp dir)
  ldap-utils      # ldapmodify/ldapadd the directory tests use to disable users
)

build=(
  g++             # mediasoup's C++ worker (build-mediasoup-worker.sh)
  pkg-config
  meson
  ninja-build
  patch
  libuv1-dev      # the libraries it links instead of mediasoup's meson wraps
  libssl-dev
  libsrtp2-dev
  libusrsctp-dev
  libabsl-dev
  libflatbuffers-dev
  flatbuffers-compiler
)

packages=("${runtime[@]}")
case "${1:-}" in
--build) packages+=("${build[@]}") ;;
--test) packages+=("${build[@]}" "${testing[@]}") ;;
--print) printf '%s\n' "${runtime[@]}" && exit 0 ;;
"") ;;
*) echo "usage: $0 [--build|--test|--print]" >&2 && exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages: all ${#packages[@]} present"
  exit 0
fi
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
