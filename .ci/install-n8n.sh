#!/usr/bin/env bash
# Installs n8n (pinned) into a host folder outside this package's node_modules,
# for the real-n8n end-to-end tests (test/e2e/), the demo and the benchmark.
#
#   .ci/install-n8n.sh                      -> prints the path of the n8n binary as its last line
#   N8N_VERSION=2.41.1 .ci/install-n8n.sh   -> the newest n8n that installs here, on Node 24
#
# Environment:
#   N8N_E2E_CACHE    cache root (default: $HOME/.cache/n8n-nodes-message-files;
#                    falls back to ${TMPDIR:-/tmp}/n8n-nodes-message-files when that is not writable)
#   N8N_VERSION      n8n version (default: 2.8.4, the newest that runs on Node 20)
#   N8N_NODE_VERSION Node.js for n8n newer than 2.9 (default 24.21.0; n8n 2.36+ needs Node 24)
#
# The host folder is <cache root>/n8n-<version>, installed once and reused while it passes
# its proof: n8n's own sqlite3 opens a database (under n8n's Node and under this Node, which
# the e2e runner reads executions with) and `n8n --version` answers. n8n-nodes-base points
# at an xlsx tarball outside the npm registry, so the host package.json overrides it with
# the registry copy @e965/xlsx.
#
# n8n up to 2.9 (2.8.4: ~4-5 min on 2 cores, 2.3 GB) runs on the machine's Node 20 and is
# installed with every install script (see .ci/lib/cached-install.sh): sqlite3 builds from
# source.
#
# Newer n8n (2.41.1: ~4 min, 2.9 GB) runs on Node 24 from the npm registry
# (.ci/lib/install-node.sh, the same copy .ci/compat/run.sh uses), and three things differ:
#  - Its install scripts cannot all run here: @confluentinc/kafka-javascript (the Kafka
#    nodes) fetches a prebuilt librdkafka from GitHub and otherwise compiles it, and others
#    phone home (@scarf/scarf) or fetch a browser (agent-browser). So the host installs with
#    scripts off and then runs the one n8n cannot start without: sqlite3's. Every other
#    native module n8n loads at start ships prebuilt binaries for Node 24 in its tarball
#    (isolated-vm abi137, @parcel/watcher, msgpackr-extract, the Sentry profilers); the
#    proof loads isolated-vm to show that.
#  - The `node` package ships no C headers, so node-gyp cannot build against Node 24's own.
#    sqlite3 is an N-API module (its binding declares napi_versions 3 and 6), and N-API is
#    ABI-stable across Node versions: built against the machine's Node 20 headers
#    (--nodedir, /usr/include/node from Debian's nodejs), the same binary loads in Node 20
#    and Node 24. That is a real build of sqlite3 for this host, made the supported way
#    (sqlite3 publishes one N-API binary per platform for every Node version itself), not a
#    copy of another install's file; the proof opens a database with it under both Nodes.
#  - n8n's `.bin/` gets a `node` link to that Node 24: whatever runs n8n the npm way (npm
#    exec, or test/e2e/lib.js, which puts the host's .bin first on PATH) then runs n8n AND
#    the task runner n8n spawns as plain `node` on Node 24.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.8.4}"
N8N_NODE_VERSION="${N8N_NODE_VERSION:-24.21.0}"
HERE="$(cd "$(dirname "$0")" && pwd)"
log() { echo "[install-n8n] $*" >&2; }
# shellcheck source=lib/cached-install.sh
source "$HERE/lib/cached-install.sh"
CACHE_ROOT="$(cache_root)"
HOST="$CACHE_ROOT/n8n-$N8N_VERSION"

# n8n 2.10+ needs Node 22.16+, 2.36+ Node 24: anything after 2.9 gets Node 24.
needs_newer_node() {
  local major minor
  IFS=. read -r major minor _ <<<"$1"
  (( major > 2 || (major == 2 && minor > 9) ))
}

NODE_BIN=""   # empty: the machine's node
if needs_newer_node "$N8N_VERSION"; then
  # shellcheck source=lib/install-node.sh
  source "$HERE/lib/install-node.sh"
  NODE_BIN="$(install_node "$N8N_NODE_VERSION")"
fi

write_host_package() {
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
}

# Headers of the machine's Node (for N-API builds): npm's nodedir if set, else next to its binary.
node_headers() {
  local dir
  dir="$(npm config get nodedir 2>/dev/null || true)"
  if [[ -z "$dir" || "$dir" == undefined || ! -f "$dir/include/node/node_api.h" ]]; then
    dir="$(cd "$(dirname "$(readlink -f "$(command -v node)")")/.." && pwd)"
  fi
  [[ -f "$dir/include/node/node_api.h" ]] || { log "no Node.js C headers (include/node/node_api.h) under $dir: install Debian's nodejs (or libnode-dev), or set npm's nodedir"; return 1; }
  echo "$dir"
}

fill_n8n() {
  write_host_package "$1"
  log "installing n8n@$N8N_VERSION into $HOST (takes a few minutes)"
  ( cd "$1" && npm_install install )
}

fill_n8n_on_newer_node() {
  local headers
  headers="$(node_headers)"
  write_host_package "$1"
  log "installing n8n@$N8N_VERSION for Node $N8N_NODE_VERSION into $HOST (install scripts off; takes a few minutes)"
  ( cd "$1" && PATH="$NODE_BIN:$PATH" npm_config_ignore_scripts=true \
      npm install --ignore-scripts --no-audit --no-fund --loglevel=error 1>&2 )
  log "building sqlite3 (N-API) against the Node headers in $headers/include/node"
  ( cd "$1" && PATH="$NODE_BIN:$PATH" \
      npm_install rebuild sqlite3 --build-from-source --nodedir="$headers" )
  ln -s "$NODE_BIN/node" "$1/node_modules/.bin/node"
}

# The install must be able to open n8n's database, not merely exist.
n8n_works() {
  local dir="$1" bin="$1/node_modules/.bin" out version runner want_node user
  [[ -x "$bin/n8n" ]] || { echo "no n8n binary"; return 1; }
  if [[ -n "$NODE_BIN" ]]; then
    want_node="$("$NODE_BIN/node" --version)"
    [[ "$("$bin/node" --version 2>&1)" == "$want_node" ]] || { echo "$bin/node is not Node $want_node"; return 1; }
  fi
  # sqlite3 under n8n's Node (first) and under this script's Node (the e2e runner's).
  for runner in "$bin/node" node; do
    [[ "$runner" == node || -n "$NODE_BIN" ]] || continue
    if ! out="$(cd "$dir" && "$runner" -e '
        const sqlite3 = require("sqlite3");
        const db = new sqlite3.Database(":memory:");
        db.get("select 1 as one", (err, row) => { if (err || !row) { console.error(String(err)); process.exit(1); } db.close(); });
      ' 2>&1)"; then
      echo "sqlite3 cannot open a database under $("$runner" --version): $(grep -m1 -iE 'error' <<<"$out" | cut -c1-160)"
      return 1
    fi
  done
  if [[ -n "$NODE_BIN" ]] && ! out="$(cd "$dir" && "$bin/node" -e 'new (require("isolated-vm").Isolate)().dispose()' 2>&1)"; then
    echo "isolated-vm has no build for Node $N8N_NODE_VERSION: $(grep -m1 -iE 'error' <<<"$out" | cut -c1-160)"
    return 1
  fi
  version="$("$bin/n8n" --version 2>/dev/null | tail -n1)"
  [[ "$version" == "$N8N_VERSION" ]] || { echo "n8n --version says '$version', want $N8N_VERSION"; return 1; }
  # --version answers before n8n checks its Node version; --help loads the CLI on it (~2 s).
  user="$(mktemp -d)"
  out="$(cd "$dir" && PATH="$bin:$PATH" N8N_USER_FOLDER="$user" "$bin/n8n" --help 2>&1)" || true
  rm -rf "$user"
  grep -q 'execute' <<<"$out" || { echo "n8n does not load: $(grep -m1 -v '^\s*$' <<<"$out" | cut -c1-160)"; return 1; }
}

if [[ -n "$NODE_BIN" ]]; then
  cached_install "$HOST" fill_n8n_on_newer_node n8n_works
else
  cached_install "$HOST" fill_n8n n8n_works
fi
echo "$HOST/node_modules/.bin/n8n"
