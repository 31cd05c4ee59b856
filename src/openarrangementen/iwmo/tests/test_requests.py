"""Requests (VOT 315, VOW 317) from the portal provider, judged by the PA and answered with
a 319 or a new 301, end to end through the in-process exchange."""

from datetime import timedelta

from django.utils import timezone

import pytest

from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.cases.services import TrajectError
from openarrangementen.cases.tests import flow
from openarrangementen.catalog.models import Level
from openarrangementen.core.models import Notification
from openarrangementen.iwmo import codec, services
from openarrangementen.iwmo.models import Assignment, Message, Request, Side

pytestmark = pytest.mark.usefixtures("demo")
S = TrajectStatus
user = flow.user


def active():
    traject = flow.advance(flow.new_melding(question="Hulp bij structuur."), S.DECIDED)
    return traject


def product(**extra):
    """A product of the municipality's own product code list (the catalog, TR381)."""
    level = (
        Level.objects.filter(arrangement__catalog_version__region__name__icontains="Almere")
        .order_by("-product_code")
        .first()
    )
    start = timezone.localdate() + timedelta(days=7)
    return {
        "category": level.product_category,
        "code": level.product_code,
        "start_on": start,
        "end_on": start + timedelta(days=90),
        "volume": 2,
        "unit": "16",
        "frequency": "2",
        **extra,
    }


def test_vot_is_shown_to_the_pa_and_a_grant_sends_a_301_with_the_reference():
    traject = active()
    sent = services.request_assignment(
        traject=traject, actor=user("kade.werkverdeler"), products=[product()]
    )
    assert sent.status == Message.Status.ANSWERED, sent.violations
    request = Request.objects.get()
    assert request.kind == Request.Kind.VOT
    assert request.traject == traject
    assert request.products[0]["code"] == product()["code"]
    assert Notification.objects.filter(subject__startswith="Verzoek om toewijzing").exists()
    answer = services.request_answer(request=request, actor=user("almere.pa"), grant=True)
    assert answer.code == "301"
    assert answer.status == Message.Status.ANSWERED, answer.violations
    honoured = [
        p
        for p in codec.parse(answer.xml).client.toegewezen_producten
        if p.referentie_aanbieder == request.provider_reference
    ]
    assert len(honoured) == 1  # TR379: the 301 carries the provider's reference
    assert honoured[0].product.code == product()["code"]
    request.refresh_from_db()
    assert request.state == Request.State.GRANTED
    assert Assignment.objects.filter(provider_reference=request.provider_reference).exists()


def test_rejection_needs_a_reason_and_sends_a_319_the_provider_receives():
    traject = active()
    services.request_assignment(
        traject=traject, actor=user("kade.werkverdeler"), products=[product()]
    )
    request = Request.objects.get()
    with pytest.raises(TrajectError, match="reden van afwijzing"):
        services.request_answer(request=request, actor=user("almere.pa"), grant=False)
    request.refresh_from_db()
    assert request.state == Request.State.OPEN
    answer = services.request_answer(
        request=request, actor=user("almere.pa"), grant=False, reason="4"
    )
    assert answer.code == "319"
    assert answer.status == Message.Status.ANSWERED, answer.violations
    received = Message.objects.get(side=Side.PROVIDER, direction="in", code="319")
    assert received.accepted is True
    assert codec.parse(received.xml).antwoord.reden_afwijzing_verzoek == "4"
    request.refresh_from_db()
    assert request.state == Request.State.REJECTED
    with pytest.raises(TrajectError, match="al beantwoord"):
        services.request_answer(request=request, actor=user("almere.pa"), grant=True)


def test_investigation_first_then_an_answer_and_no_second_request_meanwhile():
    traject = active()
    services.request_assignment(
        traject=traject, actor=user("kade.werkverdeler"), products=[product()]
    )
    with pytest.raises(TrajectError, match="loopt al een verzoek"):  # TR374
        services.request_assignment(
            traject=traject, actor=user("kade.werkverdeler"), products=[product()]
        )
    request = Request.objects.get()
    services.request_answer(request=request, actor=user("almere.pa"), grant=False, investigate=True)
    request.refresh_from_db()
    assert request.state == Request.State.INVESTIGATING
    with pytest.raises(TrajectError, match="TR360"):
        services.request_answer(
            request=request, actor=user("almere.pa"), grant=False, investigate=True
        )
    services.request_answer(request=request, actor=user("almere.pa"), grant=True)
    request.refresh_from_db()
    assert request.state == Request.State.GRANTED


def test_only_the_providers_werkverdeler_asks_and_only_a_pa_answers():
    traject = active()
    with pytest.raises(TrajectError):
        services.request_assignment(
            traject=traject, actor=user("anker.werkverdeler"), products=[product()]
        )
    assert not Message.objects.filter(code="315").exists()
    services.request_assignment(
        traject=traject, actor=user("kade.werkverdeler"), products=[product()]
    )
    with pytest.raises(TrajectError):
        services.request_answer(
            request=Request.objects.get(), actor=user("kade.werkverdeler"), grant=True
        )


def test_vow_lists_every_current_assignment_and_a_grant_changes_it():
    traject = active()
    assignment = Assignment.objects.get(traject=traject)
    new_end = assignment.end_on - timedelta(days=30)
    sent = services.request_change(
        traject=traject,
        actor=user("kade.werkverdeler"),
        reason="1",
        changes=[
            {
                "number": assignment.number,
                "start_on": assignment.start_on,
                "end_on": new_end,
                "volume": assignment.volume,
                "unit": assignment.unit,
                "frequency": assignment.frequency,
            }
        ],
        new=[],
    )
    assert sent.status == Message.Status.ANSWERED, sent.violations
    request = Request.objects.get(kind=Request.Kind.VOW)
    assert [p["change"] for p in request.products] == ["wijzigen"]
    services.request_answer(request=request, actor=user("almere.pa"), grant=True)
    assignment.refresh_from_db()
    assert assignment.end_on == new_end
    assert assignment.change_reason == services.REASON_PROVIDER_INITIATED
    latest = Message.objects.filter(side=Side.MUNICIPALITY, code="301").order_by("-pk").first()
    products = codec.parse(latest.xml).client.toegewezen_producten
    assert [(p.toewijzing_nummer, p.einddatum) for p in products] == [(assignment.number, new_end)]
