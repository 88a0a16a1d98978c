#!/usr/bin/env bash
# Factory reset: erases everything in the data directory (customer data, keys,
# audit log, backups, TLS material). The next start is a first run again.
#
#   factory-reset.sh --yes-erase-all-data [--data-dir DIR] [--stop-unit UNIT]
#
# DIR defaults to /var/lib/branchline. Without the confirmation flag nothing happens.
set -euo pipefail

data_dir=/var/lib/branchline confirmed=0 unit=""
while (($# > 0)); do
  case "$1" in
  --yes-erase-all-data) confirmed=1 && shift ;;
  --data-dir) data_dir="$2" && shift 2 ;;
  --stop-unit) unit="$2" && shift 2 ;;
  *) echo "unknown option $1" >&2 && exit 2 ;;
  esac
done

if ((confirmed == 0)); then
  echo "refusing: pass --yes-erase-all-data to erase everything in $data_dir" >&2
  exit 2
fi
real="$(realpath -e "$data_dir" 2>/dev/null)" || { echo "no such directory: $data_dir" >&2 && exit 1; }
[[ -d "$real" ]] || { echo "not a directory: $real" >&2 && exit 1; }
case "$real" in
/ | /bin | /boot | /dev | /etc | /home | /lib* | /opt | /proc | /root | /run | /sbin | /sys | /usr | /var | /var/lib)
  echo "refusing to erase system directory $real" >&2
  exit 1
  ;;
esac

if [[ -n "$unit" ]]; then
  systemctl stop "$unit"
fi
# Erase the contents, keep the directory (systemd's StateDirectory owns it).
find "$real" -mindepth 1 -delete
sync
echo "factory reset: $real erased"
