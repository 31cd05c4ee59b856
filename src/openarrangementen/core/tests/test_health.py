"""/gezond/ and /gereed/ (issue #23): what a load balancer and the functioneel beheerder read.
Expectations from the issue: ready means database reachable, schema complete and a worker
heartbeat younger than WORKER_HEARTBEAT_MINUTES; failed iWmo messages are reported."""

import subprocess
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

import pytest
import requests
from django_q.models import Schedule

from openarrangementen.core.jobs import HEARTBEAT, install_schedules

from .processes import database_env, free_port, postgresql_only, wait_for

pytestmark = pytest.mark.django_db


def beat(minutes_ago: float) -> None:
    install_schedules()
    Schedule.objects.filter(name=HEARTBEAT).update(
        next_run=timezone.now() - timedelta(minutes=minutes_ago)
    )


def test_alive_needs_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        answer = client.get("/gezond/")
    assert (answer.status_code, answer.json()) == (200, {"gezond": True})
    assert "no-cache" in answer["Cache-Control"]


def test_ready_with_a_recent_heartbeat(client):
    beat(minutes_ago=1)  # due a minute ago: the worker picks it up at its next poll
    answer = client.get("/gereed/")
    assert answer.status_code == 200
    assert answer.json() == {"gereed": True, "problemen": {}, "iwmo_mislukt": 0}


def test_not_ready_without_a_worker(client, settings):
    settings.WORKER_HEARTBEAT_MINUTES = 5
    beat(minutes_ago=6)
    answer = client.get("/gereed/")
    assert answer.status_code == 503
    assert answer.json()["problemen"] == {
        "worker": "de worker heeft 5 minuten of langer niets gedaan"
    }


def test_not_ready_without_the_iwmo_schemas(client, settings, tmp_path):
    beat(minutes_ago=0)
    settings.IWMO_SCHEMA_DIR = tmp_path
    answer = client.get("/gereed/")
    assert answer.status_code == 503
    assert "iwmo_schemas" in answer.json()["problemen"]
    assert "install_iwmo_schemas" in answer.json()["problemen"]["iwmo_schemas"]


def test_not_ready_before_the_first_migrate_wrote_the_schedules(client):
    Schedule.objects.filter(name=HEARTBEAT).delete()
    assert client.get("/gereed/").status_code == 503


def test_the_schedules_are_written_once_and_keep_their_next_run():
    install_schedules()
    daily = Schedule.objects.get(name="evaluatie-herinneringen")
    assert (daily.schedule_type, daily.func) == (
        Schedule.DAILY,
        "openarrangementen.core.jobs.evaluation_reminders",
    )
    assert timezone.localtime(daily.next_run).strftime("%H:%M") == "06:15"
    moved = timezone.now() + timedelta(days=3)
    Schedule.objects.filter(pk=daily.pk).update(next_run=moved)
    install_schedules()
    assert Schedule.objects.get(pk=daily.pk).next_run == moved
    assert set(Schedule.objects.values_list("name", flat=True)) >= {
        "iwmo-versturen",
        "iwmo-mappen",
        "startbericht-ontbreekt",
        "evaluatie-herinneringen",
        HEARTBEAT,
    }


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_a_dropped_database_connection_does_not_fail_the_next_request(tmp_path):
    """What a `pg_ctl restart` does to a running gunicorn worker: the connection it kept
    (CONN_MAX_AGE) is gone. With CONN_HEALTH_CHECKS the next request opens a new one
    instead of failing. gunicorn as in production: one sync worker keeps its connection
    between requests (Django's own test servers open one per request)."""
    install_schedules()
    port = free_port()
    server = subprocess.Popen(
        ["gunicorn", "openarrangementen.wsgi", "--workers=1", f"--bind=127.0.0.1:{port}"],
        cwd=settings.REPO_DIR,
        env=database_env(),
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "gunicorn.log").open("w"),
    )
    ready = f"http://127.0.0.1:{port}/gereed/"
    try:
        first = wait_for(ready)
        assert first.status_code == 200, first.text
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchone()[0] >= 1, "the worker kept no connection to drop"
        answer = requests.get(ready, timeout=10)
        assert answer.status_code == 200, answer.text
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_beheerder_sees_on_the_start_page_whether_the_worker_runs(client):
    from openarrangementen.accounts.models import User
    from openarrangementen.cases.domain import TrajectStatus
    from openarrangementen.cases.tests import flow
    from openarrangementen.iwmo.models import Message, Side

    client.force_login(User.objects.get(username="almere.beheerder"))
    beat(minutes_ago=1)
    page = client.get("/").content.decode()
    assert "De achtergrondtaken draaien:" in page
    assert "Alle iWmo-berichten zijn verstuurd" in page

    flow.advance(flow.new_melding(), TrajectStatus.DECIDED)
    Message.objects.filter(code="301", side=Side.MUNICIPALITY).update(
        status=Message.Status.FAILED, needs_attention=True
    )
    beat(minutes_ago=30)
    page = client.get("/").content.decode()
    assert "De achtergrondtaken draaien niet" in page
    assert "1 iWmo-bericht kon niet worden verstuurd" in page
    assert "/iwmo-berichten/?status=mislukt" in page
    # Another region's beheerder does not count Almere's messages.
    client.force_login(User.objects.get(username="mlw.beheerder"))
    assert "Alle iWmo-berichten zijn verstuurd" in client.get("/").content.decode()
