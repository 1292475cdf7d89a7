#!/usr/bin/env bash
# Install niaga on a bare Debian 12 VPS: system packages, a `niaga` user, a virtualenv in /opt/niaga, config in
# /etc/niaga/niaga.env, data in /var/lib/niaga, migrations, systemd units niaga-web and niaga-worker (the worker
# also runs the periodic jobs, so no separate beat unit), log rotation. Idempotent: run it again to upgrade.
#
#   sudo scripts/install-vps.sh --domain toko.example.id [--postgres] [--redis]
#
# Without --postgres/--redis niaga uses SQLite and its SQLite queue under /var/lib/niaga (fine for one shop).
# Put Caddy (deploy/Caddyfile, with 127.0.0.1:8000) or another TLS proxy in front.
#
# For tests and packaging these variables change where things go: NIAGA_PREFIX (a root folder prepended to
# every path; no systemctl then), NIAGA_SKIP_APT=1, NIAGA_USER, NIAGA_PIP_ARGS (extra `pip install` options),
# NIAGA_EXTRA_SITE_PACKAGES (a site-packages folder the new venv may import from instead of downloading).
set -euo pipefail

DOMAIN=""
WITH_PG=0
WITH_REDIS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --domain) DOMAIN="$2"; shift 2 ;;
    --postgres) WITH_PG=1; shift ;;
    --redis) WITH_REDIS=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "install-vps: unknown option $1" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "install-vps: run as root (sudo)" >&2
  exit 1
fi

SRC="${NIAGA_SRC:-$(cd "$(dirname "$0")/.." && pwd)}"
PREFIX="${NIAGA_PREFIX:-}"
NIAGA_USER="${NIAGA_USER:-niaga}"
APP="$PREFIX/opt/niaga"
ETC="$PREFIX/etc/niaga"
DATA="$PREFIX/var/lib/niaga"
LOG="$PREFIX/var/log/niaga"
UNITS="$PREFIX/etc/systemd/system"
LOGROTATE="$PREFIX/etc/logrotate.d"
PYTHON="${NIAGA_PYTHON:-/usr/bin/python3}"

step() { echo "==> $*"; }

# 1. System packages ---------------------------------------------------------------------------------
if [ "${NIAGA_SKIP_APT:-0}" != "1" ]; then
  step "system packages"
  pkgs=(python3 python3-venv python3-dev build-essential ca-certificates logrotate
        libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui python3-uno
        fonts-dejavu-core fonts-liberation2 fonts-crosextra-carlito fonts-crosextra-caladea fonts-noto-color-emoji
        cups-client postgresql-client libgl1 libglib2.0-0)
  [ "$WITH_PG" = 1 ] && pkgs+=(postgresql)
  [ "$WITH_REDIS" = 1 ] && pkgs+=(redis-server)
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
fi

# 2. User and folders --------------------------------------------------------------------------------------
step "user $NIAGA_USER and folders"
if ! id -u "$NIAGA_USER" >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/niaga --shell /usr/sbin/nologin --user-group "$NIAGA_USER"
fi
install -d -m 0755 "$APP" "$UNITS" "$LOGROTATE"
install -d -m 0750 -o root -g "$NIAGA_USER" "$ETC"
install -d -m 0750 -o "$NIAGA_USER" -g "$NIAGA_USER" "$DATA" "$DATA/backups" "$LOG"

# 3. Virtualenv and the package --------------------------------------------------------------------------
step "virtualenv $APP/venv"
[ -x "$APP/venv/bin/python" ] || "$PYTHON" -m venv "$APP/venv"
if [ -n "${NIAGA_EXTRA_SITE_PACKAGES:-}" ]; then
  site="$("$APP/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  echo "$NIAGA_EXTRA_SITE_PACKAGES" > "$site/zz-niaga-extra.pth"
fi
build="$(mktemp -d)"
cp -r "$SRC/pyproject.toml" "$SRC/src" "$build/"
[ -f "$SRC/README.md" ] && cp "$SRC/README.md" "$build/"
[ -f "$SRC/LICENSE" ] && cp "$SRC/LICENSE" "$build/"
# shellcheck disable=SC2086
"$APP/venv/bin/pip" install --quiet --disable-pip-version-check ${NIAGA_PIP_ARGS:-} "$build"
rm -rf "$build"

# 4. Configuration (kept on upgrade) --------------------------------------------------------------------------
if [ ! -f "$ETC/niaga.env" ]; then
  step "configuration $ETC/niaga.env"
  tmp="$(mktemp)"
  "$APP/venv/bin/niaga" ops env-example > "$tmp"
  secret="$("$APP/venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(48))')"
  public="http://127.0.0.1:8000"
  [ -n "$DOMAIN" ] && public="https://$DOMAIN"
  sed -i \
    -e "s#^NIAGA_HOME=.*#NIAGA_HOME=$DATA#" \
    -e "s#^NIAGA_PUBLIC_URL=.*#NIAGA_PUBLIC_URL=$public#" \
    -e "s#^\# NIAGA_SECRET_KEY=.*#NIAGA_SECRET_KEY=$secret#" \
    -e "s#^\# NIAGA_BACKUP_DIR=.*#NIAGA_BACKUP_DIR=$DATA/backups#" \
    "$tmp"
  if [ "$WITH_PG" = 1 ]; then
    pgpass="$("$APP/venv/bin/python" -c 'import secrets; print(secrets.token_hex(16))')"
    runuser -u postgres -- psql -q -c "CREATE ROLE niaga LOGIN PASSWORD '$pgpass'" 2>/dev/null || true
    runuser -u postgres -- psql -q -c "CREATE DATABASE niaga OWNER niaga" 2>/dev/null || true
    sed -i "s#^\# NIAGA_DATABASE_URL=.*#NIAGA_DATABASE_URL=postgresql+psycopg://niaga:$pgpass@127.0.0.1:5432/niaga#" "$tmp"
  fi
  [ "$WITH_REDIS" = 1 ] && sed -i "s#^\# NIAGA_REDIS_URL=.*#NIAGA_REDIS_URL=redis://127.0.0.1:6379/0#" "$tmp"
  # One job consumer process per core (at most 4): the agent answers on all of them (docs/operations.md).
  cores="$(nproc 2>/dev/null || echo 1)"
  [ "$cores" -gt 4 ] && cores=4
  [ "$cores" -gt 1 ] && sed -i "s#^\# NIAGA_WORKER_PROCESSES=.*#NIAGA_WORKER_PROCESSES=$cores#" "$tmp"
  install -m 0640 -o root -g "$NIAGA_USER" "$tmp" "$ETC/niaga.env"
  rm -f "$tmp"
fi

# 5. Migrations (as the service user, with the service's configuration) -----------------------------------
step "migrations"
(
  set -a
  # shellcheck disable=SC1091
  . "$ETC/niaga.env"
  set +a
  cd "$DATA"
  runuser -u "$NIAGA_USER" -- "$APP/venv/bin/niaga" migrate
)

# 6. systemd units and log rotation -----------------------------------------------------------------------
step "systemd units and log rotation"
for unit in niaga-web.service niaga-worker.service; do
  sed -e "s#@APP@#$APP#g" -e "s#@ETC@#$ETC#g" -e "s#@DATA@#$DATA#g" -e "s#@LOG@#$LOG#g" \
      -e "s#@USER@#$NIAGA_USER#g" "$SRC/deploy/systemd/$unit" > "$UNITS/$unit"
done
sed -e "s#@LOG@#$LOG#g" -e "s#@USER@#$NIAGA_USER#g" "$SRC/deploy/systemd/niaga.logrotate" > "$LOGROTATE/niaga"

if [ -z "$PREFIX" ] && command -v systemctl >/dev/null 2>&1; then
  step "starting niaga-web and niaga-worker"
  systemctl daemon-reload
  systemctl enable niaga-web.service niaga-worker.service
  # An upgrade restarts web, then worker (migrations already ran above).
  systemctl restart niaga-web.service
  systemctl restart niaga-worker.service
fi
step "done: configuration in $ETC/niaga.env, data in $DATA, logs in $LOG"
