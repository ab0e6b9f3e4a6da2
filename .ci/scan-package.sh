#!/usr/bin/env bash
# Runs n8n's community-package scanner (@n8n/scan-community-package, pinned) on this
# package locally, the way it scans a published one:
#   1. source leg:  the package's own sources (package.json + nodes/ + credentials/),
#                   what the scanner lints in the provenance-attested GitHub checkout;
#   2. tarball leg: `npm pack` of this folder, unpacked, every .js + package.json,
#                   what the scanner lints in the published tarball.
# Both with the scanner's own config (buildScanConfig: cloud ruleset, inline
# eslint-disable comments ignored). Provenance and the download from npm are the only
# parts of the online scan left out (they need a published version).
# Then the release check on the same tarball (.ci/check-release.js): its contents, the
# package's links, the release workflow, and that workflow's publish command as a dry run.
#
#   .ci/scan-package.sh     -> findings, then "scan: N passed, N failed" (one per leg),
#                              then "release: N passed, N failed"; exit 1 on either
#   .ci/scan-package.sh --install-only   -> only install (or check) the cached scanner
#                              (test/run-all.js does this in the background while other legs run)
#
# Needs dist/ built (npm run build). The scanner is installed once into a cache folder
# outside this package (never one of its dependencies):
#   ${N8N_E2E_CACHE:-$HOME/.cache/n8n-nodes-message-files}/scanner-<version>
# Environment: N8N_E2E_CACHE (cache root), SCANNER_VERSION (default 0.32.0).
# The cached install is checked (scanner and lint plugins load) on every run.
set -euo pipefail

SCANNER_VERSION="${SCANNER_VERSION:-0.32.0}"
REPO="$(cd "$(dirname "$0")/.." && pwd)"

log() { echo "[scan] $*" >&2; }
# shellcheck source=lib/cached-install.sh
source "$(dirname "$0")/lib/cached-install.sh"
CACHE_ROOT="$(cache_root)"
HOST="$CACHE_ROOT/scanner-$SCANNER_VERSION"
SCANNER="$HOST/node_modules/@n8n/scan-community-package/scanner/scanner.mjs"

fill_scanner() {
  log "installing @n8n/scan-community-package@$SCANNER_VERSION into $HOST"
  # The scanner's lint plugin pulls in the newest n8n-workflow, whose expression sandbox
  # (isolated-vm, a native build for Node 22+) fails to compile on Node 20. Linting never
  # loads it, so the host replaces it with a stub that says so, and every other
  # dependency installs with its scripts.
  mkdir -p "$1/stub-isolated-vm"
  cat > "$1/stub-isolated-vm/package.json" <<JSON
{ "name": "isolated-vm", "version": "0.0.0-stub", "main": "index.js" }
JSON
  echo 'throw new Error("isolated-vm is not installed in the scanner host: linting does not use it");' > "$1/stub-isolated-vm/index.js"
  cat > "$1/package.json" <<JSON
{ "name": "scanner-host", "private": true, "version": "0.0.0",
  "dependencies": { "@n8n/scan-community-package": "$SCANNER_VERSION" },
  "overrides": { "isolated-vm": "file:./stub-isolated-vm" } }
JSON
  ( cd "$1" && npm_install install )
}

# The scanner, its ESLint and the n8n rule plugins it lints with must all load.
scanner_works() {
  local out
  out="$(cd "$1" && node --input-type=module -e '
      const { pathToFileURL } = await import("node:url");
      const scanner = await import(pathToFileURL(process.argv[1]).href);
      if (typeof scanner.analyzePackage !== "function") throw new Error("scanner has no analyzePackage");
      await import("eslint-plugin-n8n-nodes-base");
      await import("@n8n/eslint-plugin-community-nodes");
    ' "$1/node_modules/@n8n/scan-community-package/scanner/scanner.mjs" 2>&1)" \
    || { grep -m1 -iE 'error' <<<"$out" | cut -c1-160; return 1; }
}

cached_install "$HOST" fill_scanner scanner_works
[[ "${1:-}" == --install-only ]] && exit 0

if [[ ! -f "$REPO/dist/nodes/DownloadMessageFile/DownloadMessageFile.node.js" ]]; then
  log "dist/ is missing: run npm run build first"
  exit 1
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/scan-package.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# Tarball leg: exactly what npm would publish.
mkdir -p "$WORK/tarball" "$WORK/source"
tgz="$(cd "$REPO" && npm pack --silent --ignore-scripts --pack-destination "$WORK" | tail -n1)"
tar -xzf "$WORK/$tgz" -C "$WORK/tarball" --strip-components=1
log "packed $tgz: $(cd "$WORK/tarball" && find . -type f | wc -l) files"

# Source leg: the files a GitHub checkout of this commit holds (tracked, plus new
# files not ignored), limited by the scanner's own SOURCE_FILE_PATTERNS.
( cd "$REPO" && git ls-files -z --cached --others --exclude-standard -- package.json nodes credentials 2>/dev/null \
    | xargs -0 -r cp --parents -t "$WORK/source" ) \
  || cp -r "$REPO/package.json" "$REPO/nodes" "$REPO/credentials" "$WORK/source/"

cat > "$WORK/scan.mjs" <<'JS'
import { pathToFileURL } from 'node:url';
const [scannerPath, sourceDir, tarballDir] = process.argv.slice(2);
const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(pathToFileURL(scannerPath).href);
// The same two calls analyzePackageByName makes after provenance and download.
const legs = [
  ['source', sourceDir, SOURCE_FILE_PATTERNS],
  ['tarball', tarballDir, ['**/*.js', 'package.json']],
];
let passed = 0;
let failed = 0;
for (const [name, dir, patterns] of legs) {
  const result = await analyzePackage(dir, patterns);
  // "No files found to analyze" counts as passed in the scanner; here it means a broken pack.
  const ok = result.passed && !result.message;
  console.log(`${name} leg (${patterns.join(', ')}): ${ok ? 'no findings' : result.message}`);
  if (result.details) console.log(result.details);
  ok ? passed++ : failed++;
}
console.log(`scan: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
JS

# cwd = the scanner's host folder, so its ESLint plugins resolve from there.
scan_status=0
( cd "$HOST" && node "$WORK/scan.mjs" "$SCANNER" "$WORK/source" "$WORK/tarball" ) || scan_status=$?

# The same tarball, as npm would publish it.
release_status=0
node "$REPO/.ci/check-release.js" "$WORK/$tgz" "$WORK/tarball" || release_status=$?
(( scan_status == 0 && release_status == 0 ))
