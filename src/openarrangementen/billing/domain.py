"""Billing periods, tariffs per period, the billing rule sets and the reconciliation of what
is owed with what was declared. Pure Python: no Django, no clock (docs/adr/0008-billing.md).

The model in one paragraph. A client's *line* (one kind of support, e.g. product category
02 Begeleiding) is made of *segments*: one per toewijzing, from the later of its Ingangsdatum
and the reported start (305) to the earlier of its Einddatum and the reported stop (307).
A segment without a reported start has no support days. A *period* of the region's billing
calendar with at least one support day (not paused) is owed exactly once, to the segment
with the earliest support day in it: on a change of provider or level within a period the
old one is paid the whole period. The rule set decides *when* each owed period may be
declared. The declared lines are then reconciled against what is owed: what is owed and not
standing is debited, what is standing and no longer owed (or owed differently) is credited.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cache, cached_property, lru_cache
from typing import NamedTuple

from openarrangementen.core.money import euros

ONE_DAY = timedelta(days=1)


class Calendar(StrEnum):
    MONTH = "month"  # calendar months (iWmo 3.2 declares per month, TR387/TR388)
    FOUR_WEEKS = "4w"  # 13 periods of 4 weeks a year, as the CAK used (seed 004 §6, §9)


class RuleSet(StrEnum):
    EVERY_PERIOD = "every_period"  # every period with support is declared after it ends
    MIDDEN_LIMBURG = "midden_limburg"  # seed 004 §9


CALENDAR_LABELS = {
    Calendar.MONTH: "kalendermaanden",
    Calendar.FOUR_WEEKS: "perioden van 4 weken (13 per jaar)",
}
RULE_SET_LABELS = {
    RuleSet.EVERY_PERIOD: "elke periode met ondersteuning",
    RuleSet.MIDDEN_LIMBURG: "Midden-Limburg: startperiode nabetaald bij het einde, "
    "wisselperiode naar de oude aanbieder",
}


# --- periods ------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Period:
    begin: date
    end: date  # inclusive
    calendar: Calendar = field(default=Calendar.MONTH, compare=False)

    @cached_property
    def label(self) -> str:
        if self.calendar == Calendar.MONTH:
            return f"{self.begin.year}-{self.begin.month:02d}"
        return f"{self.begin.year}-P{four_week_number(self.begin):02d}"

    @property
    def description(self) -> str:
        """Dutch: 'maart 2025' or 'periode 4 van 2019 (26-03-2019 t/m 22-04-2019)'."""
        if self.calendar == Calendar.MONTH:
            return f"{MONTHS[self.begin.month - 1]} {self.begin.year}"
        return (
            f"periode {four_week_number(self.begin)} van {self.begin.year} "
            f"({self.begin:%d-%m-%Y} t/m {self.end:%d-%m-%Y})"
        )

    def contains(self, day: date) -> bool:
        return self.begin <= day <= self.end

    def overlaps(self, other: Period) -> bool:
        return self.begin <= other.end and other.begin <= self.end


MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


def _dmy(day: date) -> str:
    """dd-mm-yyyy (strftime is slow in a run over every period of every line)."""
    return f"{day.day:02d}-{day.month:02d}-{day.year}"


def month_of(day: date) -> Period:
    return _month(day.year, day.month)


@cache
def _month(year: int, month: int) -> Period:
    begin = date(year, month, 1)
    following = (begin + timedelta(days=32)).replace(day=1)
    return Period(begin, following - ONE_DAY, Calendar.MONTH)


def four_week_number(day: date) -> int:
    """Period 1..13 of the year: period k starts on 1 January + 28 x (k - 1) days; period 13
    runs to 31 December (29 or 30 days)."""
    return min(13, (day - date(day.year, 1, 1)).days // 28 + 1)


def four_weeks_of(day: date) -> Period:
    return _four_weeks(day.year, four_week_number(day))


@cache
def _four_weeks(year: int, number: int) -> Period:
    begin = date(year, 1, 1) + timedelta(days=28 * (number - 1))
    end = date(year, 12, 31) if number == 13 else begin + timedelta(days=27)
    return Period(begin, end, Calendar.FOUR_WEEKS)


def period_of(day: date, calendar: Calendar) -> Period:
    return month_of(day) if calendar == Calendar.MONTH else four_weeks_of(day)


def periods_between(begin: date, end: date, calendar: Calendar) -> list[Period]:
    """The periods touching begin..end (inclusive), in order."""
    return list(_periods(period_of(begin, calendar).begin, end, calendar))


@lru_cache(maxsize=4096)  # a billing run asks it for every line, mostly the same spans
def _periods(begin: date, end: date, calendar: Calendar) -> tuple[Period, ...]:
    found = []
    period = period_of(begin, calendar)
    while period.begin <= end:
        found.append(period)
        period = period_of(period.end + ONE_DAY, calendar)
    return tuple(found)


# --- tariffs --------------------------------------------------------------------------------

PER_FOUR_WEEKS = "4w"
PER_MONTH = "month"


def tariff_per_period(amount: Decimal, per: str, calendar: Calendar) -> Decimal:
    """A tariff agreed per 4 weeks or per month, as an amount per period of `calendar`.

    A year has 13 periods of 4 weeks and 12 months, so the yearly amount is kept: per month
    = per 4 weeks x 13 / 12, per 4 weeks = per month x 12 / 13, rounded half up to the cent
    (EUR 620,00 per 4 weeks = EUR 671,67 per month)."""
    if per == PER_MONTH and calendar == Calendar.FOUR_WEEKS:
        return euros(Decimal(amount) * 12 / 13)
    if per == PER_FOUR_WEEKS and calendar == Calendar.MONTH:
        return euros(Decimal(amount) * 13 / 12)
    return euros(amount)


# --- what is owed ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """One toewijzing of the line as delivered."""

    assignment: Hashable  # ToewijzingNummer
    provider: Hashable
    level: Hashable
    assigned_from: date
    assigned_to: date | None
    started_on: date | None  # the reported start (305); None: no start, nothing to declare
    stopped_on: date | None = None  # the reported last day of support (307)

    # Computed once per segment: a billing run asks them for every period of every line.
    @cached_property
    def first_day(self) -> date | None:
        if self.started_on is None:
            return None
        first = max(self.assigned_from, self.started_on)
        last = self.last_day
        return first if last is None or first <= last else None

    @cached_property
    def last_day(self) -> date | None:
        ends = [d for d in (self.assigned_to, self.stopped_on) if d is not None]
        return min(ends) if ends else None

    def supports(self, day: date) -> bool:
        first, last = self.first_day, self.last_day
        return first is not None and first <= day and (last is None or day <= last)


@dataclass(frozen=True)
class Pause:
    """Days without support (opname, vakantie van de cliënt): begin..end inclusive."""

    begin: date
    end: date

    def contains(self, day: date) -> bool:
        return self.begin <= day <= self.end


@dataclass(frozen=True)
class Owed:
    """A period owed to one segment, and from when it may be declared."""

    period: Period
    segment: Segment
    first_day: date  # the segment's first support day in the period
    due_on: date | None  # may be declared from this day; None: not yet known (deferred)
    reason: str  # Dutch, for the pages

    @property
    def deferred(self) -> bool:
        return self.due_on is None or self.due_on > self.period.end + ONE_DAY


@dataclass(frozen=True)
class NotOwed:
    period: Period
    reason: str


def _days(begin: date, end: date) -> Iterator[date]:
    day = begin
    while day <= end:
        yield day
        day += ONE_DAY


def _first_unpaused(begin: date, end: date, pauses: list[Pause]) -> date | None:
    """The first day of begin..end that no pause contains, or None."""
    if not pauses:
        return begin if begin <= end else None
    return next((d for d in _days(begin, end) if not any(p.contains(d) for p in pauses)), None)


def _runs(segments: list[Segment]) -> list[list[Segment]]:
    """Per provider, the segments that follow each other without a day in between: one
    uninterrupted stretch of support by that provider (a level change does not end it)."""
    runs: list[list[Segment]] = []
    started = sorted((s for s in segments if s.first_day), key=lambda s: s.first_day)
    for segment in started:
        for run in runs:
            last = run[-1]
            if last.provider == segment.provider and (
                last.last_day is None or segment.first_day <= last.last_day + ONE_DAY
            ):
                run.append(segment)
                break
        else:
            runs.append([segment])
    return runs


def owed_periods(
    segments: Iterable[Segment],
    *,
    calendar: Calendar,
    rule_set: RuleSet,
    until: date,
    pauses: Iterable[Pause] = (),
    since: date | None = None,
) -> tuple[list[Owed], list[NotOwed]]:
    """Every period of the line up to the one containing `until`, owed or not and why.

    A period is owed when a segment has a support day in it that is not paused; it is owed
    to the segment with the earliest such day (ties: the segment that started first, then
    the lowest ToewijzingNummer). Deferral (Midden-Limburg): the period in which a provider's
    uninterrupted support starts, if owed to that provider, is paid after the period in which
    that support ends.

    `since`: only the periods from the one containing that day (what the line owes for
    them does not depend on the periods before; a check of one month needs no more).
    """
    segments = [s for s in segments if s.first_day is not None]
    pauses = list(pauses)
    if not segments:
        return [], []
    begin = min(s.first_day for s in segments)
    owed: list[Owed] = []
    not_owed: list[NotOwed] = []
    ends = {}
    for run in _runs(segments):
        lasts = [s.last_day for s in run]
        last = None if None in lasts else max(lasts)
        for segment in run:
            ends[segment] = (run, last)
    if since is not None:
        begin = max(begin, since)
    # What each period asks of a segment, worked out once (a run does this for every line).
    spans = [
        (s.first_day, s.last_day, str(s.assignment), index) for index, s in enumerate(segments)
    ]
    for period in periods_between(begin, until, calendar):
        candidates = []
        for first, last, key, index in spans:
            if first > period.end or (last is not None and last < period.begin):
                continue
            day = _first_unpaused(
                max(first, period.begin),
                period.end if last is None else min(last, period.end),
                pauses,
            )
            if day is not None:
                # Earliest support day, then the segment that started first, then the
                # lowest ToewijzingNummer; the index only says which segment it is.
                candidates.append((day, first, key, index))
        if not candidates:
            # A segment overlapping the period has support days in it; with no candidate
            # every one of them was paused.
            paused = any(
                s.first_day <= period.end and (s.last_day is None or s.last_day >= period.begin)
                for s in segments
            )
            not_owed.append(
                NotOwed(
                    period,
                    "De hele periode was de ondersteuning onderbroken."
                    if paused
                    else "Geen ondersteuning in deze periode.",
                )
            )
            continue
        day, _start, _key, index = min(candidates)
        owner = segments[index]
        run, run_end = ends[owner]
        run_start = run[0].first_day
        due = period.end + ONE_DAY
        if len(candidates) > 1 and any(
            segments[c[3]].provider != owner.provider for c in candidates
        ):
            reason = (
                "Wisseling van aanbieder in deze periode: de hele periode gaat naar de "
                "aanbieder die de periode begon."
            )
        elif len(candidates) > 1:
            reason = (
                "Wijziging in deze periode: de hele periode op de toewijzing die de periode begon."
            )
        elif owner.last_day is not None and period.contains(owner.last_day):
            reason = (
                f"Ondersteuning eindigde op {_dmy(owner.last_day)}: de periode wordt volledig "
                "betaald."
            )
        else:
            reason = (
                f"Ondersteuning vanaf {_dmy(day)} in deze periode: het volledige periodetarief."
            )
        if rule_set == RuleSet.MIDDEN_LIMBURG and period.contains(run_start):
            if run_end is None:
                due = None
                reason = (
                    "Startperiode: niet nu te factureren; wordt nabetaald na de periode waarin "
                    "de ondersteuning eindigt."
                )
            else:
                due = period_of(run_end, calendar).end + ONE_DAY
                reason = (
                    "Startperiode: wordt nabetaald na de periode waarin de ondersteuning "
                    f"eindigt ({_dmy(run_end)})."
                )
        owed.append(Owed(period, owner, day, due, reason))
    return owed, not_owed


# --- declaration lines (one Prestatie per toewijzing and calendar month) ----------------------


class LineKey(NamedTuple):
    """A Prestatie's key: ToewijzingNummer and ProductPeriode Begindatum. A tuple (a run
    makes one for every declared line), ordered and hashed by both."""

    assignment: str
    begin: date  # Begindatum of the ProductPeriode


@dataclass(slots=True)  # not frozen: a run makes one for each standing debit too
class Claim:
    """What one Prestatie should carry: ProductPeriode, the periods it pays, volume (number of
    periods), tariff per period and amount (volume x tariff)."""

    key: LineKey
    end: date  # Einddatum of the ProductPeriode
    periods: tuple[str, ...]
    tariff: Decimal
    segment: Segment = field(compare=False)

    @property
    def volume(self) -> int:
        return len(self.periods)

    @property
    def amount(self) -> Decimal:
        return euros(self.tariff * self.volume)

    def same_as(self, other: Claim) -> bool:
        return (self.key, self.end, self.periods, self.tariff) == (
            other.key,
            other.end,
            other.periods,
            other.tariff,
        )


def product_period(segment: Segment, day: date) -> tuple[date, date]:
    """TR387/TR388: the calendar month of `day`, within the toewijzing's dates."""
    month = month_of(day)
    begin = max(month.begin, segment.assigned_from)
    end = month.end if segment.assigned_to is None else min(month.end, segment.assigned_to)
    return begin, end


def claims(
    owed: Iterable[Owed],
    *,
    on: date,
    tariff: Callable[[Segment, date], Decimal | None],
) -> tuple[dict[LineKey, Claim], list[tuple[Owed, str]]]:
    """The lines that may be declared on `on`: every owed period due by then, grouped per
    toewijzing and calendar month of its first support day (with 4-week periods a month can
    carry two). `tariff(segment, day)` is the contract tariff per period on the Begindatum of
    the ProductPeriode. Returns the lines and the owed periods that cannot be declared yet."""
    grouped: dict[LineKey, tuple[date, list[Owed]]] = {}  # the first item's ProductPeriode end
    waiting: list[tuple[Owed, str]] = []
    for item in owed:
        if item.due_on is None or item.due_on > on:
            waiting.append(
                (
                    item,
                    item.reason
                    if item.due_on is None
                    else f"{item.reason} Te declareren vanaf {_dmy(item.due_on)}.",
                )
            )
            continue
        begin, end = product_period(item.segment, item.first_day)
        key = LineKey(str(item.segment.assignment), begin)
        if key in grouped:
            grouped[key][1].append(item)
        else:
            grouped[key] = (end, [item])
    result = {}
    for key, (end, items) in grouped.items():
        segment = items[0].segment
        price = tariff(segment, key.begin)
        if price is None:
            waiting.extend((i, "Geen contracttarief voor dit niveau op deze datum.") for i in items)
            continue
        result[key] = Claim(
            key=key,
            end=end,
            periods=tuple(sorted(i.period.label for i in items)),
            tariff=euros(price),
            segment=segment,
        )
    return result, waiting


@dataclass(frozen=True)
class Plan:
    credits: list[LineKey]  # standing debits to credit
    debits: list[Claim]  # new debits to send


def reconcile(target: dict[LineKey, Claim], standing: dict[LineKey, Claim]) -> Plan:
    """What to send so that the standing (declared, not refused, not credited) debits equal
    what is owed now: credit what is no longer owed as it was declared, debit what is owed
    and not standing. Run it again on the result and it plans nothing."""
    credits = sorted(k for k, c in standing.items() if k not in target or not target[k].same_as(c))
    debits = [
        target[k] for k in sorted(target) if k not in standing or not target[k].same_as(standing[k])
    ]
    return Plan(credits=credits, debits=debits)
