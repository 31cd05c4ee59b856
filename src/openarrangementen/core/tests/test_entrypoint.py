"""The image's entry point without the image (issue #23): no container engine runs on these
machines, so `docker/entrypoint.sh` is started as the Dockerfile starts it, with production
settings against the test database: `migrate` exits cleanly, `web` serves /gezond/ and
/gereed/ through gunicorn over plain http (a load balancer's probe is not redirected to
https), and `worker` runs the scheduled jobs."""

import secrets
import subprocess
import time

from django.conf import settings
from django.utils import timezone

import pytest
import requests
from django_q.models import Schedule, Success

from openarrangementen.core.jobs import HEARTBEAT, install_schedules

from .processes import database_env, free_port, postgresql_only, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]
ENTRYPOINT = settings.REPO_DIR / "docker" / "entrypoint.sh"


def production(**extra: str) -> dict[str, str]:
    return database_env(
        DJANGO_SETTINGS_MODULE="openarrangementen.conf.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        **extra,
    )


def test_the_dockerfile_runs_this_entry_point():
    dockerfile = (settings.REPO_DIR / "Dockerfile").read_text()
    assert "COPY manage.py docker/entrypoint.sh ./" in dockerfile
    assert 'ENTRYPOINT ["/app/entrypoint.sh"]' in dockerfile
    assert "USER oa" in dockerfile


def test_migrate_then_web_answers_the_load_balancer(tmp_path):
    migrate = subprocess.run(
        [str(ENTRYPOINT), "migrate"],
        env=production(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    assert Schedule.objects.filter(name=HEARTBEAT).exists()  # written by migrate

    port = free_port()
    web = subprocess.Popen(
        [str(ENTRYPOINT), "web"],
        env=production(PORT=str(port), WEB_PROCESSES="1"),
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "web.log").open("w"),
    )
    try:
        alive = wait_for(f"http://127.0.0.1:{port}/gezond/")
        assert (alive.status_code, alive.json()) == (200, {"gezond": True})
        ready = wait_for(f"http://127.0.0.1:{port}/gereed/")
        assert ready.status_code == 200, ready.text
        # Any other page over plain http goes to https (production settings).
        login = requests.get(
            f"http://127.0.0.1:{port}/inloggen/", allow_redirects=False, timeout=10
        )
        assert login.status_code == 301
        assert login.headers["Location"] == f"https://127.0.0.1:{port}/inloggen/"
    finally:
        web.terminate()
        web.wait(timeout=30)


def test_worker_runs_the_scheduled_jobs(tmp_path):
    install_schedules()
    Schedule.objects.filter(name=HEARTBEAT).update(next_run=timezone.now())
    worker = subprocess.Popen(
        [str(ENTRYPOINT), "worker"],
        env=production(WORKER_PROCESSES="1"),
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "worker.log").open("w"),
    )
    try:
        deadline = time.monotonic() + 60
        while not Success.objects.filter(func="openarrangementen.core.jobs.heartbeat").exists():
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "no heartbeat from the worker in a minute"
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert Schedule.objects.get(name=HEARTBEAT).next_run > timezone.now()
