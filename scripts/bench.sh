#!/usr/bin/env bash
# The benchmark (issue #14, docs/performance.md): a throw-away PostgreSQL on 127.0.0.1, the
# demo plus N generated trajects, gunicorn with production settings, one table of figures.
#   scripts/bench.sh                      # 10,000 trajects (a minute or two)
#   scripts/bench.sh --trajects 100000    # up to --trajects 1000000
# Only 127.0.0.1 is contacted; every loop is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-deps.sh >/dev/null
scripts/install-python-deps.sh dev >/dev/null
export PGPORT=${PGPORT:-55433}
scripts/pg-throwaway.sh bash -c '
  psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE openarrangementen" &&
  exec .venv/bin/python -m openarrangementen.bench "$@"' bench "$@"
