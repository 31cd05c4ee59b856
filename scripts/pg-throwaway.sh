#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL on 127.0.0.1 (port $PGPORT, default 55432).
# The cluster lives in a temp dir and is removed afterwards, whatever the command's outcome.
#   scripts/pg-throwaway.sh pytest -q
set -euo pipefail
PGPORT=${PGPORT:-55432}
PGBIN=/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -1)/bin
PGDIR=$(mktemp -d /tmp/oa-pg.XXXXXX)
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$PGDIR"
  RUN_AS=(su postgres -s /bin/sh -c)
else
  RUN_AS=(sh -c)
fi
cleanup() {
  "${RUN_AS[@]}" "$PGBIN/pg_ctl -D $PGDIR/data -m immediate -w stop" >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT
"${RUN_AS[@]}" "$PGBIN/initdb -D $PGDIR/data -U postgres -A trust -E UTF8 --locale=C.UTF-8 >$PGDIR/initdb.log"
"${RUN_AS[@]}" "$PGBIN/pg_ctl -D $PGDIR/data -l $PGDIR/pg.log -w -o '-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off' start" >/dev/null
export DB_ENGINE=postgresql DB_HOST=127.0.0.1 DB_PORT=$PGPORT DB_USER=postgres DB_NAME=openarrangementen
"$@"
