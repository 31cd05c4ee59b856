"""Start reports received set-based (issue #14, ADR 0015): a run of WMO305s in one batch is
checked, answered and recorded as each would be one by one, in a number of queries that
does not grow with the run.

The expected codes are the standard's (WJ001 via the rules' reference): an unknown
ToewijzingNummer 9019 (TR019), a second start while one is current 9326 (TR326), the same
key twice 9074 (TR074), another message under a used identification refused in the header
(TR056); an approved start moves the traject to *lopend* (SPEC §4).
"""

import itertools
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from openarrangementen.accounts.models import Municipality, Provider, Region
from openarrangementen.cases.domain import TrajectStatus as S
from openarrangementen.cases.tests import flow
from openarrangementen.clients.tests.factories import ClientFactory
from openarrangementen.iwmo import codec, exchange, messages, retour
from openarrangementen.iwmo.models import Assignment, DeliveryReport, Endpoint, Message, Side

pytestmark = pytest.mark.usefixtures("demo")
_numbers = itertools.count(700_000_000_001)


@pytest.fixture
def link(settings, tmp_path):
    """Kade's own software sends its starts (a folder link with a service user)."""
    settings.IWMO_FOLDER_ROOT = str(tmp_path)
    return Endpoint.objects.create(
        provider=Provider.objects.get(agb_code="75000101"),
        region=Region.objects.get(slug="almere"),
        transport=Endpoint.Transport.FOLDER,
        folder="kade",
        service_user=flow.user("kade.werkverdeler"),
    )


@pytest.fixture
def decided_assignment(django_capture_on_commit_callbacks):
    """A decided traject's toewijzing, its 301 sent (after the commit, as in production)."""

    def make() -> Assignment:
        almere = Municipality.objects.get(name="Almere")
        with django_capture_on_commit_callbacks(execute=True):
            client = ClientFactory(
                municipality=almere, street="Stationsstraat", house_number=1, postcode="1315 AB"
            )
            traject = flow.advance(flow.new_melding(client=client), S.DECIDED)
        return Assignment.objects.get(traject=traject, last_message__isnull=False)

    return make


def start(assignment, *, begin=None, identification=None, number=None) -> bytes:
    obj = messages.start(
        assignment=assignment,
        begin_on=begin or timezone.localdate(),
        identification=identification or str(next(_numbers)),
        dated_on=timezone.localdate(),
    )
    if number is not None:
        obj.client.start_producten[0].toewijzing_nummer = number
    return codec.build(obj)


def codes(result) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for entry in retour.retour_codes_of(codec.parse(result.retour.xml)):
        found.setdefault(entry["class"], []).extend(entry["codes"])
    return found


def test_a_run_is_answered_in_order_as_one_by_one(link, decided_assignment):
    a, b = decided_assignment(), decided_assignment()
    today = timezone.localdate()
    first = start(a, identification="800000000001")
    bodies = [
        first,
        start(a, begin=today - timedelta(days=1)),  # a start of A is current by now
        start(a),  # and this one has its key too
        start(a, number=799_999),  # no such toewijzing
        first,  # the same message again
        start(b, identification="800000000001"),  # another message, a used identification
        start(b),
    ]

    results = exchange.receive_batch(bodies, transport=Endpoint.Transport.FOLDER)

    assert results[0].message.accepted, results[0].message.violations
    assert codes(results[0]) == {}
    assert codes(results[1])["StartProduct"] == ["9326"]
    assert sorted(codes(results[2])["StartProduct"]) == ["9074", "9326"]
    assert codes(results[3])["StartProduct"] == ["9019"]
    assert results[4].duplicate
    assert results[4].retour == results[0].retour
    assert results[5].duplicate
    assert results[5].errors[0].startswith("TR056")
    assert results[6].message.accepted
    assert codes(results[6]) == {}
    for assignment in (a, b):
        assignment.traject.refresh_from_db()
        assert assignment.traject.status_enum is S.ACTIVE
        assert assignment.traject.started_on == today
    # Only the approved starts are reports; each stored message has its own retour.
    assert list(DeliveryReport.objects.order_by("pk").values_list("assignment", flat=True)) == [
        a.pk,
        b.pk,
    ]
    incoming = Message.objects.filter(side=Side.MUNICIPALITY, code="305", direction="in")
    assert incoming.count() == 5
    assert all(m.answers.count() == 1 for m in incoming)
    assert Message.objects.filter(code="306").count() == 6  # and one for the TR056 refusal


def test_the_queries_do_not_grow_with_the_run(link, decided_assignment):
    assignments = [decided_assignment() for _ in range(6)]
    exchange.receive_batch([start(assignments[0])], transport=Endpoint.Transport.FOLDER)

    runs = [start(a) for a in assignments[1:3]], [start(a) for a in assignments[3:]]

    with CaptureQueriesContext(connection) as two:
        exchange.receive_batch(runs[0], transport=Endpoint.Transport.FOLDER)
    with CaptureQueriesContext(connection) as three:
        exchange.receive_batch(runs[1], transport=Endpoint.Transport.FOLDER)

    assert len(three) == len(two)
    assert Message.objects.filter(code="305", accepted=True).count() == 6


def stop(assignment, *, identification=None) -> bytes:
    """A temporary stop (reason 20: the traject goes on) of the start `start()` sends."""
    from types import SimpleNamespace

    key = SimpleNamespace(
        product_category=assignment.product_category,
        product_code=assignment.product_code,
        assignment_start_on=assignment.start_on,
        begin_on=timezone.localdate(),
    )
    obj = messages.stop(
        assignment=assignment,
        start_report=key,
        end_on=timezone.localdate(),
        reason="20",
        identification=identification or str(next(_numbers)),
        dated_on=timezone.localdate(),
    )
    return codec.build(obj)


def test_other_messages_keep_their_place_between_the_starts(link, decided_assignment):
    """A stop before its start is refused (TR382, 9069: no current start with its key); the
    same stop after the start in the same batch is accepted: the starts are not taken
    together out of order."""
    a = decided_assignment()

    results = exchange.receive_batch(
        [stop(a), start(a), stop(a)], transport=Endpoint.Transport.FOLDER
    )

    assert codes(results[0])["StopProduct"] == ["9069"]
    assert results[1].message.accepted
    assert results[2].message.accepted, results[2].message.violations
    assert list(DeliveryReport.objects.order_by("pk").values_list("kind", flat=True)) == [
        "start",
        "stop",
    ]
