"""Round trip of generated messages: object → XML that the XSD accepts → the same object.

For each of the 14 message types, `strategies.message(code)` generates XSD-valid objects
(facets read from the XSD files). The codec must write each one as XML that validates
against the message's XSD, and read that XML back into an equal object.
"""

import dataclasses
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openarrangementen.iwmo import codec, schemas
from openarrangementen.iwmo.schemas import MESSAGE_CODES
from openarrangementen.iwmo.tests import strategies
from openarrangementen.iwmo.xmlsafe import parse_xml

ROUNDTRIP = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("code", MESSAGE_CODES)
@ROUNDTRIP
@given(data=st.data())
def test_generated_message_builds_valid_xml_and_parses_back_equal(code, data):
    original = data.draw(strategies.message(code), label=f"WMO{code}")
    assert codec.code_of(original) == code

    xml = codec.build(original)

    errors = schemas.validate(code, parse_xml(xml))
    assert errors == [], "\n".join(errors) + "\n" + xml.decode()
    assert codec.parse(xml) == original


@pytest.mark.parametrize("code", MESSAGE_CODES)
@ROUNDTRIP
@given(data=st.data())
def test_to_element_and_from_element_are_inverse(code, data):
    original = data.draw(strategies.message(code), label=f"WMO{code}")
    root = codec.to_element(original)
    assert codec.detect_code(root) == code
    assert codec.from_element(root) == original


# --- the strategies themselves follow the XSD facets -------------------------------------------


def test_strategies_read_inline_restrictions_of_the_message_xsds():
    assert strategies.facets("301", "Header", "BerichtCode").patterns[-1] == ("414",)
    for code in MESSAGE_CODES:
        bericht_code = schemas.schemas().bericht_codes[code]
        assert strategies.facets(code, "Header", "BerichtCode").patterns[-1] == (bericht_code,)
    versie = strategies.facets("301", "Header", "BerichtVersie")
    assert (versie.patterns[-1], versie.min_inclusive, versie.max_inclusive) == (("3",), 0, 99)
    nummer = strategies.facets("323", "Declaratie", "DeclaratieNummer")
    # The inline pattern on top of LDT_IdentificatieDeclaratie (minLength 1, maxLength 12).
    assert nummer.patterns == (("([a-zA-Z0-9])+",),)
    assert (nummer.min_length, nummer.max_length) == (1, 12)


def test_strategies_read_the_ldt_types_of_the_basisschema():
    land = strategies.facets("301", "CDT_Adres", "LandCode")
    assert len(land.enumeration) == 249
    assert "NL" in land.enumeration
    bsn = strategies.facets("301", "Client", "Bsn")
    assert bsn.patterns == (("[0-9]{9}",),)
    assert bsn.max_length == 9
    bedrag = strategies.facets("323", "CDT_BedragMetDC", "Bedrag")
    assert (bedrag.min_inclusive, bedrag.max_inclusive) == (0, 99999999)


@pytest.mark.parametrize(
    ("xsd", "python"),
    [
        (".*[^\\s].*", "[^\\n\\r]*[^ \\t\\n\\r][^\\n\\r]*"),
        ("([.\\s]*\\S+[.\\s]*)+", "([. \\t\\n\\r]*[^ \\t\\n\\r]+[. \\t\\n\\r]*)+"),
        ("[0-9]{4}", "[0-9]{4}"),
        ("a^b$", "a\\^b\\$"),
    ],
)
def test_xsd_patterns_become_python_patterns_with_the_same_meaning(xsd, python):
    assert strategies.xsd_regex(xsd) == python


def test_xsd_dot_and_space_are_narrower_than_python():
    some_text = re.compile(strategies.xsd_regex(".*[^\\s].*"))
    assert some_text.fullmatch("a\u00a0")  # a no-break space is no XSD whitespace
    assert not some_text.fullmatch("a\nb")  # XSD's "." does not match a newline
    assert not some_text.fullmatch(" \t")


@ROUNDTRIP
@given(data=st.data())
def test_generated_strings_are_short_and_without_surrounding_whitespace(data):
    original = data.draw(strategies.message("301"))
    for _, obj in codec.walk(original):
        for field in dataclasses.fields(obj):
            values = getattr(obj, field.name)
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, str):
                    assert value == value.strip()
                    assert value


def test_optional_elements_are_sometimes_absent_and_sometimes_present():
    optional = strategies.message("301").map(lambda bericht: bericht.client.commentaar is None)
    seen = set()

    @settings(max_examples=50, deadline=None, database=None)
    @given(optional)
    def collect(absent):
        seen.add(absent)

    collect()
    assert seen == {True, False}
