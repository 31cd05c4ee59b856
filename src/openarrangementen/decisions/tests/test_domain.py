"""Unit tests for the rules on beschikkingen and bezwaar (pure Python, no database)."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openarrangementen.core.dates import is_working_day
from openarrangementen.decisions.domain import (
    missing_for_beschikking,
    objection_due_on,
    start_check_due_on,
)

DEPLOYMENT = (
    "de verwachte gemiddelde inzet per ondersteuningsvorm uit POP deel II (de "
    "terugvaloptie van de inwoner)"
)
GOALS = "de doelen uit POP deel I"
PROVIDER = "de aanbieder"


@pytest.mark.parametrize(
    ("decided_on", "expected"),
    [
        pytest.param(date(2025, 3, 3), date(2025, 4, 14), id="plain"),
        pytest.param(date(2025, 11, 13), date(2025, 12, 29), id="christmas-and-weekend"),
        pytest.param(date(2025, 11, 20), date(2026, 1, 2), id="new-years-day"),
        pytest.param(date(2025, 3, 7), date(2025, 4, 22), id="good-friday-and-easter"),
        pytest.param(date(2025, 3, 24), date(2025, 5, 6), id="5-may"),
    ],
)
def test_objection_term_is_six_weeks_to_a_working_day(decided_on, expected):
    assert objection_due_on(decided_on) == expected


def test_objection_term_respects_equated_days():
    assert objection_due_on(date(2025, 3, 3), [date(2025, 4, 14)]) == date(2025, 4, 15)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
def test_objection_due_date_is_a_working_day_at_least_six_weeks_later(decided_on):
    due = objection_due_on(decided_on)
    assert is_working_day(due)
    assert decided_on + timedelta(weeks=6) <= due < decided_on + timedelta(weeks=6, days=7)


@pytest.mark.parametrize(
    ("started_on", "expected"),
    [
        pytest.param(date(2025, 3, 15), date(2025, 6, 15), id="plain"),
        pytest.param(date(2025, 1, 31), date(2025, 4, 30), id="31-jan-to-30-apr"),
        pytest.param(date(2023, 11, 30), date(2024, 2, 29), id="into-leap-february"),
        pytest.param(date(2024, 11, 30), date(2025, 2, 28), id="into-common-february"),
        pytest.param(date(2025, 10, 31), date(2026, 1, 31), id="over-new-year"),
        pytest.param(date(2025, 3, 1), date(2025, 6, 1), id="sunday-not-moved"),
    ],
)
def test_start_check_is_three_calendar_months_later(started_on, expected):
    assert start_check_due_on(started_on) == expected


def test_complete_beschikking_lacks_nothing():
    assert missing_for_beschikking(has_deployment=True, has_goals=True, has_provider=True) == []


def test_beschikking_without_deployment_lacks_the_fallback():
    missing = missing_for_beschikking(has_deployment=False, has_goals=True, has_provider=True)
    assert missing == [DEPLOYMENT]
    assert "terugvaloptie" in missing[0]


@pytest.mark.parametrize("has_deployment", [True, False])
@pytest.mark.parametrize("has_goals", [True, False])
@pytest.mark.parametrize("has_provider", [True, False])
def test_missing_lists_each_absent_part_in_order(has_deployment, has_goals, has_provider):
    expected = [
        item
        for item, present in [
            (DEPLOYMENT, has_deployment),
            (GOALS, has_goals),
            (PROVIDER, has_provider),
        ]
        if not present
    ]
    missing = missing_for_beschikking(
        has_deployment=has_deployment, has_goals=has_goals, has_provider=has_provider
    )
    assert missing == expected
