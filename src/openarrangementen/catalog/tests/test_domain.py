from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openarrangementen.catalog.domain import (
    ScoringError,
    assess,
    bandwidth_error,
    scoring_errors,
)
from openarrangementen.catalog.regional_catalogs import REGIONAL_CATALOGS

MLW_SCORING = REGIONAL_CATALOGS["midden-limburg-west"]()["assessment"]["scoring"]


def test_bandwidth_rules():
    assert bandwidth_error(Decimal(1), Decimal(2), Decimal(3)) == ""
    assert "onder het minimum" in bandwidth_error(Decimal(3), None, Decimal(1))
    assert "buiten de bandbreedte" in bandwidth_error(Decimal(1), Decimal(5), Decimal(3))
    assert "negatief" in bandwidth_error(Decimal(-1), None, Decimal(3))


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ({1: "A", 2: "A", 3: "A", 4: "B", 5: "A"}, {"categorie": "1", "intensiteit": "basis"}),
        ({1: "C", 2: "A", 3: "C", 4: "C", 5: "C"}, {"categorie": "2", "intensiteit": "aanvullend"}),
        ({1: "B", 2: "E", 3: "E", 4: "D", 5: "E"}, {"categorie": "3", "intensiteit": "intensief"}),
    ],
)
def test_assessment_instrument_outcome(scores, expected):
    assert assess(MLW_SCORING, scores) == expected


def test_assessment_refuses_missing_or_unknown_scores():
    with pytest.raises(ScoringError, match="Criterium 5 is niet gescoord"):
        assess(MLW_SCORING, {1: "A", 2: "A", 3: "A", 4: "A"})
    with pytest.raises(ScoringError, match="'F' is geen geldige score"):
        assess(MLW_SCORING, {1: "F", 2: "A", 3: "A", 4: "A", 5: "A"})


@given(st.fixed_dictionaries({n: st.sampled_from("ABCDE") for n in range(1, 6)}))
def test_every_complete_scoring_gives_one_of_the_nine_profiles(scores):
    outcome = assess(MLW_SCORING, scores)
    assert outcome["categorie"] in {"1", "2", "3"}
    assert outcome["intensiteit"] in {"basis", "aanvullend", "intensief"}


def test_scoring_document_is_checked():
    assert scoring_errors(MLW_SCORING, [1, 2, 3, 4, 5]) == []
    broken = {
        "letters": {"A": 1},
        "outcomes": [{"attribute": "x", "criteria": [9], "aggregate": "avg", "bands": []}],
    }
    errors = scoring_errors(broken, [1, 2, 3, 4, 5])
    assert any("onbekende criteria" in e for e in errors)
    assert any("berekening" in e for e in errors)
    assert any("grenzen" in e for e in errors)
    assert scoring_errors({}, [1]) != []
