#!/usr/bin/env bash
# The in-process jest files whose outcome depends on the n8n version (the list and why:
# .ci/compat/jest.config.js; COMPAT_ALL=1 for all of test/**), dist/ through n8n-core's
# WorkflowExecute, on the newest n8n-core / n8n-workflow, under Node 24 from the npm registry.
#
#   .ci/compat/run.sh [jest args…]   -> ends with "compat: N passed, N failed"; exit 1 on failures
#   .ci/compat/run.sh --install-only -> only install (or check) Node 24 and the libraries
#                                       (test/run-all.js does this in the background)
#
# Versions: .ci/compat/package.json + package-lock.json (n8n-core, n8n-workflow, @n8n/di,
# jest, ts-jest, typescript, types). Node: the `node` package, NODE_VERSION below.
# Both are installed once into a cache folder outside the package, never into its
# node_modules:
#   ${N8N_E2E_CACHE:-$HOME/.cache/n8n-nodes-message-files}/node-<version>
#   ${N8N_E2E_CACHE:-$HOME/.cache/n8n-nodes-message-files}/compat-<hash of package.json + lock>
# (first run ~1 min: Node ~10 s, the libraries ~50 s). The tests and dist/ stay where they
# are; .ci/compat/jest.config.js maps n8n-core, n8n-workflow and @n8n/di to the compat
# install. Needs dist/ built (npm run build).
#
# Environment: N8N_E2E_CACHE, NODE_VERSION (default 24.21.0), COMPAT_TIMEOUT (seconds for
# the whole jest run, default 900).
set -euo pipefail

NODE_VERSION="${NODE_VERSION:-24.21.0}"
COMPAT_TIMEOUT="${COMPAT_TIMEOUT:-900}"
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

log() { echo "[compat] $*" >&2; }
# shellcheck source=../lib/cached-install.sh
source "$HERE/../lib/cached-install.sh"
CACHE_ROOT="$(cache_root)"

# Node from the npm registry (.ci/lib/install-node.sh, shared with .ci/install-n8n.sh).
# shellcheck source=../lib/install-node.sh
source "$HERE/../lib/install-node.sh"
NODE_BIN="$(install_node "$NODE_VERSION")"
export PATH="$NODE_BIN:$PATH"

# The libraries, installed by Node 24's own run of npm (native modules built for it).
hash="$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -c1-12)"
COMPAT_HOST="$CACHE_ROOT/compat-$hash"
fill_compat() {
  log "installing $(node -e 'const d=require(process.argv[1]).dependencies;console.log(`n8n-core@${d["n8n-core"]} n8n-workflow@${d["n8n-workflow"]}`)' "$HERE/package.json") with Node $(node --version) into $COMPAT_HOST"
  cp "$HERE/package.json" "$HERE/package-lock.json" "$1/"
  ( cd "$1" && npm_install ci )
}
# n8n-core and jest must load under Node 24 from the install.
compat_works() {
  local out
  out="$(cd "$1" && node -e 'require("n8n-core"); require("n8n-workflow"); require("jest/package.json"); require("ts-jest")' 2>&1)" \
    || { grep -m1 -iE 'error' <<<"$out" | cut -c1-160; return 1; }
}
cached_install "$COMPAT_HOST" fill_compat compat_works
[[ "${1:-}" == --install-only ]] && exit 0

if [[ ! -f "$REPO/dist/nodes/DownloadMessageFile/DownloadMessageFile.node.js" ]]; then
  log "dist/ is missing: run npm run build first"
  exit 1
fi

versions="n8n-core $(node -p "require('$COMPAT_HOST/node_modules/n8n-core/package.json').version"), n8n-workflow $(node -p "require('$COMPAT_HOST/node_modules/n8n-workflow/package.json').version"), Node $(node --version)"
log "running the jest suite on $versions"

out="$(mktemp "${TMPDIR:-/tmp}/compat-jest.XXXXXX")"
trap 'rm -f "$out"' EXIT
cd "$REPO"
set +e
# n8n-core ≥ 2.30 calls import('file-type') (ESM): jest needs the VM modules flag for it.
COMPAT_MODULES="$COMPAT_HOST/node_modules" NODE_OPTIONS="--experimental-vm-modules --no-warnings" \
  timeout --kill-after=10 "$COMPAT_TIMEOUT" \
  node "$COMPAT_HOST/node_modules/jest/bin/jest.js" --config "$HERE/jest.config.js" "$@" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
set -e

summary="$(grep -E '^jest: [0-9]+ passed, [0-9]+ failed' "$out" | tail -n1 || true)"
if [[ $status -eq 124 || $status -eq 137 ]]; then
  echo "compat ($versions): timed out after ${COMPAT_TIMEOUT} s"
  echo "compat: 0 passed, 1 failed"
  exit 1
fi
if [[ -z "$summary" ]]; then
  echo "compat ($versions): jest ended (exit $status) without a summary"
  echo "compat: 0 passed, 1 failed"
  exit 1
fi
echo "compat ($versions)"
echo "compat: ${summary#jest: }"
exit "$status"
