#!/bin/bash
# The appliance's local console screen (branchline-console-screen.service, on
# /dev/console: the monitor, or the serial port a headless box boots with).
# It shows what a branch admin needs at the box to get in: the addresses of the
# web console, the local CA's SHA-256 fingerprint to compare with the sign-in
# page, the service state, and — only until the admin has replaced it — the
# one-time admin password (and the backup recovery key printed with it).
# Physical console access is trusted on this appliance (root is locked, no SSH).
# Redrawn only when something changed; runs as root to read the 0600 file.
set -u
data="${BRANCHLINE_DATA_DIR:-/var/lib/branchline}"
every="${BRANCHLINE_SCREEN_EVERY:-5}"
https_port=443
if [[ -r /etc/branchline/branchline.env ]]; then
  p=$(sed -n 's/^BRANCHLINE_HTTPS_PORT=\([0-9]\+\)$/\1/p' /etc/branchline/branchline.env | tail -1)
  [[ -n "$p" ]] && https_port="$p"
fi

render() {
  local version state addr suffix fp pw key
  version=$(cat /opt/branchline/current/VERSION 2>/dev/null || echo unknown)
  state=$(systemctl is-active branchline.service 2>/dev/null)
  suffix=""
  [[ "$https_port" != 443 ]] && suffix=":$https_port"
  echo "==================== Branchline $version ===================="
  echo "Host name: $(hostname)    Service: ${state:-unknown}"
  addr=$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4}' | cut -d/ -f1)
  if [[ -z "$addr" ]]; then
    echo "Console: no network address yet (DHCP)"
  else
    for a in $addr; do echo "Console: https://$a$suffix/"; done
  fi
  if [[ -r "$data/tls/ca.crt" ]]; then
    fp=$(openssl x509 -in "$data/tls/ca.crt" -noout -fingerprint -sha256 2>/dev/null | cut -d= -f2)
    echo "Local CA SHA-256 fingerprint (check it on the sign-in page):"
    echo "  $fp"
  else
    echo "Local CA: not created yet (the appliance is starting)"
  fi
  if [[ -r "$data/initial-admin-password" ]]; then
    pw=$(head -c 200 "$data/initial-admin-password" | tr -d '\r\n')
    echo "First sign-in: user admin, one-time password: $pw"
    echo "  (you must change it at once; this line goes away then)"
    key=$(journalctl -b -u branchline.service -o cat --no-pager 2>/dev/null |
      sed -n 's/.*backup recovery key: \([^ ]*\).*/\1/p' | head -1)
    if [[ -n "$key" ]]; then
      echo "Backup recovery key (write it down and keep it offline): $key"
    fi
  fi
  echo "============================================================="
}

last=""
while :; do
  screen=$(render)
  if [[ "$screen" != "$last" ]]; then
    printf '\033[2J\033[H%s\n' "$screen"
    last="$screen"
  fi
  sleep "$every"
done
