# Sourced by the .ci scripts that install tools outside this package (n8n, the Node 24
# compatibility libraries, the package scanner). One rule for all of them:
#
#   cached_install DEST FILL PROOF
#
# DEST is reused only when its completion marker exists AND `PROOF DEST` succeeds; a
# cache that fails its proof is said so in one line and rebuilt. FILL TMPDIR installs
# into a fresh folder, which must pass PROOF before it is moved into place and marked
# complete, so neither an interrupted nor a broken install ever looks complete.
# Concurrent runs wait for each other (flock). PROOF prints why it failed, if it can.
#
# Every npm install made through `npm_install` runs its dependencies' install scripts
# whatever the caller's environment says: `npm run`/`npm test` export this package's
# .npmrc (ignore-scripts=true) to every child as npm_config_ignore_scripts, and an
# install made under it silently lacks its native parts (n8n's sqlite3, node's binary).
#
# Needs: CACHE_ROOT (writable; see cache_root) and a `log` function.

# The cache root: $N8N_E2E_CACHE, else ~/.cache/n8n-nodes-message-files, else a temp folder.
cache_root() {
  local root="${N8N_E2E_CACHE:-${HOME:-/tmp}/.cache/n8n-nodes-message-files}"
  if ! mkdir -p "$root" 2>/dev/null || [[ ! -w "$root" ]]; then
    root="${TMPDIR:-/tmp}/n8n-nodes-message-files"
    mkdir -p "$root"
  fi
  echo "$root"
}

# npm install with install scripts on; `npm_config_yes` lets a dependency's
# `npx only-allow pnpm` preinstall fetch its tool without a terminal to ask.
npm_install() {
  npm_config_ignore_scripts=false npm_config_yes=true \
    npm "$@" --ignore-scripts=false --no-audit --no-fund --loglevel=error 1>&2
}

cached_install() {
  local dest="$1" fill="$2" proof="$3" name why tmp start
  name="$(basename "$dest")"
  if [[ -f "$dest/.install-complete" ]]; then
    if why="$("$proof" "$dest" 2>&1)"; then return 0; fi
    log "cached $name fails its check (${why:-no reason given}); reinstalling"
    rm -f "$dest/.install-complete"
  fi
  if command -v flock >/dev/null 2>&1; then
    exec 8>"$CACHE_ROOT/.$name.lock"
    flock -w 1800 8 || { log "timed out waiting for another install of $name"; return 1; }
    if [[ -f "$dest/.install-complete" ]] && "$proof" "$dest" >/dev/null 2>&1; then exec 8>&-; return 0; fi
  fi
  start=$(date +%s)
  tmp="$(mktemp -d "$CACHE_ROOT/.$name.tmp.XXXXXX")"
  if ! "$fill" "$tmp"; then rm -rf "$tmp"; log "installing $name failed"; return 1; fi
  if ! why="$("$proof" "$tmp" 2>&1)"; then
    rm -rf "$tmp"
    log "the fresh install of $name fails its check: ${why:-no reason given}"
    return 1
  fi
  rm -rf "$dest"
  mv "$tmp" "$dest"
  date -u +%Y-%m-%dT%H:%M:%SZ > "$dest/.install-complete"
  log "installed $name in $(( $(date +%s) - start )) s"
  exec 8>&- 2>/dev/null || true
}
