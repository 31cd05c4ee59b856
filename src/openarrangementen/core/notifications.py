"""Notify users: a row in the app and, where the user has an address, an e-mail through
Django's mail backend (console in development, SMTP in production, locmem in tests).

Callers pass texts without client names or BSN (see `Notification`).
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification


def notify(*, recipients: Iterable, subject: str, text: str, url: str = "") -> list[Notification]:
    """One notification per distinct active recipient; the e-mails go out after the commit,
    so a step that fails and rolls back sends nothing."""
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                recipient=user, subject=subject[:200], text=text, url=url, emailed=bool(user.email)
            )
        )
    Notification.objects.bulk_create(rows)
    base = settings.PORTAL_BASE_URL.rstrip("/")
    mails = [
        (row.recipient.email, f"{text}\n\n{base}{url}" if url else text)
        for row in rows
        if row.emailed
    ]

    def send() -> None:
        for address, body in mails:
            send_mail(
                f"Open Arrangementen: {subject}",
                body,
                settings.DEFAULT_FROM_EMAIL,
                [address],
                fail_silently=True,
            )

    transaction.on_commit(send)
    return rows


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, user, pk: int | None = None) -> int:
    """Mark one (or, without `pk`, every) notification of `user` read."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pk is not None:
        rows = rows.filter(pk=pk)
    return rows.update(read_at=timezone.now())
