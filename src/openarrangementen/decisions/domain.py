"""Rules on beschikkingen, bezwaar and follow-up decisions. Pure Python."""

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from openarrangementen.core import dates

OBJECTION_WEEKS = 6  # Awb art. 6:7
START_CHECK_MONTHS = 3  # seed 002: the PA calls the client three months after the start


class FollowUpKind(StrEnum):
    NO_FURTHER_SUPPORT = "geen"  # no further support
    EXTENSION = "verlenging"  # unchanged extension
    LIGHTER = "lichter"  # re-indication to a lighter level
    HEAVIER = "zwaarder"  # re-indication to a heavier level


FOLLOW_UP_LABELS = {
    FollowUpKind.NO_FURTHER_SUPPORT: "Geen vervolgondersteuning",
    FollowUpKind.EXTENSION: "Ongewijzigde verlenging",
    FollowUpKind.LIGHTER: "Herindicatie naar een lichter niveau",
    FollowUpKind.HEAVIER: "Herindicatie naar een zwaarder niveau",
}
# Follow-ups that need a new traject: a new decision on the same or another level.
OPENS_NEW_TRAJECT = frozenset({FollowUpKind.EXTENSION, FollowUpKind.LIGHTER, FollowUpKind.HEAVIER})


def objection_due_on(decided_on: date, extra_holidays: Iterable[date] = ()) -> date:
    """Last day for a bezwaar: six weeks from the day after the decision was sent (Awb 6:7,
    6:8), extended by the Algemene termijnenwet."""
    return dates.add_weeks_legal(decided_on, OBJECTION_WEEKS, extra_holidays)


def start_check_due_on(started_on: date) -> date:
    return started_on + relativedelta(months=START_CHECK_MONTHS)


def missing_for_beschikking(
    *, has_deployment: bool, has_goals: bool, has_provider: bool
) -> list[str]:
    """What a beschikking still lacks. Without the expected average deployment per support
    form it is refused: it is the client's legal fallback (seed 002, issue #3)."""
    missing = []
    if not has_deployment:
        missing.append(
            "de verwachte gemiddelde inzet per ondersteuningsvorm uit POP deel II (de "
            "terugvaloptie van de inwoner)"
        )
    if not has_goals:
        missing.append("de doelen uit POP deel I")
    if not has_provider:
        missing.append("de aanbieder")
    return missing
