#!/usr/bin/env bash
# System programs niaga's tests and features use, from Debian packages. Idempotent; needs root (or sudo).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# fonts so that screenshots and generated PDFs render Indonesian text properly
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || need+=(fonts-noto-color-emoji)
# print shop (src/niaga/printshop): LibreOffice headless + fonts with Word's metrics, and the UNO bridge for
# the system python3 (niaga's venv drives a warm soffice through it)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
dpkg -s libreoffice-impress-nogui >/dev/null 2>&1 || need+=(libreoffice-impress-nogui)
dpkg -s python3-uno >/dev/null 2>&1 || need+=(python3-uno)
dpkg -s fonts-liberation2 >/dev/null 2>&1 || need+=(fonts-liberation2)
dpkg -s fonts-crosextra-carlito >/dev/null 2>&1 || need+=(fonts-crosextra-carlito)
dpkg -s fonts-crosextra-caladea >/dev/null 2>&1 || need+=(fonts-crosextra-caladea)
# printing (src/niaga/printshop/printing.py): tests print to a real IPP printer, CUPS's `ippeveprinter`
# (tests/fakes/ipp_printer.py, with a private dbus-daemon for its DNS-SD); `lp`/`ipptool` for operators
command -v ippeveprinter >/dev/null 2>&1 || need+=(cups-ipp-utils)
command -v lp >/dev/null 2>&1 || need+=(cups-client)
command -v dbus-daemon >/dev/null 2>&1 || need+=(dbus-daemon)
# operations tests (tests/ops): `docker-compose config` validates deploy/compose.yaml; pg_dump/pg_restore and the
# server programs (initdb, pg_ctl) for the PostgreSQL backup round trip
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
command -v pg_dump >/dev/null 2>&1 || need+=(postgresql-client)
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# n8n test (tests/ops/test_n8n.py): npm installs Node 24 and n8n into a cache folder (scripts/n8n-install.sh)
command -v npm >/dev/null 2>&1 || need+=(npm)
# live events across processes (tests/channels/test_events_across_processes.py): a private redis-server
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need+=(libsqlite3-dev)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
# content studio (src/niaga/marketing/content_media.py): short videos are made and checked with ffmpeg/ffprobe
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "system-deps: please install as root: apt-get install -y ${need[*]}" >&2; exit 1
  fi
fi
echo "system-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
