#!/usr/bin/env bash
# Local certificate authority tooling (EC P-256). Same profile as
# appliance/src/system/certs.ts, which the appliance uses to make its own at first start.
#
#   make-local-ca.sh server OUT_DIR [HOST_OR_IP...]
#       OUT_DIR/ca.crt + private/ca.key (created if missing; valid 10 years) and
#       OUT_DIR/server.crt + private/server.key for localhost, 127.0.0.1 and the
#       given names (valid 825 days).
#   make-local-ca.sh hq-client HQ_CA_DIR BRANCH_ID OUT_DIR
#       A branch's mTLS client certificate for replication to HQ, issued by the HQ
#       CA in HQ_CA_DIR (created if missing): OUT_DIR/branch-ID.crt + private/branch-ID.key,
#       CN=branch-ID, SAN URI:urn:branchline:branch:ID, extendedKeyUsage clientAuth.
#
# Private keys are written mode 0600 under private/ (never commit them: .gitignore).
set -euo pipefail

CA_DAYS=3650
LEAF_DAYS=825

die() {
  echo "error: $*" >&2
  exit 2
}

usage() {
  sed -n '2,15p' "$0" >&2
  exit 2
}

# New EC P-256 key, 0600 from the first byte.
genkey() {
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1")
}

serial() {
  echo "0x1$(openssl rand -hex 15)"
}

# Writes an OpenSSL config with a CA profile and a leaf profile.
write_config() {
  local file="$1" cn="$2" eku="$3" san="$4"
  cat >"$file" <<CNF
[req]
distinguished_name = dn
prompt = no
[dn]
O = Branchline
CN = $cn
[v3_ca]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = $eku
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $san
CNF
}

# ensure_ca DIR CN: creates DIR/ca.crt and DIR/private/ca.key unless both exist.
ensure_ca() {
  local dir="$1" cn="$2"
  mkdir -p "$dir/private"
  chmod 700 "$dir/private"
  if [[ -f "$dir/ca.crt" && -f "$dir/private/ca.key" ]]; then
    return 0
  fi
  write_config "$work/ca.cnf" "$cn" serverAuth "DNS:localhost"
  genkey "$dir/private/ca.key"
  openssl req -x509 -new -config "$work/ca.cnf" -extensions v3_ca -key "$dir/private/ca.key" \
    -sha256 -days "$CA_DAYS" -set_serial "$(serial)" -out "$dir/ca.crt"
  echo "created CA $dir/ca.crt" >&2
}

# issue CA_DIR OUT_DIR NAME CN EKU SAN
issue() {
  local ca_dir="$1" out="$2" name="$3" cn="$4" eku="$5" san="$6"
  mkdir -p "$out/private"
  chmod 700 "$out/private"
  write_config "$work/leaf.cnf" "$cn" "$eku" "$san"
  genkey "$work/leaf.key"
  openssl req -new -config "$work/leaf.cnf" -key "$work/leaf.key" -out "$work/leaf.csr"
  openssl x509 -req -in "$work/leaf.csr" -CA "$ca_dir/ca.crt" -CAkey "$ca_dir/private/ca.key" \
    -set_serial "$(serial)" -days "$LEAF_DAYS" -sha256 -extfile "$work/leaf.cnf" -extensions v3_leaf \
    -out "$work/leaf.crt" 2>/dev/null
  mv -f "$work/leaf.key" "$out/private/$name.key"
  mv -f "$work/leaf.crt" "$out/$name.crt"
  echo "issued $out/$name.crt" >&2
}

san_for_hosts() {
  local san="DNS:localhost,IP:127.0.0.1" h
  for h in "$@"; do
    if [[ "$h" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ || "$h" =~ ^[0-9A-Fa-f:]+:[0-9A-Fa-f:]*$ ]]; then
      san+=",IP:$h"
    elif [[ "$h" =~ ^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$ ]]; then
      san+=",DNS:$h"
    else
      die "invalid host name: $h"
    fi
  done
  echo "$san"
}

work="$(mktemp -d)"
# shellcheck disable=SC2064 # expand now: the trap must remove this very directory
trap "rm -rf '$work'" EXIT

case "${1:-}" in
server)
  [[ $# -ge 2 ]] || usage
  out="$2"
  shift 2
  san="$(san_for_hosts "$@")"
  ensure_ca "$out" "Branchline Local CA"
  issue "$out" "$out" server "${1:-localhost}" serverAuth "$san"
  ;;
hq-client)
  [[ $# -eq 4 ]] || usage
  [[ "$3" =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$ ]] || die "invalid branch id: $3"
  ensure_ca "$2" "Branchline HQ CA"
  issue "$2" "$4" "branch-$3" "branch-$3" clientAuth "URI:urn:branchline:branch:$3"
  ;;
*) usage ;;
esac
