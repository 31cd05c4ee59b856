#!/usr/bin/env bash
# One command: install everything, load the demo data on SQLite, and serve on
# http://127.0.0.1:8000 with the worker beside it (scheduled jobs: iWmo sends and retries,
# reminders, signals). Stop both with Ctrl+C. Safe to run again (migrations and demo are
# idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=openarrangementen.conf.dev

scripts/install-python-deps.sh
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py seed_demo
# Stored deadlines of trajects made before an upgrade (ADR 0010); a no-op otherwise.
.venv/bin/python manage.py recompute_deadlines

# The worker (django-q2, the database as its queue) runs beside the web process; Ctrl+C
# (or the end of either) stops both.
.venv/bin/python manage.py qcluster &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null || true' EXIT INT TERM
echo
echo "Open Arrangementen draait op http://${PORT:-127.0.0.1:8000}  (stoppen: Ctrl+C)"
echo "De worker draait ernaast (geplande taken: beheer → Taken)."
.venv/bin/python manage.py runserver "${PORT:-127.0.0.1:8000}"
