"""Catalog rules that need no database: enums, validity periods, the assessment instrument.

See docs/adr/0003-catalog-model.md for how the three regional variants map onto one model.
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import StrEnum


class Composition(StrEnum):
    SINGLE_LEVEL = "single_level"  # one level per indication (Almere, Midden-Limburg West)
    MODULES = "modules"  # one step (trede) per module per life domain (Leidse regio)


class ArrangementKind(StrEnum):
    ARRANGEMENT = "arrangement"  # the support package itself
    ADDITIONAL = "additional"  # additional product beside it, e.g. transport, short stay


class PriceKind(StrEnum):
    TARIFF = "tariff"  # what the provider is paid per period
    COST_PRICE = "cost_price"  # kostprijs passed to the CAK: cap on the client contribution


class PricePeriod(StrEnum):
    FOUR_WEEKS = "4w"  # CAK period of 4 weeks (13 a year)
    MONTH = "month"  # calendar month (iWmo 3.2 declares per month)


class DeploymentUnit(StrEnum):
    HOUR = "hour"
    DAGDEEL = "dagdeel"  # part of a day, 4 hours (iWmo WJ756 code 16)
    ETMAAL = "etmaal"  # 24 hours, for short stay
    RIDE = "ride"  # a single trip, for transport


class Availability(StrEnum):
    AVAILABLE = "available"  # "x" in the availability matrix
    UNDECIDED = "undecided"  # "?" in the matrix: not yet decided by the region


def bandwidth_error(minimum: Decimal, expected: Decimal | None, maximum: Decimal) -> str:
    if minimum < 0 or maximum < 0:
        return "Een bandbreedte kan niet negatief zijn."
    if maximum < minimum:
        return "Het maximum van de bandbreedte ligt onder het minimum."
    if expected is not None and not (minimum <= expected <= maximum):
        return "De verwachte gemiddelde inzet ligt buiten de bandbreedte."
    return ""


# The assessment instrument (Midden-Limburg West, seed 004 bijlage 2 and 4).
# The scoring is data so a region can change it: a JSON document of this shape:
#   {"letters": {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5},
#    "outcomes": [
#      {"attribute": "categorie", "criteria": [1, 2], "aggregate": "max",
#       "bands": [{"up_to": 2, "value": "1"}, {"up_to": 3, "value": "2"},
#                 {"up_to": 5, "value": "3"}]},
#      ...]}
# Each outcome aggregates the points of its criteria ("max", "sum" or "round_mean") and takes
# the first band whose "up_to" is at least that number. The outcome values are matched against
# the level attributes (e.g. {"categorie": "2", "intensiteit": "aanvullend"}).

AGGREGATES = ("max", "sum", "round_mean")


class ScoringError(ValueError):
    """The scoring document or the scores are invalid; the message is Dutch."""


def scoring_errors(scoring: Mapping[str, object], criterion_numbers: Sequence[int]) -> list[str]:
    """Everything wrong with a scoring document, in Dutch; empty when it is usable."""
    errors: list[str] = []
    letters = scoring.get("letters")
    if not isinstance(letters, dict) or not letters:
        return ['De scoring mist de letters met hun punten, bijvoorbeeld {"A": 1}.']
    if not all(isinstance(v, int) for v in letters.values()):
        errors.append("Elke letter moet een geheel aantal punten hebben.")
    outcomes = scoring.get("outcomes")
    if not isinstance(outcomes, list) or not outcomes:
        return [*errors, "De scoring mist de uitkomsten (bijvoorbeeld categorie en intensiteit)."]
    for index, outcome in enumerate(outcomes, start=1):
        if not isinstance(outcome, dict):
            errors.append(f"Uitkomst {index} is geen object.")
            continue
        name = outcome.get("attribute") or f"uitkomst {index}"
        criteria = outcome.get("criteria")
        if not isinstance(criteria, list) or not criteria:
            errors.append(f"{name}: geef de criteria (nummers) waarop deze uitkomst rust.")
        elif unknown := [c for c in criteria if c not in criterion_numbers]:
            errors.append(f"{name}: onbekende criteria {unknown}.")
        if outcome.get("aggregate") not in AGGREGATES:
            errors.append(f"{name}: de berekening moet een van {', '.join(AGGREGATES)} zijn.")
        bands = outcome.get("bands")
        if not isinstance(bands, list) or not bands:
            errors.append(f"{name}: geef de grenzen (bands) met hun uitkomst.")
            continue
        limits = [b.get("up_to") for b in bands if isinstance(b, dict)]
        if len(limits) != len(bands) or not all(isinstance(x, int | float) for x in limits):
            errors.append(f"{name}: elke grens heeft een getal 'up_to' en een 'value'.")
        elif limits != sorted(limits):
            errors.append(f"{name}: de grenzen moeten oplopen.")
    return errors


def assess(scoring: Mapping[str, object], scores: Mapping[int, str]) -> dict[str, str]:
    """The instrument's outcome (e.g. categorie and intensiteit) for letter scores per criterion."""
    letters = scoring["letters"]
    assert isinstance(letters, dict)
    outcomes = scoring["outcomes"]
    assert isinstance(outcomes, list)
    result: dict[str, str] = {}
    for outcome in outcomes:
        points: list[int] = []
        for number in outcome["criteria"]:
            letter = scores.get(number)
            if letter is None:
                raise ScoringError(f"Criterium {number} is niet gescoord.")
            if letter not in letters:
                raise ScoringError(f"Criterium {number}: '{letter}' is geen geldige score.")
            points.append(letters[letter])
        aggregate = outcome["aggregate"]
        if aggregate == "max":
            total: float = max(points)
        elif aggregate == "sum":
            total = sum(points)
        else:
            total = round(sum(points) / len(points))
        for band in outcome["bands"]:
            if total <= band["up_to"]:
                result[outcome["attribute"]] = str(band["value"])
                break
        else:
            raise ScoringError(f"{outcome['attribute']}: geen grens voor {total} punten.")
    return result
