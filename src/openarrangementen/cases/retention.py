"""Retention (issue #23, ADR 0013): after its retention period a closed traject loses its
personal data, and an inwoner whose trajects have all passed theirs loses theirs.

The periods follow the Selectielijst gemeenten en intergemeentelijke organen (VNG), process
type 8 *Voorzieningen verstrekken* and 21 *Adviseren*; each is a setting
(`RETENTION_*`, docs/configuration.md). The period runs from the day the traject closed
(`Traject.closed_on`).

What is personal is declared by the app that owns it, in its own `retention.py`:
`scrub_with_traject(...)` for rows that belong to a traject, `scrub_with_client(...)` for
rows that belong to the inwoner, and `hold(...)` for a reason to keep a traject that has
passed its period (an open bezwaar, a line not yet paid). The job anonymises rather than
deletes: dates, arrangement, level, provider, amounts and the traject number stay, so
monitoring and the accounts still add up, while nothing points to a person any more.

Set-based: one UPDATE per declared model per batch of trajects (STYLE §9a); a batch is
claimed with `select_for_update(skip_locked=True)`, so two workers never do the same batch,
and a traject once anonymised is never selected again.
"""

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from dateutil.relativedelta import relativedelta

from .domain import TrajectStatus

logger = logging.getLogger(__name__)

BATCH = 1000


# --- the policy ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """How long a closed traject keeps its personal data, and where that comes from."""

    status: TrajectStatus
    setting: str  # the setting that holds the length
    unit: str  # "years" or "days"
    source: str

    def length(self) -> int:
        return int(getattr(settings, self.setting))

    def cutoff(self, today: date) -> date:
        """Trajects closed on or before this day have passed their period."""
        return today - relativedelta(**{self.unit: self.length()})


PERIODS = (
    Period(
        TrajectStatus.ENDED,
        "RETENTION_GRANTED_YEARS",
        "years",
        "Selectielijst gemeenten, 8.1.1 en 8.3.1 (Wmo-voorziening verstrekt of beëindigd): "
        "vernietigen 15 jaar na afsluiten",
    ),
    Period(
        TrajectStatus.CLOSED_WITH_ADVICE,
        "RETENTION_ADVICE_YEARS",
        "years",
        "Selectielijst gemeenten, 21.1 (advies verstrekt): vernietigen 5 jaar na afsluiten",
    ),
    Period(
        TrajectStatus.WITHDRAWN,
        "RETENTION_WITHDRAWN_DAYS",
        "days",
        "Selectielijst gemeenten, 8.4.1 (afgebroken, voorziening in het sociaal domein): "
        "vernietigen 42 dagen na afsluiten",
    ),
)


# --- what the apps declare --------------------------------------------------------------------


@dataclass(frozen=True)
class Scrub:
    """Rows of `model` found through `by` (a lookup to the traject's or the inwoner's id,
    e.g. "traject_id", "intake__traject_id", "client_id", "pk"): blank `fields`, set
    `values`, or delete the rows."""

    model: type[models.Model]
    by: str
    fields: tuple[str, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)
    delete: bool = False

    def updates(self) -> dict[str, Any]:
        blanked = {name: _blank(self.model._meta.get_field(name)) for name in self.fields}
        return {**blanked, **self.values}


@dataclass(frozen=True)
class Hold:
    """A reason to keep a traject past its period: `condition(traject)` is an `Exists`
    on the traject's `OuterRef("pk")` that is true while the reason lasts."""

    label: str
    condition: Callable[[date], Exists]


TRAJECT_SCRUBS: list[Scrub] = []
ALSO: dict[str, Callable[[date], int]] = {}
CLIENT_SCRUBS: list[Scrub] = []
HOLDS: list[Hold] = []
WITH_CLIENTS: list[Callable[[list[int]], int]] = []


def scrub_with_traject(*scrubs: Scrub) -> None:
    TRAJECT_SCRUBS.extend(s for s in scrubs if s not in TRAJECT_SCRUBS)


def scrub_with_client(*scrubs: Scrub) -> None:
    CLIENT_SCRUBS.extend(s for s in scrubs if s not in CLIENT_SCRUBS)


def hold(label: str, condition: Callable[[date], Exists]) -> None:
    if label not in {h.label for h in HOLDS}:
        HOLDS.append(Hold(label, condition))


def with_clients(func: Callable[[list[int]], int]) -> Callable[[list[int]], int]:
    """`func(client_ids)` runs just before those inwoners are anonymised, while their links
    still stand (e.g. to close their own accounts); it returns how many rows it changed."""
    if func not in WITH_CLIENTS:
        WITH_CLIENTS.append(func)
    return func


def also(label: str) -> Callable[[Callable[[date], int]], Callable[[date], int]]:
    """Register `func(today)`: records with a period of their own, not tied to one traject
    (e.g. declarations listing many clients); it returns how many it anonymised."""

    def register(func: Callable[[date], int]) -> Callable[[date], int]:
        ALSO[label] = func
        return func

    return register


def _blank(f: models.Field) -> Any:
    if isinstance(f, models.JSONField):
        return f.get_default() if f.has_default() else []
    if isinstance(f, models.CharField | models.TextField):
        return ""
    if f.null:
        return None
    raise ValueError(f"{f.model.__name__}.{f.name} cannot be blanked; give a value")


_discovered = False


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("retention")
        _discovered = True


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Report:
    """What a run did: counts only, never content (they go to the log)."""

    trajects: dict[str, int] = field(default_factory=dict)  # per status
    kept: dict[str, int] = field(default_factory=dict)  # per hold
    clients: int = 0
    rows: int = 0  # rows changed or deleted in the declared models
    audit_entries: int = 0
    other: dict[str, int] = field(default_factory=dict)  # per `also` label

    def as_dict(self) -> dict:
        return {
            "trajecten": self.trajects,
            "behouden": self.kept,
            "inwoners": self.clients,
            "rijen": self.rows,
            "auditregels": self.audit_entries,
            "overig": self.other,
        }


def _due(today: date):
    from .models import Traject

    passed = Q()
    for period in PERIODS:
        passed |= Q(status=period.status.value, closed_on__lte=period.cutoff(today))
    return Traject.objects.filter(passed, anonymised_at__isnull=True)


def due_trajects(today: date | None = None):
    """The trajects whose period has passed and that nothing holds, oldest first."""
    _discover()
    today = today or timezone.localdate()
    due = _due(today)
    for h in HOLDS:
        due = due.exclude(h.condition(today))
    return due.order_by("closed_on", "pk")


def run(*, today: date | None = None, dry_run: bool = False, batch: int = BATCH) -> Report:
    """Anonymise every traject past its period and every inwoner with nothing left; returns
    the counts. Safe to run twice or in two workers at once."""
    _discover()
    today = today or timezone.localdate()
    report = Report()
    candidates = _due(today)
    for h in HOLDS:
        kept = candidates.filter(h.condition(today)).count()
        if kept:
            report.kept[h.label] = kept
    due = due_trajects(today)
    if dry_run:
        for row in due.values("status").annotate(n=models.Count("pk")).order_by("status"):
            report.trajects[row["status"]] = row["n"]
        report.clients = _clients_due(about_to_go=due).count()
        return report
    while True:
        with transaction.atomic():
            ids = list(
                due.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)[
                    :batch
                ]
            )
            if not ids:
                break
            _anonymise_trajects(ids, report)
            _anonymise_clients_of(ids, report)
    for label, func in ALSO.items():
        with transaction.atomic():
            done = func(today)
        if done:
            report.other[label] = done
    logger.info("bewaartermijnen: %s", json.dumps(report.as_dict(), ensure_ascii=False))
    return report


def _apply(scrubs: Iterable[Scrub], ids: list[int], report: Report) -> None:
    for scrub in scrubs:
        rows = scrub.model._default_manager.filter(**{f"{scrub.by}__in": ids})
        report.audit_entries += _audit_entries_delete(scrub.model, rows)
        if scrub.delete:
            report.rows += rows.delete()[0]
        else:
            report.rows += rows.update(**scrub.updates())


def _audit_entries_delete(model: type[models.Model], rows) -> int:
    """The change log of these rows holds their old values: it goes with them."""
    from django.contrib.contenttypes.models import ContentType

    from auditlog.models import LogEntry

    kind = ContentType.objects.get_for_model(model)
    entries = LogEntry.objects.filter(content_type=kind, object_id__in=rows.values("pk").order_by())
    return entries._raw_delete(entries.db)


def _anonymise_trajects(ids: list[int], report: Report) -> None:
    from .models import Traject

    _apply(TRAJECT_SCRUBS, ids, report)
    for row in Traject.objects.filter(pk__in=ids).values("status").annotate(n=models.Count("pk")):
        report.trajects[row["status"]] = report.trajects.get(row["status"], 0) + row["n"]
    # `update()`: no `save()`, so no deadlines are recomputed and no audit entry written.
    Traject.objects.filter(pk__in=ids).update(anonymised_at=timezone.now())


def _clients_due(about_to_go=None):
    """Inwoners with at least one traject, all of them anonymised (or about to be)."""
    from openarrangementen.clients.models import Client

    from .models import Traject

    open_ = Traject.objects.filter(client=OuterRef("pk"), anonymised_at__isnull=True)
    if about_to_go is not None:
        open_ = open_.exclude(pk__in=about_to_go.order_by().values("pk"))
    return (
        Client.objects.filter(anonymised_at__isnull=True)
        .filter(Exists(Traject.objects.filter(client=OuterRef("pk"))))
        .exclude(Exists(open_))
    )


def _anonymise_clients_of(traject_ids: list[int], report: Report) -> None:
    """In the same transaction as their trajects: the inwoners of these trajects who have
    no other traject left. Their rows are locked in order first, so a second worker busy
    with another traject of the same inwoner waits, then sees this one done (and the
    inwoner is anonymised by whichever of the two finishes last)."""
    from openarrangementen.clients.models import Client

    from .models import Traject

    client_ids = set(Traject.objects.filter(pk__in=traject_ids).values_list("client_id", flat=True))
    list(Client.objects.select_for_update().filter(pk__in=client_ids).order_by("pk"))
    ids = list(_clients_due().filter(pk__in=client_ids).values_list("pk", flat=True))
    if ids:
        _anonymise_clients(ids, report)


def _anonymise_clients(ids: list[int], report: Report) -> None:
    from openarrangementen.clients.models import Client

    for func in WITH_CLIENTS:
        report.rows += func(ids)
    _apply(CLIENT_SCRUBS, ids, report)
    Client.objects.filter(pk__in=ids).update(anonymised_at=timezone.now())
    report.clients += len(ids)


def periods_described() -> list[tuple[str, str, str]]:
    """(status label, length in words, source) for docs and beheer."""
    from .domain import STATUS_LABELS

    words = {"years": "jaar", "days": "dagen"}
    return [(STATUS_LABELS[p.status], f"{p.length()} {words[p.unit]}", p.source) for p in PERIODS]


# --- what this app holds about a person -------------------------------------------------------


def _declare() -> None:
    from .models import Intake, StatusChange, Suspension, Traject, ZrmScore

    scrub_with_traject(
        Scrub(Traject, "pk", ("question", "reporter_name", "advice", "link_reason")),
        Scrub(StatusChange, "traject_id", ("reason",)),
        Scrub(Suspension, "traject_id", ("reason",)),
        Scrub(Intake, "traject_id", ("location", "participants", "client_support", "summary")),
        Scrub(ZrmScore, "intake__traject_id", ("notes", "goals")),
    )


_declare()
