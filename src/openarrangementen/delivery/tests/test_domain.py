"""The provider's rules without a database: evaluation dates, evaluation completeness, weeks,
and the household-help table of POP deel II."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from openarrangementen.delivery.domain import (
    Advice,
    EvaluationKind,
    EvaluationPlan,
    evaluation_errors,
    evaluation_plan,
    week_of,
)
from openarrangementen.plans.domain import (
    HOUSEHOLD_ROOMS,
    HOUSEHOLD_TASKS,
    MAX_HOURS_PER_CELL,
    household_table,
    household_totals,
)

DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
FINAL = EvaluationKind.FINAL
INTERIM = EvaluationKind.INTERIM


# --- evaluation_plan ------------------------------------------------------------------------


def test_final_evaluation_is_due_8_weeks_before_the_end_with_a_reminder_at_10():
    start, end = date(2026, 1, 5), date(2027, 1, 4)
    assert evaluation_plan(started_on=start, ends_on=end) == [
        EvaluationPlan(FINAL, end - timedelta(weeks=8), end - timedelta(weeks=10))
    ]
    assert evaluation_plan(started_on=start, ends_on=end)[0].due_on == date(2026, 11, 9)


def test_region_can_set_other_weeks_before_the_end():
    start, end = date(2026, 1, 5), date(2027, 1, 4)
    (plan,) = evaluation_plan(
        started_on=start, ends_on=end, weeks_before_end=4, reminder_weeks_before_end=6
    )
    assert (plan.due_on, plan.remind_on) == (end - timedelta(weeks=4), end - timedelta(weeks=6))


def test_short_traject_is_never_evaluated_before_its_start():
    start = date(2026, 3, 2)
    (plan,) = evaluation_plan(started_on=start, ends_on=start + timedelta(weeks=6))
    assert plan.kind is FINAL
    assert plan.due_on == start
    assert plan.remind_on == start


def test_reminder_is_clamped_to_the_start_while_the_due_date_is_not():
    start = date(2026, 3, 2)
    end = start + timedelta(weeks=9)  # due 1 week after the start; reminder would be before
    (plan,) = evaluation_plan(started_on=start, ends_on=end)
    assert plan.due_on == start + timedelta(weeks=1)
    assert plan.remind_on == start


def test_no_interim_evaluations_without_a_regional_period():
    plans = evaluation_plan(started_on=date(2026, 1, 1), ends_on=date(2028, 12, 31))
    assert [p.kind for p in plans] == [FINAL]


def test_interim_every_six_months_for_a_long_traject():
    start = date(2026, 1, 15)
    end = start + relativedelta(months=24) - timedelta(days=1)
    plans = evaluation_plan(started_on=start, ends_on=end, interim_every_months=6)
    assert [p.kind for p in plans] == [INTERIM, INTERIM, INTERIM, FINAL]
    assert [p.due_on for p in plans[:3]] == [
        date(2026, 7, 15),
        date(2027, 1, 15),
        date(2027, 7, 15),
    ]
    assert [p.remind_on for p in plans[:3]] == [p.due_on - timedelta(weeks=2) for p in plans[:3]]
    assert plans[-1].due_on == end - timedelta(weeks=8)


def test_no_interim_for_a_traject_of_six_months_or_less():
    start = date(2026, 1, 1)
    six_months = start + relativedelta(months=6) - timedelta(days=1)
    plans = evaluation_plan(started_on=start, ends_on=six_months, interim_every_months=6)
    assert [p.kind for p in plans] == [FINAL]
    exactly = evaluation_plan(
        started_on=start, ends_on=start + relativedelta(months=6), interim_every_months=6
    )
    assert [p.kind for p in exactly] == [FINAL]


def test_interim_only_before_the_final_due_date():
    # 7 months: the 6-month interim would fall after the final evaluation (end - 8 weeks).
    start = date(2026, 1, 1)
    end = start + relativedelta(months=7)
    plans = evaluation_plan(started_on=start, ends_on=end, interim_every_months=6)
    assert [p.kind for p in plans] == [FINAL]
    # 12 months: one interim at 6 months, none at 12 (that is after the final one).
    end = start + relativedelta(months=12) - timedelta(days=1)
    plans = evaluation_plan(started_on=start, ends_on=end, interim_every_months=6)
    assert [(p.kind, p.due_on) for p in plans] == [
        (INTERIM, date(2026, 7, 1)),
        (FINAL, end - timedelta(weeks=8)),
    ]


@settings(max_examples=300, deadline=None)
@given(
    start=DATES,
    days=st.integers(0, 6 * 366),
    every=st.one_of(st.none(), st.integers(1, 24)),
    weeks=st.integers(1, 20),
    extra=st.integers(0, 10),
)
def test_evaluation_plan_properties(start, days, every, weeks, extra):
    end = start + timedelta(days=days)
    plans = evaluation_plan(
        started_on=start,
        ends_on=end,
        weeks_before_end=weeks,
        reminder_weeks_before_end=weeks + extra,
        interim_every_months=every,
    )
    *interims, final = plans
    assert final.kind is FINAL
    assert all(p.kind is INTERIM for p in interims)
    for p in plans:
        assert start <= p.due_on <= end
        assert start <= p.remind_on <= p.due_on
    dues = [p.due_on for p in interims]
    assert dues == sorted(set(dues))  # strictly increasing
    assert all(d < final.due_on for d in dues)
    if every is None or start + relativedelta(months=every) >= end:
        assert interims == []
    else:
        # every interim falls on a multiple of the period after the start
        assert dues == [start + relativedelta(months=every * n) for n in range(1, len(dues) + 1)]


# --- evaluation_errors ----------------------------------------------------------------------


def test_complete_evaluation_has_no_errors():
    results = [
        {"achieved": True, "why_how": "Weekplanning lukt."},
        {"achieved": False, "why_how": "Nog geen vaste contacten."},
    ]
    assert evaluation_errors(results=results, advice="verlenging", explanation="Nodig.") == []


def test_evaluation_without_results_is_refused():
    assert evaluation_errors(results=[], advice="geen", explanation="Klaar.") == [
        "Er zijn geen resultaten om te evalueren."
    ]


@pytest.mark.parametrize("achieved", [None, "", "ja", "nee"])
def test_each_result_needs_yes_or_no(achieved):
    errors = evaluation_errors(
        results=[{"achieved": True, "why_how": "x"}, {"achieved": achieved, "why_how": "y"}],
        advice=Advice.EXTENSION,
        explanation="z",
    )
    assert errors == ["Resultaat 2: geef aan of het resultaat is behaald (ja of nee)."]


def test_each_result_needs_why_and_how():
    errors = evaluation_errors(
        results=[{"achieved": False, "why_how": "   "}, {"achieved": True}],
        advice=Advice.NO_FURTHER_SUPPORT,
        explanation="z",
    )
    assert errors == [
        "Resultaat 1: beschrijf waarom wel of niet, en hoe.",
        "Resultaat 2: beschrijf waarom wel of niet, en hoe.",
    ]


@pytest.mark.parametrize("advice", ["", "onbekend", "ZWAARDER"])
def test_advice_must_be_one_of_the_four(advice):
    errors = evaluation_errors(
        results=[{"achieved": True, "why_how": "x"}], advice=advice, explanation="z"
    )
    assert errors == ["Kies een vervolgadvies."]


@pytest.mark.parametrize("advice", list(Advice))
def test_every_advice_is_accepted(advice):
    assert not evaluation_errors(
        results=[{"achieved": True, "why_how": "x"}], advice=advice.value, explanation="z"
    )


def test_advice_needs_an_explanation_and_all_errors_are_listed():
    errors = evaluation_errors(
        results=[{"achieved": None, "why_how": ""}], advice="?", explanation=" \n"
    )
    assert errors == [
        "Resultaat 1: geef aan of het resultaat is behaald (ja of nee).",
        "Resultaat 1: beschrijf waarom wel of niet, en hoe.",
        "Kies een vervolgadvies.",
        "Licht het vervolgadvies toe.",
    ]


# --- week_of --------------------------------------------------------------------------------


def test_week_of_known_days():
    assert week_of(date(2026, 11, 23)) == date(2026, 11, 23)  # a Monday
    assert week_of(date(2026, 11, 29)) == date(2026, 11, 23)  # the Sunday after
    assert week_of(date(2027, 1, 1)) == date(2026, 12, 28)  # across the year


@given(DATES)
def test_week_of_is_the_monday_of_the_same_week(day):
    monday = week_of(day)
    assert monday.weekday() == 0
    assert timedelta(0) <= day - monday <= timedelta(days=6)
    assert week_of(monday) == monday
    assert day.isocalendar()[:2] == monday.isocalendar()[:2]


# --- household table ------------------------------------------------------------------------


def test_household_table_cleans_the_input():
    table = household_table(
        {
            "afnemen": {"woonkamer": "10", "slaapkamer": "", "keuken": None, "hal": "0"},
            "stofzuigen": {"hal": "5,5", "badkamer": Decimal("2.25")},
            "ramen": {},
        }
    )
    assert table == {
        "afnemen": {"woonkamer": Decimal(10)},
        "stofzuigen": {"hal": Decimal("5.5"), "badkamer": Decimal("2.25")},
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"tuin": {"woonkamer": "1"}}, "Onbekende taak in de urentabel: tuin."),
        ({"afnemen": {"zolder": "1"}}, "Onbekende ruimte in de urentabel: zolder."),
        ({"afnemen": {"woonkamer": "veel"}}, "vul een aantal uren in"),
        ({"afnemen": {"woonkamer": "1,2,3"}}, "vul een aantal uren in"),
        ({"afnemen": {"woonkamer": "-1"}}, "kan niet negatief zijn"),
        ({"afnemen": {"woonkamer": Decimal("-0.01")}}, "kan niet negatief zijn"),
        ({"afnemen": {"woonkamer": "NaN"}}, "Afnemen (stof) / Woonkamer"),
        ({"afnemen": {"woonkamer": "Infinity"}}, "Afnemen (stof) / Woonkamer"),
        ({"keuken": {"keuken": "2000,01"}}, "meer dan 2000 uur per jaar klopt niet"),
    ],
)
def test_household_table_refuses(raw, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        household_table(raw)


def test_household_table_accepts_the_maximum():
    assert household_table({"indirect": {"indirect": "2000"}}) == {
        "indirect": {"indirect": MAX_HOURS_PER_CELL}
    }


def test_household_totals_of_a_known_table():
    totals = household_totals(
        {
            "afnemen": {"woonkamer": Decimal(10), "slaapkamer": Decimal(4)},
            "stofzuigen": {"woonkamer": Decimal("5.5"), "hal": Decimal(2)},
        }
    )
    assert totals.per_task["afnemen"] == Decimal(14)
    assert totals.per_task["stofzuigen"] == Decimal("7.5")
    assert totals.per_task["ramen"] == Decimal(0)
    assert totals.per_room["woonkamer"] == Decimal("15.5")
    assert totals.per_room["hal"] == Decimal(2)
    assert totals.per_room["keuken"] == Decimal(0)
    assert totals.total == Decimal("21.5")
    assert totals.per_week == Decimal("0.41")
    assert set(totals.per_task) == set(HOUSEHOLD_TASKS)
    assert set(totals.per_room) == set(HOUSEHOLD_ROOMS)


HOURS = st.decimals(min_value=0, max_value=2000, places=2, allow_nan=False, allow_infinity=False)
RAW_TABLES = st.dictionaries(
    st.sampled_from(list(HOUSEHOLD_TASKS)),
    st.dictionaries(st.sampled_from(list(HOUSEHOLD_ROOMS)), HOURS),
)


@settings(max_examples=200)
@given(RAW_TABLES)
def test_household_totals_add_up(raw):
    table = household_table({t: {r: str(h) for r, h in row.items()} for t, row in raw.items()})
    totals = household_totals(table)
    cells = sum((h for row in raw.values() for h in row.values()), Decimal(0))
    assert sum(totals.per_task.values()) == totals.total
    assert sum(totals.per_room.values()) == totals.total
    assert totals.total == cells
    for task in HOUSEHOLD_TASKS:
        assert totals.per_task[task] == sum(raw.get(task, {}).values(), Decimal(0))
    for room in HOUSEHOLD_ROOMS:
        assert totals.per_room[room] == sum(
            (row.get(room, Decimal(0)) for row in raw.values()), Decimal(0)
        )
