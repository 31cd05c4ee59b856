"""Working-day calendar of the Dutch Algemene termijnenwet (Atw).

This is a pure domain module: it imports nothing from Django, never reads a clock
(callers always pass the dates), and has no state apart from a per-year cache.

The rules implemented (Algemene termijnenwet, Stb. 1964, 314, text as in force):

* Art. 3 lid 1 -- the "algemeen erkende feestdagen": Nieuwjaarsdag, the Christian
  tweede Paasdag and tweede Pinksterdag, both Kerstdagen, Hemelvaartsdag, the day on
  which the King's birthday is celebrated, and 5 May (every year, not only every fifth
  year).
* Art. 3 lid 2 -- Goede Vrijdag is equated with those days by the Act itself.
* Art. 3 lid 3 -- further days can be equated by Royal Decree ("bij koninklijk besluit
  gelijkgestelde dagen", e.g. the Friday after Ascension Day). They are not derivable
  from a rule, so every function takes an ``extra_holidays`` argument: the equated days
  as stored elsewhere by the application.
* Art. 1 lid 1 -- a term set by law that ends on a Saturday, Sunday or general holiday
  is extended up to and including the next day that is none of these
  (:func:`extend_term_end`).
* Art. 2 -- a term of at least three days is extended, where needed, so that it contains
  at least two days that are not a Saturday, Sunday or general holiday
  (:func:`legal_term_end`).
* Art. 4 -- the Act does not apply to terms counted backwards from a point in time
  ("terugrekenen"). :func:`add_weeks_legal` and :func:`legal_term_end` therefore only
  accept forward terms; :func:`add_working_days` with a negative ``n`` is plain
  calendar arithmetic, not an application of the Act.

Easter Sunday and Whit Sunday are not in the statutory list (the Act names only the
*second* Easter and Whit days); they are Sundays and hence never working days anyway.

The day on which the King's (Queen's) birthday is celebrated is fixed by Royal Decree:

* from 2014: Koningsdag, 27 April, or 26 April when 27 April is a Sunday
  (Besluit van 30 januari 2013, Stcrt. 2013, 4075);
* 1980-2013: Koninginnedag, 30 April, or 29 April when 30 April is a Sunday
  (Besluit van 24 april 1980).

Years before 1980 are not modelled (earlier rules for Koninginnedag differ, and 5 May and
Goede Vrijdag were added to the Act by later amendments); asking for them raises
``ValueError``.

The legal set is computed here and deliberately NOT taken from the ``holidays``
package: its Dutch calendar lists Bevrijdingsdag only every fifth year, which is not
what the Atw says.

Counting convention: a term "runs from" the day of the event (the ``start`` date, e.g.
the day a melding is received) and its first day is the day after it. Intervals are
therefore half-open: ``(start, end]``.

Every function raises ``TypeError`` when given a :class:`datetime.datetime` instead of a
:class:`datetime.date`; a datetime never compares equal to a date, so holidays would
silently be missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from dateutil.easter import easter

__all__ = [
    "FIRST_SUPPORTED_YEAR",
    "ROYAL_DECREE_HOLIDAY_NAME",
    "LegalHoliday",
    "add_weeks_legal",
    "add_working_days",
    "extend_term_end",
    "is_holiday",
    "is_working_day",
    "legal_holidays",
    "legal_term_end",
    "next_working_day",
    "working_days_between",
]

FIRST_SUPPORTED_YEAR = 1980
"""First year for which the statutory holidays are modelled (see the module docstring)."""

ROYAL_DECREE_HOLIDAY_NAME = "Bij koninklijk besluit gelijkgestelde dag"
"""Name given to days equated with a general holiday by Royal Decree (Atw art. 3 lid 3)."""

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Monday == 0 ... Sunday == 6
_SUNDAY = 6


@dataclass(frozen=True)
class LegalHoliday:
    """A general holiday in the sense of Atw art. 3, with its Dutch name."""

    day: date
    name: str


def _check_date(value: date, argument: str) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{argument} must be a datetime.date, not {type(value).__name__}")


def _frozen(extra_holidays: Iterable[date]) -> frozenset[date]:
    """Convert ``extra_holidays`` once per public call; validates the elements."""
    extra = frozenset(extra_holidays)  # returns the same object for a frozenset
    for day in extra:
        _check_date(day, "extra_holidays element")
    return extra


def _kings_day(year: int) -> LegalHoliday:
    """The day on which the King's birthday is celebrated (Atw art. 3 lid 1)."""
    if year >= 2014:
        day = date(year, 4, 27)
        name = "Koningsdag"
    else:
        day = date(year, 4, 30)
        name = "Koninginnedag"
    if day.weekday() == _SUNDAY:
        day -= _ONE_DAY
    return LegalHoliday(day, name)


@lru_cache(maxsize=512)
def _statutory_holidays(year: int) -> tuple[LegalHoliday, ...]:
    """The holidays of Atw art. 3 lid 1 and lid 2 for ``year``, sorted by date.

    When two feast days fall on the same date (5 May is Hemelvaartsdag in e.g. 2016)
    both entries are kept, in the order in which the Act names them.
    """
    if year < FIRST_SUPPORTED_YEAR:
        raise ValueError(
            f"holidays before {FIRST_SUPPORTED_YEAR} are not modelled (requested {year})"
        )
    easter_sunday: date = easter(year)
    holidays = [
        LegalHoliday(date(year, 1, 1), "Nieuwjaarsdag"),
        LegalHoliday(easter_sunday + timedelta(days=1), "Tweede Paasdag"),
        LegalHoliday(easter_sunday + timedelta(days=50), "Tweede Pinksterdag"),
        LegalHoliday(date(year, 12, 25), "Eerste Kerstdag"),
        LegalHoliday(date(year, 12, 26), "Tweede Kerstdag"),
        LegalHoliday(easter_sunday + timedelta(days=39), "Hemelvaartsdag"),
        _kings_day(year),
        LegalHoliday(date(year, 5, 5), "Bevrijdingsdag"),
        # Art. 3 lid 2: equated with the days above by the Act itself.
        LegalHoliday(easter_sunday - timedelta(days=2), "Goede Vrijdag"),
    ]
    # sorted() is stable, so coinciding days keep the order of the Act.
    return tuple(sorted(holidays, key=lambda holiday: holiday.day))


@lru_cache(maxsize=512)
def _statutory_dates(year: int) -> frozenset[date]:
    return frozenset(holiday.day for holiday in _statutory_holidays(year))


def _is_holiday(day: date, extra: frozenset[date]) -> bool:
    return day in extra or day in _statutory_dates(day.year)


def _is_working_day(day: date, extra: frozenset[date]) -> bool:
    return day.weekday() < _SATURDAY and not _is_holiday(day, extra)


def _next_working_day(day: date, extra: frozenset[date]) -> date:
    while not _is_working_day(day, extra):
        day += _ONE_DAY
    return day


def _count_weekdays(first: date, last: date) -> int:
    """Number of Mondays to Fridays in ``[first, last]`` (0 when the range is empty)."""
    days = (last - first).days + 1
    if days <= 0:
        return 0
    full_weeks, rest = divmod(days, 7)
    first_weekday = first.weekday()
    partial = sum(1 for offset in range(rest) if (first_weekday + offset) % 7 < _SATURDAY)
    return full_weeks * 5 + partial


def _count_working_days(first: date, last: date, extra: frozenset[date]) -> int:
    """Number of working days in ``[first, last]`` (0 when the range is empty)."""
    if last < first:
        return 0
    non_working: set[date] = set()
    for year in range(first.year, last.year + 1):
        non_working.update(_statutory_dates(year))
    non_working.update(extra)
    holidays_on_weekdays = sum(
        1 for day in non_working if first <= day <= last and day.weekday() < _SATURDAY
    )
    return _count_weekdays(first, last) - holidays_on_weekdays


def legal_holidays(year: int, extra_holidays: Iterable[date] = ()) -> list[LegalHoliday]:
    """All general holidays of ``year`` in the sense of Atw art. 3, sorted by date.

    Contains the days of art. 3 lid 1, Goede Vrijdag (art. 3 lid 2) and those
    ``extra_holidays`` that fall in ``year`` (days equated by Royal Decree, art. 3 lid 3),
    named :data:`ROYAL_DECREE_HOLIDAY_NAME`. An extra day that is already a statutory
    holiday is not listed twice. Two statutory feast days on the same date (e.g.
    Hemelvaartsdag and Bevrijdingsdag on 5 May 2016) are both listed.

    Raises ``ValueError`` for years before :data:`FIRST_SUPPORTED_YEAR`.
    """
    extra = _frozen(extra_holidays)
    statutory = _statutory_holidays(year)
    statutory_dates = _statutory_dates(year)
    equated = [
        LegalHoliday(day, ROYAL_DECREE_HOLIDAY_NAME)
        for day in extra
        if day.year == year and day not in statutory_dates
    ]
    return sorted([*statutory, *equated], key=lambda holiday: holiday.day)


def is_holiday(day: date, extra_holidays: Iterable[date] = ()) -> bool:
    """Whether ``day`` is a general holiday or an equated day (Atw art. 3).

    Weekends are not holidays in this sense; see :func:`is_working_day`.
    """
    _check_date(day, "day")
    return _is_holiday(day, _frozen(extra_holidays))


def is_working_day(day: date, extra_holidays: Iterable[date] = ()) -> bool:
    """Whether ``day`` is not a Saturday, Sunday or general holiday (Atw art. 1 and 3)."""
    _check_date(day, "day")
    return _is_working_day(day, _frozen(extra_holidays))


def next_working_day(day: date, extra_holidays: Iterable[date] = ()) -> date:
    """The first working day on or after ``day`` (``day`` itself if it is one)."""
    _check_date(day, "day")
    return _next_working_day(day, _frozen(extra_holidays))


def add_working_days(start: date, n: int, extra_holidays: Iterable[date] = ()) -> date:
    """The ``n``-th working day after ``start``; ``start`` itself is never counted.

    ``n == 0`` returns ``start`` unchanged (even when it is not a working day). A negative
    ``n`` returns the ``|n|``-th working day before ``start``. Example: Friday + 1 is the
    following Monday (when that is not a holiday).

    Counting backwards is calendar arithmetic only: the Atw does not apply to terms
    counted backwards from a point in time (Atw art. 4).
    """
    _check_date(start, "start")
    extra = _frozen(extra_holidays)
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    remaining = abs(n)
    day = start
    while remaining:
        day += step
        if _is_working_day(day, extra):
            remaining -= 1
    return day


def extend_term_end(term_end: date, extra_holidays: Iterable[date] = ()) -> date:
    """Apply Atw art. 1 lid 1 to the last day of a statutory term.

    A term that ends on a Saturday, Sunday or general holiday is extended up to and
    including the next day that is none of these; otherwise ``term_end`` is returned.
    """
    _check_date(term_end, "term_end")
    return _next_working_day(term_end, _frozen(extra_holidays))


def legal_term_end(start: date, end: date, extra_holidays: Iterable[date] = ()) -> date:
    """The last day of a statutory term after applying Atw art. 2 and art. 1 lid 1.

    Counting convention: ``start`` is the day of the event from which the term runs (e.g.
    the day a melding was received); the term consists of the days ``(start, end]``, so
    its length is ``(end - start).days`` days and its first day is ``start + 1``.

    * Art. 2: if the term is at least three days long, it is extended day by day until it
      contains at least two days that are not a Saturday, Sunday or general holiday.
    * Art. 1 lid 1: if it then ends on a Saturday, Sunday or general holiday, it is
      extended to the next working day.

    (Art. 2 only ever extends the term up to a working day, so the two articles give the
    same result in either order.) Raises ``ValueError`` when ``end`` is before ``start``:
    the Act does not apply to terms counted backwards (art. 4).
    """
    _check_date(start, "start")
    _check_date(end, "end")
    if end < start:
        raise ValueError(
            "a term cannot end before it starts; the Atw does not apply to terms "
            "counted backwards (Atw art. 4)"
        )
    extra = _frozen(extra_holidays)
    if (end - start).days >= 3:
        working_days = _count_working_days(start + _ONE_DAY, end, extra)
        while working_days < 2:
            end += _ONE_DAY
            if _is_working_day(end, extra):
                working_days += 1
    return _next_working_day(end, extra)


def add_weeks_legal(start: date, weeks: int, extra_holidays: Iterable[date] = ()) -> date:
    """The end of a statutory term of ``weeks`` weeks running from ``start``.

    The nominal end is ``start + weeks`` (the same weekday ``weeks`` weeks later), which
    is then adjusted by :func:`legal_term_end` (Atw art. 2 and art. 1 lid 1). Example: the
    six-week investigation term after a melding (Wmo 2015 art. 2.3.2 lid 1) is
    ``add_weeks_legal(melding_date, 6, ...)``.

    Raises ``ValueError`` for a negative number of weeks (Atw art. 4).
    """
    _check_date(start, "start")
    if weeks < 0:
        raise ValueError(
            "weeks must not be negative; the Atw does not apply to terms counted "
            "backwards (Atw art. 4)"
        )
    return legal_term_end(start, start + timedelta(weeks=weeks), extra_holidays)


def working_days_between(start: date, end: date, extra_holidays: Iterable[date] = ()) -> int:
    """The number of working days passed when going from ``start`` to ``end``.

    The origin is never counted and the destination always is:

    * ``end >= start``: the working days in ``(start, end]``;
    * ``end < start``: minus the working days in ``[end, start)``.

    This makes it the exact inverse of :func:`add_working_days` for every ``n``,
    positive or negative: ``working_days_between(d, add_working_days(d, n)) == n``.
    It is antisymmetric (``f(a, b) == -f(b, a)``) when ``a`` and ``b`` are both
    working days or both non-working days, but not in general.
    """
    _check_date(start, "start")
    _check_date(end, "end")
    extra = _frozen(extra_holidays)
    if end >= start:
        return _count_working_days(start + _ONE_DAY, end, extra)
    return -_count_working_days(end, start - _ONE_DAY, extra)
