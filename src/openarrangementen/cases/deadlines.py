"""The stored deadlines of a traject, for work lists at volume (issue #14, ADR 0010).

The rule stays in one place, `cases.domain.pending_deadlines`; this module only feeds it
and stores its answer: the traject's next deadline (`next_deadline_on`, `_kind`, for
sorting) and one `PendingDeadline` row per running term (for the state filters).

- `Traject.save()` stores them with every save (every step, every event date), in the
  same transaction;
- a suspension, a region's own term (DeadlineRule) or a Royal-Decree day (EquatedHoliday)
  recomputes the trajects it can move (signals, same transaction);
- `refresh()` recomputes a set of trajects in batches and reports the drift; the command
  `recompute_deadlines` runs it for everything (`--check` only reports).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from openarrangementen.accounts.models import Municipality
from openarrangementen.core import bulk
from openarrangementen.core.memo import once
from openarrangementen.core.selectors import equated_holiday_dates

from .domain import CLOSED, Event, Suspension, TermRule, TrajectStatus, pending_deadlines
from .domain import PendingDeadline as Pending
from .models import PendingDeadline, Traject
from .models import Suspension as SuspensionRow
from .selectors import term_rules_for

NEXT_DEADLINE_FIELDS = ("next_deadline_on", "next_deadline_kind")
OPEN_STATUSES = [s.value for s in TrajectStatus if s not in CLOSED]


@dataclass
class Inputs:
    """What the computation needs besides the traject, loaded once per batch."""

    extra_holidays: frozenset[date] = field(default_factory=equated_holiday_dates)
    rules_by_region: dict[int, list[TermRule]] = field(default_factory=dict)

    def rules(self, region_id: int) -> list[TermRule]:
        if region_id not in self.rules_by_region:
            self.rules_by_region[region_id] = term_rules_for(region_id)
        return self.rules_by_region[region_id]


def _region_id(traject: Traject) -> int:
    if "municipality" in traject._state.fields_cache:
        return traject.municipality.region_id
    return Municipality.objects.values_list("region_id", flat=True).get(pk=traject.municipality_id)


def compute(
    traject: Traject,
    *,
    inputs: Inputs | None = None,
    suspensions: list[Suspension] | None = None,
    region_id: int | None = None,
) -> list[Pending]:
    """The traject's pending deadlines, soonest first, from its own fields (`region_id`:
    its municipality's region, when the caller knows it)."""
    inputs = inputs or Inputs()
    if suspensions is None:
        suspensions = (
            [Suspension(s.starts_on, s.days) for s in traject.suspensions.all()]
            if traject.pk
            else []
        )
    return pending_deadlines(
        inputs.rules(region_id or _region_id(traject)),
        events={event: getattr(traject, event.value) for event in Event},
        suspensions=suspensions,
        extra_holidays=inputs.extra_holidays,
        closed=TrajectStatus(traject.status) in CLOSED,
    )


Row = tuple[str, date, date, int, int | None]  # kind, starts_on, due_on, municipality, provider


def rows_of(traject: Traject, pending: list[Pending]) -> set[Row]:
    """The PendingDeadline rows the traject should have: its running terms, each with the
    traject's municipality and provider (what a deadline-state filter narrows on)."""
    return {
        (d.kind.value, d.starts_on, d.due_on, traject.municipality_id, traject.provider_id)
        for d in pending
    }


def _changed_rows(wanted: dict[int, set[Row]]) -> set[int]:
    stored: dict[int, set[Row]] = {pk: set() for pk in wanted}
    for traject_id, *row in PendingDeadline.objects.filter(traject_id__in=list(wanted)).values_list(
        "traject_id", "kind", "starts_on", "due_on", "municipality_id", "provider_id"
    ):
        stored[traject_id].add(tuple(row))
    return {pk for pk, rows in wanted.items() if stored[pk] != rows}


def _replace_rows(traject_ids: set[int], wanted: dict[int, set[Row]]) -> None:
    if not traject_ids:
        return
    PendingDeadline.objects.filter(traject_id__in=traject_ids).delete()
    PendingDeadline.objects.bulk_create(
        PendingDeadline(
            traject_id=pk,
            kind=kind,
            starts_on=starts_on,
            due_on=due,
            municipality_id=municipality,
            provider_id=provider,
        )
        for pk in traject_ids
        for kind, starts_on, due, municipality, provider in wanted[pk]
    )


def store_pending(wanted: dict[int, set[Row]]) -> None:
    """Make the PendingDeadline rows of these trajects what was computed (`rows_of`): one
    query when nothing changed, three when something did."""
    _replace_rows(_changed_rows(wanted), wanted)


def refresh(trajects: QuerySet[Traject], *, check_only: bool = False, batch: int = 2000) -> int:
    """Recompute the stored deadlines of `trajects`; returns how many had drifted (and,
    unless `check_only`, were corrected). Rules and holidays are loaded once, suspensions
    and stored rows per batch, and everything is written in bulk."""
    inputs = Inputs()
    drifted = 0
    ids = list(trajects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = list(
            Traject.objects.filter(pk__in=ids[start : start + batch]).select_related("municipality")
        )
        paused: dict[int, list[Suspension]] = {}
        for row in SuspensionRow.objects.filter(traject__in=chunk).order_by("starts_on"):
            paused.setdefault(row.traject_id, []).append(Suspension(row.starts_on, row.days))
        computed = {
            t.pk: compute(t, inputs=inputs, suspensions=paused.get(t.pk, [])) for t in chunk
        }
        stale = []
        for traject in chunk:
            pending = computed[traject.pk]
            values = (
                pending[0].due_on if pending else None,
                pending[0].kind.value if pending else "",
            )
            if (traject.next_deadline_on, traject.next_deadline_kind) != values:
                traject.next_deadline_on, traject.next_deadline_kind = values
                stale.append(traject)
        wanted = {t.pk: rows_of(t, computed[t.pk]) for t in chunk}
        rows_stale = _changed_rows(wanted)
        drifted += len({t.pk for t in stale} | rows_stale)
        if not check_only:
            Traject.objects.bulk_update(stale, NEXT_DEADLINE_FIELDS)
            _replace_rows(rows_stale, wanted)
    return drifted


def suspensions_of(traject_ids) -> dict[int, list[Suspension]]:
    """The suspensions of these trajects, oldest first, in one query."""
    paused: dict[int, list[Suspension]] = {}
    for row in SuspensionRow.objects.filter(traject_id__in=list(traject_ids)).order_by("starts_on"):
        paused.setdefault(row.traject_id, []).append(Suspension(row.starts_on, row.days))
    return paused


def save_in_bulk(trajects: list[Traject], fields, *, before: dict) -> None:
    """`Traject.save(update_fields=fields)` for many trajects at once (issue #14): the same
    stored deadlines (`Traject.stamp`, `store_pending`) and the same change-log entries,
    in a fixed number of queries. The trajects must be locked by the caller; `before`: the
    trajects as stored (as locked, before the change), by pk, for the change log."""
    from django.utils import timezone

    from openarrangementen.accounts.selectors import region_of
    from openarrangementen.core.audit import log_changes_in_bulk

    if not trajects:
        return
    fields = {*fields, "updated_at", *NEXT_DEADLINE_FIELDS, "closed_on"}
    ids = [t.pk for t in trajects]
    inputs = once(("deadline-inputs",), Inputs)  # rules and holidays: once per batch
    paused = suspensions_of(ids)
    now = timezone.now()
    wanted = {}
    for traject in trajects:
        pending = compute(
            traject,
            inputs=inputs,
            suspensions=paused.get(traject.pk, []),
            region_id=region_of(traject.municipality_id),
        )
        traject.stamp(pending)
        traject.updated_at = now
        wanted[traject.pk] = rows_of(traject, pending)
    bulk.update(trajects, sorted(fields))
    store_pending(wanted)
    log_changes_in_bulk((before[t.pk], t, fields) for t in trajects)


def open_trajects() -> QuerySet[Traject]:
    return Traject.objects.filter(status__in=OPEN_STATUSES)


# --- what else moves a deadline (connected in CasesConfig.ready) ---------------------------


def on_suspension_saved(sender, instance, **kwargs) -> None:
    refresh(Traject.objects.filter(pk=instance.traject_id))


def on_region_terms_changed(sender, instance, **kwargs) -> None:
    refresh(open_trajects().filter(municipality__region_id=instance.region_id))


def on_holiday_changed(sender, instance, **kwargs) -> None:
    # A day added or removed moves only terms still running on that day: those due on or
    # after it.
    refresh(
        open_trajects().filter(
            pk__in=PendingDeadline.objects.filter(due_on__gte=instance.day).values("traject_id")
        )
    )
