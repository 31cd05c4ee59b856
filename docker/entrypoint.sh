#!/bin/sh
# The one entry point of the image (issue #23, docs/deployment.md): the same image is the
# web process, the worker and the migration step.
#   web      gunicorn on $PORT (8000); with MIGRATE_ON_START=true it migrates first
#   worker   the django-q2 cluster: scheduled jobs and queued iWmo sends
#   migrate  the migrations (and the schedules they write), then exit
#   anything else is run as a command, e.g. `manage.py createsuperuser`
set -eu
# Beside manage.py in the image (/app); one folder down in a checkout (docker/).
cd "$(dirname "$0")"
[ -f manage.py ] || cd ..
# One JSON line per request like the application's (core.logs): the path without its query
# string (a search can hold a name), the request id the application answered with.
ACCESS_LOG_FORMAT='{"time": "%(t)s", "logger": "gunicorn.access", "request_id": "%({x-request-id}o)s", "method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "ms": %(M)s}'
case "${1:-web}" in
  web)
    if [ "${MIGRATE_ON_START:-false}" = "true" ]; then
      python manage.py migrate --no-input
    fi
    exec gunicorn openarrangementen.wsgi \
      --bind "0.0.0.0:${PORT:-8000}" \
      --workers "${WEB_PROCESSES:-3}" \
      --timeout "${WEB_TIMEOUT:-60}" \
      --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
      --access-logfile - \
      --access-logformat "$ACCESS_LOG_FORMAT"
    ;;
  worker)
    exec python manage.py qcluster
    ;;
  migrate)
    exec python manage.py migrate --no-input
    ;;
  *)
    exec "$@"
    ;;
esac
