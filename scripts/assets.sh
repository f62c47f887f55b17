#!/usr/bin/env bash
# assets.sh bundles the staff pages' front-end libraries from npm into
# internal/web/static/vendor/, which the Go binary embeds. The libraries are
# never committed: package.json and package-lock.json pin them, and this
# script rebuilds them from the lock file.
#
#   bash scripts/assets.sh      # run from anywhere; needs node and npm
#
# It runs `npm ci` when node_modules is missing or older than the lock file,
# then bundles with esbuild:
#   node_modules/htmx.org -> internal/web/static/vendor/htmx.min.js
# The pages work without vendor/ (they only lose live search), so a Go build
# or test never depends on this script having run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

command -v npm >/dev/null || { echo "assets.sh: npm is not installed (Debian: apt-get install -y nodejs npm)" >&2; exit 1; }

# npm keeps a copy of the lock file it installed from in node_modules; when
# that is missing or older than package-lock.json, the install is stale.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json || package.json -nt node_modules/.package-lock.json ]]; then
	# --ignore-scripts: no package needs an install script (esbuild finds
	# its platform binary through its optional dependency).
	npm ci --ignore-scripts --no-audit --no-fund
fi

out=internal/web/static/vendor
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# htmx's ES module build sets window.htmx itself; bundled as an IIFE it
# runs as a plain deferred <script> under script-src 'self'.
node_modules/.bin/esbuild node_modules/htmx.org/dist/htmx.esm.js \
	--bundle --minify --format=iife --legal-comments=none \
	--log-level=warning --outfile="$tmp/htmx.min.js"

# Replace vendor/ whole, so that a library dropped from the list does not
# linger in the embedded files.
rm -rf "$out"
mkdir -p "$out"
cp "$tmp"/*.js "$out"/
cp node_modules/htmx.org/LICENSE "$out/htmx.LICENSE.txt"
ls -l "$out"
