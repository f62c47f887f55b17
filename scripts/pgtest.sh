#!/usr/bin/env bash
# pgtest.sh starts and stops a throwaway PostgreSQL for the store tests.
#
#   eval "$(scripts/pgtest.sh start)"   # start (or find) it; exports CORDON_TEST_POSTGRES
#   go test ./internal/store/            # both halves run
#   scripts/pgtest.sh stop               # stop it and delete its data
#
# Other commands: status (exit 0 when running), dsn (print the DSN only).
#
# The server lives in a temporary directory, listens on 127.0.0.1 only (unix
# sockets in the same directory), trusts every local connection and runs with
# fsync off: it is for tests and nothing else. It needs the PostgreSQL server
# binaries (Debian: apt-get install -y postgresql); the newest version under
# /usr/lib/postgresql is used unless PGTEST_BINDIR names another bin directory.
# As root, the server runs as the postgres user, since PostgreSQL refuses root.
#
# Environment:
#   PGTEST_PORT    first port to try (default 55432; the next free one is used)
#   PGTEST_BINDIR  PostgreSQL bin directory (default: newest /usr/lib/postgresql/*/bin)
#   PGTEST_STATE   state file (default /tmp/cordon-pgtest.state)
set -euo pipefail

state=${PGTEST_STATE:-/tmp/cordon-pgtest.state}
dbname=cordon_test

die() {
	echo "pgtest: $*" >&2
	exit 1
}

bindir() {
	if [[ -n ${PGTEST_BINDIR:-} ]]; then
		[[ -x $PGTEST_BINDIR/pg_ctl ]] || die "PGTEST_BINDIR=$PGTEST_BINDIR has no pg_ctl"
		echo "$PGTEST_BINDIR"
		return
	fi
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5n | tail -n 1 || true)
	if [[ -n $d && -x $d/pg_ctl ]]; then
		echo "$d"
		return
	fi
	if command -v pg_ctl >/dev/null 2>&1; then
		dirname "$(command -v pg_ctl)"
		return
	fi
	die "no PostgreSQL server binaries found (Debian: apt-get install -y postgresql)"
}

# as runs a command as the server's owner: postgres when we are root. The
# lock descriptor is closed so that the server does not inherit the lock.
as() {
	if [[ $(id -u) -eq 0 ]]; then
		(cd / && runuser -u postgres -- "$@") 9>&-
	else
		"$@" 9>&-
	fi
}

port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

dsn() {
	echo "postgres://postgres@127.0.0.1:$1/$dbname?sslmode=disable"
}

# load reads the state file into DIR, PORT and BIN; it fails when there is none.
load() {
	[[ -f $state ]] || return 1
	DIR= PORT= BIN=
	# shellcheck disable=SC1090
	source "$state"
	[[ -n $DIR && -n $PORT && -n $BIN ]]
}

running() {
	load && [[ -d $DIR/data ]] && as "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

ensure_db() {
	local n
	n=$(as "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atqc \
		"SELECT count(*) FROM pg_database WHERE datname = '$dbname'")
	if [[ $n == 0 ]]; then
		as "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$dbname"
	fi
}

start() {
	if running; then
		ensure_db
		echo "export CORDON_TEST_POSTGRES='$(dsn "$PORT")'"
		return
	fi
	# A state file whose server is gone (a reboot, a cleaned /tmp): start afresh.
	if load; then
		[[ -d $DIR ]] && rm -rf -- "$DIR"
	fi
	rm -f -- "$state"

	BIN=$(bindir)
	[[ $(id -u) -ne 0 ]] || id postgres >/dev/null 2>&1 || die "running as root needs a postgres user"
	PORT=${PGTEST_PORT:-55432}
	local last=$((PORT + 100))
	while port_busy "$PORT"; do
		PORT=$((PORT + 1))
		((PORT < last)) || die "no free port in ${PGTEST_PORT:-55432}..$last"
	done
	DIR=$(mktemp -d /tmp/cordon-pgtest.XXXXXX)
	chmod 0755 "$DIR"
	[[ $(id -u) -ne 0 ]] || chown postgres: "$DIR"

	as "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 ||
		{ cat "$DIR/initdb.log" >&2; rm -rf -- "$DIR"; die "initdb failed"; }
	if ! as "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start -o \
		"-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
		>/dev/null; then
		cat "$DIR/server.log" >&2 || true
		rm -rf -- "$DIR"
		die "the server did not start"
	fi
	printf 'DIR=%q\nPORT=%q\nBIN=%q\n' "$DIR" "$PORT" "$BIN" >"$state"
	ensure_db
	echo "pgtest: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT, data in $DIR" >&2
	echo "export CORDON_TEST_POSTGRES='$(dsn "$PORT")'"
}

stop() {
	if ! load; then
		echo "pgtest: not running (no $state)" >&2
		return
	fi
	if [[ -d $DIR/data ]]; then
		as "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	rm -rf -- "$DIR"
	rm -f -- "$state"
	echo "pgtest: stopped" >&2
}

# Serialise concurrent invocations (two test runs starting at once).
exec 9>"$state.lock"
command -v flock >/dev/null 2>&1 && flock 9

case ${1:-} in
start) start ;;
stop) stop ;;
status)
	if running; then
		echo "running on 127.0.0.1:$PORT, data in $DIR"
	else
		echo "not running"
		exit 1
	fi
	;;
dsn)
	running || die "not running; run: $0 start"
	dsn "$PORT"
	;;
*)
	echo "usage: $0 start|stop|status|dsn" >&2
	exit 2
	;;
esac
