#!/usr/bin/env bash
# Runs the README's two commands the way a newcomer does, on nothing cached: a fresh
# clone of the committed HEAD, an empty HOME (so an empty npm cache and an empty
# ~/.cache/n8n-nodes-message-files), the machine's own npm settings kept (~/.npmrc says
# where Node's headers are for native builds; that is set-up, not a cache).
#
#   bash .ci/fresh-run.sh        -> the wall time of each command; exit 1 if either fails
#
# npm test ends with a table of each leg's time, test count and whether its caches were warm
# (test/run-all.js); the last lines of the test log, printed at the end, hold it. Needs ~6 GB
# of disk under ${TMPDIR:-/tmp} (n8n 2.8.4 2.3 GB, n8n 2.41.1 2.9 GB, Node 24, the scanner and
# the compat libraries); removed afterwards unless KEEP=1. System packages installed with
# apt-get by earlier runs (Chromium, Redis, PostgreSQL) are not removed: a test that
# needs one installs it itself when it is missing.
set -uo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
FRESH="$(mktemp -d "${TMPDIR:-/tmp}/fresh-run.XXXXXX")"
[[ "${KEEP:-}" == 1 ]] || trap 'rm -rf "$FRESH"' EXIT
log() { echo "[fresh-run] $*" >&2; }

mkdir -p "$FRESH/home"
for f in .npmrc .gitconfig; do [[ -f "$HOME/$f" ]] && cp "$HOME/$f" "$FRESH/home/"; done
git clone --quiet "$REPO" "$FRESH/repo"
log "clone of $(git -C "$FRESH/repo" rev-parse --short HEAD) in $FRESH/repo, HOME=$FRESH/home"

run() {
  local name="$1" cmd="$2" start status
  start=$(date +%s)
  ( cd "$FRESH/repo" && env -u N8N_E2E_CACHE -u N8N_BIN HOME="$FRESH/home" bash -c "$cmd" ) >"$FRESH/$name.log" 2>&1
  status=$?
  echo "$cmd: exit $status in $(( $(date +%s) - start )) s (log: $FRESH/$name.log)"
  if (( status != 0 )); then tail -n 30 "$FRESH/$name.log"; fi
  return $status
}

failed=0
run demo 'npm ci && npm run demo' || failed=1
run test 'npm test' || failed=1
tail -n 30 "$FRESH/test.log"
exit $failed
