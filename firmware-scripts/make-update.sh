#!/usr/bin/env bash
# Signed update bundles for the A/B updater (apply-update.sh).
#
#   make-update.sh keygen OUT_DIR
#       Ed25519 signing key pair: OUT_DIR/update-signing.key (0600, keep offline)
#       and OUT_DIR/update-signing.pub.pem (pin it on appliances).
#   make-update.sh build --version V --payload DIR_OR_TARBALL --key KEY --out BUNDLE
#       BUNDLE is a tar of manifest.json {format, version, sha256, createdAt},
#       manifest.sig (Ed25519 over manifest.json) and payload.tar.gz (the slot's
#       contents). The signature covers the manifest, the manifest pins the payload.
set -euo pipefail

usage() {
  sed -n '2,11p' "$0" >&2
  exit 2
}

keygen() {
  local out="$1"
  mkdir -p "$out"
  (umask 077 && openssl genpkey -algorithm ed25519 -out "$out/update-signing.key")
  openssl pkey -in "$out/update-signing.key" -pubout -out "$out/update-signing.pub.pem"
  echo "$out/update-signing.pub.pem"
}

build() {
  local version="" payload="" key="" out=""
  while (($# > 0)); do
    case "$1" in
    --version) version="$2" && shift 2 ;;
    --payload) payload="$2" && shift 2 ;;
    --key) key="$2" && shift 2 ;;
    --out) out="$2" && shift 2 ;;
    *) usage ;;
    esac
  done
  [[ -n "$version" && -n "$payload" && -n "$key" && -n "$out" ]] || usage
  [[ "$version" =~ ^[0-9A-Za-z._+-]{1,64}$ ]] || { echo "error: bad version: $version" >&2 && exit 2; }
  local work
  work="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: the trap must remove this very directory
  trap "rm -rf '$work'" EXIT
  if [[ -d "$payload" ]]; then
    tar -C "$payload" --owner=0 --group=0 --numeric-owner -czf "$work/payload.tar.gz" .
  else
    cp "$payload" "$work/payload.tar.gz"
  fi
  local sha
  sha="$(sha256sum "$work/payload.tar.gz" | cut -d' ' -f1)"
  printf '{"format":1,"version":"%s","sha256":"%s","createdAt":"%s"}\n' \
    "$version" "$sha" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$work/manifest.json"
  openssl pkeyutl -sign -rawin -inkey "$key" -in "$work/manifest.json" -out "$work/manifest.sig"
  tar -C "$work" --owner=0 --group=0 --numeric-owner -cf "$out.tmp" manifest.json manifest.sig payload.tar.gz
  mv -f "$out.tmp" "$out"
  echo "$out"
}

case "${1:-}" in
keygen) [[ $# -eq 2 ]] || usage && keygen "$2" ;;
build) shift && build "$@" ;;
*) usage ;;
esac
