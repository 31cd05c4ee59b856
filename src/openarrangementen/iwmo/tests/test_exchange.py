"""The exchange end to end on the demo data: a final beschikking sends the 301, the portal
provider's start and stop send the 305 and 307, and each is answered by its retour."""

from datetime import timedelta

from django.utils import timezone

import pytest

from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.cases.tests import flow
from openarrangementen.decisions import services as decisions
from openarrangementen.iwmo import codec, schemas
from openarrangementen.iwmo.models import Assignment, DeliveryReport, Message, Side

pytestmark = pytest.mark.usefixtures("demo")
S = TrajectStatus
user = flow.user


def decided():
    return flow.advance(
        flow.new_melding(question="Hulp bij structuur en administratie."), S.DECIDED
    )


def outgoing(side, code):
    return Message.objects.filter(side=side, direction=Message.Direction.OUTGOING, code=code)


def test_final_beschikking_sends_a_valid_301_answered_by_a_302():
    traject = decided()
    assignment = Assignment.objects.get(traject=traject)
    beschikking = traject.beschikkingen.get(status="definitief")
    assert assignment.product_code == beschikking.level.product_code
    sent = outgoing(Side.MUNICIPALITY, "301").get(traject=traject)
    assert sent.status == Message.Status.ANSWERED
    assert sent.accepted is True
    assert schemas.validate("301", codec.parse_xml(sent.xml)) == []
    obj = codec.parse(sent.xml)
    assert [p.toewijzing_nummer for p in obj.client.toegewezen_producten] == [assignment.number]
    received = Message.objects.get(side=Side.PROVIDER, direction="in", code="301")
    assert received.traject == traject
    assert received.accepted is True
    retour = outgoing(Side.PROVIDER, "302").get()
    assert retour.in_reply_to == received
    assignment.refresh_from_db()
    assert assignment.received_by_provider_at is not None


def test_provider_start_in_the_portal_sends_a_305_and_the_municipality_records_it():
    traject = decided()
    decisions.traject_start_record(
        traject=traject, actor=user("kade.begeleider"), started_on=timezone.localdate()
    )
    sent = outgoing(Side.PROVIDER, "305").get()
    assert sent.status == Message.Status.ANSWERED, sent.violations
    report = DeliveryReport.objects.get(kind="start")
    assert report.assignment.traject == traject
    assert outgoing(Side.MUNICIPALITY, "306").get().in_reply_to.code == "305"


def test_the_same_message_received_twice_changes_nothing():
    from openarrangementen.iwmo.exchange import receive

    traject = decided()
    decisions.traject_start_record(
        traject=traject, actor=user("kade.begeleider"), started_on=timezone.localdate()
    )
    sent = outgoing(Side.PROVIDER, "305").get()
    before = (Message.objects.count(), DeliveryReport.objects.count())
    result = receive(sent.xml.encode(), transport="portaal")
    assert result.duplicate
    assert not result.errors
    assert (Message.objects.count(), DeliveryReport.objects.count()) == before


def test_declaration_answer_carries_only_the_refused_prestaties_with_the_granted_total(settings):
    from datetime import date

    from openarrangementen.iwmo import retour

    xml = (settings.IWMO_SCHEMA_DIR / "examples" / "WMO323.xml").read_bytes()
    declaration = codec.parse(xml)
    refused = declaration.declaratie.clienten[0].prestaties[0]
    answer = retour.retour_for(
        declaration,
        identification="1",
        dated_on=date(2025, 5, 1),
        class_codes={id(refused): ["9338"]},
    )
    assert schemas.validate("325", codec.to_element(answer)) == []
    body = answer.declaratie_antwoord
    lines = [p for c in body.clienten for p in c.prestaties]
    assert [(p.product_referentie.referentie_nummer, p.retour_codes) for p in lines] == [
        (refused.product_referentie.referentie_nummer, ["9338"])
    ]  # TR342: only refused lines are returned
    submitted = declaration.declaratie.totaal_ingediend_bedrag.totaal_bedrag
    assert body.totaal_toegekend_bedrag.totaal_bedrag == submitted - refused.ingediend_bedrag.bedrag
    # IV087: the answer goes back from the municipality to the provider
    assert answer.header.afzender == declaration.header.ontvanger
    assert answer.header.declaratie_identificatie.identificatie == (
        declaration.header.bericht_identificatie.identificatie
    )


@pytest.mark.iwmo_rule("TR056")
def test_another_message_under_a_used_identification_gets_a_header_retour_9056():
    from openarrangementen.iwmo.exchange import receive

    traject = decided()
    decisions.traject_start_record(
        traject=traject, actor=user("kade.begeleider"), started_on=timezone.localdate()
    )
    sent = outgoing(Side.PROVIDER, "305").get()
    assert receive(sent.xml.encode(), transport="portaal").errors == []  # same XML: accepted
    other = codec.parse(sent.xml)
    other.client.start_producten[0].begindatum = traject.decided_on - timedelta(days=1)
    result = receive(codec.build(other), transport="portaal")
    assert result.duplicate
    assert result.errors[0].startswith("TR056")
    retour = codec.parse(result.retour.xml)
    assert retour.header.retour_codes == ["9056"]
    assert retour.client is None  # header-only (IV028)
