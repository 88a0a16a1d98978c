#!/usr/bin/env bash
# A/B slot helpers shared by apply-update.sh, mark-good.sh and rollback.sh (sourced).
#
# Layout under AB_ROOT (default /opt/branchline):
#   slots/a, slots/b   two complete copies of the application
#   current            symlink -> slots/<active>, switched with one rename(2)
#   state/pending      KEY=VALUE file while an update awaits confirmation
#   state/good         KEY=VALUE file naming the last slot confirmed healthy
#   state/last-rollback  what was rolled back, when and why
#   state/security-floor  highest securityVersion ever confirmed good (anti-rollback);
#                      apply-update.sh refuses bundles below it. Never lowered.
#   state/downgrades   one line per signed downgrade authorisation used (id, version, when)
#   device-id          this appliance's id for downgrade authorisations (else /etc/machine-id)
# shellcheck shell=bash

AB_ROOT="${AB_ROOT:-/opt/branchline}"

ab_die() {
  echo "error: $*" >&2
  exit 1
}

ab_log() {
  echo "[ab] $*" >&2
}

# Prints the active slot name (a or b).
ab_current_slot() {
  local target
  target="$(readlink "$AB_ROOT/current" 2>/dev/null)" || ab_die "no current slot symlink at $AB_ROOT/current"
  target="${target%/}"
  case "${target##*/}" in
  a | b) echo "${target##*/}" ;;
  *) ab_die "current points at an unknown slot: $target" ;;
  esac
}

ab_other_slot() {
  case "$1" in
  a) echo b ;;
  b) echo a ;;
  *) ab_die "unknown slot: $1" ;;
  esac
}

# Points current at slots/$1 atomically: a new symlink renamed over the old one.
ab_switch_to() {
  local slot="$1"
  [[ -d "$AB_ROOT/slots/$slot" ]] || ab_die "slot $slot does not exist"
  ln -sfn "slots/$slot" "$AB_ROOT/current.new"
  mv -T "$AB_ROOT/current.new" "$AB_ROOT/current"
  sync "$AB_ROOT" 2>/dev/null || sync
}

# Writes KEY=VALUE lines from the arguments into a state file, atomically.
ab_write_state() {
  local name="$1"
  shift
  mkdir -p "$AB_ROOT/state"
  printf '%s\n' "$@" >"$AB_ROOT/state/$name.tmp"
  mv -f "$AB_ROOT/state/$name.tmp" "$AB_ROOT/state/$name"
}

# Prints the value of KEY in a state file (empty when absent). Never sources the file.
ab_state_get() {
  local name="$1" key="$2" k v
  [[ -f "$AB_ROOT/state/$name" ]] || return 0
  while IFS='=' read -r k v; do
    if [[ "$k" == "$key" ]]; then
      echo "$v"
      return 0
    fi
  done <"$AB_ROOT/state/$name"
}

ab_has_pending() {
  [[ -f "$AB_ROOT/state/pending" ]]
}

# Switches back to the slot that was active before the pending update.
ab_rollback() {
  local reason="$1" previous failed
  ab_has_pending || ab_die "nothing to roll back: no pending update"
  previous="$(ab_state_get pending previous)"
  failed="$(ab_state_get pending slot)"
  [[ "$previous" == a || "$previous" == b ]] || ab_die "pending state names no previous slot"
  ab_switch_to "$previous"
  ab_write_state last-rollback "from=$failed" "to=$previous" "reason=$reason" "at=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    "version=$(ab_state_get pending version)"
  rm -f "$AB_ROOT/state/pending"
  ab_log "rolled back from slot $failed to $previous: $reason"
}

# Prints the anti-rollback floor: the highest securityVersion confirmed good (0 when none).
ab_security_floor() {
  local floor
  floor="$(ab_state_get security-floor security_version)"
  [[ "$floor" =~ ^[0-9]{1,9}$ ]] && echo "$((10#$floor))" || echo 0
}

# Prints this appliance's id: AB_DEVICE_ID_FILE, else ROOT/device-id, else /etc/machine-id.
ab_device_id() {
  local f id
  for f in "${AB_DEVICE_ID_FILE:-}" "$AB_ROOT/device-id" /etc/machine-id; do
    [[ -n "$f" && -f "$f" ]] || continue
    id="$(tr -d '[:space:]' <"$f")"
    [[ "$id" =~ ^[0-9A-Za-z._:-]{1,128}$ ]] && echo "$id" && return 0
  done
  ab_die "no device id (write $AB_ROOT/device-id)"
}

# Confirms the pending update: its slot becomes the known-good one, and its
# securityVersion raises the anti-rollback floor (never lowers it). The floor moves
# on confirmation, not on apply, so a failed update can still roll back.
ab_mark_good() {
  local slot security floor
  ab_has_pending || return 0
  slot="$(ab_state_get pending slot)"
  [[ "$(ab_current_slot)" == "$slot" ]] || ab_die "current slot is not the pending one ($slot)"
  security="$(ab_state_get pending security_version)"
  [[ "$security" =~ ^[0-9]{1,9}$ ]] || security=0
  security=$((10#$security))
  floor="$(ab_security_floor)"
  ab_write_state good "slot=$slot" "version=$(ab_state_get pending version)" "security_version=$security" \
    "at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  if ((security > floor)); then
    ab_write_state security-floor "security_version=$security" "version=$(ab_state_get pending version)" \
      "at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  fi
  rm -f "$AB_ROOT/state/pending"
  ab_log "slot $slot marked good (security version $security, floor $((security > floor ? security : floor)))"
}

# Rolls back an unconfirmed update once it is past its deadline (seconds since
# apply) or, with "boot", once it has been booted more than max_boots times.
ab_rollback_if_due() {
  local mode="$1" now deadline boots max_boots
  ab_has_pending || return 0
  now="$(date +%s)"
  deadline="$(ab_state_get pending deadline)"
  boots="$(ab_state_get pending boots)"
  max_boots="$(ab_state_get pending max_boots)"
  [[ "$boots" =~ ^[0-9]+$ ]] || boots=0
  [[ "$max_boots" =~ ^[0-9]+$ ]] || max_boots=1
  if [[ "$mode" == boot ]]; then
    boots=$((boots + 1))
    if ((boots > max_boots)); then
      ab_rollback "not marked good after $max_boots boot(s)"
      return 0
    fi
    ab_write_state pending "$(grep -v "^boots=" "$AB_ROOT/state/pending" || true)" "boots=$boots"
  fi
  if [[ "$deadline" =~ ^[0-9]+$ ]] && ((now > deadline)); then
    ab_rollback "not marked good before its deadline"
  fi
}
