"""The client contribution (bijdrage in de kosten) that the CAK collects. Pure Python.

Rules (SPEC §5, seed 004 §7; the export is described in docs/cak-export.md):

- The CAK works in periods: 13 periods of 4 weeks a year up to and including 2019, calendar
  months from 2020. Period k of a 4-week year starts on 1 January + 28 x (k - 1) days;
  period 13 runs to 31 December (29 or 30 days). The CAK's own period calendar is not in
  the sources; this one matches `billing`.
- Per period the client pays the national flat rate (abonnementstarief), never more than the
  cost price (kostprijs) of the level the municipality passed on (Wmo 2015 art. 2.1.4).
- The contribution starts in the period after the one in which support starts, and stops
  after the period in which support ends (seed 004 §9: the CAK payment period).
- Arrangements are not stacked (seed 002), so a client has one contribution line per
  municipality. Support that continues from one traject to the next (a follow-up, a change
  of level or provider) continues the line; a new level or cost price applies from the
  period after the new support starts.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from openarrangementen.accounts.domain import Role
from openarrangementen.billing.domain import MONTHS
from openarrangementen.catalog.domain import PricePeriod
from openarrangementen.core.money import euros

ONE_DAY = timedelta(days=1)
LAST_FOUR_WEEK_YEAR = 2019  # per 4 weeks up to and including 2019, per calendar month from 2020
FIRST_FLAT_RATE_YEAR = 2019  # the abonnementstarief applies from 2019

# Who opens the page: the PAs see the clients; the functioneel beheerder and the contract
# manager see the rates only (they need no personal data, accounts.domain).
CLIENT_ROLES = frozenset({Role.PROCESREGISSEUR, Role.COLLEGA_PA})
PAGE_ROLES = CLIENT_ROLES | {Role.FUNCTIONEEL_BEHEERDER, Role.CONTRACTMANAGER}


# --- periods ---------------------------------------------------------------------------------


def periods_in_year(year: int) -> int:
    return 13 if year <= LAST_FOUR_WEEK_YEAR else 12


def period_unit(year: int) -> PricePeriod:
    return PricePeriod.FOUR_WEEKS if year <= LAST_FOUR_WEEK_YEAR else PricePeriod.MONTH


@dataclass(frozen=True, order=True)
class CakPeriod:
    """Period `number` (1-based) of `year` in the CAK calendar of that year."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= periods_in_year(self.year):
            raise ValueError(f"{self.year} heeft geen periode {self.number}.")

    @property
    def unit(self) -> PricePeriod:
        return period_unit(self.year)

    @property
    def begin(self) -> date:
        if self.unit is PricePeriod.MONTH:
            return date(self.year, self.number, 1)
        return date(self.year, 1, 1) + timedelta(days=28 * (self.number - 1))

    @property
    def end(self) -> date:
        """The last day (inclusive)."""
        if self.number == periods_in_year(self.year):
            return date(self.year, 12, 31)
        return self.next().begin - ONE_DAY

    def next(self) -> CakPeriod:
        if self.number < periods_in_year(self.year):
            return CakPeriod(self.year, self.number + 1)
        return CakPeriod(self.year + 1, 1)

    def previous(self) -> CakPeriod:
        if self.number > 1:
            return CakPeriod(self.year, self.number - 1)
        return CakPeriod(self.year - 1, periods_in_year(self.year - 1))

    def contains(self, day: date) -> bool:
        return self.begin <= day <= self.end

    @property
    def code(self) -> str:
        """'2025-04' for a month, '2019-P05' for a 4-week period (see `period_from_code`)."""
        if self.unit is PricePeriod.MONTH:
            return f"{self.year}-{self.number:02d}"
        return f"{self.year}-P{self.number:02d}"

    @property
    def label(self) -> str:
        """Dutch: 'april 2025' or 'periode 5 van 2019 (29-04-2019 t/m 26-05-2019)'."""
        if self.unit is PricePeriod.MONTH:
            return f"{MONTHS[self.number - 1]} {self.year}"
        return (
            f"periode {self.number} van {self.year} ({self.begin:%d-%m-%Y} t/m {self.end:%d-%m-%Y})"
        )


def period_containing(day: date) -> CakPeriod:
    if day.year <= LAST_FOUR_WEEK_YEAR:
        return CakPeriod(day.year, min(13, (day - date(day.year, 1, 1)).days // 28 + 1))
    return CakPeriod(day.year, day.month)


def period_from_code(code: str) -> CakPeriod:
    """The period for '2025-04' (a month, from 2020) or '2019-P05' (4 weeks, up to 2019)."""
    year_text, _, number_text = code.strip().upper().partition("-")
    four_weeks = number_text.startswith("P")
    number_text = number_text.removeprefix("P")
    if not (year_text.isdigit() and number_text.isdigit() and len(year_text) == 4):
        raise ValueError(f"'{code}' is geen periode; gebruik bijvoorbeeld 2025-04 of 2019-P05.")
    year = int(year_text)
    if four_weeks != (year <= LAST_FOUR_WEEK_YEAR):
        raise ValueError(
            f"In {year} rekent het CAK per "
            + ("4 weken (2019-P05)." if year <= LAST_FOUR_WEEK_YEAR else "maand (2025-04).")
        )
    return CakPeriod(year, int(number_text))


def periods_between(first: CakPeriod, last: CakPeriod) -> Iterator[CakPeriod]:
    """first, ..., last (inclusive)."""
    period = first
    while period <= last:
        yield period
        period = period.next()


# --- amounts ---------------------------------------------------------------------------------


def amount_per_period(amount: Decimal, per: str, unit: PricePeriod) -> Decimal:
    """An amount per 4 weeks or per month, expressed per period of `unit`.

    The yearly amount is kept (13 periods of 4 weeks, 12 months): per month = per 4 weeks
    x 13 / 12, per 4 weeks = per month x 12 / 13, rounded half up to the cent.
    """
    if per == PricePeriod.FOUR_WEEKS and unit is PricePeriod.MONTH:
        return euros(Decimal(amount) * 13 / 12)
    if per == PricePeriod.MONTH and unit is PricePeriod.FOUR_WEEKS:
        return euros(Decimal(amount) * 12 / 13)
    return euros(amount)


def contribution_for(*, flat_rate: Decimal, cost_price: Decimal) -> Decimal:
    """What the client pays per period: the flat rate, never more than the cost price."""
    return min(euros(flat_rate), euros(cost_price))


@dataclass(frozen=True)
class Price:
    """A cost price of a level: `amount` per `per` ("4w" or "month") within its validity."""

    valid_from: date
    valid_to: date | None  # inclusive; None: open-ended
    amount: Decimal
    per: str

    def applies_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def price_on(prices: Sequence[Price], day: date) -> Price | None:
    return next((p for p in prices if p.applies_on(day)), None)


# --- support and the contribution line -------------------------------------------------------


@dataclass(frozen=True)
class Spell:
    """One traject's support under its final beschikking, first_day..last_day inclusive."""

    key: Hashable  # the traject
    level: Hashable
    first_day: date
    last_day: date

    def touches(self, period: CakPeriod) -> bool:
        return self.first_day <= period.end and period.begin <= self.last_day


def spell_days(
    *, decided_from: date, decided_to: date, started_on: date | None, ended_on: date | None
) -> tuple[date, date] | None:
    """The days of support that count: from the later of the beschikking's ingangsdatum and
    the reported start, to the earlier of its einddatum and the reported end. None when
    support never started (or the dates leave no day)."""
    if started_on is None:
        return None
    first = max(decided_from, started_on)
    last = decided_to if ended_on is None else min(decided_to, ended_on)
    return (first, last) if first <= last else None


def support_episodes(spells: Sequence[Spell]) -> list[list[Spell]]:
    """Spells grouped into uninterrupted support: a spell that starts on or before the day
    after the support so far ends continues it (a follow-up, a change of level or provider)."""
    episodes: list[list[Spell]] = []
    last_day: date | None = None
    for spell in sorted(spells, key=lambda s: (s.first_day, s.last_day)):
        if last_day is not None and spell.first_day <= last_day + ONE_DAY:
            episodes[-1].append(spell)
            last_day = max(last_day, spell.last_day)
        else:
            episodes.append([spell])
            last_day = spell.last_day
    return episodes


def _charged_in(episodes: Sequence[Sequence[Spell]], period: CakPeriod) -> Spell | None:
    for episode in episodes:
        first = period_containing(min(s.first_day for s in episode))
        last = period_containing(max(s.last_day for s in episode))
        if first < period <= last:
            before = period.previous()
            # Uninterrupted support touches every period from its first to its last.
            candidates = [s for s in episode if s.touches(before)]
            return max(candidates, key=lambda s: (s.first_day, s.last_day))
    return None


def charged_spell(spells: Sequence[Spell], period: CakPeriod) -> Spell | None:
    """The spell whose level and cost price apply in `period`, or None without contribution.

    Uninterrupted support from day f to day l gives a contribution in the periods after the
    one containing f, up to and including the one containing l. Within it the most recently
    started spell that gave support in the period before applies: a new level applies from
    the period after its support started.
    """
    return _charged_in(support_episodes(spells), period)


@dataclass(frozen=True)
class Segment:
    """Consecutive periods with the same level and cost price."""

    first: CakPeriod
    last: CakPeriod
    spell: Spell  # the spell charged in `last`
    cost_price: Decimal | None  # per period of the segment's periods; None: none recorded


CostPrice = Callable[[Hashable, CakPeriod], Decimal | None]


def contribution_segments(spells: Sequence[Spell], cost_price: CostPrice) -> list[Segment]:
    """The client's contribution line, period by period, grouped into segments.

    `cost_price(level, period)` gives the level's cost price per period of `period` (None
    when none is recorded). A change of level or cost price starts a new segment; a change
    of provider with the same level and price does not, nor does a new flat rate.
    """
    if not spells:
        return []
    episodes = support_episodes(spells)
    first = period_containing(min(s.first_day for s in spells)).next()
    last = period_containing(max(s.last_day for s in spells))
    segments: list[Segment] = []
    current: Segment | None = None
    for period in periods_between(first, last):
        spell = _charged_in(episodes, period)
        if spell is None:
            if current is not None:
                segments.append(current)
                current = None
            continue
        price = cost_price(spell.level, period)
        if current is not None and (current.spell.level, current.cost_price) == (
            spell.level,
            price,
        ):
            current = replace(current, last=period, spell=spell)
            continue
        if current is not None:
            segments.append(current)
        current = Segment(first=period, last=period, spell=spell, cost_price=price)
    if current is not None:
        segments.append(current)
    return segments


class Mutation(StrEnum):
    START = "start"  # the contribution starts in this period
    CHANGE = "wijziging"  # level or cost price differs from the period before
    STOP = "stop"  # this is the last period with a contribution


MUTATION_LABELS = {Mutation.START: "Start", Mutation.CHANGE: "Wijziging", Mutation.STOP: "Stop"}


@dataclass(frozen=True)
class PeriodLine:
    """The client's contribution in one period and what changed in it."""

    segment: Segment
    mutations: tuple[Mutation, ...]
    starts_on: date  # ingangsdatum: from this day the level and cost price of the line apply
    ends_on: date  # einddatum: the last day of the contribution as now known


def line_in(segments: Sequence[Segment], period: CakPeriod) -> PeriodLine | None:
    """The line in `period`, with its mutations; None when the client pays nothing then."""
    index = next((i for i, s in enumerate(segments) if s.first <= period <= s.last), None)
    if index is None:
        return None
    segment = segments[index]

    def joined(i: int) -> bool:  # segment i is followed without a gap by segment i + 1
        return i + 1 < len(segments) and segments[i].last.next() == segments[i + 1].first

    mutations: list[Mutation] = []
    if segment.first == period:
        mutations.append(Mutation.CHANGE if index > 0 and joined(index - 1) else Mutation.START)
    if segment.last == period and not joined(index):
        mutations.append(Mutation.STOP)
    end = index
    while joined(end):
        end += 1
    return PeriodLine(
        segment=segment,
        mutations=tuple(mutations),
        starts_on=segment.first.begin,
        ends_on=segments[end].last.end,
    )
