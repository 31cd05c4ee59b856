"""The stored deadlines (issue #14, ADR 0010) always equal what `deadlines_of` computes.

The expectation is the existing per-traject path (`deadlines_of` → pending states and
`next_deadline`), not the storing code: random histories of event dates, suspensions,
closing and reopening, regional terms and Royal-Decree days are played on a real traject,
and after every step the stored next deadline and pending rows must match it.
"""

from datetime import date, timedelta

from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openarrangementen.accounts.models import Municipality, Provider, Region
from openarrangementen.cases.deadlines import refresh
from openarrangementen.cases.domain import CLOSED, DeadlineKind, Event, TermUnit, next_deadline
from openarrangementen.cases.domain import TrajectStatus as S
from openarrangementen.cases.models import DeadlineRule, PendingDeadline, Suspension, Traject
from openarrangementen.cases.selectors import deadlines_of, work_list
from openarrangementen.cases.tests import flow
from openarrangementen.clients.tests.factories import ClientFactory
from openarrangementen.core.models import EquatedHoliday
from openarrangementen.plans.models import Consent

pytestmark = pytest.mark.usefixtures("demo")

BASE = date(2026, 3, 2)
REGIONAL = [
    DeadlineKind.APPOINTMENT,
    DeadlineKind.PROVIDER_HANDOVER,
    DeadlineKind.PLAN_PART_TWO,
    DeadlineKind.DECISION,
    DeadlineKind.START,
]

offsets = st.integers(min_value=0, max_value=120)
steps = st.one_of(
    st.tuples(st.just("event"), st.sampled_from(list(Event)[1:]), st.none() | offsets),
    st.tuples(st.just("suspend"), offsets, st.integers(min_value=1, max_value=60)),
    st.tuples(
        st.just("rule"),
        st.sampled_from(REGIONAL),
        st.integers(min_value=1, max_value=12),
        st.sampled_from(list(TermUnit)),
    ),
    st.tuples(st.just("norule"), st.sampled_from(REGIONAL)),
    st.tuples(st.just("holiday"), offsets),
    st.tuples(st.just("noholidays")),
    st.tuples(st.just("status"), st.sampled_from([S.ENDED, S.ASSESSMENT, S.WITH_PROVIDER])),
    st.tuples(st.just("provider"), st.sampled_from(["75000101", "75000102"])),
)


def stored(traject: Traject) -> tuple:
    traject.refresh_from_db()
    rows = set(
        PendingDeadline.objects.filter(traject=traject).values_list(
            "kind", "starts_on", "due_on", "municipality__name", "provider__agb_code"
        )
    )
    return traject.next_deadline_on, traject.next_deadline_kind, rows


def expected(traject: Traject) -> tuple:
    traject = Traject.objects.select_related("municipality").get(pk=traject.pk)
    if traject.status_enum in CLOSED:
        return None, "", set()
    deadlines = deadlines_of(traject, today=BASE)
    first = next_deadline(deadlines)
    # Each row names the traject's municipality and provider (what the filters narrow on).
    where = (traject.municipality.name, traject.provider.agb_code if traject.provider else None)
    rows = {(d.kind.value, d.starts_on, d.due_on, *where) for d in deadlines if d.is_pending}
    return (first.due_on if first else None), (first.kind.value if first else ""), rows


def play(traject: Traject, step: tuple) -> None:
    almere = Region.objects.get(slug="almere")
    match step:
        case ("event", event, offset):
            setattr(traject, event.value, None if offset is None else BASE + timedelta(offset))
            traject.save()
        case ("suspend", offset, days):
            Suspension.objects.create(
                traject=traject,
                starts_on=BASE + timedelta(offset),
                days=days,
                reason="test",
                actor=flow.user("almere.pa"),
            )
        case ("rule", kind, amount, unit):
            DeadlineRule.objects.update_or_create(
                region=almere, kind=kind.value, defaults={"amount": amount, "unit": unit.value}
            )
        case ("norule", kind):
            for rule in DeadlineRule.objects.filter(region=almere, kind=kind.value):
                rule.delete()
        case ("holiday", offset):
            EquatedHoliday.objects.get_or_create(
                day=BASE + timedelta(offset), defaults={"description": "test", "source": "test"}
            )
        case ("noholidays",):
            for day in EquatedHoliday.objects.all():
                day.delete()
        case ("status", status):
            traject.status = status.value
            traject.save(update_fields=["status"])
        case ("provider", agb_code):
            traject.provider = Provider.objects.get(agb_code=agb_code)
            traject.save(update_fields=["provider"])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(steps, min_size=1, max_size=10))
def test_stored_deadlines_equal_the_computed_ones_after_every_step(history):
    with transaction.atomic():
        point = transaction.savepoint()
        traject = flow.new_melding()
        traject.melding_received_on = BASE
        traject.provider = Provider.objects.get(agb_code="75000101")  # handover needs one
        traject.save()
        assert stored(traject) == expected(traject)
        for step in history:
            play(traject, step)
            assert stored(traject) == expected(traject), step
        assert refresh(Traject.objects.filter(pk=traject.pk), check_only=True) == 0
        transaction.savepoint_rollback(point)


def test_the_drift_command_reports_and_repairs_what_changed_behind_the_services():
    traject = flow.new_melding()
    call_command("recompute_deadlines", "--check")  # nothing drifted
    Traject.objects.filter(pk=traject.pk).update(
        melding_received_on=traject.melding_received_on - timedelta(weeks=10)
    )
    with pytest.raises(CommandError, match="1 van .* trajecten wijken af"):
        call_command("recompute_deadlines", "--check")
    call_command("recompute_deadlines")
    call_command("recompute_deadlines", "--check")
    assert stored(traject) == expected(traject)
    # A provider changed behind the services leaves the rows naming the old one: drift.
    Traject.objects.filter(pk=traject.pk).update(provider=Provider.objects.get(agb_code="75000102"))
    with pytest.raises(CommandError, match="1 van .* trajecten wijken af"):
        call_command("recompute_deadlines", "--check")
    call_command("recompute_deadlines")
    assert stored(traject) == expected(traject)


def test_the_drift_command_reports_a_traject_outside_its_clients_municipality():
    """The deadline filters narrow on the traject's municipality, which must be the
    client's; the command says so when it is not (ADR 0010 §9)."""
    traject = flow.new_melding()
    elsewhere = Municipality.objects.exclude(pk=traject.municipality_id).first()
    Traject.objects.filter(pk=traject.pk).update(municipality=elsewhere)
    with pytest.raises(CommandError, match="1 trajecten horen bij een andere gemeente"):
        call_command("recompute_deadlines", "--check")


def test_a_royal_decree_day_moves_the_deadlines_it_falls_in():
    traject = flow.new_melding()
    before = stored(traject)
    due = traject.next_deadline_on
    # A working day inside the running terms, equated to a holiday: working-day terms move.
    DeadlineRule.objects.update_or_create(
        region=traject.municipality.region,
        kind=DeadlineKind.PROVIDER_HANDOVER.value,
        defaults={"amount": 10, "unit": TermUnit.WORKING_DAYS.value},
    )
    moved = stored(traject)
    assert moved == expected(traject)
    day = traject.melding_received_on + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    EquatedHoliday.objects.create(day=day, description="test", source="KB test")
    assert stored(traject) == expected(traject)
    assert stored(traject) != moved
    assert before[0] == due


def test_the_work_list_reads_a_page_in_a_bounded_number_of_queries(client):
    almere = flow.verbeek().municipality
    for _ in range(3):
        flow.new_melding(client=ClientFactory(municipality=almere))
    client.force_login(flow.user("almere.pa"))
    client.get("/trajecten/")  # warm up (session, caches)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/trajecten/").status_code == 200
    for _ in range(12):
        flow.new_melding(client=ClientFactory(municipality=almere))
    with CaptureQueriesContext(connection) as many:
        assert client.get("/trajecten/").status_code == 200
    assert len(many) == len(few)


def test_the_at_risk_filter_sees_a_deadline_behind_an_overdue_one(settings):
    """Any pending deadline at risk counts, also when an earlier one is already overdue."""
    traject = flow.new_melding()
    traject.melding_received_on = timezone.localdate() - timedelta(weeks=6) + timedelta(days=1)
    traject.save()
    pa = flow.user("almere.pa")
    settings.TRAJECT_AT_RISK_WORKING_DAYS = 10
    items = work_list(actor=pa, today=timezone.localdate(), state="dreigt")
    assert [i.traject.pk for i in items] == [traject.pk]
    assert work_list(actor=pa, today=timezone.localdate(), state="verlopen")[0].traject == traject


def test_the_suspended_filter_follows_a_suspension_that_runs_today():
    """Opgeschort: a running term whose clock a suspension stops today (deadline_for)."""
    traject = flow.new_melding()
    pa = flow.user("almere.pa")
    today = timezone.localdate()
    assert not work_list(actor=pa, today=today, state="opgeschort")
    Suspension.objects.create(traject=traject, starts_on=today, days=10, reason="x", actor=pa)
    items = work_list(actor=pa, today=today, state="opgeschort")
    assert [i.traject.pk for i in items] == [traject.pk]
    assert items[0].next.state.value == "opgeschort"
    # Ten days on the clock runs again.
    assert not work_list(actor=pa, today=today + timedelta(days=10), state="opgeschort")


def test_the_provider_at_risk_filter_follows_the_traject_to_its_new_provider(settings):
    """A provider's "dreigt" filter narrows the running terms to its own trajects first
    (ADR 0010 §9): a traject handed to another provider moves with it."""
    settings.TRAJECT_AT_RISK_WORKING_DAYS = 60  # every running term is at risk
    today = timezone.localdate()
    traject = flow.advance(flow.new_melding(), S.WITH_PROVIDER)  # handed to De Kade
    kade, anker = flow.user("kade.werkverdeler"), flow.user("anker.werkverdeler")

    def at_risk(user) -> list[int]:
        return [i.traject.pk for i in work_list(actor=user, today=today, state="dreigt")]

    assert at_risk(kade) == [traject.pk]
    assert at_risk(anker) == []
    traject.provider = Provider.objects.get(agb_code="75000102")  # Het Anker
    traject.save(update_fields=["provider"])
    Consent.objects.create(
        traject=traject,
        provider=traject.provider,
        is_given=True,
        shared_fields=["goals"],
        given_on=today,
        recorded_by=flow.user("almere.pa"),
    )
    assert at_risk(anker) == [traject.pk]
    assert at_risk(kade) == []
    # The PA of the municipality still sees it; a PA of another municipality does not.
    assert at_risk(flow.user("almere.pa")) == [traject.pk]
    assert at_risk(flow.user("mlw.pa")) == []


def test_a_deadline_filter_for_a_user_without_an_organisation_is_empty():
    """No municipality, no provider, no client: nothing to narrow to, and no error."""
    from openarrangementen.accounts.tests.factories import UserFactory

    nobody = UserFactory()
    today = timezone.localdate()
    assert work_list(actor=nobody, today=today, state="dreigt") == []
    assert work_list(actor=nobody, today=today, state="opgeschort") == []


def test_the_partial_indexes_leave_out_exactly_the_closed_statuses():
    from openarrangementen.cases.models import CLOSED_VALUES

    assert set(CLOSED_VALUES) == {"ingetrokken", "advies", "beeindigd"}
    assert set(CLOSED_VALUES) == {s.value for s in CLOSED}
