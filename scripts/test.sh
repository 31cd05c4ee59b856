#!/usr/bin/env bash
# One command: install what the tests need (Debian packages and Python packages), run the
# fast checks, then the whole suite on SQLite and on a throw-away PostgreSQL.
# Extra arguments go to pytest, e.g. scripts/test.sh -k catalog
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=openarrangementen.conf.test

scripts/install-system-deps.sh
scripts/install-python-deps.sh dev

echo "== ruff"
.venv/bin/ruff check src manage.py
.venv/bin/ruff format --check src manage.py
echo "== migrations are up to date"
.venv/bin/python manage.py makemigrations --check --dry-run --no-input -v1
echo "== Django system checks (production settings)"
SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
  DJANGO_SETTINGS_MODULE=openarrangementen.conf.production \
  .venv/bin/python manage.py check --deploy --fail-level WARNING

# Playwright's sync API runs beside Django's live server in the test process only.
export DJANGO_ALLOW_ASYNC_UNSAFE=true
echo "== tests on SQLite"
DB_ENGINE=sqlite .venv/bin/python -m pytest "$@"
echo "== tests on PostgreSQL"
scripts/pg-throwaway.sh .venv/bin/python -m pytest "$@"
echo "== benchmark smoke run (it must run, not be fast; figures: scripts/bench.sh)"
scripts/bench.sh --trajects 300 --requests 2 --load 10 --load-seconds 10
