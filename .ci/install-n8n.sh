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
# marker exists (written last); otherwise it is installed from scratch (~4-5 min on
# 2 cores, 2.3 GB: sqlite3 builds from source). Concurrent runs wait for each other.
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

complete() { [[ -f "$MARKER" && -x "$BIN" ]]; }

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
( cd "$TMP" && npm install --no-audit --no-fund --loglevel=error 1>&2 )
if [[ ! -x "$TMP/node_modules/.bin/n8n" ]]; then
  log "n8n binary missing after npm install"
  exit 1
fi
version="$("$TMP/node_modules/.bin/n8n" --version 2>/dev/null | tail -n1)"
if [[ "$version" != "$N8N_VERSION" ]]; then
  log "n8n --version says '$version', want $N8N_VERSION"
  exit 1
fi

rm -rf "$HOST"
mv "$TMP" "$HOST"
trap - EXIT INT TERM HUP
date -u +%Y-%m-%dT%H:%M:%SZ > "$MARKER"
log "installed in $(( $(date +%s) - start )) s"
echo "$BIN"
