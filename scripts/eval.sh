#!/usr/bin/env bash
# `make eval`: the shared scorers (../shared/tools) against the shared fixtures, each in a fresh NIAGA_HOME.
# Needs ../shared beside the project root (or NIAGA_SHARED). Prints each scorer's verdict; fails if any fails.
set -uo pipefail
cd "$(dirname "$0")/.."
SHARED=${NIAGA_SHARED:-../shared}
NIAGA=$PWD/.venv/bin/niaga
PY=$PWD/.venv/bin/python
if [ ! -d "$SHARED/tools" ] || [ ! -d "$SHARED/fixtures" ]; then
  echo "make eval needs the shared folder beside the project (../shared) or NIAGA_SHARED" >&2
  exit 2
fi
work=$(mktemp -d /tmp/niaga-eval.XXXXXX)
trap 'rm -rf "$work"' EXIT
export NIAGA_ENV=development NIAGA_LOG_LEVEL=WARNING
failed=()
verdicts=()

run() {  # run NAME COMMAND...: keep the output, remember the last line
  local name=$1; shift
  echo "== $name =="
  "$@" >"$work/$name.out" 2>&1
  local rc=$?
  tail -n 25 "$work/$name.out"
  verdicts+=("$name: $(tail -n 1 "$work/$name.out")")
  [ $rc -eq 0 ] || failed+=("$name")
}

# Agent: the dev cases against the demo business.
home=$work/agent; mkdir -p "$home"
NIAGA_HOME=$home NIAGA_DEMO_PASSWORD=eval-only-password "$NIAGA" init --demo >"$work/init.out" 2>&1 || { cat "$work/init.out"; exit 1; }
run agent "$PY" "$SHARED/tools/agent_eval.py" "$SHARED/fixtures/agent/dev.jsonl" \
  --cmd "env NIAGA_HOME=$home $NIAGA chat --business rizquna --jsonl"

# RFM: both methods, each loading the fixture into a fresh home through the CLI.
if [ -f "$SHARED/tools/rfm_eval.py" ] && "$NIAGA" rfm --help >/dev/null 2>&1; then
  for method in quantile bins; do
    home=$work/rfm-$method; mkdir -p "$home"
    NIAGA_HOME=$home "$NIAGA" migrate >/dev/null 2>&1
    run "rfm-$method" "$PY" "$SHARED/tools/rfm_eval.py" "$SHARED/fixtures/rfm" --method "$method" \
      --cmd "env NIAGA_HOME=$home $NIAGA"
  done
else
  echo "== rfm == not built yet"; failed+=("rfm(missing)")
fi

# Print shop: check/format/render/intake of the shared documents.
if [ -f "$SHARED/tools/printshop_eval.py" ] && "$NIAGA" printshop --help >/dev/null 2>&1; then
  home=$work/printshop; mkdir -p "$home"
  NIAGA_HOME=$home "$NIAGA" migrate >/dev/null 2>&1
  run printshop "$PY" "$SHARED/tools/printshop_eval.py" "$SHARED/fixtures/printshop" \
    --cmd "env NIAGA_HOME=$home $NIAGA"
else
  echo "== printshop == not built yet"; failed+=("printshop(missing)")
fi

echo "== eval summary =="
printf '%s\n' "${verdicts[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "eval FAILED: ${failed[*]}"
  exit 1
fi
echo "eval PASSED"
