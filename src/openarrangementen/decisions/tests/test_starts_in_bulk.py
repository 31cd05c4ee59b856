"""Recording many starts at once (issue #14): the iWmo intake starts hundreds of trajects in
one go through `traject_starts_record`, which one start (`traject_start_record`) also uses.

The expectations are written from SPEC §4 and seed 002, not from the code: a start moves the
traject from *beschikt* to *lopend* on the reported day, with a history row; the start check
is due three months after the start; the final evaluation is due at the latest 8 weeks
before the end of the arrangement, reminded at 10 (Almere). The change log must hold what
django-auditlog itself writes for a save, and the number of queries must not grow with the
number of starts.
"""

import json
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta

from openarrangementen.accounts.models import Municipality
from openarrangementen.cases.domain import TrajectStatus as S
from openarrangementen.cases.models import StatusChange, Traject
from openarrangementen.cases.selectors import deadlines_of
from openarrangementen.cases.services import TrajectError
from openarrangementen.cases.tests import flow
from openarrangementen.clients.tests.factories import ClientFactory
from openarrangementen.decisions import services as decisions
from openarrangementen.decisions.models import StartCheck
from openarrangementen.delivery.models import Evaluation
from openarrangementen.iwmo.models import Endpoint

pytestmark = pytest.mark.usefixtures("demo")


def decided(count: int) -> list[Traject]:
    almere = Municipality.objects.get(name="Almere")
    return [
        flow.advance(flow.new_melding(client=ClientFactory(municipality=almere)), S.DECIDED)
        for _ in range(count)
    ]


def entry(traject_or_row) -> dict:
    """The last change-log entry of the row: what was changed, by whom."""
    row = (
        LogEntry.objects.get_for_object(traject_or_row)
        .order_by("-timestamp", "-pk")
        .values("action", "changes", "actor__username")
        .first()
    )
    changes = row["changes"]
    changes = changes if isinstance(changes, dict) else json.loads(changes)
    changes.pop("updated_at", None)  # the moment differs
    changes.pop("created_at", None)
    changes.pop("id", None)
    changes.pop("traject", None)
    return {"action": row["action"], "changes": changes, "actor": row["actor__username"]}


def test_many_starts_are_recorded_as_the_law_and_the_region_say():
    trajects = decided(3)
    today = timezone.localdate()
    werkverdeler = flow.user("kade.werkverdeler")

    results = decisions.traject_starts_record([(t, today) for t in trajects], actor=werkverdeler)

    assert [r.pk for r in results] == [t.pk for t in trajects]
    for traject in trajects:
        traject.refresh_from_db()
        assert traject.status == "lopend"
        assert traject.started_on == today
        step = StatusChange.objects.filter(traject=traject).order_by("-pk").first()
        assert (step.action, step.from_status, step.to_status, step.actor) == (
            "report_start",
            "beschikt",
            "lopend",
            werkverdeler,
        )
        assert step.reason == f"Ondersteuning gestart op {today:%d-%m-%Y}."
        # The start check three months later (seed 002).
        assert StartCheck.objects.get(traject=traject).due_on == today + relativedelta(months=3)
        # Almere: the final evaluation 8 weeks before the end, reminded at 10.
        end = traject.part_one.end_on
        assert list(
            Evaluation.objects.filter(traject=traject).values_list("kind", "due_on", "remind_on")
        ) == [("eind", end - timedelta(weeks=8), end - timedelta(weeks=10))]
        # The stored next deadline is what the per-traject computation says.
        pending = [d for d in deadlines_of(traject, today=today) if d.is_pending]
        first = min(pending, key=lambda d: d.due_on, default=None)
        assert traject.next_deadline_on == (first.due_on if first else None)


def test_the_change_log_holds_what_django_auditlog_writes_for_a_save():
    bulk, signal = decided(2)
    today = timezone.localdate()
    werkverdeler = flow.user("kade.werkverdeler")

    with set_actor(werkverdeler):
        decisions.traject_starts_record([(bulk, today)], actor=werkverdeler)
        # The same change as a plain save, logged by django-auditlog's own signal.
        signal.status, signal.started_on = "lopend", today
        signal.save(update_fields=["status", "started_on", "updated_at"])
        StartCheck.objects.create(traject=signal, due_on=bulk.start_check.due_on)

    assert entry(bulk) == entry(signal)
    assert entry(bulk)["changes"]["status"] == ["beschikt", "lopend"]
    assert entry(bulk)["actor"] == "kade.werkverdeler"
    assert entry(StartCheck.objects.get(traject=bulk)) == entry(
        StartCheck.objects.get(traject=signal)
    )


def test_a_refused_start_leaves_the_others_recorded():
    first, future, third = decided(3)
    today = timezone.localdate()
    werkverdeler = flow.user("kade.werkverdeler")

    results = decisions.traject_starts_record(
        [(first, today), (future, today + timedelta(days=1)), (third, today), (first, today)],
        actor=werkverdeler,
    )

    assert isinstance(results[1], TrajectError)
    assert str(results[1]) == "De startdatum ligt in de toekomst."
    # The same traject twice: the second start finds it running already.
    assert isinstance(results[3], TrajectError)
    future.refresh_from_db()
    assert (future.status, future.started_on) == ("beschikt", None)
    assert not StartCheck.objects.filter(traject=future).exists()
    assert StatusChange.objects.filter(traject=first, action="report_start").count() == 1
    assert Traject.objects.get(pk=third.pk).status == "lopend"


def test_only_the_providers_staff_record_a_start():
    (traject,) = decided(1)
    stranger = flow.user("anker.werkverdeler")

    (result,) = decisions.traject_starts_record([(traject, timezone.localdate())], actor=stranger)

    assert str(result) == (
        "Alleen de werkverdeler of de toegewezen begeleider van de aanbieder mag de start "
        "vastleggen."
    )
    with pytest.raises(TrajectError, match="Alleen de werkverdeler"):
        decisions.traject_start_record(
            traject=traject, actor=stranger, started_on=traject.decided_on
        )


def test_the_queries_do_not_grow_with_the_starts():
    """For a provider with its own software (a link): it sends its own 305s. (A provider in
    the portal gets a 305 sent per start, which is a message each.)"""
    trajects = decided(6)
    Endpoint.objects.create(
        provider=trajects[0].provider,
        region=trajects[0].municipality.region,
        transport=Endpoint.Transport.FOLDER,
        folder="kade",
    )
    today = timezone.localdate()
    werkverdeler = flow.user("kade.werkverdeler")
    decisions.traject_starts_record([(trajects[0], today)], actor=werkverdeler)  # warm caches

    with CaptureQueriesContext(connection) as two:
        decisions.traject_starts_record([(t, today) for t in trajects[1:3]], actor=werkverdeler)
    with CaptureQueriesContext(connection) as three:
        decisions.traject_starts_record([(t, today) for t in trajects[3:]], actor=werkverdeler)

    assert len(three) == len(two)
