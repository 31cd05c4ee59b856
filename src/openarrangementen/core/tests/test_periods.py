from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from openarrangementen.core.periods import Validity, validity_error


def test_validity_contains_is_inclusive_and_open_ended():
    v = Validity(date(2024, 1, 1), date(2024, 12, 31))
    assert v.contains(date(2024, 1, 1))
    assert v.contains(date(2024, 12, 31))
    assert not v.contains(date(2025, 1, 1))
    assert Validity(date(2024, 1, 1), None).contains(date(2099, 1, 1))


dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))


@given(dates, dates, dates, dates)
def test_overlap_is_symmetric_and_matches_a_shared_day(a1, a2, b1, b2):
    a = Validity(min(a1, a2), max(a1, a2))
    b = Validity(min(b1, b2), max(b1, b2))
    assert a.overlaps(b) == b.overlaps(a)
    shared = max(a.valid_from, b.valid_from)
    assert a.overlaps(b) == (a.contains(shared) and b.contains(shared))


def test_describe_and_order_error_in_dutch():
    assert Validity(date(2024, 1, 1), None).describe() == "vanaf 01-01-2024, zonder einddatum"
    assert Validity(date(2024, 1, 1), date(2024, 12, 31)).describe() == "01-01-2024 – 31-12-2024"
    assert (
        validity_error(date(2024, 2, 1), date(2024, 1, 1))
        == "De einddatum ligt vóór de begindatum."
    )
    assert validity_error(date(2024, 1, 1), None) == ""
