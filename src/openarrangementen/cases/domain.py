"""The traject's workflow and deadlines (SPEC §4). Pure Python: no Django, no clock.

One transition table (`TRANSITIONS`) names every step, the status it starts from, the status
it leads to and the roles allowed to take it. The portal shows only the steps
`allowed_actions` returns, and every service calls `check_transition`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from openarrangementen.accounts.domain import Role
from openarrangementen.core import dates


class TrajectStatus(StrEnum):
    MELDING = "melding"  # registered, to be screened
    CLOSED_WITH_ADVICE = "advies"  # no keukentafelgesprek needed; closed with advice
    INTAKE = "gesprek"  # keukentafelgesprek and plan van aanpak (wijkwerker)
    ASSESSMENT = "indicatie"  # indicatiestelling: POP deel I (PA)
    PROVIDER_CHOICE = "aanbiederskeuze"  # client chooses a provider, consents, signs
    WITH_PROVIDER = "bij_aanbieder"  # the provider works out POP deel II
    PLAN_REVIEW = "toetsing"  # POP deel II submitted; the PA tests it
    DECISION_DRAFT = "concept"  # beschikking being drafted
    DECISION_REVIEW = "vierogen"  # beschikking with a colleague for review
    DECIDED = "beschikt"  # final beschikking; waiting for the start
    ACTIVE = "lopend"  # support started
    ENDED = "beeindigd"  # support ended / traject closed after the decision
    WITHDRAWN = "ingetrokken"  # the client withdrew before a decision


class Action(StrEnum):
    REGISTER = "register"  # the melding itself: the first history row, not a transition
    SUSPEND = "suspend"  # the clock stops; the status stays (history row only)
    SCREEN_FOR_INTAKE = "screen_intake"
    CLOSE_WITH_ADVICE = "close_advice"
    HAND_TO_PA = "hand_to_pa"
    COMPLETE_PART_ONE = "complete_part_one"
    HAND_TO_PROVIDER = "hand_to_provider"
    SUBMIT_PART_TWO = "submit_part_two"
    RETURN_PART_TWO = "return_part_two"
    DRAFT_DECISION = "draft_decision"
    SUBMIT_FOR_REVIEW = "submit_for_review"
    APPROVE_DECISION = "approve_decision"
    REJECT_DECISION = "reject_decision"
    REPORT_START = "report_start"
    END = "end"
    WITHDRAW = "withdraw"
    # Steps on the provider's side that keep the status (Transition.target is None).
    ASSIGN = "assign"  # the werkverdeler assigns (or reassigns) a professional
    DELEGATE = "delegate"  # read access for a named subcontractor user, where the region allows
    LOG_DELIVERY = "log_delivery"  # casusregie log and weekly deployment (no history row)
    SIGNAL = "signal"  # a signal to the municipality about the client's situation
    HANDOVER = "handover"  # warm handover note to the next provider
    EVALUATE = "evaluate"  # the provider's evaluation with the client


MUNICIPALITY_STAFF = frozenset({Role.WIJKWERKER, Role.PROCESREGISSEUR})
PA = frozenset({Role.PROCESREGISSEUR})
REVIEWERS = frozenset({Role.COLLEGA_PA, Role.PROCESREGISSEUR})
PROVIDER_STAFF = frozenset({Role.WERKVERDELER, Role.BEGELEIDER})
WERKVERDELER = frozenset({Role.WERKVERDELER})

S = TrajectStatus
OPEN_BEFORE_DECISION = frozenset(
    {
        S.MELDING,
        S.INTAKE,
        S.ASSESSMENT,
        S.PROVIDER_CHOICE,
        S.WITH_PROVIDER,
        S.PLAN_REVIEW,
        S.DECISION_DRAFT,
        S.DECISION_REVIEW,
    }
)
CLOSED = frozenset({S.CLOSED_WITH_ADVICE, S.ENDED, S.WITHDRAWN})
# With a beschikking: what the provider's administratie sees (to invoice).
INVOICEABLE = frozenset({S.DECIDED, S.ACTIVE, S.ENDED})
# From hand-over to the end: the provider's organisation works on the traject.
WITH_PROVIDER_ORG = frozenset(
    {S.WITH_PROVIDER, S.PLAN_REVIEW, S.DECISION_DRAFT, S.DECISION_REVIEW, S.DECIDED, S.ACTIVE}
)


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[TrajectStatus]
    target: TrajectStatus | None  # None: a step that keeps the status
    roles: frozenset[Role]
    label: str  # the button text in the portal
    needs_reason: bool = False


TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in [
        Transition(
            Action.SCREEN_FOR_INTAKE,
            frozenset({S.MELDING}),
            S.INTAKE,
            MUNICIPALITY_STAFF,
            "Keukentafelgesprek nodig",
        ),
        Transition(
            Action.CLOSE_WITH_ADVICE,
            frozenset({S.MELDING}),
            S.CLOSED_WITH_ADVICE,
            MUNICIPALITY_STAFF,
            "Afsluiten met advies",
            needs_reason=True,
        ),
        Transition(
            Action.HAND_TO_PA,
            frozenset({S.INTAKE}),
            S.ASSESSMENT,
            MUNICIPALITY_STAFF,
            "Plan van aanpak naar procesregisseur",
        ),
        Transition(
            Action.COMPLETE_PART_ONE,
            frozenset({S.ASSESSMENT}),
            S.PROVIDER_CHOICE,
            PA,
            "POP deel I afronden",
        ),
        Transition(
            Action.HAND_TO_PROVIDER,
            frozenset({S.PROVIDER_CHOICE}),
            S.WITH_PROVIDER,
            PA,
            "Overdragen aan aanbieder",
        ),
        Transition(
            Action.SUBMIT_PART_TWO,
            frozenset({S.WITH_PROVIDER}),
            S.PLAN_REVIEW,
            PROVIDER_STAFF,
            "POP deel II indienen",
        ),
        Transition(
            Action.RETURN_PART_TWO,
            frozenset({S.PLAN_REVIEW}),
            S.WITH_PROVIDER,
            PA,
            "POP deel II terugsturen",
            needs_reason=True,
        ),
        Transition(
            Action.DRAFT_DECISION,
            frozenset({S.PLAN_REVIEW}),
            S.DECISION_DRAFT,
            PA,
            "POP akkoord: beschikking opstellen",
        ),
        Transition(
            Action.SUBMIT_FOR_REVIEW,
            frozenset({S.DECISION_DRAFT}),
            S.DECISION_REVIEW,
            PA,
            "Ter controle aan collega",
        ),
        Transition(
            Action.APPROVE_DECISION,
            frozenset({S.DECISION_REVIEW}),
            S.DECIDED,
            REVIEWERS,
            "Beschikking definitief maken",
        ),
        Transition(
            Action.REJECT_DECISION,
            frozenset({S.DECISION_REVIEW}),
            S.DECISION_DRAFT,
            REVIEWERS,
            "Niet akkoord: terug naar opsteller",
            needs_reason=True,
        ),
        Transition(
            Action.REPORT_START,
            frozenset({S.DECIDED}),
            S.ACTIVE,
            PROVIDER_STAFF | PA,
            "Start ondersteuning vastleggen",
        ),
        Transition(
            Action.END,
            frozenset({S.DECIDED, S.ACTIVE}),
            S.ENDED,
            PA | PROVIDER_STAFF,
            "Traject beëindigen",
            needs_reason=True,
        ),
        Transition(
            Action.WITHDRAW,
            OPEN_BEFORE_DECISION,
            S.WITHDRAWN,
            MUNICIPALITY_STAFF,
            "Melding ingetrokken",
            needs_reason=True,
        ),
        Transition(
            Action.ASSIGN, WITH_PROVIDER_ORG, None, WERKVERDELER, "Toewijzen aan begeleider"
        ),
        Transition(Action.DELEGATE, WITH_PROVIDER_ORG, None, WERKVERDELER, "Inzage onderaannemer"),
        Transition(
            Action.LOG_DELIVERY,
            WITH_PROVIDER_ORG,
            None,
            PROVIDER_STAFF,
            "Casusregie bijhouden",
        ),
        Transition(
            Action.SIGNAL,
            frozenset({S.DECIDED, S.ACTIVE}),
            None,
            PROVIDER_STAFF,
            "Signaal aan de gemeente",
        ),
        Transition(
            Action.HANDOVER,
            frozenset({S.DECIDED, S.ACTIVE, S.ENDED}),
            None,
            PROVIDER_STAFF,
            "Warme overdracht schrijven",
        ),
        Transition(
            Action.EVALUATE,
            frozenset({S.ACTIVE, S.ENDED}),
            None,
            PROVIDER_STAFF,
            "Evaluatie indienen",
        ),
    ]
}


class TransitionError(Exception):
    """A step the workflow does not allow; the message is for the user (Dutch)."""


STATUS_LABELS: dict[TrajectStatus, str] = {
    S.MELDING: "Melding, te screenen",
    S.CLOSED_WITH_ADVICE: "Afgesloten met advies",
    S.INTAKE: "Keukentafelgesprek en plan van aanpak",
    S.ASSESSMENT: "Indicatiestelling (POP deel I)",
    S.PROVIDER_CHOICE: "Keuze aanbieder en toestemming",
    S.WITH_PROVIDER: "POP deel II bij aanbieder",
    S.PLAN_REVIEW: "POP deel II ter toetsing",
    S.DECISION_DRAFT: "Beschikking in concept",
    S.DECISION_REVIEW: "Beschikking bij collega (vierogen)",
    S.DECIDED: "Beschikt, wacht op start",
    S.ACTIVE: "Ondersteuning loopt",
    S.ENDED: "Beëindigd",
    S.WITHDRAWN: "Ingetrokken",
}


def transition_error(action: Action, status: TrajectStatus, roles: Iterable[Role]) -> str:
    """Why `action` may not be taken from `status` by someone with `roles`; "" if it may."""
    transition = TRANSITIONS[action]
    if status not in transition.sources:
        return (
            f"De stap '{transition.label}' kan niet bij een traject met status "
            f"'{STATUS_LABELS[status]}'."
        )
    if not transition.roles & set(roles):
        return f"Uw rol mag de stap '{transition.label}' niet zetten."
    return ""


def check_transition(action: Action, status: TrajectStatus, roles: Iterable[Role]) -> None:
    if error := transition_error(action, status, roles):
        raise TransitionError(error)


def allowed_actions(status: TrajectStatus, roles: Iterable[Role]) -> list[Transition]:
    """The steps the portal may offer, in table order."""
    roles = set(roles)
    return [t for t in TRANSITIONS.values() if not transition_error(t.action, status, roles)]


def four_eyes_error(*, drafted_by_id: int | None, reviewer_id: int) -> str:
    """Nobody approves or rejects their own draft beschikking (vierogenprincipe, seed 002)."""
    if drafted_by_id is not None and drafted_by_id == reviewer_id:
        return "U heeft deze beschikking zelf opgesteld; een collega moet haar controleren."
    return ""


# --- Deadlines ------------------------------------------------------------------------------


class DeadlineKind(StrEnum):
    APPOINTMENT = "afspraak"  # melding -> keukentafelgesprek ingepland (MLW: 5 working days)
    PROVIDER_HANDOVER = "toeleiding"  # melding -> handed to provider (Almere: 4 weeks)
    PLAN_PART_TWO = "pop_deel_2"  # handed to provider -> POP deel II submitted
    DECISION = "beschikking"  # POP deel II submitted -> beschikking final (Almere: 2 weeks)
    LEGAL_INVESTIGATION = "onderzoek"  # Wmo 2015 art. 2.3.2 lid 1: 6 weeks after the melding
    LEGAL_DECISION = "besluit"  # Wmo 2015 art. 2.3.5 lid 1: 2 weeks after the aanvraag
    START = "start"  # beschikking final -> support started (Almere 5, MLW 10 working days)


class TermUnit(StrEnum):
    WEEKS = "weken"
    WORKING_DAYS = "werkdagen"
    DAYS = "dagen"


class Event(StrEnum):
    """Dates on the traject that start or meet a deadline."""

    MELDING = "melding_received_on"
    INTAKE_PLANNED = "intake_planned_on"
    HANDED_TO_PROVIDER = "handed_to_provider_on"
    PART_TWO_SUBMITTED = "part_two_submitted_on"
    INVESTIGATION_COMPLETED = "investigation_completed_on"
    APPLICATION = "application_received_on"
    DECIDED = "decided_on"
    STARTED = "started_on"


# kind -> (event that starts the term, event that meets it, label)
DEADLINE_EVENTS: dict[DeadlineKind, tuple[Event, Event, str]] = {
    DeadlineKind.APPOINTMENT: (Event.MELDING, Event.INTAKE_PLANNED, "Afspraak keukentafelgesprek"),
    DeadlineKind.PROVIDER_HANDOVER: (
        Event.MELDING,
        Event.HANDED_TO_PROVIDER,
        "Toeleiding naar aanbieder",
    ),
    DeadlineKind.PLAN_PART_TWO: (
        Event.HANDED_TO_PROVIDER,
        Event.PART_TWO_SUBMITTED,
        "POP deel II door aanbieder",
    ),
    DeadlineKind.DECISION: (Event.PART_TWO_SUBMITTED, Event.DECIDED, "Beschikking na POP"),
    DeadlineKind.LEGAL_INVESTIGATION: (
        Event.MELDING,
        Event.INVESTIGATION_COMPLETED,
        "Onderzoek (wettelijk, 6 weken)",
    ),
    DeadlineKind.LEGAL_DECISION: (Event.APPLICATION, Event.DECIDED, "Besluit (wettelijk, 2 weken)"),
    DeadlineKind.START: (Event.DECIDED, Event.STARTED, "Start ondersteuning na besluit"),
}


@dataclass(frozen=True)
class TermRule:
    kind: DeadlineKind
    amount: int
    unit: TermUnit
    applies_atw: bool  # a statutory term: extended by the Algemene termijnenwet


# The terms of the law hold in every region; regional agreements are data (DeadlineRule).
LEGAL_RULES = (
    TermRule(DeadlineKind.LEGAL_INVESTIGATION, 6, TermUnit.WEEKS, applies_atw=True),
    TermRule(DeadlineKind.LEGAL_DECISION, 2, TermUnit.WEEKS, applies_atw=True),
)


@dataclass(frozen=True)
class Suspension:
    starts_on: date
    days: int  # calendar days the clock stands still


class DeadlineState(StrEnum):
    WAITING = "wacht"  # its starting event has not happened yet
    OPEN = "open"
    AT_RISK = "dreigt"  # due within the at-risk window
    OVERDUE = "verlopen"
    SUSPENDED = "opgeschort"
    MET = "gehaald"
    MET_LATE = "te_laat_gehaald"


STATE_LABELS: dict[DeadlineState, str] = {
    DeadlineState.WAITING: "nog niet gestart",
    DeadlineState.OPEN: "op schema",
    DeadlineState.AT_RISK: "dreigt te verlopen",
    DeadlineState.OVERDUE: "verlopen",
    DeadlineState.SUSPENDED: "opgeschort",
    DeadlineState.MET: "op tijd gehaald",
    DeadlineState.MET_LATE: "te laat gehaald",
}


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    label: str
    rule: TermRule
    starts_on: date | None
    due_on: date | None
    met_on: date | None
    state: DeadlineState
    working_days_left: int | None  # negative when overdue; None when waiting or met

    @property
    def is_pending(self) -> bool:
        return self.state in {
            DeadlineState.OPEN,
            DeadlineState.AT_RISK,
            DeadlineState.OVERDUE,
            DeadlineState.SUSPENDED,
        }


def _nominal_end(rule: TermRule, start: date, extra: frozenset[date]) -> date:
    if rule.unit is TermUnit.WORKING_DAYS:
        return dates.add_working_days(start, rule.amount, extra)
    if rule.unit is TermUnit.WEEKS:
        return start + timedelta(weeks=rule.amount)
    return start + timedelta(days=rule.amount)


def due_on(
    rule: TermRule,
    start: date,
    suspensions: Iterable[Suspension] = (),
    extra_holidays: Iterable[date] = (),
) -> date:
    """The last day of the term that starts on `start`.

    Every suspension that begins inside the (already extended) term moves the end by its
    length: the clock stands still for those days (Awb art. 4:15). A statutory term that then
    ends on a weekend or holiday runs on to the next working day (Atw art. 1-3).
    """
    extra = frozenset(extra_holidays)

    def extended(end: date) -> date:
        return dates.legal_term_end(start, end, extra) if rule.applies_atw else end

    end = _nominal_end(rule, start, extra)
    for suspension in sorted(suspensions, key=lambda s: s.starts_on):
        # Compare with the end as the Atw extends it: a suspension on the extended last day
        # still stops the clock.
        if start <= suspension.starts_on <= extended(end):
            end += timedelta(days=suspension.days)
    return extended(end)


def is_suspended_on(day: date, suspensions: Iterable[Suspension]) -> bool:
    return any(s.starts_on <= day < s.starts_on + timedelta(days=s.days) for s in suspensions)


def deadline_for(
    rule: TermRule,
    *,
    events: dict[Event, date | None],
    today: date,
    suspensions: Iterable[Suspension] = (),
    at_risk_working_days: int = 3,
    extra_holidays: Iterable[date] = (),
) -> Deadline:
    """The deadline of `rule` for a traject whose event dates are `events`, seen on `today`."""
    start_event, met_event, label = DEADLINE_EVENTS[rule.kind]
    suspensions = list(suspensions)
    extra = frozenset(extra_holidays)
    start = events.get(start_event)
    met = events.get(met_event)
    if start is None:
        return Deadline(rule.kind, label, rule, None, None, met, DeadlineState.WAITING, None)
    due = due_on(rule, start, suspensions, extra)
    if met is not None:
        state = DeadlineState.MET if met <= due else DeadlineState.MET_LATE
        return Deadline(rule.kind, label, rule, start, due, met, state, None)
    state, left = pending_state(start, due, today, suspensions, at_risk_working_days, extra)
    return Deadline(rule.kind, label, rule, start, due, None, state, left)


def pending_state(
    start: date,
    due: date,
    today: date,
    suspensions: Iterable[Suspension] = (),
    at_risk_working_days: int = 3,
    extra_holidays: Iterable[date] = (),
) -> tuple[DeadlineState, int]:
    """The state of a running term on `today`, and the working days left (negative when
    overdue)."""
    extra = frozenset(extra_holidays)
    left = dates.working_days_between(today, due, extra)
    # Only a suspension that stopped this term's clock makes this deadline "suspended".
    own = [s for s in suspensions if start <= s.starts_on <= due]
    if today > due:
        return DeadlineState.OVERDUE, min(left, -1)  # ended on a weekend: overdue all the same
    if is_suspended_on(today, own):
        return DeadlineState.SUSPENDED, left
    if left <= at_risk_working_days:
        return DeadlineState.AT_RISK, left
    return DeadlineState.OPEN, left


def next_deadline(deadlines: Iterable[Deadline]) -> Deadline | None:
    """The pending deadline that falls first: what the work list sorts on."""
    pending = [d for d in deadlines if d.is_pending and d.due_on is not None]
    return min(pending, key=lambda d: d.due_on, default=None)


@dataclass(frozen=True)
class PendingDeadline:
    """A deadline whose term runs and is not yet met, as the work list stores it
    (issue #14): when it started and when it is due. Neither depends on the day it is
    computed; its state (at risk, overdue, suspended) follows from comparing with today."""

    kind: DeadlineKind
    starts_on: date
    due_on: date


def pending_deadlines(
    rules: Iterable[TermRule],
    *,
    events: dict[Event, date | None],
    suspensions: Iterable[Suspension] = (),
    extra_holidays: Iterable[date] = (),
    closed: bool = False,
) -> list[PendingDeadline]:
    """The pending deadlines of an open traject, the one `next_deadline` picks first
    (earliest due date; on a tie, the first rule). A closed traject has none."""
    if closed:
        return []
    suspensions = list(suspensions)
    extra = frozenset(extra_holidays)
    pending = []
    for rule in rules:
        start_event, met_event, _ = DEADLINE_EVENTS[rule.kind]
        start = events.get(start_event)
        if start is None or events.get(met_event) is not None:
            continue
        pending.append(PendingDeadline(rule.kind, start, due_on(rule, start, suspensions, extra)))
    return sorted(pending, key=lambda d: d.due_on)  # stable: rule order on a tie
