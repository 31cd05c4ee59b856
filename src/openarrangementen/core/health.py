"""Liveness and readiness for a load balancer and for the functioneel beheerder's start
page (issue #23, ADR 0012). No sign-in, no personal data: counts and states only."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

_migrated = False  # once the schema is complete it stays so for this process


def _database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return f"database niet bereikbaar ({exc.__class__.__name__})"
    return None


def _migrations() -> str | None:
    global _migrated
    if _migrated:
        return None
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return f"{len(plan)} migratie(s) nog niet uitgevoerd"
    _migrated = True
    return None


def _worker() -> str | None:
    from .jobs import worker_alive

    if worker_alive():
        return None
    return f"de worker heeft {settings.WORKER_HEARTBEAT_MINUTES} minuten of langer niets gedaan"


def _iwmo_schemas() -> str | None:
    from openarrangementen.iwmo.schemas import SchemasMissing, schemas

    try:
        schemas()  # loaded once per process and folder
    except SchemasMissing as exc:
        return str(exc)
    return None


def failed_messages() -> int:
    from openarrangementen.iwmo.models import Message

    return Message.objects.filter(
        direction=Message.Direction.OUTGOING, status=Message.Status.FAILED, needs_attention=True
    ).count()


def readiness() -> dict:
    """What /gereed/ reports. Not ready: no database, an incomplete database schema, the
    iWmo XSDs not installed, or no worker.
    iWmo messages that could not be sent are reported but do not make the site unready:
    taking every web process out of the load balancer would not send them (ADR 0012)."""
    problems = {}
    database = _database()
    if database:
        problems["database"] = database
    else:
        checks = (
            ("migraties", _migrations),
            ("iwmo_schemas", _iwmo_schemas),
            ("worker", _worker),
        )
        for name, check in checks:
            if message := check():
                problems[name] = message
    report = {"gereed": not problems, "problemen": problems}
    if not database:
        report["iwmo_mislukt"] = failed_messages()
    return report


@never_cache
@require_GET
def alive(request: HttpRequest) -> JsonResponse:
    """/gezond/: the process answers (no database)."""
    return JsonResponse({"gezond": True})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """/gereed/: this process can serve: 200, or 503 with what is wrong."""
    report = readiness()
    return JsonResponse(report, status=200 if report["gereed"] else 503)
