"""Logging reads of personal data (NEN 7513). Changes are logged by django-auditlog.

Within a request (`AccessLogMiddleware`) the reads are kept until the response is known:
they are written when the page was shown (status below 400) and dropped when it was not, so
a 404 never leaves an "ingezien" row behind. Refusals (`log_refusal`) are written whatever
the response. Outside a request (commands, jobs, tests of services) rows are written at once.
"""

from collections.abc import Iterable
from contextvars import ContextVar

from django.db import connection, models
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from .models import AccessLog

_pending: ContextVar[list[AccessLog] | None] = ContextVar("access_log_pending", default=None)


def _row(*, actor, action, object_type, object_id, client_id, purpose, path, roles) -> AccessLog:
    return AccessLog(
        actor=actor,
        actor_roles=roles[:300],
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        client_id=str(client_id) if client_id not in (None, "") else "",
        purpose=purpose[:200],
        path=path[:500],
    )


def _write(rows: list[AccessLog]) -> None:
    pending = _pending.get()
    if pending is None:
        AccessLog.objects.bulk_create(rows)
    else:
        pending.extend(rows)


def log_access(
    *,
    actor: models.Model,
    action: str,
    objects: Iterable[models.Model],
    purpose: str,
    path: str = "",
    roles: str = "",
) -> int:
    """Log one row per object read (after it was found visible); returns the row count."""
    rows = [
        _row(
            actor=actor,
            action=action,
            object_type=obj._meta.label,
            object_id=obj.pk,
            client_id=getattr(obj, "audit_client_id", None),
            purpose=purpose,
            path=path,
            roles=roles,
        )
        for obj in objects
    ]
    _write(rows)
    return len(rows)


def log_list(
    *,
    actor: models.Model,
    objects: Iterable[models.Model],
    purpose: str,
    path: str = "",
    roles: str = "",
    action: str = AccessLog.Action.LIST,
) -> None:
    """One row for a list page or an export, naming every client in it (STYLE §9a): not
    one row per client. `access_log_for_client` finds it again."""
    objects = list(objects)
    if not objects:
        return
    row = _row(
        actor=actor,
        action=action,
        object_type=objects[0]._meta.label,
        object_id=len(objects),
        client_id=None,
        purpose=purpose,
        path=path,
        roles=roles,
    )
    row.client_ids = sorted(
        {int(c) for obj in objects if (c := getattr(obj, "audit_client_id", None)) is not None}
    )
    _write([row])


def access_log_for_client(client_id: int) -> QuerySet[AccessLog]:
    """Who saw, exported, searched or tried to open client X, when and why: one query, on
    the indexed `client_id` and, for list pages, the GIN-indexed `client_ids` (PostgreSQL) or
    `json_each` (SQLite)."""
    if connection.vendor == "postgresql":
        in_list = Q(client_ids__contains=[int(client_id)])
    else:
        in_list = Q(
            pk__in=RawSQL(
                "SELECT core_accesslog.id FROM core_accesslog, json_each(core_accesslog.client_ids)"
                " WHERE json_each.value = %s",
                [int(client_id)],
            )
        )
    return AccessLog.objects.filter(Q(client_id=str(client_id)) | in_list).select_related("actor")


def log_refusal(
    *,
    actor: models.Model,
    model: type[models.Model],
    object_id,
    client_lookup: str = "client_id",
    purpose: str,
    path: str = "",
    roles: str = "",
) -> None:
    """Log an attempt to open client data that was refused (404/403), for NEN 7513 reports.
    The client the object is about (`client_lookup` from the model, when the object exists)
    is recorded for the auditor, never shown to the user who was refused."""
    client_id = None
    if str(object_id).isdigit():
        client_id = (
            model._default_manager.filter(pk=object_id)
            .values_list(client_lookup, flat=True)
            .first()
        )
    row = _row(
        actor=actor,
        action=AccessLog.Action.REFUSED,
        object_type=model._meta.label,
        object_id=object_id,
        client_id=client_id,
        purpose=f"geweigerd: {purpose}",
        path=path,
        roles=roles,
    )
    row._always = True
    _write([row])


def log_lookup(
    *,
    actor: models.Model,
    model: type[models.Model],
    found: models.Model | None,
    purpose: str,
    path: str = "",
    roles: str = "",
) -> None:
    """Log a search for a person (such as a BSN check), whether or not it found one."""
    row = _row(
        actor=actor,
        action=AccessLog.Action.LOOKUP,
        object_type=model._meta.label,
        object_id=found.pk if found is not None else "",
        client_id=getattr(found, "audit_client_id", None) if found is not None else None,
        purpose=purpose if found is not None else f"{purpose} (niets gevonden)",
        path=path,
        roles=roles,
    )
    row._always = True
    _write([row])


class AccessLogMiddleware:
    """Writes a request's access-log rows once the response is known (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _pending.set([])
        try:
            response = self.get_response(request)
            rows = _pending.get() or []
        finally:
            _pending.reset(token)
        shown = response.status_code < 400
        keep = [row for row in rows if shown or getattr(row, "_always", False)]
        if keep:
            AccessLog.objects.bulk_create(keep)
        return response


def log_changes_in_bulk(
    changes: Iterable[tuple[models.Model | None, models.Model, Iterable[str] | None]],
) -> int:
    """What django-auditlog's signals write for a save, for rows written in bulk (a bulk
    insert or update skips the signals; issue #14). `changes`: (old, new, fields) per row —
    `old` None for a row just created, `fields` the saved fields (None: all). The entries
    are django-auditlog's own: its diff, the registered fields only, and the actor and
    request of its context (`set_actor`, applied by its pre-save hook). Returns how many
    entries were written (a save that changed nothing writes none, as the signals do)."""
    from django.conf import settings
    from django.db.models.signals import pre_save

    from auditlog.context import auditlog_disabled
    from auditlog.diff import model_instance_diff
    from auditlog.models import LogEntry
    from auditlog.registry import auditlog

    if auditlog_disabled.get():
        return 0
    entries = []
    for old, new, fields in changes:
        if not auditlog.contains(type(new)):
            continue
        diff = model_instance_diff(
            old,
            new,
            fields_to_check=fields,
            use_json_for_changes=getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False),
        )
        if not diff:
            continue
        action = LogEntry.Action.CREATE if old is None else LogEntry.Action.UPDATE
        entry = LogEntry(
            content_type=_content_type(type(new)),
            object_pk=str(new.pk),
            object_id=new.pk if isinstance(new.pk, int) else None,
            object_repr=str(new),
            action=action,
            changes=diff,
            cid=_cid(),
            serialized_data=LogEntry.objects._get_serialized_data_or_none(new),
        )
        additional = getattr(new, "get_additional_data", None)
        if callable(additional):
            entry.additional_data = additional()
        pre_save.send(sender=LogEntry, instance=entry)  # the actor and request of the context
        entries.append(entry)
    LogEntry.objects.bulk_create(entries, batch_size=1_000)
    return len(entries)


def _content_type(model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model)


def _cid():
    from auditlog.cid import get_cid

    return get_cid()
