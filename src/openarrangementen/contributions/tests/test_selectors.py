"""Which contributions a user sees per period, from real trajects (security code: STYLE §9)."""

from datetime import date
from decimal import Decimal

import pytest

from openarrangementen.cases.tests import flow
from openarrangementen.catalog.models import LevelPrice
from openarrangementen.contributions.domain import Mutation, period_from_code
from openarrangementen.contributions.models import FlatRate
from openarrangementen.contributions.selectors import contribution_rows_visible_to

from .support import level_change, supported_from

pytestmark = pytest.mark.usefixtures("demo")


def rows(username: str, code: str):
    return contribution_rows_visible_to(flow.user(username), period_from_code(code))


def test_the_flat_rate_table_holds_the_national_rates_and_nothing_for_2026():
    recorded = {
        r.year: (r.amount, r.period)
        for r in FlatRate.objects.filter(is_demo_value=False, year__lte=2026)
    }
    assert recorded == {
        2019: (Decimal("17.50"), "4w"),
        2020: (Decimal("19.00"), "month"),
        2021: (Decimal("19.00"), "month"),
        2022: (Decimal("19.00"), "month"),
        2023: (Decimal("19.00"), "month"),
        2024: (Decimal("20.60"), "month"),
        2025: (Decimal("21.00"), "month"),
    }
    assert all(r.source for r in FlatRate.objects.all())


def test_support_from_14_march_gives_a_first_contribution_in_april():
    traject = supported_from(date(2025, 3, 14))
    assert rows("almere.pa", "2025-03") == []
    (april,) = rows("almere.pa", "2025-04")
    assert (april.client, april.traject, april.municipality.cbs_code) == (
        traject.client,
        traject,
        "0034",
    )
    assert april.mutations == (Mutation.START,)
    assert (april.starts_on, april.ends_on) == (date(2025, 4, 1), date(2026, 2, 28))
    assert april.level == flow.level("N2")
    # 190.00 per 4 weeks = 205.83 per month; the flat rate of 21.00 is lower.
    assert (april.cost_price, april.flat_rate, april.contribution) == (
        Decimal("205.83"),
        Decimal("21.00"),
        Decimal("21.00"),
    )
    (may,) = rows("almere.pa", "2025-05")
    assert may.mutations == ()
    assert rows("almere.collega-pa", "2025-05")[0].client == traject.client


def test_the_contribution_stops_after_the_month_in_which_support_ends():
    supported_from(date(2025, 3, 14), ended_on=date(2025, 8, 20))
    (august,) = rows("almere.pa", "2025-08")
    assert august.mutations == (Mutation.STOP,)
    assert august.ends_on == date(2025, 8, 31)
    assert rows("almere.pa", "2025-09") == []


def test_a_level_change_is_a_change_from_the_month_after_the_new_start():
    old = supported_from(date(2025, 3, 14))
    new = level_change(old, on=date(2025, 6, 10), level="N3")
    (june,) = rows("almere.pa", "2025-06")
    assert (june.traject, june.mutations) == (old, ())
    (july,) = rows("almere.pa", "2025-07")
    assert (july.traject, july.level, july.mutations) == (new, flow.level("N3"), (Mutation.CHANGE,))
    assert (july.starts_on, july.cost_price, july.contribution) == (
        date(2025, 7, 1),
        Decimal("357.50"),
        Decimal("21.00"),
    )


def test_only_the_pas_of_the_clients_municipality_see_the_contribution():
    supported_from(date(2025, 3, 14))
    assert rows("almere.pa", "2025-05")
    for username in (
        "mlw.pa",  # another region's PA
        "almere.beheerder",  # needs no client data
        "almere.contractmanager",
        "almere.wijkwerker",
        "kade.administratie",  # the provider's invoicing
        "kade.werkverdeler",
    ):
        assert rows(username, "2025-05") == [], username


def test_without_a_rate_or_a_cost_price_the_contribution_is_unknown():
    supported_from(date(2025, 3, 14))
    FlatRate.objects.filter(year=2025).delete()
    (row,) = rows("almere.pa", "2025-05")
    assert (row.flat_rate, row.contribution, row.cost_price) == (None, None, Decimal("205.83"))
    LevelPrice.objects.filter(level=flow.level("N2"), kind="cost_price").delete()
    (row,) = rows("almere.pa", "2025-05")
    assert (row.cost_price, row.contribution) == (None, None)


def test_the_query_count_does_not_grow_with_the_history(django_assert_max_num_queries):
    supported_from(date(2025, 3, 14))
    user = flow.user("almere.pa")
    period = period_from_code("2025-05")
    with django_assert_max_num_queries(8):
        assert contribution_rows_visible_to(user, period)
