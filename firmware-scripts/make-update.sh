#!/usr/bin/env bash
# Signed update bundles for the A/B updater (apply-update.sh).
#
#   make-update.sh keygen OUT_DIR
#       Ed25519 signing key pair: OUT_DIR/update-signing.key (0600, keep offline)
#       and OUT_DIR/update-signing.pub.pem (pin it on appliances).
#   make-update.sh build --version V --security-version N --payload DIR_OR_TARBALL --key KEY --out BUNDLE
#       BUNDLE is a tar of manifest.json {format, version, securityVersion, sha256,
#       createdAt}, manifest.sig (Ed25519 over manifest.json) and payload.tar.gz (the
#       slot's contents). The signature covers the manifest, the manifest pins the
#       payload. securityVersion (0..999999999, default 0) only ever goes up: raise it
#       when an old release must no longer install (apply-update.sh refuses lower ones).
#   make-update.sh authorize-downgrade --bundle BUNDLE --device ID --key KEY --out FILE
#       One-time permission for the device ID to install exactly BUNDLE although its
#       securityVersion is below the device's floor: a tar of downgrade.json {kind,
#       device, version, securityVersion, sha256, id, createdAt} and downgrade.sig.
set -euo pipefail

usage() {
  sed -n '2,19p' "$0" >&2
  exit 2
}

fail() {
  echo "error: $*" >&2
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
  local version="" security=0 payload="" key="" out=""
  while (($# > 0)); do
    case "$1" in
    --version) version="$2" && shift 2 ;;
    --security-version) security="$2" && shift 2 ;;
    --payload) payload="$2" && shift 2 ;;
    --key) key="$2" && shift 2 ;;
    --out) out="$2" && shift 2 ;;
    *) usage ;;
    esac
  done
  [[ -n "$version" && -n "$payload" && -n "$key" && -n "$out" ]] || usage
  [[ "$version" =~ ^[0-9A-Za-z._+-]{1,64}$ ]] || fail "bad version: $version"
  [[ "$security" =~ ^[0-9]{1,9}$ ]] || fail "bad security version (0..999999999): $security"
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
  printf '{"format":2,"version":"%s","securityVersion":%d,"sha256":"%s","createdAt":"%s"}\n' \
    "$version" "$((10#$security))" "$sha" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$work/manifest.json"
  openssl pkeyutl -sign -rawin -inkey "$key" -in "$work/manifest.json" -out "$work/manifest.sig"
  tar -C "$work" --owner=0 --group=0 --numeric-owner -cf "$out.tmp" manifest.json manifest.sig payload.tar.gz
  mv -f "$out.tmp" "$out"
  echo "$out"
}

authorize_downgrade() {
  local bundle="" device="" key="" out=""
  while (($# > 0)); do
    case "$1" in
    --bundle) bundle="$2" && shift 2 ;;
    --device) device="$2" && shift 2 ;;
    --key) key="$2" && shift 2 ;;
    --out) out="$2" && shift 2 ;;
    *) usage ;;
    esac
  done
  [[ -n "$bundle" && -n "$device" && -n "$key" && -n "$out" ]] || usage
  [[ "$device" =~ ^[0-9A-Za-z._:-]{1,128}$ ]] || fail "bad device id: $device"
  local work manifest version security sha
  work="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: the trap must remove this very directory
  trap "rm -rf '$work'" EXIT
  manifest="$(tar -xOf "$bundle" manifest.json 2>/dev/null)" || fail "not an update bundle: $bundle"
  version="$(sed -n 's/.*"version":"\([0-9A-Za-z._+-]\{1,64\}\)".*/\1/p' <<<"$manifest")"
  security="$(sed -n 's/.*"securityVersion":\([0-9]\{1,9\}\)[,}].*/\1/p' <<<"$manifest")"
  sha="$(sed -n 's/.*"sha256":"\([0-9a-f]\{64\}\)".*/\1/p' <<<"$manifest")"
  [[ -n "$version" && -n "$sha" ]] || fail "bundle manifest lacks version or sha256"
  printf '{"format":1,"kind":"branchline-downgrade","device":"%s","version":"%s","securityVersion":%d,"sha256":"%s","id":"%s","createdAt":"%s"}\n' \
    "$device" "$version" "$((10#${security:-0}))" "$sha" "$(openssl rand -hex 16)" \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$work/downgrade.json"
  openssl pkeyutl -sign -rawin -inkey "$key" -in "$work/downgrade.json" -out "$work/downgrade.sig"
  tar -C "$work" --owner=0 --group=0 --numeric-owner -cf "$out.tmp" downgrade.json downgrade.sig
  mv -f "$out.tmp" "$out"
  echo "$out"
}

case "${1:-}" in
keygen) [[ $# -eq 2 ]] || usage && keygen "$2" ;;
build) shift && build "$@" ;;
authorize-downgrade) shift && authorize_downgrade "$@" ;;
*) usage ;;
esac
