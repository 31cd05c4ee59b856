"""Backups that can be checked (issue #23, docs/deployment.md): `pg_dump` of one consistent
snapshot, with the row count of every table in that same snapshot written beside it, so a
restore drill can prove the restored database has every row (`compare_counts`)."""

import json
import os
import subprocess
from datetime import datetime
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    """Said to the operator; nothing half-written is left behind."""


def _tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [name for (name,) in cursor.fetchall()]


def table_counts(cursor) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor):
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # names from the catalog itself
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "PGHOST": str(db["HOST"] or ""),
        "PGPORT": str(db["PORT"] or ""),
        "PGUSER": str(db["USER"] or ""),
        "PGPASSWORD": str(db["PASSWORD"] or ""),
        "PGDATABASE": str(db["NAME"]),
    }


def backup(directory: Path) -> tuple[Path, Path]:
    """Write `<name>.dump` (pg_dump's custom format) and `<name>.counts.json` into
    `directory`; returns both paths."""
    if connection.vendor != "postgresql":
        raise BackupError("Back-ups zijn voor PostgreSQL (DB_ENGINE=postgresql), niet SQLite.")
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")  # noqa: DTZ005 - a file name
    dump = directory / f"openarrangementen-{stamp}.dump"
    counts_file = directory / f"openarrangementen-{stamp}.counts.json"
    db = connection.settings_dict
    import psycopg

    # A connection of its own: the snapshot's transaction must stay open while pg_dump
    # reads it, whatever Django's connection is doing.
    with (
        psycopg.connect(
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
            dbname=db["NAME"],
        ) as own,
        own.cursor() as cursor,
    ):
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        counts = table_counts(cursor)
        result = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
             f"--file={dump}"],
            env=_pg_env(),
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        own.rollback()
    if result.returncode:
        dump.unlink(missing_ok=True)
        raise BackupError(f"pg_dump is mislukt: {result.stderr.strip()[-500:]}")
    counts_file.write_text(json.dumps(counts, indent=1, sort_keys=True))
    return dump, counts_file


def compare_counts(expected_file: Path) -> list[str]:
    """The differences between the counts recorded at backup time and this database's."""
    expected = json.loads(expected_file.read_text())
    with connection.cursor() as cursor:
        found = table_counts(cursor)
    problems = []
    for table in sorted(set(expected) | set(found)):
        if expected.get(table) != found.get(table):
            problems.append(f"{table}: verwacht {expected.get(table)}, gevonden {found.get(table)}")
    return problems
