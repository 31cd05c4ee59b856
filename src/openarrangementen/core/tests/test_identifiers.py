from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openarrangementen.core.demo import demo_bsn
from openarrangementen.core.identifiers import (
    IdentifierError,
    clean_agb_code,
    clean_bsn,
    clean_gemeentecode,
    mask_bsn,
)
from openarrangementen.core.money import format_euro, from_cents, to_cents


def eleven_test(number: str) -> bool:
    """The 11-proef written out from its definition, independent of python-stdnum."""
    digits = [int(d) for d in number]
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0


@pytest.mark.parametrize("value", ["111222333", "123456782", "999990019", "1112 22333"])
def test_valid_bsn_is_accepted(value):
    assert clean_bsn(value) == value.replace(" ", "")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("123456789", "11-proef"),
        ("12345678a", "alleen uit cijfers"),
        ("1234567", "9 cijfers"),
        ("1234567890", "9 cijfers"),
    ],
)
def test_invalid_bsn_gets_a_dutch_reason(value, message):
    with pytest.raises(IdentifierError, match=message):
        clean_bsn(value)


def test_eight_digit_bsn_gets_a_leading_zero():
    # BSNs of 8 digits exist on older documents; the 11-proef applies to the padded form.
    padded = next(f"0{n:08d}" for n in range(10_000_000, 10_001_000) if eleven_test(f"0{n:08d}"))
    assert clean_bsn(padded[1:]) == padded


@given(st.integers(min_value=10_000_000, max_value=999_999_999))
def test_bsn_check_agrees_with_the_eleven_test(number):
    candidate = f"{number:09d}"
    try:
        clean_bsn(candidate)
        accepted = True
    except IdentifierError:
        accepted = False
    assert accepted == eleven_test(candidate)


def test_demo_bsns_are_valid_and_distinct():
    numbers = [demo_bsn(n) for n in range(50)]
    assert len(set(numbers)) == 50
    assert all(eleven_test(n) and n.startswith("99999") for n in numbers)


def test_mask_bsn_shows_only_last_three_digits():
    assert mask_bsn("123456782") == "••••••782"


@pytest.mark.parametrize("value", ["75000101", "7500 0101"])
def test_agb_code_of_eight_digits(value):
    assert clean_agb_code(value) == "75000101"


@pytest.mark.parametrize("value", ["7500010", "750001011", "7500010A", "00000000"])
def test_bad_agb_code(value):
    with pytest.raises(IdentifierError, match="AGB-code"):
        clean_agb_code(value)


def test_gemeentecode_keeps_leading_zero():
    assert clean_gemeentecode("0034") == "0034"


@pytest.mark.parametrize("value", ["34", "00345", "abcd", "0000"])
def test_bad_gemeentecode(value):
    with pytest.raises(IdentifierError, match="gemeentecode"):
        clean_gemeentecode(value)


def test_money_in_dutch_notation_and_cents():
    assert format_euro(Decimal("1234.5")) == "€ 1.234,50"
    assert format_euro(Decimal("-12")) == "-€ 12,00"
    assert to_cents(Decimal("150.005")) == 15001  # half up
    assert from_cents(15000) == Decimal("150.00")
