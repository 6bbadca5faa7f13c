#!/usr/bin/env bash
# Sets up the real mail servers the system tests probe, on loopback only, and starts them.
#
#   sudo bash test/system/setup.sh        # a developer, by hand; .ci/run calls it before the tests
#
# Postfix from Debian, as its own instance (`postfix -c $STATE_DIR/postfix`), listening on 127.0.0.1
# (and ::1 when the machine has it):
#   25    STARTTLS offered, no AUTH, no relay without AUTH
#   587   submission: STARTTLS required, SASL AUTH (Cyrus, sasldb) only after TLS
#   465   submission over implicit TLS (wrapper mode), SASL AUTH
#   2525  plaintext, no STARTTLS, no AUTH
# Every file it makes is under one directory, SMTP_PROBE_SYSTEM_DIR (default
# /var/tmp/smtp-probe-system): the test CA (tls/ca.pem), the server certificate, the sasldb, the SASL
# user (sasl-username) and password (sasl-password, mode 600), Postfix's config, queue and log.
# Idempotent: a second run keeps the CA, the certificate and the password, and reloads Postfix.
# Debian 12 (apt), as root. Start from zero: `postfix -c $STATE_DIR/postfix stop; rm -rf $STATE_DIR`.
set -euo pipefail

STATE_DIR="${SMTP_PROBE_SYSTEM_DIR:-/var/tmp/smtp-probe-system}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TEMPLATES="$HERE/postfix"
CONF="$STATE_DIR/postfix"
SASL_USER="probe@localhost"
PORTS=(25 587 465 2525)
PACKAGES=(postfix sasl2-bin libsasl2-modules swaks nftables iproute2 openssl python3-minimal
  # swaks needs these for --tls and for IPv6 (its Recommends, skipped by --no-install-recommends)
  libnet-ssleay-perl libio-socket-inet6-perl)

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (it installs packages and starts Postfix): sudo bash $0"
command -v apt-get >/dev/null || die "needs a Debian-like system with apt-get"
# Postfix's parameter syntax ends a value at whitespace or a comma: keep the path plain.
[[ "$STATE_DIR" =~ ^/[A-Za-z0-9._/-]+$ ]] ||
  die "SMTP_PROBE_SYSTEM_DIR must be an absolute path of letters, digits, '.', '_', '-' and '/', got '$STATE_DIR'"
say "state directory: $STATE_DIR"

# --- packages --------------------------------------------------------------------------------------
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # No system-wide mail configuration: this script runs its own instance and leaves /etc/postfix alone.
  debconf-set-selections <<'EOF'
postfix postfix/main_mailer_type select No configuration
postfix postfix/mailname string localhost
EOF
  apt-get update -qq
  # Other jobs may hold the dpkg lock for a while: wait for it instead of failing.
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
fi
command -v postfix >/dev/null || die "postfix is not on PATH after installing it"

# --- directories -----------------------------------------------------------------------------------
install -d -m 755 "$STATE_DIR" "$STATE_DIR/tls" "$CONF" "$CONF/sasl" "$STATE_DIR/spool"

# --- the test CA and the server certificate --------------------------------------------------------
TLS="$STATE_DIR/tls"
if [ ! -s "$TLS/ca.pem" ] || [ ! -s "$TLS/ca.key" ]; then
  say "creating the test CA"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TLS/ca.key" 2>/dev/null
  chmod 600 "$TLS/ca.key"
  openssl req -new -x509 -config "$TEMPLATES/openssl.cnf" -extensions ca -key "$TLS/ca.key" \
    -subj '/CN=smtp-port-probe system test CA' -days 3650 -out "$TLS/ca.pem"
  rm -f "$TLS/server.pem"
fi
# A new certificate when there is none, when it expires within 30 days, or when it is not the CA's.
if [ ! -s "$TLS/server.pem" ] || [ ! -s "$TLS/server.key" ] ||
  ! openssl x509 -in "$TLS/server.pem" -noout -checkend $((30 * 86400)) >/dev/null ||
  ! openssl verify -CAfile "$TLS/ca.pem" "$TLS/server.pem" >/dev/null 2>&1; then
  say "creating the server certificate for localhost, 127.0.0.1 and ::1 (90 days)"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TLS/server.key" 2>/dev/null
  chmod 600 "$TLS/server.key"
  openssl req -new -config "$TEMPLATES/openssl.cnf" -key "$TLS/server.key" -subj '/CN=localhost' \
    -out "$TLS/server.csr"
  openssl x509 -req -in "$TLS/server.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 90 \
    -extfile "$TEMPLATES/openssl.cnf" -extensions server -out "$TLS/server.pem" 2>/dev/null
  rm -f "$TLS/server.csr"
fi
chmod 644 "$TLS/ca.pem" "$TLS/server.pem"

# --- SASL: one user in a sasldb ------------------------------------------------------------------
printf '%s\n' "$SASL_USER" >"$STATE_DIR/sasl-username"
if [ ! -s "$STATE_DIR/sasl-password" ]; then
  say "creating the SASL password (in $STATE_DIR/sasl-password, mode 600)"
  (umask 077 && openssl rand -hex 16 >"$STATE_DIR/sasl-password")
fi
chmod 600 "$STATE_DIR/sasl-password"
# saslpasswd2 takes the user and the realm apart; -p reads the password from stdin, without echo.
tr -d '\n' <"$STATE_DIR/sasl-password" |
  saslpasswd2 -p -c -f "$STATE_DIR/sasldb2" -u "${SASL_USER#*@}" "${SASL_USER%@*}"
# smtpd reads the sasldb after dropping root, as the postfix user.
chown root:postfix "$STATE_DIR/sasldb2"
chmod 640 "$STATE_DIR/sasldb2"

# --- Postfix configuration -------------------------------------------------------------------------
inet_protocols=ipv4
if [ -e /proc/net/if_inet6 ] && ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/'; then
  inet_protocols=all
fi
render() {
  sed -e "s|@STATE_DIR@|$STATE_DIR|g" -e "s|@INET_PROTOCOLS@|$inet_protocols|g" "$1" >"$2.new"
  mv "$2.new" "$2"
}
render "$TEMPLATES/main.cf" "$CONF/main.cf"
render "$TEMPLATES/master.cf" "$CONF/master.cf"
render "$TEMPLATES/sasl-smtpd.conf" "$CONF/sasl/smtpd.conf"
touch "$STATE_DIR/postfix.log"

# Creates the queue and data directories with Postfix's owners; fails on a configuration error.
postfix -c "$CONF" check

addresses=(127.0.0.1)
[ "$inet_protocols" = all ] && addresses+=(::1)
accepts() { timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

if postfix -c "$CONF" status 2>/dev/null; then
  say "Postfix is running: reloading it"
  postfix -c "$CONF" reload 2>/dev/null
else
  for port in "${PORTS[@]}"; do
    if accepts 127.0.0.1 "$port"; then
      die "port $port on 127.0.0.1 is taken by another program (see: ss -ltnp 'sport = :$port'); stop it first"
    fi
  done
  say "starting Postfix"
  postfix -c "$CONF" start 2>/dev/null
fi

# --- wait until every port accepts ----------------------------------------------------------------
for address in "${addresses[@]}"; do
  for port in "${PORTS[@]}"; do
    for _ in $(seq 1 100); do
      accepts "$address" "$port" && continue 2
      sleep 0.1
    done
    die "Postfix does not accept connections on $address port $port after 10 s; see $STATE_DIR/postfix.log"
  done
done

# --- no open relay: without AUTH, a recipient in another domain is refused on 25 -------------------
relay="$(swaks --server 127.0.0.1 --port 25 --helo setup.test --from probe@example.com \
  --to nobody@example.net --quit-after RCPT 2>&1 || true)"
grep -q '<\*\* 554 .*Relay access denied' <<<"$relay" ||
  die "port 25 did not refuse relaying to example.net without AUTH:
$relay"

printf '\nsetup: Postfix %s is up (instance %s, log %s)\n' "$(postconf -c "$CONF" -h mail_version)" "$CONF" \
  "$STATE_DIR/postfix.log"
printf '  %-6s %s\n' \
  25 'STARTTLS offered, no AUTH; relay without AUTH refused (554)' \
  587 'STARTTLS required, AUTH PLAIN LOGIN after TLS' \
  465 'implicit TLS, AUTH PLAIN LOGIN' \
  2525 'plaintext, no STARTTLS, no AUTH'
printf '  on %s\n' "${addresses[*]}"
printf '  CA %s; certificate for localhost, 127.0.0.1, ::1 until %s\n' "$TLS/ca.pem" \
  "$(openssl x509 -in "$TLS/server.pem" -noout -enddate | cut -d= -f2)"
printf '  SASL user %s, password in %s\n' "$SASL_USER" "$STATE_DIR/sasl-password"
