"""The persoonlijk ondersteuningsplan (POP): rules on its content. Pure Python."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum


class ConsultationKind(StrEnum):
    MEDICAL = "medisch"  # medical advice (Almere: SCIOPENG)
    COLLEAGUE = "collega"  # collegial consultation
    EXPERT_TEAM = "expertteam"
    PROVIDER = "aanbieder"  # a contracted provider in this arrangement


CONSULTATION_LABELS = {
    ConsultationKind.MEDICAL: "Medisch advies",
    ConsultationKind.COLLEAGUE: "Collegiale consultatie",
    ConsultationKind.EXPERT_TEAM: "Expertteam",
    ConsultationKind.PROVIDER: "Gecontracteerde aanbieder",
}

# The parts of POP deel I a client can consent to share with the chosen provider, per field
# (seed 002: "eventueel toestemming per veld"). The provider needs the arrangement and the
# goals to write deel II, so those two cannot be left out.
SHAREABLE_FIELDS: dict[str, str] = {
    "contact": "Naam, adres en telefoonnummer",
    "question": "Hulpvraag bij de melding",
    "zrm": "Notities per leefgebied (ZRM)",
    "conclusions": "Conclusies over eigen kracht, netwerk en voorzieningen",
    "argumentation": "Argumentatie van de arrangementkeuze",
    "arrangement": "Arrangement, niveau en periode",
    "goals": "Doelen voor de maatwerkondersteuning",
}
REQUIRED_SHARED_FIELDS = ("arrangement", "goals")


def consent_error(*, is_given: bool, shared_fields: Iterable[str]) -> str:
    """Why the traject cannot go to the provider with this consent; "" when it can."""
    if not is_given:
        return (
            "Zonder toestemming van de inwoner gaat POP deel I niet naar de aanbieder. "
            "Leg de toestemming vast of sluit het traject af."
        )
    shared = set(shared_fields)
    unknown = shared - SHAREABLE_FIELDS.keys()
    if unknown:
        return f"Onbekende onderdelen: {', '.join(sorted(unknown))}."
    missing = [SHAREABLE_FIELDS[f].lower() for f in REQUIRED_SHARED_FIELDS if f not in shared]
    if missing:
        return (
            "De aanbieder heeft ten minste het volgende nodig om POP deel II te maken: "
            + " en ".join(missing)
            + "."
        )
    return ""


class SignatureKind(StrEnum):
    AGREED = "akkoord"  # voor akkoord
    SEEN = "gezien"  # voor gezien: the client does not agree but has seen it


class SignatureMethod(StrEnum):
    IN_PERSON = "persoonlijk"
    PAPER = "papier"
    DIGITAL = "digitaal"


class SignedDocument(StrEnum):
    PART_ONE = "pop_deel_1"
    FULL_POP = "pop"  # deel I and II together, signed with the provider


def goals_from_text(text: str) -> list[str]:
    """One goal per non-empty line; leading list marks are dropped."""
    goals = []
    for line in text.splitlines():
        goal = line.strip().lstrip("-•*").strip()
        if goal:
            goals.append(goal)
    return goals


@dataclass(frozen=True)
class BandwidthCheck:
    support_form: str
    planned: Decimal
    minimum: Decimal | None
    maximum: Decimal | None

    @property
    def message(self) -> str:
        if self.minimum is None or self.maximum is None:
            return "Dit niveau kent geen bandbreedte voor deze ondersteuningsvorm."
        if self.planned < self.minimum:
            return f"Onder de bandbreedte ({self.minimum}–{self.maximum} per week)."
        if self.planned > self.maximum:
            return f"Boven de bandbreedte ({self.minimum}–{self.maximum} per week)."
        return ""

    @property
    def is_within(self) -> bool:
        return not self.message


def bandwidth_checks(
    planned: Mapping[str, Decimal], bandwidths: Mapping[str, tuple[Decimal, Decimal]]
) -> list[BandwidthCheck]:
    """Compare the planned average deployment per support form with the level's bandwidths."""
    checks = []
    for form, amount in planned.items():
        minimum, maximum = bandwidths.get(form, (None, None))
        checks.append(BandwidthCheck(form, amount, minimum, maximum))
    return checks


def deviation_error(
    *, instrument_level_id: int | None, chosen_level_id: int | None, motivation: str
) -> str:
    """A PA who chooses another level than the assessment instrument proposes says why
    (seed 004 bijlage 2: 'Motivatie regisseur bij afwijking uitkomst toets')."""
    if instrument_level_id is None or chosen_level_id in (None, instrument_level_id):
        return ""
    if not motivation.strip():
        return (
            "Uw keuze wijkt af van de uitkomst van het beoordelingsinstrument. "
            "Motiveer de afwijking."
        )
    return ""


def term_error(
    *,
    start_on: date,
    end_on: date,
    max_months: int | None,
    allowed_months: Iterable[int] = (),
) -> str:
    """Why an indication period does not fit the region's rules; "" when it fits.

    `max_months` is the longest term the level or region allows; `allowed_months` lists the
    region's fixed indication terms (Midden-Limburg: 6, 12, 18, 24, 36, 48, 60), if any.
    """
    if end_on < start_on:
        return "De einddatum ligt vóór de begindatum."
    months = _months_between(start_on, end_on)
    if max_months is not None and months > max_months:
        return (
            f"Deze indicatie duurt {months} maanden; het arrangement en de regio staan "
            f"maximaal {max_months} maanden toe."
        )
    allowed = sorted(set(allowed_months))
    if allowed and months not in allowed:
        terms = ", ".join(str(m) for m in allowed)
        return f"De regio kent indicatietermijnen van {terms} maanden; deze duurt {months}."
    return ""


def _months_between(start_on: date, end_on: date) -> int:
    """Whole months of an indication from `start_on` up to and including `end_on`, rounded up
    (1 Jan - 30 Jun is 6 months; 1 Jan - 1 Jul is 7)."""
    day_after = end_on + timedelta(days=1)
    months = (day_after.year - start_on.year) * 12 + day_after.month - start_on.month
    if day_after.day > start_on.day:
        months += 1
    return months


# --- POP deel II: the standard household-help table (seed 002, "Het formulier deel II") ----

# Tasks (rows) and rooms (columns) in hours per year, in the order of the seed's form.
HOUSEHOLD_TASKS: dict[str, str] = {
    "afnemen": "Afnemen (stof)",
    "stofzuigen": "Stofzuigen en dweilen",
    "ramen": "Ramen en gordijnen",
    "bedden": "Bedden verschonen",
    "keuken": "Keuken schoonmaken",
    "sanitair": "Sanitair schoonmaken",
    "opruimen": "Opruimen",
    "indirect": "Indirecte tijd bij de klant",
}
HOUSEHOLD_ROOMS: dict[str, str] = {
    "woonkamer": "Woonkamer",
    "slaapkamer": "Slaapkamer",
    "keuken": "Keuken",
    "badkamer": "Badkamer en toilet",
    "hal": "Hal",
    "indirect": "Indirecte tijd bij klant",
}
MAX_HOURS_PER_CELL = Decimal(2000)  # more than a working year in one cell is a typo


@dataclass(frozen=True)
class HouseholdTotals:
    per_task: dict[str, Decimal]
    per_room: dict[str, Decimal]
    total: Decimal

    @property
    def per_week(self) -> Decimal:
        """The yearly total as an average per week (52 weeks), to compare with the bandwidth."""
        return (self.total / 52).quantize(Decimal("0.01"))


def household_table(raw: Mapping[str, Mapping[str, object]]) -> dict[str, dict[str, Decimal]]:
    """A clean task x room table of hours per year; raises ValueError with a Dutch message.

    Empty cells are left out; unknown tasks or rooms, text and negative numbers are refused.
    """
    table: dict[str, dict[str, Decimal]] = {}
    for task, row in raw.items():
        if task not in HOUSEHOLD_TASKS:
            raise ValueError(f"Onbekende taak in de urentabel: {task}.")
        for room, value in row.items():
            if room not in HOUSEHOLD_ROOMS:
                raise ValueError(f"Onbekende ruimte in de urentabel: {room}.")
            if value in (None, ""):
                continue
            label = f"{HOUSEHOLD_TASKS[task]} / {HOUSEHOLD_ROOMS[room]}"
            try:
                hours = Decimal(str(value).replace(",", "."))
            except InvalidOperation as exc:
                raise ValueError(f"{label}: vul een aantal uren in, bijvoorbeeld 12,5.") from exc
            if not hours.is_finite() or hours < 0:
                raise ValueError(f"{label}: het aantal uren kan niet negatief zijn.")
            if hours > MAX_HOURS_PER_CELL:
                raise ValueError(f"{label}: meer dan {MAX_HOURS_PER_CELL} uur per jaar klopt niet.")
            if hours:
                table.setdefault(task, {})[room] = hours
    return table


def household_totals(table: Mapping[str, Mapping[str, Decimal]]) -> HouseholdTotals:
    per_task = {
        t: sum((Decimal(v) for v in table.get(t, {}).values()), Decimal(0)) for t in HOUSEHOLD_TASKS
    }
    per_room = {
        r: sum((Decimal(table.get(t, {}).get(r, 0)) for t in HOUSEHOLD_TASKS), Decimal(0))
        for r in HOUSEHOLD_ROOMS
    }
    return HouseholdTotals(per_task, per_room, sum(per_task.values(), Decimal(0)))


def table_to_json(table: Mapping[str, Mapping[str, Decimal]]) -> dict[str, dict[str, str]]:
    return {task: {room: str(h) for room, h in row.items()} for task, row in table.items()}


def table_from_json(data: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, Decimal]]:
    return {task: {room: Decimal(h) for room, h in row.items()} for task, row in data.items()}
