"""The billing domain: calendars, tariff conversion, the seed's four rules and the
exactly-once guarantee over random histories."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from openarrangementen.billing.domain import (
    Calendar,
    Claim,
    Pause,
    RuleSet,
    Segment,
    claims,
    four_weeks_of,
    month_of,
    owed_periods,
    period_of,
    periods_between,
    reconcile,
    tariff_per_period,
)

ML = RuleSet.MIDDEN_LIMBURG
EVERY = RuleSet.EVERY_PERIOD
FW = Calendar.FOUR_WEEKS
FAR = date(2031, 1, 1)


def seg(number, provider="A", level="N1", begin=date(2025, 1, 1), end=None, start=None, stop=None):
    return Segment(number, provider, level, begin, end, start or begin, stop)


def owed_labels(segments, rule_set=ML, calendar=FW, until=date(2025, 12, 31), pauses=()):
    owed, _ = owed_periods(
        segments, calendar=calendar, rule_set=rule_set, until=until, pauses=pauses
    )
    return owed


# --- calendars and conversion ------------------------------------------------------------------


def test_four_week_calendar_has_13_periods_and_the_last_ends_on_31_december():
    periods = periods_between(date(2019, 1, 1), date(2019, 12, 31), FW)
    assert len(periods) == 13
    assert periods[0].begin == date(2019, 1, 1)
    assert periods[0].end == date(2019, 1, 28)
    assert periods[12].begin == date(2019, 12, 3)
    assert periods[12].end == date(2019, 12, 31)
    assert periods[3].label == "2019-P04"
    days = sum((p.end - p.begin).days + 1 for p in periods)
    assert days == 365


def test_months_are_calendar_months():
    assert month_of(date(2024, 2, 10)).end == date(2024, 2, 29)
    assert period_of(date(2025, 3, 14), Calendar.MONTH).label == "2025-03"
    assert len(periods_between(date(2025, 1, 15), date(2025, 12, 1), Calendar.MONTH)) == 12


def test_a_four_week_tariff_is_converted_to_a_month_keeping_the_yearly_amount():
    assert tariff_per_period(Decimal("620.00"), "4w", Calendar.MONTH) == Decimal("671.67")
    assert tariff_per_period(Decimal("1200.00"), "month", FW) == Decimal("1107.69")
    assert tariff_per_period(Decimal("150.00"), "4w", FW) == Decimal("150.00")


# --- the seed's four rules (seed 004 §9) -------------------------------------------------------


def test_rule_1_no_invoice_for_the_period_in_which_support_starts():
    # Support starts 2025-02-10 (period 2: 29-01 .. 25-02), still running.
    owed = owed_labels([seg(1, begin=date(2025, 2, 10))], until=date(2025, 4, 30))
    first = owed[0]
    assert first.period.label == "2025-P02"
    assert first.due_on is None
    assert "nabetaald" in first.reason
    # The next periods are due right after they end.
    assert owed[1].due_on == owed[1].period.end + timedelta(days=1)


def test_rule_2_the_start_period_is_paid_when_support_ends():
    owed = owed_labels([seg(1, begin=date(2025, 2, 10), stop=date(2025, 6, 3))])
    first = owed[0]
    last = owed[-1]
    assert last.period.contains(date(2025, 6, 3))
    assert first.due_on == last.period.end + timedelta(days=1)
    assert "nabetaald" in first.reason


def test_rule_3_the_period_in_which_support_ends_early_is_paid_in_full():
    owed = owed_labels([seg(1, begin=date(2025, 1, 1), stop=date(2025, 3, 3))])
    last = owed[-1]
    assert last.period == four_weeks_of(date(2025, 3, 3))
    assert last.first_day == last.period.begin
    assert "volledig" in last.reason
    # Paid at the period tariff, not per day.
    lines, _ = claims(owed, on=FAR, tariff=lambda s, d: Decimal("310.00"))
    assert sum(c.amount for c in lines.values()) == Decimal("310.00") * len(owed)


def test_rule_4_on_a_change_of_provider_the_old_provider_gets_the_whole_period():
    old = seg(1, "A", begin=date(2025, 1, 1), end=date(2025, 4, 9))
    new = seg(2, "B", begin=date(2025, 4, 10))
    owed = owed_labels([old, new], until=date(2025, 6, 30))
    switch = next(o for o in owed if o.period.contains(date(2025, 4, 10)))
    assert switch.segment.provider == "A"
    assert "Wisseling" in switch.reason
    after = [o for o in owed if o.period.begin > switch.period.end]
    assert after
    assert all(o.segment.provider == "B" for o in after)
    # The new provider's support starts in a period paid to A: nothing of B's is deferred.
    assert all(o.due_on is not None for o in after)


def test_every_period_rule_set_declares_the_start_period_after_it_ends():
    owed = owed_labels([seg(1, begin=date(2025, 2, 10))], rule_set=EVERY, until=date(2025, 3, 31))
    assert owed[0].due_on == owed[0].period.end + timedelta(days=1)


def test_no_reported_start_means_nothing_is_owed():
    segment = Segment(1, "A", "N1", date(2025, 1, 1), None, None)
    assert owed_labels([segment]) == []


def test_a_level_change_within_a_period_keeps_the_old_level_for_that_period():
    low = seg(1, level="N1", begin=date(2025, 1, 1), end=date(2025, 3, 14))
    high = seg(2, level="N2", begin=date(2025, 3, 15))
    owed = owed_labels([low, high], calendar=Calendar.MONTH, until=date(2025, 5, 31))
    march = next(o for o in owed if o.period.label == "2025-03")
    assert march.segment.level == "N1"
    # Same provider: the level change does not start a new run, so no second deferral.
    assert all(o.due_on is not None for o in owed if o.period.label != "2025-01")


def test_a_period_fully_paused_is_not_owed():
    owed, not_owed = owed_periods(
        [seg(1, begin=date(2025, 1, 1))],
        calendar=Calendar.MONTH,
        rule_set=EVERY,
        until=date(2025, 4, 30),
        pauses=[Pause(date(2025, 2, 1), date(2025, 2, 28))],
    )
    assert [o.period.label for o in owed] == ["2025-01", "2025-03", "2025-04"]
    assert not_owed[0].period.label == "2025-02"
    assert "onderbroken" in not_owed[0].reason


def test_four_week_periods_starting_in_one_month_form_one_line_with_volume_two():
    owed = owed_labels([seg(1, begin=date(2025, 1, 1))], rule_set=EVERY, until=date(2025, 2, 28))
    lines, _ = claims(owed, on=FAR, tariff=lambda s, d: Decimal("310.00"))
    january = next(c for k, c in lines.items() if k.begin == date(2025, 1, 1))
    assert january.periods == ("2025-P01", "2025-P02")  # 1 Jan and 29 Jan
    assert january.volume == 2
    assert january.amount == Decimal("620.00")


def test_reconcile_debits_what_is_missing_and_credits_what_changed():
    owed = owed_labels([seg(1, begin=date(2025, 1, 1))], rule_set=EVERY, calendar=Calendar.MONTH)
    target, _ = claims(owed, on=date(2025, 4, 1), tariff=lambda s, d: Decimal("100"))
    plan = reconcile(target, {})
    assert len(plan.debits) == 3
    assert plan.credits == []
    assert reconcile(target, target) == reconcile({}, {})
    # The tariff turns out different: credit all three and debit them again.
    changed, _ = claims(owed, on=date(2025, 4, 1), tariff=lambda s, d: Decimal("101"))
    plan = reconcile(changed, target)
    assert len(plan.credits) == 3
    assert len(plan.debits) == 3


# --- the guarantee over random histories ------------------------------------------------------

START = date(2024, 1, 1)


@st.composite
def histories(draw):
    """A client's line: consecutive assignments with switches and level changes, gaps,
    missing or late reported starts, early stops and pauses."""
    segments = []
    day = START + timedelta(days=draw(st.integers(0, 60)))
    for number in range(1, draw(st.integers(1, 5)) + 1):
        length = draw(st.integers(1, 200))
        end = day + timedelta(days=length - 1)
        open_ended = number > 1 and draw(st.booleans()) and draw(st.booleans())
        started = draw(
            st.one_of(
                st.none(),
                st.just(day),
                st.integers(0, 40).map(lambda d, b=day: b + timedelta(days=d)),
            )
        )
        stopped = draw(
            st.one_of(st.none(), st.integers(0, length).map(lambda d, b=day: b + timedelta(days=d)))
        )
        provider = draw(st.sampled_from("ABC"))
        level = draw(st.sampled_from(["N1", "N2", "N3"]))
        segments.append(
            Segment(
                # A toewijzing has one provider and one level: another one is another number.
                f"{number}{provider}{level}",
                provider,
                level,
                day,
                None if open_ended else end,
                started,
                stopped,
            )
        )
        if open_ended:
            break
        day = end + timedelta(days=draw(st.sampled_from([1, 1, 1, 2, 30])))
    pauses = []
    for _ in range(draw(st.integers(0, 2))):
        begin = START + timedelta(days=draw(st.integers(0, 700)))
        pauses.append(Pause(begin, begin + timedelta(days=draw(st.integers(0, 60)))))
    return segments, pauses


def _support_days(segments, pauses, until):
    days = {}
    for s in segments:
        if s.first_day is None:
            continue
        day, last = s.first_day, min(s.last_day or until, until)
        while day <= last:
            if not any(p.contains(day) for p in pauses):
                days.setdefault(day, []).append(s)
            day += timedelta(days=1)
    return days


@settings(max_examples=300, deadline=None)
@given(
    histories(),
    st.sampled_from(list(RuleSet)),
    st.sampled_from(list(Calendar)),
)
def test_every_period_with_support_is_owed_exactly_once_to_the_right_segment(
    history, rule_set, calendar
):
    segments, pauses = history
    until = date(2026, 6, 30)
    owed, not_owed = owed_periods(
        segments, calendar=calendar, rule_set=rule_set, until=until, pauses=pauses
    )
    support = _support_days(segments, pauses, until)
    periods_with_support = {period_of(d, calendar) for d in support}
    labels = [o.period for o in owed]
    # Exactly once: no period twice, and precisely the periods with a support day.
    assert len(labels) == len(set(labels))
    assert set(labels) == periods_with_support
    assert not set(labels) & {n.period for n in not_owed}
    for item in owed:
        # To the right segment: the one with the earliest support day in the period, which
        # had a valid assignment and a reported start on that day.
        first = min(d for d in support if item.period.contains(d))
        assert item.first_day == first
        assert item.segment in support[first]
        assert item.segment.started_on is not None
        assert item.segment.started_on <= first
        assert item.segment.assigned_from <= first
        assert item.segment.assigned_to is None or first <= item.segment.assigned_to
        # Never declared before the period has ended.
        assert item.due_on is None or item.due_on > item.period.end
    # Nothing is lost: once every segment has ended, every owed period becomes due.
    if all(s.last_day is not None for s in segments if s.first_day):
        assert all(o.due_on is not None for o in owed)


def _tariff(segment, day):
    return Decimal({"N1": "310.00", "N2": "520.00", "N3": "820.00"}[segment.level])


@settings(max_examples=200, deadline=None)
@given(
    histories(),
    histories(),
    st.sampled_from(list(RuleSet)),
    st.sampled_from(list(Calendar)),
    st.lists(st.integers(0, 900), min_size=1, max_size=6),
)
def test_repeated_runs_with_corrections_pay_each_period_exactly_once(
    first, corrected, rule_set, calendar, run_days
):
    """Runs on random days; halfway the history is corrected (another start, stop, switch or
    level). After a final run the standing debits pay every owed period exactly once, at
    the right tariff, and the net money equals what is owed."""
    standing: dict = {}
    ledger: list[tuple[str, Claim]] = []
    days = sorted(START + timedelta(days=d) for d in run_days)
    half = len(days) // 2
    for index, on in enumerate([*days, FAR]):
        segments, pauses = first if index < half else corrected
        owed, _ = owed_periods(
            segments, calendar=calendar, rule_set=rule_set, until=on, pauses=pauses
        )
        target, _ = claims(owed, on=on, tariff=_tariff)
        plan = reconcile(target, standing)
        for key in plan.credits:
            ledger.append(("C", standing.pop(key)))
        for claim in plan.debits:
            assert claim.key not in standing
            standing[claim.key] = claim
            ledger.append(("D", claim))
    segments, pauses = corrected
    owed, _ = owed_periods(segments, calendar=calendar, rule_set=rule_set, until=FAR, pauses=pauses)
    due = [o for o in owed if o.due_on is not None and o.due_on <= FAR]
    paid = [label for c in standing.values() for label in c.periods]
    assert sorted(paid) == sorted(o.period.label for o in due)
    net = sum((c.amount if kind == "D" else -c.amount) for kind, c in ledger)
    assert net == sum((c.amount for c in standing.values()), Decimal(0))
    assert net == sum((_tariff(o.segment, o.first_day) for o in due), Decimal(0))
    for claim in standing.values():
        assert all(
            o.segment.assignment == claim.segment.assignment
            for o in due
            if o.period.label in claim.periods
        )


def test_owing_from_a_later_period_on_changes_nothing_for_those_periods():
    """The municipality checks a month from that month on (`since`); what is owed for it is
    the same as when every period from the first support day is computed."""
    from openarrangementen.billing.domain import Calendar, RuleSet, Segment, owed_periods

    segments = [
        Segment(1, "A", 1, date(2025, 1, 10), date(2025, 6, 30), date(2025, 1, 14)),
        Segment(2, "B", 1, date(2025, 5, 20), None, date(2025, 5, 20), date(2025, 9, 3)),
    ]
    for calendar in Calendar:
        for rule_set in RuleSet:
            full, _ = owed_periods(
                segments, calendar=calendar, rule_set=rule_set, until=date(2025, 10, 31)
            )
            for since in (date(2025, 5, 1), date(2025, 6, 17), date(2025, 9, 1)):
                tail, _ = owed_periods(
                    segments,
                    calendar=calendar,
                    rule_set=rule_set,
                    until=date(2025, 10, 31),
                    since=since,
                )
                assert tail == [o for o in full if o.period.end >= since]
                assert tail  # every case still owes something from `since` on
