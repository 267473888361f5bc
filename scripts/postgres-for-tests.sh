#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the registry tests, on loopback, in its own data folder.
# Source it: `. scripts/postgres-for-tests.sh` exports VARDMOTE_TEST_POSTGRES_URL and stops the
# server when the calling shell exits. Needs Debian's postgresql package and root (to run as postgres).
set -euo pipefail

# A free loopback port, so that two test runs on one machine do not meet.
PG_PORT=${PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$PG_BIN" ] || [ "$(id -u)" -ne 0 ]; then
    echo "note: PostgreSQL tests need the postgresql package and root; they will be skipped" >&2
    return 0 2>/dev/null || exit 0
fi
PG_DATA=$(mktemp -d /tmp/vardmote-pg.XXXXXX)
chown postgres "$PG_DATA"
runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U postgres >/dev/null
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w \
    -o "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
export VARDMOTE_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres"
stop_test_postgres() {
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PG_DATA"
}
trap stop_test_postgres EXIT
