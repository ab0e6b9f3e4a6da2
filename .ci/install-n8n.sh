#!/usr/bin/env bash
# Installs n8n (pinned) into a host folder outside this package's node_modules,
# for the real-n8n end-to-end tests (test/e2e/), the demo and the benchmark.
#
#   .ci/install-n8n.sh            -> prints the path of the n8n binary as its last line
#
# Environment:
#   N8N_E2E_CACHE    cache root (default: $HOME/.cache/n8n-nodes-message-files;
#                    falls back to ${TMPDIR:-/tmp}/n8n-nodes-message-files when that is not writable)
#   N8N_VERSION      n8n version (default: 2.8.4, the newest that runs on Node 20)
#
# The host folder is <cache root>/n8n-<version>, installed once (~4-5 min on 2 cores,
# 2.3 GB: sqlite3 builds from source) and reused while it passes its proof: n8n's own
# sqlite3 opens a database and `n8n --version` answers (see .ci/lib/cached-install.sh
# for why install scripts are forced on). n8n-nodes-base points at an xlsx tarball
# outside the npm registry, so the host package.json overrides it with the registry
# copy @e965/xlsx.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.8.4}"
log() { echo "[install-n8n] $*" >&2; }
# shellcheck source=lib/cached-install.sh
source "$(dirname "$0")/lib/cached-install.sh"
CACHE_ROOT="$(cache_root)"
HOST="$CACHE_ROOT/n8n-$N8N_VERSION"

fill_n8n() {
  cat > "$1/package.json" <<JSON
{
  "name": "n8n-e2e-host",
  "private": true,
  "version": "0.0.0",
  "description": "Host folder for n8n $N8N_VERSION used by the n8n-nodes-message-files e2e tests",
  "dependencies": { "n8n": "$N8N_VERSION" },
  "overrides": { "xlsx": "npm:@e965/xlsx@0.20.2" }
}
JSON
  log "installing n8n@$N8N_VERSION into $HOST (takes a few minutes)"
  ( cd "$1" && npm_install install )
}

# The install must be able to open n8n's database, not merely exist.
n8n_works() {
  local dir="$1" out version
  [[ -x "$dir/node_modules/.bin/n8n" ]] || { echo "no n8n binary"; return 1; }
  if ! out="$(cd "$dir" && node -e '
      const sqlite3 = require("sqlite3");
      const db = new sqlite3.Database(":memory:");
      db.get("select 1 as one", (err, row) => { if (err || !row) { console.error(String(err)); process.exit(1); } db.close(); });
    ' 2>&1)"; then
    echo "sqlite3 cannot open a database: $(grep -m1 -iE 'error' <<<"$out" | cut -c1-160)"
    return 1
  fi
  version="$("$dir/node_modules/.bin/n8n" --version 2>/dev/null | tail -n1)"
  [[ "$version" == "$N8N_VERSION" ]] || { echo "n8n --version says '$version', want $N8N_VERSION"; return 1; }
}

cached_install "$HOST" fill_n8n n8n_works
echo "$HOST/node_modules/.bin/n8n"
