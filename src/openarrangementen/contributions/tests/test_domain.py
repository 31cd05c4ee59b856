"""The contribution rules without a database: periods, amounts, mutations."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from openarrangementen.catalog.domain import PricePeriod
from openarrangementen.contributions.domain import (
    CakPeriod,
    Mutation,
    Spell,
    amount_per_period,
    contribution_for,
    contribution_segments,
    line_in,
    period_containing,
    period_from_code,
    spell_days,
)

N2, N3 = "N2", "N3"
PRICES = {N2: Decimal("190.00"), N3: Decimal("330.00")}  # per 4 weeks, as in Almere's demo


def per_period(level, period: CakPeriod) -> Decimal:
    return amount_per_period(PRICES[level], "4w", period.unit)


def spell(first: date, last: date, level: str = N2, key: int = 1) -> Spell:
    return Spell(key=key, level=level, first_day=first, last_day=last)


def line(spells: list[Spell], code: str):
    return line_in(contribution_segments(spells, per_period), period_from_code(code))


# --- periods ---------------------------------------------------------------------------------


def test_2019_has_13_four_week_periods_and_the_last_ends_on_31_december():
    periods = [CakPeriod(2019, n) for n in range(1, 14)]
    assert periods[0].begin == date(2019, 1, 1)
    assert periods[0].end == date(2019, 1, 28)
    assert periods[1].begin == date(2019, 1, 29)
    assert periods[12].begin == date(2019, 12, 3)
    assert periods[12].end == date(2019, 12, 31)
    assert all(a.end + timedelta(days=1) == b.begin for a, b in pairwise(periods))
    assert all(p.unit is PricePeriod.FOUR_WEEKS for p in periods)
    with pytest.raises(ValueError, match="geen periode 14"):
        CakPeriod(2019, 14)
    assert periods[12].next() == CakPeriod(2020, 1)


def test_from_2020_the_periods_are_calendar_months():
    assert CakPeriod(2020, 1).previous() == CakPeriod(2019, 13)
    assert (CakPeriod(2024, 2).begin, CakPeriod(2024, 2).end) == (
        date(2024, 2, 1),
        date(2024, 2, 29),
    )
    assert CakPeriod(2025, 4).unit is PricePeriod.MONTH
    assert CakPeriod(2025, 4).label == "april 2025"
    assert CakPeriod(2019, 5).label == "periode 5 van 2019 (23-04-2019 t/m 20-05-2019)"
    with pytest.raises(ValueError, match="geen periode 13"):
        CakPeriod(2020, 13)


@given(st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)))
@example(date(2019, 12, 31))  # the long 13th period
@example(date(2020, 1, 1))  # the switch to months
def test_every_day_lies_in_exactly_the_period_containing_it(day):
    period = period_containing(day)
    assert period.contains(day)
    assert not period.previous().contains(day)
    assert not period.next().contains(day)
    assert period_from_code(period.code) == period


def test_period_codes_follow_the_calendar_of_their_year():
    assert period_from_code("2025-04") == CakPeriod(2025, 4)
    assert period_from_code("2019-p05") == CakPeriod(2019, 5)
    with pytest.raises(ValueError, match="per maand"):
        period_from_code("2020-P01")
    with pytest.raises(ValueError, match="per 4 weken"):
        period_from_code("2019-05")
    with pytest.raises(ValueError, match="geen periode"):
        period_from_code("april")


# --- amounts ---------------------------------------------------------------------------------


def test_amounts_are_converted_between_4_weeks_and_months_keeping_the_yearly_amount():
    assert amount_per_period(Decimal("150.00"), "4w", PricePeriod.MONTH) == Decimal("162.50")
    assert amount_per_period(Decimal("190.00"), "4w", PricePeriod.MONTH) == Decimal("205.83")
    assert amount_per_period(Decimal("21.00"), "month", PricePeriod.FOUR_WEEKS) == Decimal("19.38")
    assert amount_per_period(Decimal("17.50"), "4w", PricePeriod.FOUR_WEEKS) == Decimal("17.50")


amounts = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False)


@given(flat_rate=amounts, cost_price=amounts)
@example(flat_rate=Decimal("21.00"), cost_price=Decimal("15.00"))  # a cheap level caps it
def test_the_contribution_is_never_above_the_cost_price(flat_rate, cost_price):
    paid = contribution_for(flat_rate=flat_rate, cost_price=cost_price)
    assert paid <= cost_price
    assert paid <= flat_rate
    assert paid in (flat_rate, cost_price)


# --- the contribution line -------------------------------------------------------------------


def test_support_counts_from_the_later_start_to_the_earlier_end():
    assert spell_days(
        decided_from=date(2025, 3, 1),
        decided_to=date(2026, 2, 28),
        started_on=date(2025, 3, 14),
        ended_on=None,
    ) == (date(2025, 3, 14), date(2026, 2, 28))
    assert spell_days(
        decided_from=date(2025, 3, 1),
        decided_to=date(2026, 2, 28),
        started_on=date(2025, 2, 20),
        ended_on=date(2025, 8, 20),
    ) == (date(2025, 3, 1), date(2025, 8, 20))
    assert (
        spell_days(
            decided_from=date(2025, 3, 1),
            decided_to=date(2026, 2, 28),
            started_on=None,
            ended_on=None,
        )
        is None
    )


def test_the_contribution_starts_in_the_month_after_support_starts():
    spells = [spell(date(2025, 3, 14), date(2026, 2, 28))]
    assert line(spells, "2025-03") is None
    april = line(spells, "2025-04")
    assert april.mutations == (Mutation.START,)
    assert (april.starts_on, april.ends_on) == (date(2025, 4, 1), date(2026, 2, 28))
    assert april.segment.cost_price == Decimal("205.83")
    assert line(spells, "2025-05").mutations == ()


def test_the_contribution_stops_after_the_period_in_which_support_ends():
    spells = [spell(date(2025, 3, 14), date(2025, 8, 20))]
    august = line(spells, "2025-08")
    assert august.mutations == (Mutation.STOP,)
    assert august.ends_on == date(2025, 8, 31)
    assert line(spells, "2025-09") is None


def test_support_within_one_period_gives_no_contribution():
    assert contribution_segments([spell(date(2025, 3, 3), date(2025, 3, 28))], per_period) == []


def test_start_and_stop_in_the_same_period_are_two_mutations():
    spells = [spell(date(2025, 3, 14), date(2025, 4, 10))]
    assert line(spells, "2025-04").mutations == (Mutation.START, Mutation.STOP)


def test_a_level_change_is_a_change_from_the_period_after_the_new_support_starts():
    spells = [
        spell(date(2025, 3, 14), date(2025, 6, 10), N2, key=1),
        spell(date(2025, 6, 10), date(2026, 6, 9), N3, key=2),
    ]
    june = line(spells, "2025-06")
    assert (june.mutations, june.segment.spell.level) == ((), N2)
    july = line(spells, "2025-07")
    assert july.mutations == (Mutation.CHANGE,)
    assert july.segment.spell.level == N3
    assert july.segment.cost_price == Decimal("357.50")
    assert (july.starts_on, july.ends_on) == (date(2025, 7, 1), date(2026, 6, 30))


def test_a_follow_up_traject_continues_the_contribution_without_a_new_start():
    spells = [
        spell(date(2025, 1, 6), date(2025, 3, 31), key=1),
        spell(date(2025, 4, 1), date(2025, 12, 31), key=2),
    ]
    assert [line(spells, c).mutations for c in ("2025-03", "2025-04", "2025-05")] == [(), (), ()]
    assert line(spells, "2025-04").ends_on == date(2025, 12, 31)


def test_a_period_without_support_stops_and_restarts_the_contribution():
    spells = [
        spell(date(2025, 1, 6), date(2025, 3, 10), key=1),
        spell(date(2025, 4, 2), date(2025, 12, 31), key=2),
    ]
    assert line(spells, "2025-03").mutations == (Mutation.STOP,)
    assert line(spells, "2025-04") is None  # support started again on 2 April
    assert line(spells, "2025-05").mutations == (Mutation.START,)


def test_a_change_that_starts_days_after_the_old_support_ended_joins_without_a_gap():
    # The old traject ends when the new beschikking is final; the new provider reports its
    # start ten days later, in the same month: the new level applies from April.
    spells = [
        spell(date(2025, 1, 6), date(2025, 3, 10), N2, key=1),
        spell(date(2025, 3, 20), date(2025, 12, 31), N3, key=2),
    ]
    assert line(spells, "2025-03").mutations == ()
    assert line(spells, "2025-03").ends_on == date(2025, 12, 31)
    assert line(spells, "2025-04").mutations == (Mutation.CHANGE,)


def test_a_new_flat_rate_is_no_mutation_but_the_switch_to_months_changes_the_cost_price():
    spells = [spell(date(2018, 6, 1), date(2026, 5, 31))]
    assert line(spells, "2025-01").mutations == ()  # the rate went from 20.60 to 21
    january_2020 = line(spells, "2020-01")
    assert january_2020.mutations == (Mutation.CHANGE,)  # 190.00 per 4 weeks -> 205.83 per month
    assert line(spells, "2019-P13").segment.cost_price == Decimal("190.00")


def test_a_missing_cost_price_is_carried_as_unknown():
    segments = contribution_segments(
        [spell(date(2025, 3, 14), date(2025, 8, 20))], lambda level, period: None
    )
    assert [s.cost_price for s in segments] == [None]
