#!/usr/bin/env bash
# Confirms a pending A/B update once the appliance passes its post-update self-test.
#
#   mark-good.sh [--env-file FILE] [--url URL] [--wait SECONDS] [--root DIR]
#                [--rollback-on-failure] [--restart-unit UNIT]
#
# Reads the appliance's own environment file (default /etc/branchline/branchline.env,
# the one branchline.service loads) for BRANCHLINE_BIND and BRANCHLINE_HTTP_PORT and
# probes that listener (a wildcard bind is probed on loopback); URL (a /healthz URL)
# overrides it. Healthy means all of:
#   - GET /healthz?selftest=1 answers 200 with top-level "status":"ok" (not
#     "degraded") and "selftest":"passed" (stores open, audit head verifies, SIP and
#     SMTP listening — run by the appliance, see system/self-test.ts);
#   - GET / answers 200 with an HTML page (the console is served).
# Polls every 2 s for up to SECONDS (default: one try). Healthy: the pending slot
# becomes the good one (exit 0). Not healthy: exit 1, and with --rollback-on-failure
# switch back to the previous slot and restart UNIT.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/ab.sh
source "$here/lib/ab.sh"

env_file="/etc/branchline/branchline.env" url="" wait_s=0 rollback=0 unit=""
while (($# > 0)); do
  case "$1" in
  --env-file) env_file="$2" && shift 2 ;;
  --url) url="$2" && shift 2 ;;
  --wait) wait_s="$2" && shift 2 ;;
  --root) AB_ROOT="$2" && shift 2 ;;
  --rollback-on-failure) rollback=1 && shift ;;
  --restart-unit) unit="$2" && shift 2 ;;
  *) ab_die "unknown option $1" ;;
  esac
done
[[ "$wait_s" =~ ^[0-9]+$ ]] || ab_die "--wait takes seconds"

# Prints KEY's value from a systemd EnvironmentFile (last one wins; quotes removed).
# The file is parsed, never sourced.
env_get() {
  local key="$1" line value="" found=1
  [[ -r "$env_file" ]] || return 1
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line#export }"
    [[ "$line" == "$key="* ]] || continue
    value="${line#"$key="}"
    value="${value%"${value##*[![:space:]]}"}"
    if [[ "$value" =~ ^\"(.*)\"$ || "$value" =~ ^\'(.*)\'$ ]]; then
      value="${BASH_REMATCH[1]}"
    fi
    found=0
  done <"$env_file"
  ((found == 0)) && echo "$value"
}

curl_src=()
if [[ -z "$url" ]]; then
  port="$(env_get BRANCHLINE_HTTP_PORT || true)"
  bind="$(env_get BRANCHLINE_BIND || true)"
  port="${port:-${BRANCHLINE_HTTP_PORT:-8080}}"
  bind="${bind:-${BRANCHLINE_BIND:-127.0.0.1}}"
  if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || ((port < 1 || port > 65535)); then
    ab_die "BRANCHLINE_HTTP_PORT in $env_file is not a port: $port"
  fi
  case "$bind" in
  0.0.0.0) host=127.0.0.1 ;;
  :: | "[::]") host="[::1]" ;;
  *:*) host="[${bind#[}" && host="${host%]}]" ;;
  *) host="$bind" ;;
  esac
  ip_chars='^[][0-9A-Fa-f.:]+$'
  [[ "$host" =~ $ip_chars ]] || ab_die "BRANCHLINE_BIND in $env_file is not an IP address: $bind"
  url="http://$host:$port/healthz"
  # Bound to one LAN address, the appliance redirects plain HTTP from every
  # non-loopback peer to HTTPS; probe it from the loopback source address so it
  # answers this box as it answers 127.0.0.1.
  case "$host" in
  127.* | "[::1]") ;;
  \[*) curl_src=(--interface ::1) ;;
  *) curl_src=(--interface 127.0.0.1) ;;
  esac
fi
base="${url%/healthz}"

if ! ab_has_pending; then
  ab_log "no pending update"
  exit 0
fi

why=""
healthy() {
  local body top page
  if ! body="$(curl -fsS "${curl_src[@]}" --max-time 60 "$url?selftest=1" 2>&1)"; then
    why="no 200 from $url (${body//$'\n'/ })"
    return 1
  fi
  # Only top-level fields count: they come before the first nested object or array.
  top="${body#\{}"
  top="${top%%[\{\[]*}"
  if [[ "$top" != *'"status":"ok"'* ]]; then
    [[ "$top" =~ \"status\":(\"[a-z]{0,20}\") ]] && why="${BASH_REMATCH[1]}" || why="none"
    why="$url reports status $why (needs \"ok\")"
    return 1
  fi
  if [[ "$top" != *'"selftest":"passed"'* ]]; then
    why="post-update self-test did not pass: ${body:0:400}"
    return 1
  fi
  if ! page="$(curl -fsS "${curl_src[@]}" --max-time 10 "$base/" 2>&1)" || [[ "${page,,}" != *"<html"* ]]; then
    why="the console is not served at $base/"
    return 1
  fi
}

end=$(($(date +%s) + wait_s))
until healthy; do
  if (($(date +%s) >= end)); then
    ab_log "health check failed: $why"
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
ab_log "healthy and self-test passed at $url"
ab_mark_good
