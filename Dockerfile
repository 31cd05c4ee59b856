# Open Arrangementen: one image for the web process, the worker and the migrations
# (docs/deployment.md, ADR 0012). Multi-stage: build tools stay in the first stage; the
# image runs as an unprivileged user with the static files collected.
FROM python:3.11-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim-bookworm
# WeasyPrint's libraries and fonts (PDF beschikkingen); nothing else.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin oa
COPY --from=build /venv /venv
WORKDIR /app
COPY manage.py docker/entrypoint.sh ./
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=openarrangementen.conf.production \
    STATIC_ROOT=/app/static \
    IWMO_SCHEMA_DIR=/app/iwmo/3.2
RUN SECRET_KEY=collectstatic-only DB_ENGINE=postgresql \
    python manage.py collectstatic --no-input -v0 \
 && mkdir -p /app/iwmo \
 && chown oa /app/iwmo
USER oa
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/gezond/')"
ENTRYPOINT ["/app/entrypoint.sh"]
CMD ["web"]
