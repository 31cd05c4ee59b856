"""Unit tests for the traject workflow and its deadlines (pure Python, no database)."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openarrangementen.accounts.domain import Role
from openarrangementen.cases.domain import (
    CLOSED,
    DEADLINE_EVENTS,
    LEGAL_RULES,
    OPEN_BEFORE_DECISION,
    STATUS_LABELS,
    TRANSITIONS,
    Action,
    Deadline,
    DeadlineKind,
    DeadlineState,
    Event,
    Suspension,
    TermRule,
    TermUnit,
    TrajectStatus,
    TransitionError,
    allowed_actions,
    check_transition,
    deadline_for,
    due_on,
    four_eyes_error,
    is_suspended_on,
    next_deadline,
    transition_error,
)
from openarrangementen.core.dates import is_working_day

S = TrajectStatus

# ------------------------------------------------------------------------------------------
# The transition table
# ------------------------------------------------------------------------------------------

ALLOWED = [
    pytest.param(t.action, source, role, id=f"{t.action}-{source}-{role}")
    for t in TRANSITIONS.values()
    for source in sorted(t.sources)
    for role in sorted(t.roles)
]
WRONG_STATUS = [
    pytest.param(t.action, status, id=f"{t.action}-{status}")
    for t in TRANSITIONS.values()
    for status in TrajectStatus
    if status not in t.sources
]
WRONG_ROLE = [
    pytest.param(t.action, role, id=f"{t.action}-{role}")
    for t in TRANSITIONS.values()
    for role in Role
    if role not in t.roles
]


@pytest.mark.parametrize(("action", "status", "role"), ALLOWED)
def test_transition_is_allowed_from_each_source_for_each_role(action, status, role):
    assert transition_error(action, status, [role]) == ""
    check_transition(action, status, [role])  # does not raise


@pytest.mark.parametrize(("action", "status"), WRONG_STATUS)
def test_transition_is_refused_from_any_other_status(action, status):
    transition = TRANSITIONS[action]
    every_role = set(Role)  # the status alone must be enough to refuse

    error = transition_error(action, status, every_role)

    assert error == (
        f"De stap '{transition.label}' kan niet bij een traject met status "
        f"'{STATUS_LABELS[status]}'."
    )
    with pytest.raises(TransitionError, match="kan niet bij een traject met status"):
        check_transition(action, status, every_role)


@pytest.mark.parametrize(("action", "role"), WRONG_ROLE)
def test_transition_is_refused_for_any_other_role(action, role):
    transition = TRANSITIONS[action]
    source = sorted(transition.sources)[0]

    error = transition_error(action, source, [role])

    assert error == f"Uw rol mag de stap '{transition.label}' niet zetten."
    with pytest.raises(TransitionError, match="Uw rol mag de stap"):
        check_transition(action, source, [role])


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_transition_is_refused_without_any_role(action):
    source = sorted(TRANSITIONS[action].sources)[0]
    assert "Uw rol mag" in transition_error(action, source, [])


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_transition_accepts_roles_as_a_generator(action):
    transition = TRANSITIONS[action]
    source = sorted(transition.sources)[0]
    assert transition_error(action, source, (role for role in transition.roles)) == ""


def test_table_is_keyed_by_its_own_actions():
    assert all(key is transition.action for key, transition in TRANSITIONS.items())


def test_register_and_suspend_are_not_transitions():
    """They write a history row but never change the status."""
    assert Action.REGISTER not in TRANSITIONS
    assert Action.SUSPEND not in TRANSITIONS


def test_every_status_has_a_label():
    assert set(STATUS_LABELS) == set(TrajectStatus)


def test_every_status_but_the_melding_is_reachable():
    targets = {t.target for t in TRANSITIONS.values() if t.target is not None}
    assert targets == set(TrajectStatus) - {S.MELDING}


def test_steps_that_keep_the_status_are_the_providers():
    in_place = {t.action for t in TRANSITIONS.values() if t.target is None}
    assert in_place == {
        Action.ASSIGN,
        Action.DELEGATE,
        Action.LOG_DELIVERY,
        Action.SIGNAL,
        Action.HANDOVER,
        Action.EVALUATE,
    }
    for action in in_place:
        assert TRANSITIONS[action].roles <= {Role.WERKVERDELER, Role.BEGELEIDER}


def test_statuses_are_open_decided_or_closed():
    after_decision = {S.DECIDED, S.ACTIVE}
    assert OPEN_BEFORE_DECISION.isdisjoint(CLOSED)
    assert OPEN_BEFORE_DECISION | CLOSED | after_decision == set(TrajectStatus)


@pytest.mark.parametrize("status", list(TrajectStatus))
@pytest.mark.parametrize("role", list(Role))
def test_allowed_actions_are_exactly_the_allowed_transitions(status, role):
    expected = [t for t in TRANSITIONS.values() if status in t.sources and role in t.roles]
    assert allowed_actions(status, [role]) == expected


@pytest.mark.parametrize("status", list(TrajectStatus))
def test_allowed_actions_pass_the_transition_check(status):
    for transition in allowed_actions(status, set(Role)):
        assert transition_error(transition.action, status, set(Role)) == ""


def test_allowed_actions_combine_roles_in_table_order():
    actions = [t.action for t in allowed_actions(S.DECIDED, {Role.BEGELEIDER, Role.WIJKWERKER})]
    assert actions == [
        Action.REPORT_START,
        Action.END,
        Action.LOG_DELIVERY,
        Action.SIGNAL,
        Action.HANDOVER,
    ]


def test_allowed_actions_for_a_melding_screened_by_a_wijkwerker():
    actions = [t.action for t in allowed_actions(S.MELDING, [Role.WIJKWERKER])]
    assert actions == [Action.SCREEN_FOR_INTAKE, Action.CLOSE_WITH_ADVICE, Action.WITHDRAW]


@pytest.mark.parametrize("status", sorted(CLOSED - {S.ENDED}))
def test_closed_traject_offers_nothing(status):
    assert allowed_actions(status, set(Role)) == []


def test_ended_traject_offers_only_the_handover_and_the_evaluation():
    actions = [t.action for t in allowed_actions(S.ENDED, set(Role))]
    assert actions == [Action.HANDOVER, Action.EVALUATE]


@pytest.mark.parametrize("status", sorted(OPEN_BEFORE_DECISION))
def test_withdraw_is_offered_before_a_decision(status):
    actions = [t.action for t in allowed_actions(status, [Role.WIJKWERKER])]
    assert Action.WITHDRAW in actions


@pytest.mark.parametrize("status", [S.DECIDED, S.ACTIVE, *sorted(CLOSED)])
def test_withdraw_is_never_offered_after_the_decision(status):
    actions = [t.action for t in allowed_actions(status, set(Role))]
    assert Action.WITHDRAW not in actions


@pytest.mark.parametrize("role", [Role.WERKVERDELER, Role.BEGELEIDER, Role.COLLEGA_PA])
def test_withdraw_is_for_municipality_staff_only(role):
    assert "Uw rol mag" in transition_error(Action.WITHDRAW, S.MELDING, [role])


def test_provider_staff_submit_part_two_but_cannot_approve_decisions():
    provider = {Role.WERKVERDELER, Role.BEGELEIDER}
    assert transition_error(Action.SUBMIT_PART_TWO, S.WITH_PROVIDER, provider) == ""
    assert transition_error(Action.APPROVE_DECISION, S.DECISION_REVIEW, provider) != ""


# ------------------------------------------------------------------------------------------
# Four eyes
# ------------------------------------------------------------------------------------------


def test_four_eyes_refuses_own_draft():
    error = four_eyes_error(drafted_by_id=7, reviewer_id=7)
    assert "zelf opgesteld" in error


def test_four_eyes_allows_a_colleague():
    assert four_eyes_error(drafted_by_id=7, reviewer_id=8) == ""


def test_four_eyes_allows_unknown_drafter():
    assert four_eyes_error(drafted_by_id=None, reviewer_id=7) == ""


# ------------------------------------------------------------------------------------------
# Deadlines: due dates
# ------------------------------------------------------------------------------------------

ALMERE_HANDOVER = TermRule(DeadlineKind.PROVIDER_HANDOVER, 4, TermUnit.WEEKS, applies_atw=False)
MLW_APPOINTMENT = TermRule(DeadlineKind.APPOINTMENT, 5, TermUnit.WORKING_DAYS, applies_atw=False)
LEGAL_INVESTIGATION = next(r for r in LEGAL_RULES if r.kind is DeadlineKind.LEGAL_INVESTIGATION)
LEGAL_DECISION = next(r for r in LEGAL_RULES if r.kind is DeadlineKind.LEGAL_DECISION)


def test_legal_rules_are_six_and_two_weeks_under_the_atw():
    terms = {(r.kind, r.amount, r.unit, r.applies_atw) for r in LEGAL_RULES}
    assert terms == {
        (DeadlineKind.LEGAL_INVESTIGATION, 6, TermUnit.WEEKS, True),
        (DeadlineKind.LEGAL_DECISION, 2, TermUnit.WEEKS, True),
    }


def test_every_deadline_kind_has_its_events():
    assert set(DEADLINE_EVENTS) == set(DeadlineKind)


@pytest.mark.parametrize(
    ("melding", "expected"),
    [
        pytest.param(date(2025, 3, 3), date(2025, 4, 14), id="plain-monday"),
        pytest.param(date(2025, 3, 1), date(2025, 4, 14), id="ends-on-saturday"),
        pytest.param(date(2026, 3, 16), date(2026, 4, 28), id="ends-on-koningsdag-2026"),
        pytest.param(date(2025, 3, 24), date(2025, 5, 6), id="ends-on-5-may-2025"),
        # 5 May 2027 is a Wednesday (not a lustrum year); 6 May 2027 is Ascension Day.
        pytest.param(date(2027, 3, 24), date(2027, 5, 7), id="5-may-then-ascension-2027"),
        # Good Friday 18 April 2025, then Easter Monday 21 April.
        pytest.param(date(2025, 3, 7), date(2025, 4, 22), id="good-friday-then-easter"),
        # Christmas Thursday and Friday, then the weekend.
        pytest.param(date(2025, 11, 13), date(2025, 12, 29), id="christmas-2025"),
    ],
)
def test_legal_investigation_term_is_extended_to_a_working_day(melding, expected):
    assert due_on(LEGAL_INVESTIGATION, melding) == expected


def test_legal_decision_term_runs_past_christmas():
    # 12 Dec 2025 + 2 weeks is Tweede Kerstdag (Friday 26 Dec); then the weekend.
    assert due_on(LEGAL_DECISION, date(2025, 12, 12)) == date(2025, 12, 29)


def test_legal_term_respects_equated_days():
    equated = {date(2025, 4, 14)}
    assert due_on(LEGAL_INVESTIGATION, date(2025, 3, 3), extra_holidays=equated) == date(
        2025, 4, 15
    )


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        pytest.param(date(2025, 3, 3), date(2025, 3, 31), id="plain"),
        pytest.param(date(2025, 3, 1), date(2025, 3, 29), id="saturday-stays-saturday"),
        pytest.param(date(2026, 3, 30), date(2026, 4, 27), id="koningsdag-stays"),
    ],
)
def test_regional_weeks_term_is_not_extended(start, expected):
    """A regional agreement is no statutory term: the Atw does not extend it."""
    assert due_on(ALMERE_HANDOVER, start) == expected


def test_days_term_counts_calendar_days():
    rule = TermRule(DeadlineKind.DECISION, 10, TermUnit.DAYS, applies_atw=False)
    assert due_on(rule, date(2025, 3, 1)) == date(2025, 3, 11)


@pytest.mark.parametrize(
    ("melding", "expected"),
    [
        pytest.param(date(2025, 3, 3), date(2025, 3, 10), id="plain-week"),
        pytest.param(date(2025, 3, 7), date(2025, 3, 14), id="friday-over-weekend"),
        # Koningsdag Monday 27 April 2026 is skipped.
        pytest.param(date(2026, 4, 22), date(2026, 4, 30), id="koningsdag-2026"),
        # Both Christmas days are skipped.
        pytest.param(date(2025, 12, 22), date(2025, 12, 31), id="christmas"),
        # Christmas and New Year's Day are skipped.
        pytest.param(date(2025, 12, 23), date(2026, 1, 2), id="christmas-and-new-year"),
    ],
)
def test_working_days_term_skips_weekends_and_holidays(melding, expected):
    assert due_on(MLW_APPOINTMENT, melding) == expected


def test_working_days_term_skips_equated_days():
    equated = {date(2025, 3, 5)}
    assert due_on(MLW_APPOINTMENT, date(2025, 3, 3), extra_holidays=equated) == date(2025, 3, 11)


# ------------------------------------------------------------------------------------------
# Deadlines: suspensions (Almere 4 weeks from Monday 3 March 2025: due Monday 31 March)
# ------------------------------------------------------------------------------------------

START = date(2025, 3, 3)
DUE = date(2025, 3, 31)


@pytest.mark.parametrize(
    ("suspension", "expected"),
    [
        pytest.param(Suspension(date(2025, 3, 10), 7), date(2025, 4, 7), id="inside"),
        pytest.param(Suspension(START, 7), date(2025, 4, 7), id="on-start-day"),
        pytest.param(Suspension(DUE, 7), date(2025, 4, 7), id="on-last-day"),
        pytest.param(Suspension(date(2025, 3, 2), 7), DUE, id="before-start"),
        pytest.param(Suspension(date(2025, 4, 1), 7), DUE, id="after-end"),
    ],
)
def test_suspension_moves_the_due_date_only_when_it_starts_inside_the_term(suspension, expected):
    assert due_on(ALMERE_HANDOVER, START, [suspension]) == expected


@pytest.mark.parametrize("reverse", [False, True], ids=["in-order", "reversed"])
def test_suspensions_chain(reverse):
    """The second one starts after the original end but inside the extended term."""
    suspensions = [Suspension(date(2025, 3, 10), 7), Suspension(date(2025, 4, 3), 5)]
    if reverse:
        suspensions.reverse()
    assert due_on(ALMERE_HANDOVER, START, suspensions) == date(2025, 4, 12)


def test_suspension_after_the_extended_end_does_not_chain():
    suspensions = [Suspension(date(2025, 3, 10), 7), Suspension(date(2025, 4, 8), 5)]
    assert due_on(ALMERE_HANDOVER, START, suspensions) == date(2025, 4, 7)


def test_suspension_then_atw_extension():
    # 14 April + 4 days is Good Friday 18 April 2025; Easter Monday follows.
    suspension = Suspension(date(2025, 3, 10), 4)
    assert due_on(LEGAL_INVESTIGATION, START, [suspension]) == date(2025, 4, 22)


def test_suspension_on_the_atw_extended_last_day_moves_the_legal_due_date():
    melding = date(2025, 3, 1)
    legal_end = due_on(LEGAL_INVESTIGATION, melding)
    assert legal_end == date(2025, 4, 14)

    suspended = due_on(LEGAL_INVESTIGATION, melding, [Suspension(legal_end, 7)])

    assert suspended >= legal_end + timedelta(days=7)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 3, 9), False),
        (date(2025, 3, 10), True),
        (date(2025, 3, 16), True),
        (date(2025, 3, 17), False),
    ],
)
def test_is_suspended_on_covers_exactly_the_suspended_days(day, expected):
    assert is_suspended_on(day, [Suspension(date(2025, 3, 10), 7)]) is expected


def test_is_suspended_on_without_suspensions():
    assert is_suspended_on(date(2025, 3, 10), []) is False


# ------------------------------------------------------------------------------------------
# Deadlines: states
# ------------------------------------------------------------------------------------------

MELDING_ONLY = {Event.MELDING: START}


def handover(today, suspensions=(), handed_on=None, **kwargs):
    events = {**MELDING_ONLY, Event.HANDED_TO_PROVIDER: handed_on}
    return deadline_for(
        ALMERE_HANDOVER, events=events, today=today, suspensions=suspensions, **kwargs
    )


@pytest.mark.parametrize(
    "events",
    [{}, {Event.MELDING: None}, {Event.HANDED_TO_PROVIDER: None}],
    ids=["no-events", "start-none", "only-met-event-none"],
)
def test_deadline_waits_for_its_start_event(events):
    deadline = deadline_for(ALMERE_HANDOVER, events=events, today=START)
    assert deadline.state is DeadlineState.WAITING
    assert (deadline.starts_on, deadline.due_on, deadline.working_days_left) == (None, None, None)


def test_deadline_carries_kind_label_rule_and_dates():
    deadline = handover(date(2025, 3, 10))
    assert deadline.kind is DeadlineKind.PROVIDER_HANDOVER
    assert deadline.label == "Toeleiding naar aanbieder"
    assert deadline.rule is ALMERE_HANDOVER
    assert (deadline.starts_on, deadline.due_on, deadline.met_on) == (START, DUE, None)


@pytest.mark.parametrize(
    ("met_on", "expected"),
    [
        (date(2025, 3, 14), DeadlineState.MET),
        (DUE, DeadlineState.MET),
        (date(2025, 4, 1), DeadlineState.MET_LATE),
    ],
)
def test_met_deadline(met_on, expected):
    deadline = handover(date(2025, 6, 1), handed_on=met_on)
    assert deadline.state is expected
    assert deadline.met_on == met_on
    assert deadline.working_days_left is None


def test_met_late_judged_against_the_suspended_due_date():
    deadline = handover(
        date(2025, 6, 1), [Suspension(date(2025, 3, 10), 7)], handed_on=date(2025, 4, 7)
    )
    assert deadline.state is DeadlineState.MET


@pytest.mark.parametrize(
    ("today", "state", "left"),
    [
        pytest.param(START, DeadlineState.OPEN, 20, id="first-day"),
        pytest.param(date(2025, 3, 25), DeadlineState.OPEN, 4, id="four-left"),
        pytest.param(date(2025, 3, 26), DeadlineState.AT_RISK, 3, id="three-left"),
        pytest.param(date(2025, 3, 29), DeadlineState.AT_RISK, 1, id="saturday-before"),
        pytest.param(DUE, DeadlineState.AT_RISK, 0, id="due-today"),
        pytest.param(date(2025, 4, 1), DeadlineState.OVERDUE, -1, id="day-after"),
        pytest.param(date(2025, 4, 7), DeadlineState.OVERDUE, -5, id="week-after"),
    ],
)
def test_pending_deadline_state_and_working_days_left(today, state, left):
    deadline = handover(today)
    assert (deadline.state, deadline.working_days_left) == (state, left)


def test_at_risk_window_is_configurable():
    today = date(2025, 3, 24)  # five working days left
    assert handover(today).state is DeadlineState.OPEN
    assert handover(today, at_risk_working_days=5).state is DeadlineState.AT_RISK


def test_suspended_while_a_suspension_covers_today():
    deadline = handover(date(2025, 3, 12), [Suspension(date(2025, 3, 10), 7)])
    assert deadline.state is DeadlineState.SUSPENDED
    assert deadline.due_on == date(2025, 4, 7)


def test_open_again_after_the_suspension():
    deadline = handover(date(2025, 3, 17), [Suspension(date(2025, 3, 10), 7)])
    assert deadline.state is DeadlineState.OPEN


def test_suspension_takes_precedence_over_at_risk():
    deadline = handover(DUE, [Suspension(date(2025, 3, 28), 5)])
    assert deadline.state is DeadlineState.SUSPENDED


def test_overdue_takes_precedence_over_a_late_suspension():
    deadline = handover(date(2025, 4, 2), [Suspension(date(2025, 4, 1), 7)])
    assert deadline.state is DeadlineState.OVERDUE


def test_legal_decision_runs_from_the_application_to_the_decision():
    events = {Event.APPLICATION: date(2025, 12, 12), Event.DECIDED: date(2025, 12, 29)}
    deadline = deadline_for(LEGAL_DECISION, events=events, today=date(2026, 1, 5))
    assert deadline.state is DeadlineState.MET  # on time thanks to the Atw


def test_deadline_for_passes_equated_days_on():
    events = {Event.MELDING: START}
    deadline = deadline_for(
        LEGAL_INVESTIGATION, events=events, today=START, extra_holidays=[date(2025, 4, 14)]
    )
    assert deadline.due_on == date(2025, 4, 15)


def test_overdue_deadline_has_negative_working_days_left_after_a_weekend_due_date():
    events = {Event.MELDING: date(2025, 3, 1)}
    deadline = deadline_for(ALMERE_HANDOVER, events=events, today=date(2025, 3, 31))
    assert deadline.state is DeadlineState.OVERDUE
    assert deadline.working_days_left < 0


def test_suspension_that_does_not_move_the_due_date_does_not_suspend_the_deadline():
    rule = TermRule(DeadlineKind.PLAN_PART_TWO, 4, TermUnit.WEEKS, applies_atw=False)
    suspension = Suspension(date(2025, 3, 1), 30)  # registered before the handover
    events = {Event.HANDED_TO_PROVIDER: date(2025, 3, 10)}
    assert due_on(rule, date(2025, 3, 10), [suspension]) == due_on(rule, date(2025, 3, 10))

    deadline = deadline_for(rule, events=events, today=date(2025, 3, 15), suspensions=[suspension])

    assert deadline.state is not DeadlineState.SUSPENDED


@pytest.mark.parametrize(
    ("state", "pending"),
    [
        (DeadlineState.WAITING, False),
        (DeadlineState.OPEN, True),
        (DeadlineState.AT_RISK, True),
        (DeadlineState.OVERDUE, True),
        (DeadlineState.SUSPENDED, True),
        (DeadlineState.MET, False),
        (DeadlineState.MET_LATE, False),
    ],
)
def test_is_pending(state, pending):
    assert make_deadline(state, START).is_pending is pending


# ------------------------------------------------------------------------------------------
# next_deadline
# ------------------------------------------------------------------------------------------


def make_deadline(state, due):
    return Deadline(DeadlineKind.DECISION, "label", ALMERE_HANDOVER, START, due, None, state, None)


def test_next_deadline_picks_the_earliest_pending():
    later = make_deadline(DeadlineState.OPEN, date(2025, 4, 10))
    earliest = make_deadline(DeadlineState.OVERDUE, date(2025, 3, 20))
    met_earlier = make_deadline(DeadlineState.MET, date(2025, 3, 1))
    waiting = make_deadline(DeadlineState.WAITING, None)
    assert next_deadline([later, met_earlier, waiting, earliest]) is earliest


def test_next_deadline_is_none_without_pending_deadlines():
    assert next_deadline([make_deadline(DeadlineState.MET, START)]) is None
    assert next_deadline([]) is None


# ------------------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------------------

DATES = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
RULES = st.builds(
    TermRule,
    kind=st.sampled_from(DeadlineKind),
    amount=st.integers(min_value=1, max_value=12),
    unit=st.sampled_from(TermUnit),
    applies_atw=st.booleans(),
)


@st.composite
def suspensions_from(draw, start):
    """Suspensions starting from shortly before `start` to well after it."""
    offsets = draw(
        st.lists(
            st.tuples(st.integers(-10, 120), st.integers(1, 60)),
            max_size=4,
        )
    )
    return [Suspension(start + timedelta(days=offset), days) for offset, days in offsets]


@st.composite
def terms(draw):
    start = draw(DATES)
    return draw(RULES), start, draw(suspensions_from(start))


PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(terms())
def test_due_date_is_never_before_the_start(term):
    rule, start, suspensions = term
    assert due_on(rule, start, suspensions) >= start


@PROPERTY
@given(terms())
def test_legal_due_date_is_a_working_day(term):
    rule, start, suspensions = term
    legal = TermRule(rule.kind, rule.amount, rule.unit, applies_atw=True)
    assert is_working_day(due_on(legal, start, suspensions))


@PROPERTY
@given(DATES, st.integers(1, 20))
def test_working_days_term_without_suspension_ends_on_a_working_day(start, amount):
    rule = TermRule(DeadlineKind.APPOINTMENT, amount, TermUnit.WORKING_DAYS, applies_atw=False)
    assert is_working_day(due_on(rule, start))


@PROPERTY
@given(terms(), st.integers(-10, 120), st.integers(1, 60))
def test_adding_a_suspension_never_makes_the_due_date_earlier(term, offset, days):
    rule, start, suspensions = term
    extra = Suspension(start + timedelta(days=offset), days)
    assert due_on(rule, start, [*suspensions, extra]) >= due_on(rule, start, suspensions)


@PROPERTY
@given(RULES, DATES, st.data(), st.integers(1, 60))
def test_suspension_inside_a_regional_term_adds_its_days(rule, start, data, days):
    rule = TermRule(rule.kind, rule.amount, rule.unit, applies_atw=False)
    without = due_on(rule, start)
    offset = data.draw(st.integers(0, (without - start).days), label="offset")

    suspended = due_on(rule, start, [Suspension(start + timedelta(days=offset), days)])

    if rule.unit is TermUnit.WORKING_DAYS:
        assert suspended >= without + timedelta(days=days)
    else:
        assert suspended == without + timedelta(days=days)


@PROPERTY
@given(terms(), DATES, st.one_of(st.none(), DATES))
def test_state_agrees_with_the_due_date(term, today, met_on):
    rule, start, suspensions = term
    start_event, met_event, _ = DEADLINE_EVENTS[rule.kind]
    events = {start_event: start, met_event: met_on}

    deadline = deadline_for(rule, events=events, today=today, suspensions=suspensions)

    assert deadline.due_on == due_on(rule, start, suspensions)
    if met_on is not None:
        assert deadline.state is (
            DeadlineState.MET if met_on <= deadline.due_on else DeadlineState.MET_LATE
        )
        assert deadline.working_days_left is None
    else:
        assert (deadline.state is DeadlineState.OVERDUE) is (today > deadline.due_on)
        assert deadline.working_days_left is not None


DEADLINES = st.builds(
    make_deadline,
    state=st.sampled_from(DeadlineState),
    due=st.one_of(st.none(), DATES),
)


@PROPERTY
@given(st.lists(DEADLINES, max_size=8))
def test_next_deadline_is_the_pending_one_due_first(deadlines):
    pending = [d for d in deadlines if d.is_pending and d.due_on is not None]

    result = next_deadline(deadlines)

    if not pending:
        assert result is None
    else:
        assert result in pending
        assert result.due_on == min(d.due_on for d in pending)
