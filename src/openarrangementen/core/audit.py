"""Logging reads of personal data (NEN 7513). Changes are logged by django-auditlog."""

from collections.abc import Iterable

from django.db import models

from .models import AccessLog


def log_access(
    *,
    actor: models.Model,
    action: str,
    objects: Iterable[models.Model],
    purpose: str,
    path: str = "",
    roles: str = "",
) -> int:
    """Write one AccessLog row per object read; returns the number of rows written."""
    rows = []
    for obj in objects:
        client_id = getattr(obj, "audit_client_id", None)
        rows.append(
            AccessLog(
                actor=actor,
                actor_roles=roles[:300],
                action=action,
                object_type=obj._meta.label,
                object_id=str(obj.pk),
                client_id=str(client_id) if client_id is not None else "",
                purpose=purpose[:200],
                path=path[:500],
            )
        )
    AccessLog.objects.bulk_create(rows)
    return len(rows)
