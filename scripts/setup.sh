#!/usr/bin/env bash
# Installs what cordon's tests need on a Debian machine, when missing:
# PostgreSQL (throwaway test server), Chromium (browser tests), zbar-tools
# (QR decoding in tests), poppler (PDF text extraction and rendering in
# tests), and the npm packages for the page assets.
# Without root it only reports what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ -e /usr/share/poppler/cMap/Adobe-GB1/UniGB-UCS2-H ] || need+=(poppler-data)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)

if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "setup: installing ${need[*]}" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null
		apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
	else
		echo "setup: missing ${need[*]}; install them (Debian: apt-get install ${need[*]})" >&2
	fi
fi
bash scripts/assets.sh
