"""Helpers for tests that start the product's own processes (gunicorn, the worker, the
image's entry point) against the test database: PostgreSQL only, since SQLite's test
database lives in the test process's memory."""

import os
import socket
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

import pytest
import requests

postgresql_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the processes reach the test database on PostgreSQL only",
)


def database_env(**extra: str) -> dict[str, str]:
    """The environment of a process that uses this test's database."""
    db = connection.settings_dict
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "openarrangementen.conf.test",
        "DB_ENGINE": "postgresql",
        "DB_NAME": db["NAME"],
        "DB_HOST": db["HOST"],
        "DB_PORT": str(db["PORT"]),
        "DB_USER": db["USER"],
        "DB_PASSWORD": db["PASSWORD"] or "",
        **extra,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 20) -> requests.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return requests.get(url, timeout=10)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
