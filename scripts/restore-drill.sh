#!/usr/bin/env bash
# Restore drill (docs/deployment.md): restore a back-up made by `manage.py backup` into a
# throw-away PostgreSQL cluster and check that every table has the rows it had when the
# back-up was made. Exit code 0 only when everything matches. The cluster is removed after.
#   scripts/restore-drill.sh /backups/openarrangementen-20261207-030000.dump
set -euo pipefail
cd "$(dirname "$0")/.."
dump=$(readlink -f "$1")
counts="${dump%.dump}.counts.json"
[ -f "$dump" ] || { echo "Geen back-up: $dump" >&2; exit 2; }
[ -f "$counts" ] || { echo "Geen aantallen naast de back-up: $counts" >&2; exit 2; }
export PGPORT=${PGPORT:-55433}
# Laptop settings are enough to count rows (no secret key needed).
export DJANGO_SETTINGS_MODULE=${DRILL_SETTINGS_MODULE:-openarrangementen.conf.dev}
scripts/pg-throwaway.sh bash -c '
  set -euo pipefail
  createdb -h 127.0.0.1 -p "$DB_PORT" -U postgres "$DB_NAME"
  pg_restore --no-owner --exit-on-error -h 127.0.0.1 -p "$DB_PORT" -U postgres -d "$DB_NAME" "$0"
  .venv/bin/python manage.py restore_check "$1"
' "$dump" "$counts"
