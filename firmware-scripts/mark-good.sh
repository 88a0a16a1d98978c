#!/usr/bin/env bash
# Confirms a pending A/B update once the appliance's /healthz answers 200.
#
#   mark-good.sh [--url URL] [--wait SECONDS] [--root DIR]
#                [--rollback-on-failure] [--restart-unit UNIT]
#
# Polls URL (default http://127.0.0.1:8080/healthz) every 2 s for up to SECONDS
# (default: one try). Healthy: the pending slot becomes the good one (exit 0).
# Not healthy: exit 1, and with --rollback-on-failure switch back to the previous
# slot and restart UNIT.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/ab.sh
source "$here/lib/ab.sh"

url="http://127.0.0.1:8080/healthz" wait_s=0 rollback=0 unit=""
while (($# > 0)); do
  case "$1" in
  --url) url="$2" && shift 2 ;;
  --wait) wait_s="$2" && shift 2 ;;
  --root) AB_ROOT="$2" && shift 2 ;;
  --rollback-on-failure) rollback=1 && shift ;;
  --restart-unit) unit="$2" && shift 2 ;;
  *) ab_die "unknown option $1" ;;
  esac
done
[[ "$wait_s" =~ ^[0-9]+$ ]] || ab_die "--wait takes seconds"

if ! ab_has_pending; then
  ab_log "no pending update"
  exit 0
fi

healthy() {
  curl -fsS --max-time 5 -o /dev/null "$url" 2>/dev/null
}

end=$(($(date +%s) + wait_s))
until healthy; do
  if (($(date +%s) >= end)); then
    ab_log "health check failed: $url"
    if ((rollback == 1)); then
      ab_rollback "health check failed at $url"
      if [[ -n "$unit" ]]; then
        systemctl try-restart "$unit"
      fi
    fi
    exit 1
  fi
  sleep 2
done
ab_mark_good
