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
#   node_modules/htmx.org      -> vendor/htmx.min.js       (live search, polling)
#   node_modules/idb-keyval    -> vendor/idb-keyval.min.js (the sampler's offline queue)
#   node_modules/@zxing/browser -> vendor/zxing.min.js     (camera scanning of QR and tube barcodes)
#   node_modules/echarts       -> vendor/echarts.min.js    (the rounds-progress bars and the transmission-chain graph)
# (vendor/ is internal/web/static/vendor/). Every page works without vendor/:
# they lose live search, the chart and the camera, and the sampler page
# falls back to one plain form post per person, so a Go build or test never
# depends on this script having run.
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

# The other libraries are ES modules without a browser global: each is
# bundled from a one-line entry on stdin as an IIFE that sets one global
# (window.idbKeyval, window.ZXingBrowser, window.echarts), which the pages'
# own scripts look for.
bundle() { # bundle OUT GLOBAL: the entry module is read from stdin
	node_modules/.bin/esbuild --bundle --minify --format=iife --global-name="$2" \
		--legal-comments=none --log-level=warning --loader=js --sourcefile="$1.entry.js" --outfile="$tmp/$1"
}
echo 'export { get, set, del, delMany, entries, keys } from "idb-keyval";' | bundle idb-keyval.min.js idbKeyval
echo 'export { BrowserMultiFormatReader } from "@zxing/browser";' | bundle zxing.min.js ZXingBrowser
# Only what the pages draw: the progress chart's bars on a grid and the
# transmission chains' graph (force layout), with a tooltip and a legend,
# on canvas: about half the size of the full echarts build.
bundle echarts.min.js echarts <<'JS'
import { use, init, getInstanceByDom } from "echarts/core";
import { BarChart, GraphChart } from "echarts/charts";
import { GridComponent, TooltipComponent, LegendComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
use([BarChart, GraphChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);
export { init, getInstanceByDom };
JS

# Replace vendor/ whole, so that a library dropped from the list does not
# linger in the embedded files.
rm -rf "$out"
mkdir -p "$out"
cp "$tmp"/*.js "$out"/
cp node_modules/htmx.org/LICENSE "$out/htmx.LICENSE.txt"
cp node_modules/idb-keyval/LICENCE "$out/idb-keyval.LICENSE.txt"
cp node_modules/@zxing/browser/LICENSE "$out/zxing-browser.LICENSE.txt"
cp node_modules/@zxing/library/LICENSE "$out/zxing-library.LICENSE.txt"
cp node_modules/echarts/LICENSE "$out/echarts.LICENSE.txt"
cp node_modules/echarts/NOTICE "$out/echarts.NOTICE.txt"
cp node_modules/zrender/LICENSE "$out/zrender.LICENSE.txt"
ls -l "$out"
