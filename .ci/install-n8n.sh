#!/usr/bin/env bash
# Installs n8n (pinned) into a host folder outside this package's node_modules,
# for the real-n8n end-to-end tests (test/e2e/).
#
#   .ci/install-n8n.sh            -> prints the path of the n8n binary as its last line
#
# Environment:
#   N8N_E2E_CACHE    cache root (default: $HOME/.cache/n8n-nodes-message-files;
#                    falls back to ${TMPDIR:-/tmp}/n8n-nodes-message-files when that is not writable)
#   N8N_VERSION      n8n version (default: 2.8.4, the newest that runs on Node 20)
#
# The host folder is <cache root>/n8n-<version>. It is reused when its completion
# marker exists (written last) AND it passes the proof below; otherwise it is installed
# from scratch (~4-5 min on 2 cores, 2.3 GB: sqlite3 builds from source). Concurrent
# runs wait for each other.
#
# Dependencies' install scripts are always enabled here, whatever the caller's npm
# environment says: `npm run`/`npm test` export this package's .npmrc
# (ignore-scripts=true) as npm_config_ignore_scripts to every child, and an n8n
# installed under it has no sqlite3 binding ("SQLite package has not been found").
# The proof: n8n's own sqlite3 opens a database, and `n8n --version` answers.
# n8n-nodes-base points at an xlsx tarball outside the npm registry, so the host
# package.json overrides it with the registry copy @e965/xlsx.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.8.4}"
CACHE_ROOT="${N8N_E2E_CACHE:-${HOME:-/tmp}/.cache/n8n-nodes-message-files}"

log() { echo "[install-n8n] $*" >&2; }

if ! mkdir -p "$CACHE_ROOT" 2>/dev/null || [[ ! -w "$CACHE_ROOT" ]]; then
  fallback="${TMPDIR:-/tmp}/n8n-nodes-message-files"
  log "$CACHE_ROOT is not writable; using $fallback"
  CACHE_ROOT="$fallback"
  mkdir -p "$CACHE_ROOT"
fi

HOST="$CACHE_ROOT/n8n-$N8N_VERSION"
MARKER="$HOST/.install-complete"
BIN="$HOST/node_modules/.bin/n8n"

# The install must be able to open n8n's database, not merely exist.
works() {
  local dir="$1"
  [[ -x "$dir/node_modules/.bin/n8n" ]] || { echo "no n8n binary"; return 1; }
  local out
  if ! out="$(cd "$dir" && node -e '
      const sqlite3 = require("sqlite3");
      const db = new sqlite3.Database(":memory:");
      db.get("select 1 as one", (err, row) => { if (err || !row) { console.error(String(err)); process.exit(1); } db.close(); });
    ' 2>&1)"; then
    echo "sqlite3 cannot open a database: $(grep -m1 -iE 'error' <<<"$out" | cut -c1-160)"
    return 1
  fi
  local version
  version="$("$dir/node_modules/.bin/n8n" --version 2>/dev/null | tail -n1)"
  [[ "$version" == "$N8N_VERSION" ]] || { echo "n8n --version says '$version', want $N8N_VERSION"; return 1; }
  return 0
}

complete() {
  [[ -f "$MARKER" ]] || return 1
  local why
  if why="$(works "$HOST")"; then return 0; fi
  log "cached n8n in $HOST fails its check (${why:-sqlite3 cannot open a database}); reinstalling"
  rm -f "$MARKER"
  return 1
}

if complete; then
  log "reusing $HOST"
  echo "$BIN"
  exit 0
fi

# One installer at a time per cache root (another job may be installing right now).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_ROOT/.n8n-$N8N_VERSION.lock"
  flock -w 1800 9 || { log "timed out waiting for another install"; exit 1; }
  if complete; then
    log "reusing $HOST (installed by a concurrent run)"
    echo "$BIN"
    exit 0
  fi
fi

# Install into a fresh folder next to the target, then move it in place, so an
# interrupted install never looks complete.
TMP="$(mktemp -d "$CACHE_ROOT/.n8n-$N8N_VERSION.tmp.XXXXXX")"
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

cat > "$TMP/package.json" <<JSON
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
start=$(date +%s)
( cd "$TMP" && npm_config_ignore_scripts=false npm install --ignore-scripts=false --no-audit --no-fund --loglevel=error 1>&2 )
if ! why="$(works "$TMP")"; then
  log "the fresh n8n install fails its check: ${why:-sqlite3 cannot open a database}"
  exit 1
fi

rm -rf "$HOST"
mv "$TMP" "$HOST"
trap - EXIT INT TERM HUP
date -u +%Y-%m-%dT%H:%M:%SZ > "$MARKER"
log "installed in $(( $(date +%s) - start )) s"
echo "$BIN"
