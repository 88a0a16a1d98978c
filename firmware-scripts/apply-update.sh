#!/usr/bin/env bash
# Applies a signed update bundle (make-update.sh) to the inactive A/B slot.
#
#   apply-update.sh BUNDLE [--pubkey PEM] [--root DIR] [--deadline SECONDS]
#                   [--max-boots N] [--restart-unit UNIT] [--force]
#
# Verifies the Ed25519 signature against the pinned public key (default
# ROOT/keys/update-signing.pub.pem, laid down by the image, never by an update),
# checks the payload's SHA-256 against the signed manifest, unpacks into the
# inactive slot, switches ROOT/current atomically and records the update as
# pending. mark-good.sh confirms it after /healthz answers; otherwise
# rollback.sh (timer or boot guard) switches back after SECONDS or N boots.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/ab.sh
source "$here/lib/ab.sh"

bundle="" pubkey="" deadline=600 max_boots=1 unit="" force=0
while (($# > 0)); do
  case "$1" in
  --pubkey) pubkey="$2" && shift 2 ;;
  --root) AB_ROOT="$2" && shift 2 ;;
  --deadline) deadline="$2" && shift 2 ;;
  --max-boots) max_boots="$2" && shift 2 ;;
  --restart-unit) unit="$2" && shift 2 ;;
  --force) force=1 && shift ;;
  -*) ab_die "unknown option $1" ;;
  *) bundle="$1" && shift ;;
  esac
done
[[ -n "$bundle" && -f "$bundle" ]] || ab_die "usage: apply-update.sh BUNDLE [options] (see the header)"
[[ "$deadline" =~ ^[0-9]+$ && "$max_boots" =~ ^[0-9]+$ ]] || ab_die "--deadline and --max-boots take numbers"
pubkey="${pubkey:-$AB_ROOT/keys/update-signing.pub.pem}"
[[ -f "$pubkey" ]] || ab_die "pinned public key not found: $pubkey"
if ab_has_pending && ((force == 0)); then
  ab_die "an update is still pending confirmation (mark-good.sh or rollback.sh first, or --force)"
fi

work="$(mktemp -d)"
# shellcheck disable=SC2064 # expand now: the trap must remove this very directory
trap "rm -rf '$work'" EXIT

# Only the three known members are extracted; nothing else in the bundle is touched
# before the signature is checked.
tar -xf "$bundle" -C "$work" --no-same-owner --no-same-permissions \
  manifest.json manifest.sig payload.tar.gz 2>/dev/null || ab_die "not an update bundle: $bundle"
if ! openssl pkeyutl -verify -pubin -inkey "$pubkey" -rawin \
  -in "$work/manifest.json" -sigfile "$work/manifest.sig" >/dev/null 2>&1; then
  ab_die "bad signature: bundle refused"
fi
manifest="$(cat "$work/manifest.json")"
version="$(sed -n 's/.*"version":"\([0-9A-Za-z._+-]\{1,64\}\)".*/\1/p' <<<"$manifest")"
want_sha="$(sed -n 's/.*"sha256":"\([0-9a-f]\{64\}\)".*/\1/p' <<<"$manifest")"
[[ -n "$version" && -n "$want_sha" ]] || ab_die "manifest lacks version or sha256"
have_sha="$(sha256sum "$work/payload.tar.gz" | cut -d' ' -f1)"
[[ "$have_sha" == "$want_sha" ]] || ab_die "payload checksum mismatch: bundle refused"

current="$(ab_current_slot)"
target="$(ab_other_slot "$current")"
slot_dir="$AB_ROOT/slots/$target"
rm -rf "$slot_dir" "$slot_dir.new"
mkdir -p "$slot_dir.new"
tar -xzf "$work/payload.tar.gz" -C "$slot_dir.new" --no-same-owner
echo "$version" >"$slot_dir.new/VERSION"
mv -T "$slot_dir.new" "$slot_dir"
sync

ab_write_state pending "slot=$target" "previous=$current" "version=$version" \
  "applied=$(date +%s)" "deadline=$(($(date +%s) + deadline))" "boots=0" "max_boots=$max_boots"
ab_switch_to "$target"
ab_log "version $version unpacked into slot $target; current -> $target (pending confirmation)"
if [[ -n "$unit" ]]; then
  systemctl restart "$unit"
fi
