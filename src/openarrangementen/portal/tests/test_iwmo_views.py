"""The iWmo pages: each role sees exactly the messages the selector gives it (404 for a
guessed URL), the filters narrow the log, a message explains its retour codes from WJ001,
the PA answers a request through the service, and without the schemas the pages say so
and the buttons are refused with the explanation."""

import re
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

import pytest
import time_machine
from lxml import etree

from openarrangementen.accounts.models import Provider
from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.cases.models import Traject
from openarrangementen.cases.tests import flow
from openarrangementen.catalog.models import Level
from openarrangementen.clients.models import Client
from openarrangementen.core.models import AccessLog
from openarrangementen.iwmo import codelists, exchange, schemas
from openarrangementen.iwmo.models import Endpoint, Message, Request, Side
from openarrangementen.iwmo.rules import reference_rules

pytestmark = pytest.mark.usefixtures("demo")

KADE = "75000101"  # De Kade Begeleiding (demo)
ALMERE = "0034"
OUT, IN = Message.Direction.OUTGOING, Message.Direction.INCOMING


def login(client, username: str):
    client.force_login(flow.user(username))
    return client


def today():
    return timezone.localdate()


def url(name: str, *args) -> str:
    return reverse(f"portal:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def listed(response) -> set[int]:
    """The messages in the log's table (the links to their detail pages)."""
    table = response.content.decode().split('<caption class="utrecht-table__caption">Berichten')[1]
    return {int(pk) for pk in re.findall(r'href="/iwmo-berichten/(\d+)/"', table)}


def example(code: str) -> str:
    return (Path(settings.IWMO_SCHEMA_DIR) / "examples" / f"WMO{code}.xml").read_text()


def verbeek() -> Client:
    return Client.objects.get(family_name="Verbeek")


def decided() -> Traject:
    """Mw. Verbeek with De Kade, beschikking final: the 301 and its 302 on both sides."""
    return flow.advance(flow.new_melding(question="Hulp bij structuur."), TrajectStatus.DECIDED)


WMO315 = {"m": "http://www.istandaarden.nl/iwmo/3_2/wmo315/schema", "i": schemas.BASIS_NS}


def requested_levels() -> list[Level]:
    """The two products of the example 315, made real: levels of Almere's catalog (not the
    one `flow` assigns, so a grant does not overlap a traject's toewijzing)."""
    return [flow.level("N1", arrangement="3"), flow.level("N1", arrangement="1")]


def receive_vot(
    client: Client, identification: str = "123456789012", levels: list[Level] | None = None
) -> list[Request]:
    """De Kade's software sends the standard's example 315 (two products) for `client`,
    with Almere's product codes and the dates moved to now."""
    root = etree.fromstring(example("315").encode())

    def put(path: str, value: str, node=root) -> None:
        for element in node.xpath(path, namespaces=WMO315):
            element.text = value

    put("//m:Header/m:Afzender", KADE)
    put("//m:Header/m:Ontvanger", ALMERE)
    put("//m:BerichtIdentificatie/i:Identificatie", identification)
    put("//m:BerichtIdentificatie/i:Dagtekening", today().isoformat())
    put("//m:Client/m:Bsn", client.bsn)
    put("//m:Client/m:Geboortedatum/i:Datum", client.birth_date.isoformat())
    put("//m:Client/m:Geslacht", client.gender)
    put("//m:Client/m:Naam/i:Geslachtsnaam/i:Achternaam", client.family_name)
    for prefix in root.xpath("//m:Client/m:Naam//i:Voorvoegsel", namespaces=WMO315):
        prefix.getparent().remove(prefix)  # Mw. Verbeek has none
    put("//m:Client/m:Naam/i:Voornamen", client.given_names)
    put("//m:Client/m:Naam/i:Voorletters", client.given_names[0])
    start = today() + timedelta(days=14)
    products = root.xpath("//m:AangevraagdProduct", namespaces=WMO315)
    for product, level in zip(products, levels or requested_levels(), strict=True):
        put("m:Product/i:Categorie", level.product_category, product)
        put("m:Product/i:Code", level.product_code, product)
        put("m:BeschikkingIngangsdatum", start.isoformat(), product)
        put("m:ToewijzingIngangsdatum", start.isoformat(), product)
        put("m:ToewijzingEinddatum", (start + timedelta(days=180)).isoformat(), product)
        put("m:Omvang/i:Eenheid", level.iwmo_unit, product)
        put("m:Omvang/i:Frequentie", level.iwmo_frequency, product)
    received = exchange.receive(etree.tostring(root), transport="portaal")
    assert not received.errors, received.errors
    assert received.message is not None
    assert received.message.violations == []
    return list(Request.objects.filter(message=received.message).order_by("provider_reference"))


def receive_future_start(client: Client) -> Message:
    """A 305 dated after today: refused by TR135 with retour code 8848 in the header."""
    xml = example("305")
    for old, new in [
        ("<wmo305:Afzender>65656055<", f"<wmo305:Afzender>{KADE}<"),
        ("<wmo305:Ontvanger>0363<", f"<wmo305:Ontvanger>{ALMERE}<"),
        ("999900006", client.bsn),
        ("<iwmo:Dagtekening>2025-04-05<", f"<iwmo:Dagtekening>{today() + timedelta(days=10)}<"),
    ]:
        xml = xml.replace(old, new)
    received = exchange.receive(xml.encode(), transport="portaal")
    assert not received.errors, received.errors
    assert received.message is not None
    return received.message


def one(side: str, direction: str, code: str) -> Message:
    return Message.objects.get(side=side, direction=direction, code=code)


@pytest.fixture
def exchanged() -> Traject:
    """The 301/302 of a decided traject, and a refused 305 with its 306, on both sides."""
    traject = decided()
    receive_future_start(verbeek())
    return traject


# --- who sees what --------------------------------------------------------------------------


def test_each_role_sees_exactly_its_messages_in_the_log_and_on_the_detail(client, exchanged):
    expected = {
        "almere.pa": Message.objects.filter(side=Side.MUNICIPALITY, municipality__cbs_code=ALMERE),
        "almere.collega-pa": Message.objects.filter(side=Side.MUNICIPALITY),
        "almere.beheerder": Message.objects.filter(side=Side.MUNICIPALITY),
        "kade.werkverdeler": Message.objects.filter(side=Side.PROVIDER, provider__agb_code=KADE),
        "kade.administratie": Message.objects.filter(side=Side.PROVIDER),
        # need to know: only the messages of the begeleider's own traject
        "kade.begeleider": Message.objects.filter(side=Side.PROVIDER, traject=exchanged),
    }
    everything = set(Message.objects.values_list("pk", flat=True))
    assert len(everything) == 7
    assert {m.code for m in expected["kade.begeleider"]} == {"301", "302"}
    for username, rows in expected.items():
        visible = set(rows.values_list("pk", flat=True))
        login(client, username)
        response = client.get(url("iwmo-messages"))
        assert response.status_code == 200
        assert listed(response) == visible, username
        for pk in everything:
            status = client.get(url("iwmo-message", pk)).status_code
            assert status == (200 if pk in visible else 404), (username, pk)


@pytest.mark.parametrize(
    "username",
    [
        "anker.werkverdeler",  # another provider
        "kade.begeleider2",  # same provider, not on the traject
        "mlw.pa",  # another region's PA
    ],
)
def test_others_see_none_of_these_messages(client, exchanged, username):
    login(client, username)
    assert listed(client.get(url("iwmo-messages"))) == set()
    for message in Message.objects.all():
        assert client.get(url("iwmo-message", message.pk)).status_code == 404


@pytest.mark.parametrize(
    "username",
    ["almere.wijkwerker", "almere.inwoner", "kade.contactpersoon", "almere.contractmanager"],
)
def test_roles_without_messages_get_404(client, exchanged, username):
    login(client, username)
    message = one(Side.MUNICIPALITY, OUT, "301")
    assert client.get(url("iwmo-messages")).status_code == 404
    assert client.get(url("iwmo-message", message.pk)).status_code == 404
    assert client.get(url("iwmo-requests")).status_code == 404


def test_anonymous_is_sent_to_the_login_page(client, exchanged):
    message = one(Side.MUNICIPALITY, OUT, "301")
    for page in [url("iwmo-messages"), url("iwmo-message", message.pk), url("iwmo-requests")]:
        response = client.get(page)
        assert response.status_code == 302
        assert "/inloggen/" in response["Location"]


# --- the log --------------------------------------------------------------------------------


def test_filters_narrow_the_log(client, exchanged):
    login(client, "almere.pa")
    ours = Message.objects.filter(side=Side.MUNICIPALITY)

    def pks(**filters) -> set[int]:
        return set(ours.filter(**filters).values_list("pk", flat=True))

    def shown(**params) -> set[int]:
        response = client.get(url("iwmo-messages"), params)
        assert response.status_code == 200
        return listed(response)

    assert shown(code="301") == pks(code="301") != set()
    assert shown(status="afgekeurd") == pks(status="afgekeurd") == pks(code="305")
    assert shown(client=verbeek().bsn) == pks(client=verbeek()) != set()
    assert shown(client="verbeek") == pks(client=verbeek())
    assert shown(client="Thao") == set()
    assert shown(traject=exchanged.number) == pks(traject=exchanged) != set()
    kade = Provider.objects.get(agb_code=KADE)
    assert shown(provider=kade.pk) == pks(provider=kade)
    future = today() + timedelta(days=10)
    assert shown(dated_from=future.isoformat()) == pks(code="305")
    assert shown(dated_to=today().isoformat()) == pks(dated_on__lte=today())
    assert shown(code="302", dated_from=future.isoformat()) == set()


def test_log_marks_an_answer_that_is_late(client, exchanged):
    answered = one(Side.MUNICIPALITY, OUT, "301")
    late = Message.objects.create(
        side=Side.MUNICIPALITY,
        direction=OUT,
        code="301",
        status=Message.Status.SENT,
        sender_code=ALMERE,
        receiver_code=KADE,
        identification="999999999999",
        dated_on=today() - timedelta(days=7),
        answer_due_on=today() - timedelta(days=2),
        xml="<Bericht/>",
        digest="",
        municipality=answered.municipality,
        provider=answered.provider,
    )
    assert answered.answer_due_on < today() + timedelta(days=30)
    with time_machine.travel(today() + timedelta(days=30)):
        # the answered 301 is past its date too, but it has its 302
        login(client, "almere.pa")
        html = client.get(url("iwmo-messages")).content.decode()
    rows = {
        int(pk): row
        for row in html.split('<tr class="utrecht-table__row">')
        for pk in re.findall(r'href="/iwmo-berichten/(\d+)/"', row)
    }
    assert "te laat" in rows[late.pk]
    assert "te laat" not in rows[answered.pk]
    response = client.get(url("iwmo-message", late.pk))
    assert "te laat" in response.content.decode()


def test_log_lists_in_a_fixed_number_of_queries(client, exchanged, django_assert_max_num_queries):
    login(client, "almere.pa")
    with django_assert_max_num_queries(16):
        client.get(url("iwmo-messages"))


def test_traject_pages_link_to_their_messages(client, exchanged):
    login(client, "almere.pa")
    link = f"{url('iwmo-messages')}?traject={exchanged.number}"
    assert link in client.get(url("traject-detail", exchanged.pk)).content.decode()
    login(client, "kade.werkverdeler")
    assert link in client.get(url("provider-traject", exchanged.pk)).content.decode()


@pytest.mark.parametrize(
    ("username", "has_item"),
    [
        ("almere.pa", True),
        ("kade.begeleider", True),
        ("almere.wijkwerker", False),
    ],
)
def test_menu_has_the_message_log_for_those_who_may_see_it(client, username, has_item):
    login(client, username)
    html = client.get(url("home")).content.decode()
    assert (f'href="{url("iwmo-messages")}"' in html) is has_item


# --- one message ----------------------------------------------------------------------------


def test_detail_links_a_301_and_its_302_both_ways(client, exchanged):
    sent = one(Side.MUNICIPALITY, OUT, "301")
    retour = one(Side.MUNICIPALITY, IN, "302")
    login(client, "almere.pa")
    html = client.get(url("iwmo-message", sent.pk)).content.decode()
    assert f'href="{url("iwmo-message", retour.pk)}"' in html
    assert "WMO302 Retour toewijzing" in html
    assert f'href="{url("traject-detail", exchanged.pk)}"' in html
    # The XML is shown escaped, BSN included (hence the access log).
    assert "&lt;wmo301:Bericht" in html
    assert verbeek().bsn in html
    html = client.get(url("iwmo-message", retour.pk)).content.decode()
    assert "Antwoord op" in html
    assert f'href="{url("iwmo-message", sent.pk)}"' in html


def test_detail_of_a_message_anonymised_after_its_retention_says_so(client, exchanged):
    sent = one(Side.MUNICIPALITY, OUT, "301")
    Message.objects.filter(pk=sent.pk).update(xml="")  # as cases.retention leaves it
    login(client, "almere.pa")
    html = client.get(url("iwmo-message", sent.pk)).content.decode()
    assert "De inhoud van dit bericht is verwijderd: de bewaartermijn is voorbij." in html
    assert "utrecht-code-block" not in html


def test_detail_explains_the_rule_and_the_retour_code_from_the_standard(client, exchanged):
    refused = one(Side.MUNICIPALITY, IN, "305")
    assert refused.status == Message.Status.REJECTED
    assert "TR135" in {v["code"] for v in refused.violations}  # dated in the future
    # The meaning of each code is read from the installed XSD, in Dutch.
    meaning = codelists.retour_codes()
    assert meaning["8848"].label.startswith("Dagtekening")
    login(client, "almere.pa")
    html = client.get(url("iwmo-message", refused.pk)).content.decode()
    for violation in refused.violations:
        assert f">{violation['code']}</th>" in html
        assert escape(reference_rules()[violation["code"]].definition) in html
        assert escape(violation["text"]) in html
        code = violation["retour_code"]
        assert f"{code} – {escape(meaning[code].label)}" in html
    answer = refused.answers.get()
    assert f'href="{url("iwmo-message", answer.pk)}"' in html
    # The provider's side holds the retour with its codes per class.
    retour = one(Side.PROVIDER, IN, "306")
    codes = {code for entry in retour.retour_codes for code in entry["codes"]}
    assert codes - {"0200"}
    login(client, "kade.werkverdeler")
    html = client.get(url("iwmo-message", retour.pk)).content.decode()
    assert "Retourcodes per klasse" in html
    for code in codes:
        assert f'<td class="utrecht-table__cell">{code}</td>' in html
        assert escape(meaning[code].label) in html


def test_opening_a_message_is_written_to_the_access_log(client, exchanged):
    message = one(Side.MUNICIPALITY, OUT, "301")
    login(client, "almere.pa")
    before = AccessLog.objects.count()
    client.get(url("iwmo-message", message.pk))
    rows = AccessLog.objects.filter(actor__username="almere.pa").order_by("-pk")[:2]
    assert AccessLog.objects.count() == before + 2
    assert {(r.action, r.object_type, r.object_id) for r in rows} == {
        ("view", "iwmo.Message", str(message.pk)),
        ("view", "clients.Client", str(verbeek().pk)),
    }
    assert all(r.purpose == "iWmo-bericht WMO301 ingezien" for r in rows)
    assert {r.client_id for r in rows} >= {str(verbeek().pk)}
    # The log shows names: one list row per page naming every client on it (issue #14).
    client.get(url("iwmo-messages"))
    row = AccessLog.objects.filter(actor__username="almere.pa").latest("pk")
    assert (row.action, row.object_type, row.client_ids, row.purpose) == (
        "list",
        "clients.Client",
        [verbeek().pk],
        "iWmo-berichtenlog",
    )


# --- resend ---------------------------------------------------------------------------------


@pytest.fixture
def failed(exchanged) -> Message:
    message = one(Side.MUNICIPALITY, OUT, "301")
    message.status = Message.Status.FAILED
    message.needs_attention = True
    message.attempts = 5
    message.last_error = "De aanbieder is niet bereikbaar."
    message.save()
    return message


def test_only_the_administrator_may_resend_a_failed_message(client, failed):
    login(client, "almere.pa")
    assert "Opnieuw versturen" not in client.get(url("iwmo-message", failed.pk)).content.decode()
    assert client.post(url("iwmo-message-resend", failed.pk)).status_code == 404
    login(client, "almere.beheerder")
    html = client.get(url("iwmo-messages")).content.decode()
    assert "Aandacht nodig" in html
    assert f"WMO301 {failed.identification}" in html
    assert "Opnieuw versturen" in client.get(url("iwmo-message", failed.pk)).content.decode()
    response = client.post(url("iwmo-message-resend", failed.pk))
    assert response.status_code == 302
    assert messages_of(response) == ["Het WMO301-bericht is opnieuw verstuurd."]
    failed.refresh_from_db()
    assert failed.status == Message.Status.SENT
    assert not failed.needs_attention


def test_resend_shows_the_dutch_error_when_it_fails_again(client, failed):
    Endpoint.objects.create(
        provider=failed.provider,
        region=failed.municipality.region,
        transport=Endpoint.Transport.HTTP,
        url="",
    )
    login(client, "almere.beheerder")
    response = client.post(url("iwmo-message-resend", failed.pk))
    assert messages_of(response) == [
        "Het WMO301-bericht kon weer niet worden afgeleverd: Er is geen adres van de "
        "aanbieder ingesteld. Er volgen nog automatische pogingen."
    ]
    sent = one(Side.MUNICIPALITY, IN, "302").in_reply_to
    sent.status = Message.Status.SENT
    sent.save()
    response = client.post(url("iwmo-message-resend", sent.pk))
    assert messages_of(response)[-1] == (
        "Alleen een bericht dat niet verzonden kon worden, kan opnieuw."
    )


# --- requests -------------------------------------------------------------------------------


def answer(client, request: Request, choice: str, reason: str = ""):
    return client.post(
        url("iwmo-request", request.pk),
        {f"verzoek{request.pk}-antwoord": choice, f"verzoek{request.pk}-reden": reason},
    )


def test_pa_sees_open_requests_with_their_products_and_grants_one(client):
    first, second = receive_vot(verbeek())
    login(client, "almere.pa")
    html = client.get(url("iwmo-requests")).content.decode()
    assert "Te beoordelen (2)" in html
    level = requested_levels()[0]
    category = next(c for c in codelists.product_categories() if c.code == level.product_category)
    unit = next(c for c in codelists.units() if c.code == level.iwmo_unit)
    frequency = next(c for c in codelists.frequencies() if c.code == level.iwmo_frequency)
    start = today() + timedelta(days=14)
    assert f"{category.code} {category.label}, productcode {level.product_code}" in html
    end = start + timedelta(days=180)
    assert f"{start:%d-%m-%Y} tot en met {end:%d-%m-%Y}" in html
    assert escape(unit.label) in html
    assert frequency.label in html
    assert html.count(">Toewijzen</button>") == 2
    assert "3 – Geen contract" in html  # WJ759 from the code list
    response = answer(client, first, "toewijzen")
    assert response.status_code == 302
    assert response["Location"] == url("iwmo-requests")
    first.refresh_from_db()
    assert first.state == Request.State.GRANTED
    assert first.decided_by.username == "almere.pa"
    sent = first.answer
    assert (sent.code, sent.side, sent.direction) == ("301", Side.MUNICIPALITY, OUT)
    assert "<wmo301:ReferentieAanbieder>42420001</wmo301:ReferentieAanbieder>" in sent.xml
    assert messages_of(response) == ["Verzoek 42420001 beantwoord met WMO301."]
    second.refresh_from_db()
    assert second.state == Request.State.OPEN


def test_rejecting_without_a_reason_is_refused_in_dutch_and_changes_nothing(client):
    first, _ = receive_vot(verbeek())
    login(client, "almere.pa")
    before = Message.objects.count()
    response = answer(client, first, "afwijzen")
    assert response.status_code == 200
    assert "Kies een reden van afwijzing." in response.content.decode()
    first.refresh_from_db()
    assert first.state == Request.State.OPEN
    assert first.answer is None
    assert Message.objects.count() == before
    response = answer(client, first, "afwijzen", reason="3")
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.state, first.rejection_reason, first.answer.code) == ("afgewezen", "3", "319")
    html = client.get(url("iwmo-requests")).content.decode()
    assert "Reden afwijzing" in html
    assert "3 – Geen contract" in html


def test_investigating_then_granting(client):
    first, _ = receive_vot(verbeek())
    login(client, "almere.pa")
    assert answer(client, first, "onderzoek").status_code == 302
    first.refresh_from_db()
    assert first.state == Request.State.INVESTIGATING
    assert first.answer.code == "319"
    assert "<wmo319:VerzoekAntwoord>2</wmo319:VerzoekAntwoord>" in first.answer.xml
    html = client.get(url("iwmo-request", first.pk)).content.decode()
    assert ">In onderzoek</button>" not in html
    assert ">Toewijzen</button>" in html
    assert answer(client, first, "toewijzen").status_code == 302
    first.refresh_from_db()
    assert first.state == Request.State.GRANTED


def test_a_grant_the_exchange_refuses_comes_back_on_the_form(client):
    traject = decided()  # Mw. Verbeek has the flow's level assigned from the beschikking
    assigned = flow.level()
    first, _ = receive_vot(verbeek(), levels=[assigned, flow.level("N1", arrangement="1")])
    before = (Message.objects.count(), traject.assignments.count())
    login(client, "almere.pa")
    response = answer(client, first, "toewijzen")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Het WMO301-bericht breekt regel TR302" in html  # overlapping toewijzing
    first.refresh_from_db()
    assert first.state == Request.State.OPEN
    assert (Message.objects.count(), traject.assignments.count()) == before


def test_only_the_pa_answers_and_provider_staff_follow_their_requests(client):
    first, _ = receive_vot(verbeek())
    for username in ["almere.collega-pa", "almere.beheerder", "kade.werkverdeler"]:
        login(client, username)
        html = client.get(url("iwmo-requests")).content.decode()
        assert "Verzoek om toewijzing 42420001" in html
        assert ">Toewijzen</button>" not in html
        assert answer(client, first, "toewijzen").status_code == 404
    first.refresh_from_db()
    assert first.state == Request.State.OPEN
    login(client, "kade.begeleider")
    assert client.get(url("iwmo-requests")).status_code == 404
    login(client, "anker.werkverdeler")
    assert "42420001" not in client.get(url("iwmo-requests")).content.decode()
    assert client.get(url("iwmo-request", first.pk)).status_code == 404
    login(client, "almere.pa")
    answer(client, first, "toewijzen")
    login(client, "kade.werkverdeler")
    html = client.get(url("iwmo-requests")).content.decode()
    assert "Beantwoord (1)" in html
    assert "Toegewezen" in html


# --- without the schemas --------------------------------------------------------------------


@pytest.fixture
def schemas_removed(settings, tmp_path):
    """Call to point IWMO_SCHEMA_DIR at an empty folder (after the data is made)."""

    def remove() -> None:
        settings.IWMO_SCHEMA_DIR = tmp_path
        schemas.reset()

    yield remove
    schemas.reset()


def test_without_schemas_the_pages_say_so_and_refuse_to_answer_or_resend(
    client, failed, schemas_removed
):
    first, _ = receive_vot(verbeek())
    before = Message.objects.count()
    schemas_removed()
    banner = "De iWmo-schema's zijn niet geïnstalleerd."
    login(client, "almere.pa")
    response = client.get(url("iwmo-messages"))
    assert banner in response.content.decode()
    assert len(listed(response)) == Message.objects.filter(side=Side.MUNICIPALITY).count()
    assert banner in client.get(url("iwmo-message", failed.pk)).content.decode()
    html = client.get(url("iwmo-message", one(Side.MUNICIPALITY, IN, "305").pk)).content.decode()
    assert banner in html
    assert "TR135" in html
    assert "8848" in html
    assert banner in client.get(url("iwmo-requests")).content.decode()
    for choice in ["toewijzen", "onderzoek"]:
        response = answer(client, first, choice)
        assert response.status_code == 200
        assert "De iWmo 3.2-schema&#x27;s zijn niet geïnstalleerd" in response.content.decode()
    first.refresh_from_db()
    assert first.state == Request.State.OPEN
    assert first.answer is None
    login(client, "almere.beheerder")
    response = client.post(url("iwmo-message-resend", failed.pk))
    assert messages_of(response)[0].startswith(
        "Niet opnieuw verstuurd. De iWmo 3.2-schema's zijn niet geïnstalleerd"
    )
    failed.refresh_from_db()
    assert failed.status == Message.Status.FAILED
    assert failed.attempts == 5
    assert Message.objects.count() == before


# --- the provider's requests from the portal (315, 317) -------------------------------------


def _decided_kade_traject():
    return flow.advance(flow.new_melding(question="Hulp bij structuur."), TrajectStatus.DECIDED)


def test_werkverdeler_sends_a_vot_from_the_traject_page_and_the_pa_sees_it(client):
    from openarrangementen.catalog.models import Level
    from openarrangementen.iwmo.models import Request

    traject = _decided_kade_traject()
    login(client, "kade.werkverdeler")
    page = client.get(url("provider-traject", traject.pk)).content.decode()
    target = url("provider-iwmo-request", traject.pk)
    assert target in page
    empty = client.post(target, {"kind": "vot"})
    assert "Vul dit in voor een verzoek om toewijzing." in empty.content.decode()
    assert not Request.objects.exists()
    level = Level.objects.filter(
        arrangement__catalog_version__region=traject.municipality.region
    ).first()
    start = timezone.localdate() + timedelta(days=7)
    response = client.post(
        target,
        {
            "kind": "vot",
            "level": level.pk,
            "start_on": start.isoformat(),
            "end_on": (start + timedelta(days=60)).isoformat(),
            "volume": "2",
            "unit": "16",
            "frequency": "2",
        },
    )
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.products[0]["code"] == level.product_code
    login(client, "almere.pa")
    assert request.provider_reference in client.get(url("iwmo-requests")).content.decode()


def test_vow_from_the_portal_and_who_may_not_ask(client):
    from openarrangementen.iwmo.models import Assignment, Request

    traject = _decided_kade_traject()
    assignment = Assignment.objects.get(traject=traject)
    target = url("provider-iwmo-request", traject.pk)
    for username in ("kade.begeleider", "anker.werkverdeler", "almere.pa"):
        login(client, username)
        assert client.get(target).status_code == 404
    login(client, "kade.werkverdeler")
    new_end = assignment.end_on - timedelta(days=30)
    response = client.post(target, {"kind": "vow", "end_on": new_end.isoformat()})
    assert response.status_code == 302
    request = Request.objects.get(kind=Request.Kind.VOW)
    assert request.products[0]["end_on"] == new_end.isoformat()


def test_another_regions_message_is_refused_and_the_refusal_is_logged(client):
    """Issue #13: no read row for a 404, a refusal row naming the client for the auditor."""
    sent = decided().iwmo_messages.get(code="301", side=Side.MUNICIPALITY)
    login(client, "mlw.pa")
    before = AccessLog.objects.count()
    assert client.get(url("iwmo-message", sent.pk)).status_code == 404
    (row,) = AccessLog.objects.order_by("pk")[before:]
    assert (row.action, row.object_type, row.object_id) == ("refused", "iwmo.Message", str(sent.pk))
    assert row.client_id == str(sent.client_id)
    assert row.purpose == "geweigerd: iWmo-bericht openen"
