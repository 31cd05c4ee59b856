"""Unit tests for the rules on the POP's content (pure Python, no database)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from openarrangementen.plans.domain import (
    REQUIRED_SHARED_FIELDS,
    SHAREABLE_FIELDS,
    BandwidthCheck,
    _months_between,
    bandwidth_checks,
    consent_error,
    deviation_error,
    goals_from_text,
    term_error,
)

# ------------------------------------------------------------------------------------------
# consent_error
# ------------------------------------------------------------------------------------------


def test_consent_not_given_is_refused():
    error = consent_error(is_given=False, shared_fields=SHAREABLE_FIELDS)
    assert error.startswith("Zonder toestemming van de inwoner")


def test_consent_with_only_the_required_fields_is_enough():
    assert consent_error(is_given=True, shared_fields=REQUIRED_SHARED_FIELDS) == ""


def test_consent_with_every_field_is_enough():
    assert consent_error(is_given=True, shared_fields=list(SHAREABLE_FIELDS)) == ""


def test_consent_accepts_a_generator():
    assert consent_error(is_given=True, shared_fields=(f for f in REQUIRED_SHARED_FIELDS)) == ""


def test_required_fields_are_arrangement_and_goals():
    assert set(REQUIRED_SHARED_FIELDS) == {"arrangement", "goals"}
    assert set(REQUIRED_SHARED_FIELDS) <= SHAREABLE_FIELDS.keys()


@pytest.mark.parametrize(
    ("shared", "expected"),
    [
        pytest.param(["goals", "contact"], "arrangement, niveau en periode.", id="no-arrangement"),
        pytest.param(["arrangement"], "doelen voor de maatwerkondersteuning.", id="no-goals"),
        pytest.param(
            [],
            "arrangement, niveau en periode en doelen voor de maatwerkondersteuning.",
            id="neither",
        ),
    ],
)
def test_consent_without_a_required_field_is_refused(shared, expected):
    error = consent_error(is_given=True, shared_fields=shared)
    assert error == (
        "De aanbieder heeft ten minste het volgende nodig om POP deel II te maken: " + expected
    )


def test_consent_with_an_unknown_field_is_refused():
    error = consent_error(is_given=True, shared_fields=["arrangement", "goals", "bsn"])
    assert error == "Onbekende onderdelen: bsn."


def test_unknown_fields_are_listed_sorted():
    error = consent_error(is_given=True, shared_fields=["zz", "arrangement", "goals", "aa"])
    assert error == "Onbekende onderdelen: aa, zz."


def test_unknown_fields_are_reported_before_missing_ones():
    assert consent_error(is_given=True, shared_fields=["bsn"]).startswith("Onbekende")


# ------------------------------------------------------------------------------------------
# goals_from_text
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", [], id="empty"),
        pytest.param("\n  \n\t\n", [], id="only-blank-lines"),
        pytest.param(
            "Zelf koken\n\nBoodschappen doen\n",
            ["Zelf koken", "Boodschappen doen"],
            id="blank-lines-skipped",
        ),
        pytest.param("- een\n• twee\n* drie", ["een", "twee", "drie"], id="bullets"),
        pytest.param("   -   ingesprongen  ", ["ingesprongen"], id="indented-bullet"),
        pytest.param("-\n•\n*", [], id="bare-bullets"),
        pytest.param("een\r\ntwee", ["een", "twee"], id="crlf"),
        pytest.param(
            "- Zelf-standig wonen - met hulp",
            ["Zelf-standig wonen - met hulp"],
            id="inner-hyphens-kept",
        ),
    ],
)
def test_goals_from_text(text, expected):
    assert goals_from_text(text) == expected


# ------------------------------------------------------------------------------------------
# bandwidth_checks
# ------------------------------------------------------------------------------------------

BANDWIDTHS = {"begeleiding": (Decimal(2), Decimal(4))}


def check(planned):
    [result] = bandwidth_checks({"begeleiding": Decimal(planned)}, BANDWIDTHS)
    return result


def test_below_the_bandwidth():
    result = check("1.5")
    assert result.message == "Onder de bandbreedte (2–4 per week)."
    assert result.is_within is False


@pytest.mark.parametrize("planned", ["2", "3.25", "4"])
def test_within_the_bandwidth_including_its_bounds(planned):
    result = check(planned)
    assert (result.message, result.is_within) == ("", True)


def test_above_the_bandwidth():
    result = check("4.5")
    assert result.message == "Boven de bandbreedte (2–4 per week)."
    assert result.is_within is False


def test_support_form_without_bandwidth():
    [result] = bandwidth_checks({"dagbesteding": Decimal(3)}, BANDWIDTHS)
    assert result == BandwidthCheck("dagbesteding", Decimal(3), None, None)
    assert result.message == "Dit niveau kent geen bandbreedte voor deze ondersteuningsvorm."
    assert result.is_within is False


@pytest.mark.parametrize(
    ("minimum", "maximum"), [(None, Decimal(4)), (Decimal(2), None)], ids=["no-min", "no-max"]
)
def test_half_a_bandwidth_is_no_bandwidth(minimum, maximum):
    result = BandwidthCheck("begeleiding", Decimal(3), minimum, maximum)
    assert "geen bandbreedte" in result.message


def test_one_check_per_planned_form_in_planned_order():
    planned = {"dagbesteding": Decimal(1), "begeleiding": Decimal(3)}
    bandwidths = {**BANDWIDTHS, "huishouden": (Decimal(1), Decimal(2))}
    assert [c.support_form for c in bandwidth_checks(planned, bandwidths)] == [
        "dagbesteding",
        "begeleiding",
    ]


def test_nothing_planned_means_no_checks():
    assert bandwidth_checks({}, BANDWIDTHS) == []


# ------------------------------------------------------------------------------------------
# deviation_error
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instrument", "chosen", "motivation", "refused"),
    [
        pytest.param(None, 2, "", False, id="no-instrument-outcome"),
        pytest.param(1, None, "", False, id="nothing-chosen"),
        pytest.param(1, 1, "", False, id="same-level"),
        pytest.param(1, 2, "", True, id="deviates-without-motivation"),
        pytest.param(1, 2, "  \n\t", True, id="deviates-with-blank-motivation"),
        pytest.param(1, 2, "Netwerk valt weg", False, id="deviates-with-motivation"),
    ],
)
def test_deviation_error(instrument, chosen, motivation, refused):
    error = deviation_error(
        instrument_level_id=instrument, chosen_level_id=chosen, motivation=motivation
    )
    assert bool(error) is refused
    if refused:
        assert "Motiveer de afwijking" in error


# ------------------------------------------------------------------------------------------
# term_error and _months_between
# ------------------------------------------------------------------------------------------

MLW_TERMS = (6, 12, 18, 24, 36, 48, 60)


def test_end_before_start_is_refused():
    error = term_error(start_on=date(2025, 2, 1), end_on=date(2025, 1, 31), max_months=None)
    assert error == "De einddatum ligt vóór de begindatum."


def test_longer_than_the_maximum_is_refused():
    error = term_error(start_on=date(2025, 1, 1), end_on=date(2026, 1, 31), max_months=12)
    assert error == (
        "Deze indicatie duurt 13 maanden; het arrangement en de regio staan maximaal "
        "12 maanden toe."
    )


def test_exactly_the_maximum_fits():
    assert term_error(start_on=date(2025, 1, 1), end_on=date(2025, 12, 31), max_months=12) == ""


def test_term_not_in_the_regional_list_is_refused():
    error = term_error(
        start_on=date(2025, 1, 1),
        end_on=date(2025, 9, 30),
        max_months=None,
        allowed_months=MLW_TERMS,
    )
    assert error == (
        "De regio kent indicatietermijnen van 6, 12, 18, 24, 36, 48, 60 maanden; deze duurt 9."
    )


def test_regional_list_is_shown_sorted_without_duplicates():
    error = term_error(
        start_on=date(2025, 1, 1),
        end_on=date(2025, 9, 30),
        max_months=None,
        allowed_months=[12, 6, 12],
    )
    assert "van 6, 12 maanden" in error


@pytest.mark.parametrize("months", MLW_TERMS)
def test_term_in_the_regional_list_fits(months):
    start = date(2025, 1, 1)
    end = start + relativedelta(months=months) - timedelta(days=1)
    assert term_error(start_on=start, end_on=end, max_months=60, allowed_months=MLW_TERMS) == ""


def test_maximum_is_checked_before_the_regional_list():
    error = term_error(
        start_on=date(2025, 1, 1),
        end_on=date(2026, 1, 31),
        max_months=12,
        allowed_months=MLW_TERMS,
    )
    assert "maximaal 12 maanden" in error


def test_without_limits_any_term_fits():
    assert term_error(start_on=date(2025, 1, 1), end_on=date(2040, 1, 1), max_months=None) == ""


def test_one_day_term_fits():
    assert term_error(start_on=date(2025, 1, 1), end_on=date(2025, 1, 1), max_months=1) == ""


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2025, 1, 1), date(2025, 6, 30), 6),
        (date(2025, 1, 1), date(2025, 7, 1), 7),
        (date(2025, 1, 15), date(2025, 7, 14), 6),
        (date(2025, 1, 15), date(2025, 7, 15), 7),
        (date(2025, 1, 1), date(2025, 1, 1), 1),
        (date(2025, 1, 31), date(2025, 1, 31), 1),
        (date(2025, 1, 1), date(2025, 12, 31), 12),
        (date(2025, 1, 31), date(2025, 2, 27), 1),  # 31 Jan + 1 month is 28 Feb
        (date(2025, 1, 31), date(2025, 4, 29), 3),
        (date(2025, 1, 31), date(2025, 4, 30), 4),
        (date(2024, 3, 1), date(2029, 2, 28), 60),
    ],
)
def test_months_between(start, end, months):
    assert _months_between(start, end) == months


DATES = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(DATES, st.integers(0, 2000), st.integers(0, 400))
def test_months_are_at_least_one_and_grow_with_the_end_date(start, length, extra):
    end = start + timedelta(days=length)
    later = end + timedelta(days=extra)
    assert _months_between(start, end) >= 1
    assert _months_between(start, later) >= _months_between(start, end)


@PROPERTY
@given(DATES, st.integers(1, 60))
def test_months_between_agrees_with_relativedelta(start, months):
    """n calendar months from the start, up to the day before, is exactly n months."""
    end = start + relativedelta(months=months) - timedelta(days=1)
    assert _months_between(start, end) == months
