"""The provider's half of the traject after hand-over (SPEC §4 steps 5 and 7-10). Pure Python.

Weeks of deployment, evaluation dates, signals, advice.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta

# --- Deployment per week -------------------------------------------------------------------


def week_of(day: date) -> date:
    """The Monday of the (ISO) week of `day`: how the casusregie log keys a week."""
    return day - timedelta(days=day.weekday())


# --- Signals to the municipality (seed 000, seed 002) -----------------------------------------


class SignalKind(StrEnum):
    HEALTH = "gezondheid"
    LIVING = "leefomstandigheden"
    HOME = "thuissituatie"
    SOCIAL = "sociale_omgeving"
    HEAVIER = "zwaarder"  # structurally more support needed than the level allows
    CANNOT_START = "start"  # cannot start within the term or cannot reach the results (seed 004)
    OTHER = "overig"


SIGNAL_LABELS = {
    SignalKind.HEALTH: "Gewijzigde gezondheidssituatie",
    SignalKind.LIVING: "Gewijzigde leefomstandigheden",
    SignalKind.HOME: "Gewijzigde huiselijke situatie (bijv. vervuiling)",
    SignalKind.SOCIAL: "Gewijzigde sociale omgeving (bijv. isolement)",
    SignalKind.HEAVIER: "Structureel zwaarder niveau nodig",
    SignalKind.CANNOT_START: "Kan niet (tijdig) starten of de resultaten niet behalen",
    SignalKind.OTHER: "Anders",
}


class LogKind(StrEnum):
    CONTACT = "contact"
    CONSULTATION = "overleg"
    DEPLOYMENT = "inzet"
    OTHER = "overig"


LOG_LABELS = {
    LogKind.CONTACT: "Contact met de inwoner",
    LogKind.CONSULTATION: "Overleg met netwerk of andere hulpverlener",
    LogKind.DEPLOYMENT: "Afspraak over de inzet",
    LogKind.OTHER: "Overig",
}


# --- Evaluation (seed 002 "Evaluatie van ondersteuning"; seed 004 §8) ---------------------------


class EvaluationKind(StrEnum):
    FINAL = "eind"  # at the latest 8 weeks before the end of the indication
    INTERIM = "tussentijds"  # every half year where the region asks for it (Midden-Limburg)
    STOP = "stop"  # support stops before the end


EVALUATION_KIND_LABELS = {
    EvaluationKind.FINAL: "Eindevaluatie",
    EvaluationKind.INTERIM: "Tussenevaluatie",
    EvaluationKind.STOP: "Evaluatie bij stoppen",
}


class Advice(StrEnum):
    NO_FURTHER_SUPPORT = "geen"
    EXTENSION = "verlenging"
    LIGHTER = "lichter"
    HEAVIER = "zwaarder"


ADVICE_LABELS = {
    Advice.NO_FURTHER_SUPPORT: "Geen verdere ondersteuning",
    Advice.EXTENSION: "Ongewijzigde verlenging",
    Advice.LIGHTER: "Herindicatie nodig: lichter niveau",
    Advice.HEAVIER: "Herindicatie nodig: zwaarder niveau",
}
# Advice that needs a new assessment: the melding for it is made in the same step.
NEEDS_REINDICATION = frozenset({Advice.LIGHTER, Advice.HEAVIER})


@dataclass(frozen=True)
class EvaluationPlan:
    kind: EvaluationKind
    due_on: date
    remind_on: date


def evaluation_plan(
    *,
    started_on: date,
    ends_on: date,
    weeks_before_end: int = 8,
    reminder_weeks_before_end: int = 10,
    interim_every_months: int | None = None,
    interim_reminder_weeks: int = 2,
) -> list[EvaluationPlan]:
    """The evaluations of a traject: the final one at the latest `weeks_before_end` before the
    end (never before the start), and, where the region evaluates periodically, an interim one
    every `interim_every_months` after the start, for trajects longer than that period, as long
    as it falls before the final one (seed 004 §8: only a final evaluation under 6 months)."""
    final_due = max(ends_on - timedelta(weeks=weeks_before_end), started_on)
    final_remind = max(ends_on - timedelta(weeks=reminder_weeks_before_end), started_on)
    plans = []
    if interim_every_months and started_on + relativedelta(months=interim_every_months) < ends_on:
        n = 1
        while (due := started_on + relativedelta(months=interim_every_months * n)) < final_due:
            plans.append(
                EvaluationPlan(
                    EvaluationKind.INTERIM, due, due - timedelta(weeks=interim_reminder_weeks)
                )
            )
            n += 1
    plans.append(EvaluationPlan(EvaluationKind.FINAL, final_due, final_remind))
    return plans


def evaluation_errors(
    *, results: Iterable[Mapping[str, object]], advice: str, explanation: str
) -> list[str]:
    """What an evaluation still lacks before it can be submitted (seed 002 "Het formulier")."""
    errors = []
    results = list(results)
    if not results:
        errors.append("Er zijn geen resultaten om te evalueren.")
    for i, result in enumerate(results, start=1):
        if result.get("achieved") not in (True, False):
            errors.append(f"Resultaat {i}: geef aan of het resultaat is behaald (ja of nee).")
        if not str(result.get("why_how", "")).strip():
            errors.append(f"Resultaat {i}: beschrijf waarom wel of niet, en hoe.")
    if advice not in {a.value for a in Advice}:
        errors.append("Kies een vervolgadvies.")
    if not explanation.strip():
        errors.append("Licht het vervolgadvies toe.")
    return errors
