"""Tests for the working-day calendar of the Algemene termijnenwet (Atw)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import holidays
import pytest
from dateutil.easter import easter
from hypothesis import given
from hypothesis import strategies as st

from openarrangementen.core.dates import (
    ROYAL_DECREE_HOLIDAY_NAME,
    LegalHoliday,
    add_weeks_legal,
    add_working_days,
    extend_term_end,
    is_holiday,
    is_working_day,
    legal_holidays,
    legal_term_end,
    next_working_day,
    working_days_between,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

# --------------------------------------------------------------------------------------
# Atw art. 3: the complete list of general holidays, computed by hand from the Act.
# Easter Sunday: 2024-03-31, 2025-04-20, 2026-04-05, 2027-03-28.
# Good Friday = Easter - 2, Easter Monday = Easter + 1, Ascension = Easter + 39,
# Whit Monday = Easter + 50.
# --------------------------------------------------------------------------------------

EXPECTED_HOLIDAYS = {
    2024: [
        (date(2024, 1, 1), "Nieuwjaarsdag"),
        (date(2024, 3, 29), "Goede Vrijdag"),
        (date(2024, 4, 1), "Tweede Paasdag"),
        (date(2024, 4, 27), "Koningsdag"),  # a Saturday: no shift (only Sundays shift)
        (date(2024, 5, 5), "Bevrijdingsdag"),  # a Sunday, still listed
        (date(2024, 5, 9), "Hemelvaartsdag"),
        (date(2024, 5, 20), "Tweede Pinksterdag"),
        (date(2024, 12, 25), "Eerste Kerstdag"),
        (date(2024, 12, 26), "Tweede Kerstdag"),
    ],
    2025: [
        (date(2025, 1, 1), "Nieuwjaarsdag"),
        (date(2025, 4, 18), "Goede Vrijdag"),
        (date(2025, 4, 21), "Tweede Paasdag"),
        (date(2025, 4, 26), "Koningsdag"),  # 27 April 2025 is a Sunday
        (date(2025, 5, 5), "Bevrijdingsdag"),
        (date(2025, 5, 29), "Hemelvaartsdag"),
        (date(2025, 6, 9), "Tweede Pinksterdag"),
        (date(2025, 12, 25), "Eerste Kerstdag"),
        (date(2025, 12, 26), "Tweede Kerstdag"),
    ],
    2026: [
        (date(2026, 1, 1), "Nieuwjaarsdag"),
        (date(2026, 4, 3), "Goede Vrijdag"),
        (date(2026, 4, 6), "Tweede Paasdag"),
        (date(2026, 4, 27), "Koningsdag"),
        (date(2026, 5, 5), "Bevrijdingsdag"),  # not a lustrum year: still a holiday
        (date(2026, 5, 14), "Hemelvaartsdag"),
        (date(2026, 5, 25), "Tweede Pinksterdag"),
        (date(2026, 12, 25), "Eerste Kerstdag"),
        (date(2026, 12, 26), "Tweede Kerstdag"),
    ],
    2027: [
        (date(2027, 1, 1), "Nieuwjaarsdag"),
        (date(2027, 3, 26), "Goede Vrijdag"),
        (date(2027, 3, 29), "Tweede Paasdag"),
        (date(2027, 4, 27), "Koningsdag"),
        (date(2027, 5, 5), "Bevrijdingsdag"),
        (date(2027, 5, 6), "Hemelvaartsdag"),
        (date(2027, 5, 17), "Tweede Pinksterdag"),
        (date(2027, 12, 25), "Eerste Kerstdag"),
        (date(2027, 12, 26), "Tweede Kerstdag"),
    ],
}


@pytest.mark.parametrize("year", sorted(EXPECTED_HOLIDAYS))
def test_legal_holidays_complete_list(year: int) -> None:
    expected = [LegalHoliday(day, name) for day, name in EXPECTED_HOLIDAYS[year]]
    assert legal_holidays(year) == expected


def test_hand_computed_easter_dates_agree_with_dateutil() -> None:
    assert easter(2024) == date(2024, 3, 31)
    assert easter(2025) == date(2025, 4, 20)
    assert easter(2026) == date(2026, 4, 5)
    assert easter(2027) == date(2027, 3, 28)


def test_easter_and_whit_sunday_are_not_listed() -> None:
    # The Act names only the second Easter and Whit days; the Sundays are weekend days.
    days = {holiday.day for holiday in legal_holidays(2026)}
    assert date(2026, 4, 5) not in days
    assert date(2026, 5, 24) not in days
    assert not is_working_day(date(2026, 4, 5))
    assert not is_working_day(date(2026, 5, 24))


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2014, LegalHoliday(date(2014, 4, 26), "Koningsdag")),  # 27 April 2014: Sunday
        (2025, LegalHoliday(date(2025, 4, 26), "Koningsdag")),  # 27 April 2025: Sunday
        (2026, LegalHoliday(date(2026, 4, 27), "Koningsdag")),
        (2013, LegalHoliday(date(2013, 4, 30), "Koninginnedag")),
        (2006, LegalHoliday(date(2006, 4, 29), "Koninginnedag")),  # 30 April 2006: Sunday
        (1980, LegalHoliday(date(1980, 4, 30), "Koninginnedag")),
    ],
)
def test_kings_and_queens_day(year: int, expected: LegalHoliday) -> None:
    assert expected in legal_holidays(year)
    names = [holiday.name for holiday in legal_holidays(year)]
    assert names.count(expected.name) == 1
    assert "Koningsdag" not in names or "Koninginnedag" not in names


def test_sunday_shift_weekdays_checked() -> None:
    assert date(2014, 4, 27).weekday() == SUN
    assert date(2025, 4, 27).weekday() == SUN
    assert date(2006, 4, 30).weekday() == SUN


def test_coinciding_feast_days_are_both_listed() -> None:
    # Easter 2016 was 27 March, so Ascension Day fell on 5 May 2016.
    listed = legal_holidays(2016)
    on_may_5 = [holiday.name for holiday in listed if holiday.day == date(2016, 5, 5)]
    assert on_may_5 == ["Hemelvaartsdag", "Bevrijdingsdag"]
    assert len(listed) == 9


def test_years_before_1980_are_not_modelled() -> None:
    with pytest.raises(ValueError, match="1980"):
        legal_holidays(1979)
    with pytest.raises(ValueError, match="1980"):
        is_working_day(date(1979, 12, 31))


def test_royal_decree_days_are_added_and_named() -> None:
    equated = [date(2026, 5, 15), date(2026, 12, 24), date(2027, 5, 7)]
    listed = legal_holidays(2026, equated)
    assert LegalHoliday(date(2026, 5, 15), ROYAL_DECREE_HOLIDAY_NAME) in listed
    assert LegalHoliday(date(2026, 12, 24), ROYAL_DECREE_HOLIDAY_NAME) in listed
    assert all(holiday.day.year == 2026 for holiday in listed)
    assert len(listed) == 11
    assert listed == sorted(listed, key=lambda holiday: holiday.day)


def test_royal_decree_day_on_a_statutory_day_is_not_duplicated() -> None:
    assert legal_holidays(2026, [date(2026, 5, 5)]) == legal_holidays(2026)


def test_extra_holidays_accepts_any_iterable_including_a_generator() -> None:
    day = date(2026, 12, 24)
    assert is_holiday(day, (d for d in [day]))
    assert is_holiday(day, frozenset({day}))
    assert is_holiday(day, {day})
    assert not is_holiday(day)


def test_is_holiday_versus_is_working_day() -> None:
    assert is_holiday(date(2026, 5, 5))
    assert not is_working_day(date(2026, 5, 5))
    # A weekend day is not a holiday, but not a working day either.
    assert not is_holiday(date(2026, 1, 10))
    assert not is_working_day(date(2026, 1, 10))
    assert is_working_day(date(2026, 1, 12))


def test_datetimes_are_rejected() -> None:
    moment = datetime(2026, 5, 5, 12, 0)  # noqa: DTZ001 - deliberately naive, never used as time
    with pytest.raises(TypeError):
        is_working_day(moment)
    with pytest.raises(TypeError):
        add_working_days(moment, 1)
    with pytest.raises(TypeError):
        is_holiday(date(2026, 5, 5), [moment])


# --------------------------------------------------------------------------------------
# add_working_days
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Friday + 1 = Monday.
        (date(2026, 1, 9), 1, date(2026, 1, 12)),
        (date(2026, 1, 9), 5, date(2026, 1, 16)),
        # Starting on a Saturday: the first working day after it is Monday.
        (date(2026, 1, 10), 1, date(2026, 1, 12)),
        # Across Easter 2026: Thu 2 April + 1 skips Good Friday, the weekend and
        # Easter Monday.
        (date(2026, 4, 2), 1, date(2026, 4, 7)),
        # Across 5 May in a non-lustrum year: Mon 4 May 2026 + 1 = Wed 6 May 2026.
        (date(2026, 5, 4), 1, date(2026, 5, 6)),
        # Across Christmas and New Year.
        (date(2026, 12, 24), 1, date(2026, 12, 28)),
        (date(2026, 12, 31), 1, date(2027, 1, 4)),
        (date(2026, 12, 23), 3, date(2026, 12, 29)),
        # n == 0 returns the start itself, even on a holiday.
        (date(2026, 5, 5), 0, date(2026, 5, 5)),
        # Negative n counts backwards.
        (date(2026, 4, 7), -1, date(2026, 4, 2)),
        (date(2026, 1, 12), -1, date(2026, 1, 9)),
        (date(2027, 1, 4), -2, date(2026, 12, 30)),
    ],
)
def test_add_working_days_vectors(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n) == expected


def test_vector_weekdays_are_what_the_vectors_claim() -> None:
    assert date(2026, 1, 9).weekday() == FRI
    assert date(2026, 4, 2).weekday() == THU
    assert date(2026, 4, 7).weekday() == TUE
    assert date(2026, 5, 4).weekday() == MON
    assert date(2026, 5, 5).weekday() == TUE
    assert date(2026, 5, 6).weekday() == WED
    assert date(2026, 12, 24).weekday() == THU
    assert date(2026, 12, 28).weekday() == MON
    assert date(2027, 1, 1).weekday() == FRI
    assert date(2027, 1, 4).weekday() == MON


def test_add_working_days_with_royal_decree_day() -> None:
    # An invented equated day: Thursday 24 December 2026.
    equated = [date(2026, 12, 24)]
    assert add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 24)
    assert add_working_days(date(2026, 12, 23), 1, equated) == date(2026, 12, 28)
    assert add_working_days(date(2026, 12, 23), 3, equated) == date(2026, 12, 30)


def test_add_working_days_large_n() -> None:
    start = date(2025, 12, 31)
    end_of_2026 = add_working_days(start, 253)
    # 2026 has 261 weekdays, 8 of which are holidays (26 December is a Saturday).
    assert end_of_2026 == date(2026, 12, 31)
    assert add_working_days(start, 254) == date(2027, 1, 4)


# --------------------------------------------------------------------------------------
# extend_term_end (Atw art. 1 lid 1)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term_end", "expected"),
    [
        (date(2026, 1, 10), date(2026, 1, 12)),  # Saturday -> Monday
        (date(2026, 1, 11), date(2026, 1, 12)),  # Sunday -> Monday
        (date(2026, 5, 5), date(2026, 5, 6)),  # Bevrijdingsdag (Tuesday) -> Wednesday
        (date(2026, 5, 14), date(2026, 5, 15)),  # Hemelvaartsdag -> Friday
        # Good Friday, followed by the weekend and Easter Monday -> Tuesday.
        (date(2026, 4, 3), date(2026, 4, 7)),
        # Christmas on a Friday, then the weekend -> Monday 28 December.
        (date(2026, 12, 25), date(2026, 12, 28)),
        (date(2026, 5, 6), date(2026, 5, 6)),  # a working day is unchanged
    ],
)
def test_extend_term_end(term_end: date, expected: date) -> None:
    assert extend_term_end(term_end) == expected


def test_extend_term_end_with_royal_decree_day() -> None:
    # The Friday after Ascension Day is usually equated by Royal Decree.
    assert extend_term_end(date(2026, 5, 14), [date(2026, 5, 15)]) == date(2026, 5, 18)


# --------------------------------------------------------------------------------------
# legal_term_end (Atw art. 2, then art. 1 lid 1) and add_weeks_legal
# --------------------------------------------------------------------------------------


def test_art_2_three_day_term_over_christmas_2024() -> None:
    # Event on Tuesday 24 December 2024; the three-day term is Wed 25 (holiday),
    # Thu 26 (holiday), Fri 27. It ends on a working day, so art. 1 alone would
    # leave it alone, but it holds only one working day: art. 2 extends it to
    # Monday 30 December, the second working day.
    start, end = date(2024, 12, 24), date(2024, 12, 27)
    assert extend_term_end(end) == end
    assert legal_term_end(start, end) == date(2024, 12, 30)
    assert working_days_between(start, date(2024, 12, 30)) == 2


def test_art_2_three_day_term_over_christmas_and_weekend_2026() -> None:
    # Event on Thursday 24 December 2026; the term is Fri 25 (holiday), Sat 26, Sun 27:
    # no working day at all. Art. 1 alone would give Monday 28; art. 2 requires two
    # working days, so the term ends on Tuesday 29 December.
    start, end = date(2026, 12, 24), date(2026, 12, 27)
    assert extend_term_end(end) == date(2026, 12, 28)
    assert legal_term_end(start, end) == date(2026, 12, 29)


def test_art_2_does_not_apply_to_terms_shorter_than_three_days() -> None:
    # A two-day term (Fri 25 and Sat 26 December 2026): only art. 1 applies.
    assert legal_term_end(date(2026, 12, 24), date(2026, 12, 26)) == date(2026, 12, 28)


def test_legal_term_end_needing_no_extension() -> None:
    assert legal_term_end(date(2026, 1, 12), date(2026, 1, 15)) == date(2026, 1, 15)


def test_legal_term_end_with_royal_decree_day() -> None:
    # Event Tue 12 May 2026; three-day term Wed 13, Thu 14 (Ascension), Fri 15.
    start, end = date(2026, 5, 12), date(2026, 5, 15)
    assert legal_term_end(start, end) == date(2026, 5, 15)
    # With the Friday equated by Royal Decree, only Wed 13 is a working day.
    assert legal_term_end(start, end, [date(2026, 5, 15)]) == date(2026, 5, 18)


def test_legal_term_end_rejects_backwards_terms() -> None:
    with pytest.raises(ValueError, match="art. 4"):
        legal_term_end(date(2026, 1, 15), date(2026, 1, 12))


@pytest.mark.parametrize(
    ("melding", "expected"),
    [
        # Monday + 6 weeks = Monday 4 May 2026, a working day.
        (date(2026, 3, 23), date(2026, 5, 4)),
        # Tuesday + 6 weeks = Tuesday 5 May 2026 (Bevrijdingsdag) -> Wednesday.
        (date(2026, 3, 24), date(2026, 5, 6)),
        # Thursday + 6 weeks = Ascension Day 14 May 2026 -> Friday 15 May.
        (date(2026, 4, 2), date(2026, 5, 15)),
        # Saturday + 6 weeks = Saturday -> Monday.
        (date(2026, 1, 10), date(2026, 2, 23)),
    ],
)
def test_add_weeks_legal_wmo_investigation_term(melding: date, expected: date) -> None:
    assert add_weeks_legal(melding, 6) == expected


def test_add_weeks_legal_with_royal_decree_day() -> None:
    assert add_weeks_legal(date(2026, 4, 2), 6, [date(2026, 5, 15)]) == date(2026, 5, 18)


def test_add_weeks_legal_rejects_negative_weeks() -> None:
    with pytest.raises(ValueError, match="art. 4"):
        add_weeks_legal(date(2026, 4, 2), -1)


# --------------------------------------------------------------------------------------
# working_days_between
# --------------------------------------------------------------------------------------


def test_working_days_between_vectors() -> None:
    assert working_days_between(date(2026, 1, 9), date(2026, 1, 12)) == 1  # Fri -> Mon
    assert working_days_between(date(2026, 1, 12), date(2026, 1, 9)) == -1
    assert working_days_between(date(2026, 1, 12), date(2026, 1, 12)) == 0
    assert working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 253
    # Over Easter 2026: only Tue 7 April in (Thu 2 April, Tue 7 April].
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1
    assert working_days_between(date(2026, 12, 23), date(2026, 12, 29), [date(2026, 12, 24)]) == 2


def test_working_days_between_counting_convention() -> None:
    # The origin is never counted and the destination always is, in both directions,
    # so the result is antisymmetric only when both ends are (non-)working alike.
    saturday, monday = date(2026, 1, 10), date(2026, 1, 12)
    assert working_days_between(saturday, monday) == 1  # (Sat, Mon] holds Monday
    assert working_days_between(monday, saturday) == 0  # [Sat, Mon) holds no working day
    assert add_working_days(saturday, 1) == monday
    assert add_working_days(monday, -1) == date(2026, 1, 9)


# --------------------------------------------------------------------------------------
# The `holidays` package is NOT the Atw calendar.
# --------------------------------------------------------------------------------------


def test_holidays_package_lacks_liberation_day_in_2026_but_atw_has_it() -> None:
    package_2026 = holidays.country_holidays("NL", years=2026)
    assert date(2026, 5, 5) not in package_2026
    assert is_holiday(date(2026, 5, 5))
    assert not is_working_day(date(2026, 5, 5))


def test_good_friday_2026_is_an_atw_holiday() -> None:
    # Atw art. 3 lid 2. (The installed `holidays` version happens to list it as well;
    # see the comparison below, which pins what it actually returns.)
    assert is_holiday(date(2026, 4, 3))
    assert date(2026, 4, 3) in holidays.country_holidays("NL", years=2026)


@pytest.mark.parametrize("year", range(1980, 2101))
def test_differences_with_holidays_package_are_exactly_the_known_ones(year: int) -> None:
    ours = {holiday.day for holiday in legal_holidays(year)}
    theirs = set(holidays.country_holidays("NL", years=year))
    easter_sunday = easter(year)
    may_5 = date(year, 5, 5)
    ascension = easter_sunday + timedelta(days=39)

    # The package lists 5 May only in lustrum years (or when Ascension Day falls on it);
    # the Atw makes it a holiday every year.
    assert (may_5 in theirs) == (year % 5 == 0 or may_5 == ascension)
    assert ours - theirs == {may_5} - theirs
    # The package also lists Easter Sunday and Whit Sunday, which the Atw does not
    # name; both are Sundays, so the working-day calendars agree on them.
    extra_in_package = {easter_sunday, easter_sunday + timedelta(days=49)}
    assert theirs - ours == extra_in_package
    assert all(day.weekday() == SUN for day in extra_in_package)


@pytest.mark.parametrize("year", range(1980, 2101))
def test_holidays_package_agrees_on_the_other_feast_days(year: int) -> None:
    theirs = set(holidays.country_holidays("NL", years=year))
    for holiday in legal_holidays(year):
        if holiday.name != "Bevrijdingsdag":
            assert holiday.day in theirs, holiday


# --------------------------------------------------------------------------------------
# Properties (hypothesis)
# --------------------------------------------------------------------------------------

days = st.dates(min_value=date(1985, 1, 1), max_value=date(2095, 12, 31))
counts = st.integers(min_value=-400, max_value=400)
extras = st.frozensets(days, max_size=8)


def _naive_working_days(first: date, last: date, extra: frozenset[date]) -> int:
    count = 0
    day = first
    while day <= last:
        count += is_working_day(day, extra)
        day += timedelta(days=1)
    return count


@given(days, st.integers(min_value=1, max_value=400), extras)
def test_add_working_days_lands_on_a_working_day(
    start: date, n: int, extra: frozenset[date]
) -> None:
    assert is_working_day(add_working_days(start, n, extra), extra)
    assert is_working_day(add_working_days(start, -n, extra), extra)


@given(days, counts, extras)
def test_working_days_between_inverts_add_working_days(
    start: date, n: int, extra: frozenset[date]
) -> None:
    assert working_days_between(start, add_working_days(start, n, extra), extra) == n


@given(days, counts, extras)
def test_add_working_days_is_strictly_monotonic(
    start: date, n: int, extra: frozenset[date]
) -> None:
    assert add_working_days(start, n, extra) < add_working_days(start, n + 1, extra)


@given(days, days, extras)
def test_working_days_between_matches_naive_count(a: date, b: date, extra: frozenset[date]) -> None:
    if abs((b - a).days) > 800:
        b = a + timedelta(days=(b - a).days % 800)
    result = working_days_between(a, b, extra)
    if b >= a:
        assert result == _naive_working_days(a + timedelta(days=1), b, extra)
    else:
        assert result == -_naive_working_days(b, a - timedelta(days=1), extra)


@given(days, extras)
def test_next_working_day_is_idempotent_and_minimal(day: date, extra: frozenset[date]) -> None:
    result = next_working_day(day, extra)
    assert result >= day
    assert is_working_day(result, extra)
    assert next_working_day(result, extra) == result
    skipped = day
    while skipped < result:
        assert not is_working_day(skipped, extra)
        skipped += timedelta(days=1)


@given(days, extras)
def test_extend_term_end_properties(day: date, extra: frozenset[date]) -> None:
    result = extend_term_end(day, extra)
    assert result >= day
    assert is_working_day(result, extra)
    assert (result == day) == is_working_day(day, extra)


@given(days, st.integers(min_value=0, max_value=60), extras)
def test_legal_term_end_properties(start: date, length: int, extra: frozenset[date]) -> None:
    end = start + timedelta(days=length)
    result = legal_term_end(start, end, extra)
    assert result >= end
    assert is_working_day(result, extra)
    if length >= 3:
        assert working_days_between(start, result, extra) >= 2
        # Minimal: no earlier working day on or after `end` satisfies art. 2.
        candidate = end
        while candidate < result:
            assert not (
                is_working_day(candidate, extra)
                and working_days_between(start, candidate, extra) >= 2
            )
            candidate += timedelta(days=1)
    else:
        assert result == extend_term_end(end, extra)


@given(days, st.integers(min_value=0, max_value=60), extras)
def test_add_weeks_legal_is_legal_term_end_of_whole_weeks(
    start: date, weeks: int, extra: frozenset[date]
) -> None:
    expected = legal_term_end(start, start + timedelta(weeks=weeks), extra)
    assert add_weeks_legal(start, weeks, extra) == expected


@given(st.integers(min_value=1980, max_value=2200), extras)
def test_legal_holidays_are_sorted_and_within_the_year(year: int, extra: frozenset[date]) -> None:
    listed = legal_holidays(year, extra)
    assert listed == sorted(listed, key=lambda holiday: holiday.day)
    assert all(holiday.day.year == year for holiday in listed)
    assert all(is_holiday(holiday.day, extra) for holiday in listed)
    assert sum(holiday.name != ROYAL_DECREE_HOLIDAY_NAME for holiday in listed) == 9
