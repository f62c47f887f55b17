#!/usr/bin/env bash
# Runs cordon's whole test suite: installs what is missing, starts a
# throwaway PostgreSQL so that the store suite runs on both databases, runs
# every Go test, and stops PostgreSQL again.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

started=""
if [ -z "${CORDON_TEST_POSTGRES:-}" ]; then
	if out=$(bash scripts/pgtest.sh start); then
		eval "$out"
		started=1
	elif [ "${CI:-}" = true ]; then
		echo "test: PostgreSQL could not be started, and CI requires it" >&2
		exit 1
	else
		echo "test: PostgreSQL could not be started; its tests will SKIP" >&2
	fi
fi
cleanup() { [ -n "$started" ] && bash scripts/pgtest.sh stop >/dev/null 2>&1 || true; }
trap cleanup EXIT

export CORDON_TEST_POSTGRES="${CORDON_TEST_POSTGRES:-}"
export DIVISION_SRC="${DIVISION_SRC:-$(bash scripts/divisions-source.sh)}"
if command -v chromium >/dev/null 2>&1; then
	export CORDON_CHROMIUM="${CORDON_CHROMIUM:-$(command -v chromium)}"
fi
go vet ./...
go test -count=1 -timeout 30m "$@" ./...
