#!/usr/bin/env bash
# Applies a signed update bundle (make-update.sh) to the inactive A/B slot.
#
#   apply-update.sh BUNDLE [--pubkey PEM] [--root DIR] [--deadline SECONDS]
#                   [--max-boots N] [--restart-unit UNIT] [--force]
#                   [--downgrade-auth FILE]
#
# Verifies the Ed25519 signature against the pinned public key (default
# ROOT/keys/update-signing.pub.pem, laid down by the image, never by an update),
# checks the payload's SHA-256 against the signed manifest, unpacks into the
# inactive slot, switches ROOT/current atomically and records the update as
# pending. mark-good.sh confirms it after /healthz answers; otherwise
# rollback.sh (timer or boot guard) switches back after SECONDS or N boots.
#
# Anti-rollback: a bundle whose signed securityVersion is below ROOT/state/security-floor
# (the highest one confirmed good) is refused, unless FILE is a downgrade
# authorisation (make-update.sh authorize-downgrade) signed by the same key for this
# bundle's payload, version and this device's id (ab_device_id). Each authorisation
# works once; its use is recorded in ROOT/state/downgrades and sent to syslog.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/ab.sh
source "$here/lib/ab.sh"

bundle="" pubkey="" deadline=600 max_boots=1 unit="" force=0 auth=""
while (($# > 0)); do
  case "$1" in
  --pubkey) pubkey="$2" && shift 2 ;;
  --root) AB_ROOT="$2" && shift 2 ;;
  --deadline) deadline="$2" && shift 2 ;;
  --max-boots) max_boots="$2" && shift 2 ;;
  --restart-unit) unit="$2" && shift 2 ;;
  --force) force=1 && shift ;;
  --downgrade-auth) auth="$2" && shift 2 ;;
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
# Format 1 manifests predate the field: they count as security version 0.
security="$(sed -n 's/.*"securityVersion":\([0-9]\{1,9\}\)[,}].*/\1/p' <<<"$manifest")"
security=$((10#${security:-0}))
floor="$(ab_security_floor)"
auth_id=""
if ((security < floor)); then
  [[ -n "$auth" ]] || ab_die "UPDATE_DOWNGRADE_REFUSED: version $version has security version $security," \
    "below this appliance's floor $floor; a signed downgrade authorisation for it is required"
  [[ -f "$auth" ]] || ab_die "UPDATE_DOWNGRADE_AUTH_INVALID: no such file: $auth"
  mkdir "$work/auth"
  tar -xf "$auth" -C "$work/auth" --no-same-owner --no-same-permissions downgrade.json downgrade.sig \
    2>/dev/null || ab_die "UPDATE_DOWNGRADE_AUTH_INVALID: not a downgrade authorisation: $auth"
  openssl pkeyutl -verify -pubin -inkey "$pubkey" -rawin -in "$work/auth/downgrade.json" \
    -sigfile "$work/auth/downgrade.sig" >/dev/null 2>&1 ||
    ab_die "UPDATE_DOWNGRADE_AUTH_INVALID: bad signature on the downgrade authorisation"
  grant="$(cat "$work/auth/downgrade.json")"
  field() { sed -n "s/.*\"$1\":\"\([0-9A-Za-z._:+-]\{1,128\}\)\".*/\1/p" <<<"$grant"; }
  device="$(ab_device_id)"
  [[ "$(field kind)" == branchline-downgrade ]] || ab_die "UPDATE_DOWNGRADE_AUTH_INVALID: not a downgrade authorisation"
  [[ "$(field device)" == "$device" ]] ||
    ab_die "UPDATE_DOWNGRADE_AUTH_MISMATCH: authorisation is for device '$(field device)', this is '$device'"
  [[ "$(field version)" == "$version" && "$(field sha256)" == "$want_sha" ]] ||
    ab_die "UPDATE_DOWNGRADE_AUTH_MISMATCH: authorisation is for version '$(field version)', not this bundle ($version)"
  auth_id="$(field id)"
  [[ "$auth_id" =~ ^[0-9a-f]{32}$ ]] || ab_die "UPDATE_DOWNGRADE_AUTH_INVALID: authorisation has no id"
  if grep -q "^id=$auth_id " "$AB_ROOT/state/downgrades" 2>/dev/null; then
    ab_die "UPDATE_DOWNGRADE_AUTH_USED: authorisation $auth_id was already used"
  fi
fi

current="$(ab_current_slot)"
target="$(ab_other_slot "$current")"
slot_dir="$AB_ROOT/slots/$target"
rm -rf "$slot_dir" "$slot_dir.new"
mkdir -p "$slot_dir.new"
tar -xzf "$work/payload.tar.gz" -C "$slot_dir.new" --no-same-owner
echo "$version" >"$slot_dir.new/VERSION"
mv -T "$slot_dir.new" "$slot_dir"
sync

if [[ -n "$auth_id" ]]; then
  # Recorded before the switch: an authorisation is spent even if what follows fails.
  mkdir -p "$AB_ROOT/state"
  line="id=$auth_id version=$version security_version=$security floor=$floor device=$device at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "$line" >>"$AB_ROOT/state/downgrades"
  sync "$AB_ROOT/state/downgrades" 2>/dev/null || sync
  logger -t branchline-update -p auth.notice "authorised downgrade: $line" 2>/dev/null || true
  ab_log "AUTHORISED DOWNGRADE to $version (security version $security < floor $floor) [$line]"
fi
ab_write_state pending "slot=$target" "previous=$current" "version=$version" "security_version=$security" \
  "applied=$(date +%s)" "deadline=$(($(date +%s) + deadline))" "boots=0" "max_boots=$max_boots"
ab_switch_to "$target"
ab_log "version $version unpacked into slot $target; current -> $target (pending confirmation)"
if [[ -n "$unit" ]]; then
  systemctl restart "$unit"
fi
