"""Backup and the restore drill (issue #23): `manage.py backup` of the demo database, then
scripts/restore-drill.sh restores it into a throw-away PostgreSQL cluster and finds every
table with the rows it had; a back-up whose rows do not match fails the drill."""

import json
import subprocess

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

import pytest

from openarrangementen.clients.models import Client

from .processes import database_env, free_port, postgresql_only


def drill(dump) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(settings.REPO_DIR / "scripts" / "restore-drill.sh"), str(dump)],
        cwd=settings.REPO_DIR,
        env={**database_env(), "PGPORT": str(free_port())},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_backup_then_the_drill_restores_every_row(tmp_path):
    from openarrangementen.core.demo import seed_demo

    seed_demo()
    call_command("backup", str(tmp_path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    (dump,) = tmp_path.glob("*.dump")
    counts = json.loads(next(tmp_path.glob("*.counts.json")).read_text())
    assert counts["clients_client"] == Client.objects.count() > 0
    assert len(counts) > 50  # every table, not a sample

    result = drill(dump)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Alle {len(counts)} tabellen hebben evenveel rijen" in result.stdout

    # A back-up that lacks a row (here: its recorded count says one more) fails the drill.
    counts["clients_client"] += 1
    next(tmp_path.glob("*.counts.json")).write_text(json.dumps(counts))
    failed = drill(dump)
    assert failed.returncode != 0
    assert "clients_client: verwacht" in failed.stderr


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite half's case")
def test_backup_says_it_is_for_postgresql(tmp_path):
    with pytest.raises(CommandError, match="Back-ups zijn voor PostgreSQL"):
        call_command("backup", str(tmp_path))
    assert list(tmp_path.iterdir()) == []
