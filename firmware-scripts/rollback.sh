#!/usr/bin/env bash
# Rolls back an A/B update that was not confirmed by mark-good.sh.
#
#   rollback.sh [--root DIR]          roll back if the pending update is past its deadline
#   rollback.sh --boot [--root DIR]   count this boot too; roll back past max_boots (boot guard)
#   rollback.sh --now [--root DIR]    roll back the pending update unconditionally
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/ab.sh
source "$here/lib/ab.sh"

mode=deadline
while (($# > 0)); do
  case "$1" in
  --boot) mode=boot && shift ;;
  --now) mode=now && shift ;;
  --root) AB_ROOT="$2" && shift 2 ;;
  *) ab_die "unknown option $1" ;;
  esac
done

if [[ "$mode" == now ]]; then
  ab_rollback "requested by operator"
else
  ab_rollback_if_due "$mode"
fi
