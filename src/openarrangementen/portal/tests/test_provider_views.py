"""The provider portal's pages: a guessed URL answers 404 to whoever may not see the traject,
pages show only what the client consented to share, forms answer in Dutch."""

from datetime import timedelta

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine

from openarrangementen.accounts.models import Provider
from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.cases.models import LinkKind, Traject
from openarrangementen.cases.tests import flow
from openarrangementen.clients.models import Client
from openarrangementen.core.models import AccessLog
from openarrangementen.decisions import services as decisions
from openarrangementen.delivery import services as delivery
from openarrangementen.delivery.domain import Advice, SignalKind
from openarrangementen.delivery.models import Delegation, Evaluation, Signal, SupportStop
from openarrangementen.delivery.tests.test_services import hand_to, kade_traject_in_lot_3, mlw
from openarrangementen.plans import services as plans
from openarrangementen.plans.domain import (
    SHAREABLE_FIELDS,
    SignatureKind,
    SignatureMethod,
    SignedDocument,
)

pytestmark = pytest.mark.usefixtures("demo")
S = TrajectStatus
QUESTION = "Hulp bij structuur en administratie."


def login(client, username: str):
    client.force_login(flow.user(username))
    return client


def today():
    return timezone.localdate()


def thao() -> Client:
    return Client.objects.get(family_name="Thao")


def kade_traject(to: S, client: Client | None = None) -> Traject:
    return flow.advance(flow.new_melding(client=client or thao(), question=QUESTION), to)


def page(name: str, *args) -> str:
    return reverse(f"portal:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- 404 for anyone who may not see the traject ---------------------------------------------

OUTSIDERS = [
    "anker.werkverdeler",  # another provider in the same municipality
    "anker.begeleider",
    "kade.begeleider2",  # same provider, not assigned: no need to know
    "kade.contactpersoon",  # a contact person reads no client data
    "almere.pa",  # municipality staff use the municipality's pages
    "werkplaats.medewerker",  # subcontractor of De Kade, no delegation
    "almere.inwoner",  # the inwoner whose traject it is
]
# (url name, method); the evaluation and delegation pages take a second id
PROVIDER_PAGES = [
    ("provider-traject", "get"),
    ("provider-assign", "get"),
    ("provider-part-two", "get"),
    ("provider-start", "get"),
    ("provider-casusregie", "get"),
    ("provider-signal", "get"),
    ("provider-stop", "get"),
    ("provider-handover", "get"),
    ("provider-evaluation", "get"),
    ("provider-delegation", "get"),
    ("provider-delegation-revoke", "post"),
    ("provider-practice-municipality", "post"),
]


@pytest.fixture
def running() -> Traject:
    """Mw. de Vries (who has an inwoner login) with De Kade, support running."""
    inwoner = Client.objects.get(user__username="almere.inwoner")
    return kade_traject(S.ACTIVE, client=inwoner)


def provider_url(name: str, traject: Traject) -> str:
    if name == "provider-evaluation":
        return page(name, traject.pk, traject.evaluations.get().pk)
    if name == "provider-delegation-revoke":
        return page(name, traject.pk, delegation_on(traject).pk)
    return page(name, traject.pk)


def delegation_on(traject: Traject) -> Delegation:
    """A delegation row to aim the revoke URL at (made directly: Almere allows none)."""
    peel = flow.user("peel.medewerker")
    delegation, _ = Delegation.objects.get_or_create(
        traject=traject,
        delegate=peel,
        defaults={
            "subcontractor": Provider.objects.get(name="Zorgboerderij De Peel"),
            "reason": "Doel voor de intrek-URL.",
            "granted_by": flow.user("kade.werkverdeler"),
        },
    )
    return delegation


@pytest.mark.parametrize("username", OUTSIDERS)
@pytest.mark.parametrize(("name", "method"), PROVIDER_PAGES)
def test_provider_pages_answer_404_to_whoever_may_not_see_the_traject(
    client, running, username, name, method
):
    login(client, username)
    url = provider_url(name, running)
    status, history = running.status, running.history.count()
    response = getattr(client, method)(url, {"started_on": today().isoformat()})
    assert response.status_code == 404
    logged = AccessLog.objects.filter(
        actor__username=username, object_id=str(running.pk), object_type="cases.Traject"
    )
    assert not logged.exclude(action="refused").exists()  # no read; a refusal (issue #13)
    running.refresh_from_db()
    assert (running.status, running.history.count()) == (status, history)
    assert not Delegation.objects.filter(revoked_at__isnull=False).exists()


@pytest.mark.parametrize(
    "name",
    ["provider-traject", "provider-casusregie", "provider-signal", "provider-stop"],
)
@pytest.mark.parametrize("username", ["kade.werkverdeler", "kade.begeleider"])
def test_the_provider_itself_opens_the_same_pages(client, running, username, name):
    assert login(client, username).get(provider_url(name, running)).status_code == 200
    assert AccessLog.objects.filter(
        actor__username=username, object_id=str(running.pk), object_type="cases.Traject"
    ).exists()


@pytest.mark.parametrize("username", OUTSIDERS)
def test_the_inbox_of_an_outsider_does_not_list_the_traject(client, running, username):
    response = login(client, username).get(page("provider-inbox"))
    assert response.status_code in (200, 404)
    assert running.number not in response.text


@pytest.mark.parametrize("username", ["kade.werkverdeler", "kade.begeleider", "kade.administratie"])
def test_municipality_traject_page_answers_404_to_provider_staff(client, running, username):
    for name in ("traject-detail", "traject-start", "traject-follow-up"):
        response = login(client, username).get(page(name, running.pk))
        assert response.status_code == 404, name


def test_the_provider_portal_is_closed_to_municipality_staff_and_inwoners(client):
    for username in ("almere.pa", "almere.wijkwerker", "almere.inwoner", "kade.contactpersoon"):
        login(client, username)
        assert client.get(page("provider-inbox")).status_code == 404, username
        assert client.get(page("provider-practice")).status_code == 404, username


# --- Inbox ----------------------------------------------------------------------------------


def test_inbox_filter_shows_what_is_still_to_be_distributed(client):
    assigned = kade_traject(S.PLAN_REVIEW, client=flow.verbeek())  # flow assigns kade.begeleider
    waiting = kade_traject(S.WITH_PROVIDER)
    login(client, "kade.werkverdeler")

    def listed(query: str = "") -> list[int]:
        response = client.get(page("provider-inbox") + query)
        assert response.status_code == 200
        return sorted(item.traject.pk for item in response.context["items"])

    assert listed() == sorted([assigned.pk, waiting.pk])
    assert listed("?verdeling=nee") == [waiting.pk]
    assert listed("?verdeling=ja") == [assigned.pk]
    begeleider = flow.user("kade.begeleider")
    assert listed(f"?begeleider={begeleider.pk}") == [assigned.pk]
    assert listed(f"?status={S.WITH_PROVIDER.value}") == [waiting.pk]
    response = client.get(page("provider-inbox"))
    assert "Nog te verdelen (1)" in response.text
    # a begeleider's inbox holds only what is assigned to them
    response = login(client, "kade.begeleider2").get(page("provider-inbox"))
    assert list(response.context["items"]) == []


# --- Only consented parts -------------------------------------------------------------------


def handed_with_consent(shared: list[str]) -> Traject:
    traject = kade_traject(S.PROVIDER_CHOICE)
    pa = flow.user("almere.pa")
    plans.provider_choice_record(traject=traject, actor=pa, provider=flow.kade(), chosen_on=today())
    plans.consent_record(
        traject=traject, actor=pa, is_given=True, shared_fields=shared, given_on=today()
    )
    plans.signature_record(
        traject=traject,
        actor=pa,
        document=SignedDocument.PART_ONE,
        kind=SignatureKind.AGREED,
        signer_name="M. Thao",
        signed_on=today(),
        method="persoonlijk",
    )
    return plans.traject_hand_to_provider(traject=traject, actor=pa)


def assert_no_contact_details(text: str) -> None:
    client = thao()
    for detail in (client.family_name, client.street, client.bsn, client.phone, QUESTION):
        assert detail not in text, detail


def test_without_consent_for_contact_details_the_name_is_not_shown(client):
    traject = handed_with_consent(["arrangement", "goals", "conclusions"])
    response = login(client, "kade.werkverdeler").get(page("provider-traject", traject.pk))
    assert response.status_code == 200
    assert "gaf geen toestemming om naam en adres te delen" in response.text
    assert flow.GOALS[0] in response.text  # goals were shared
    assert_no_contact_details(response.text)


def test_without_consent_for_contact_details_pop_deel_2_does_not_show_the_name(client):
    traject = handed_with_consent(["arrangement", "goals"])
    delivery.traject_assign(
        traject=traject,
        actor=flow.user("kade.werkverdeler"),
        professional=flow.user("kade.begeleider"),
    )
    response = login(client, "kade.begeleider").get(page("provider-part-two", traject.pk))
    assert response.status_code == 200
    assert flow.GOALS[0] in response.text
    assert_no_contact_details(response.text)


def test_without_consent_for_contact_details_the_evaluation_does_not_show_the_name(client):
    traject = flow.advance(handed_with_consent(["arrangement", "goals"]), S.ACTIVE)
    evaluation = traject.evaluations.get()
    response = login(client, "kade.begeleider").get(
        page("provider-evaluation", traject.pk, evaluation.pk)
    )
    assert response.status_code == 200
    assert_no_contact_details(response.text)


def test_with_consent_for_contact_details_the_name_is_shown(client):
    traject = handed_with_consent(list(SHAREABLE_FIELDS))
    response = login(client, "kade.werkverdeler").get(page("provider-traject", traject.pk))
    assert thao().family_name in response.text
    assert thao().street in response.text
    assert QUESTION in response.text


# --- Forms answer in Dutch ------------------------------------------------------------------


def test_an_empty_signal_form_says_what_is_missing_in_dutch(client):
    traject = kade_traject(S.ACTIVE)
    response = login(client, "kade.begeleider").post(
        page("provider-signal", traject.pk), {"kind": "", "description": ""}
    )
    assert response.status_code == 200
    assert "Dit veld is verplicht." in response.text
    assert "This field is required" not in response.text
    assert not Signal.objects.exists()


def test_the_stop_form_needs_a_wmo588_reason(client):
    traject = kade_traject(S.ACTIVE)
    url = page("provider-stop", traject.pk)
    login(client, "kade.begeleider")
    data = {"stopped_on": today().isoformat(), "explanation": "Inwoner is verhuisd."}
    response = client.post(url, {**data, "reason_code": ""})
    assert response.status_code == 200
    assert "Dit veld is verplicht." in response.text
    response = client.post(url, {**data, "reason_code": "36"})  # the municipality's reason
    assert response.status_code == 200
    assert "Selecteer een geldige keuze" in response.text
    assert not SupportStop.objects.exists()
    traject.refresh_from_db()
    assert traject.status_enum is S.ACTIVE
    response = client.post(url, {**data, "reason_code": "31"})
    assert response.status_code == 302
    traject.refresh_from_db()
    assert traject.status_enum is S.ENDED
    assert traject.support_stop.reason_code == "31"


def test_a_refused_assignment_is_explained_in_dutch(client):
    traject = kade_traject(S.WITH_PROVIDER)
    response = login(client, "kade.werkverdeler").post(
        page("provider-assign", traject.pk), {"professional": "", "note": ""}
    )
    assert response.status_code == 200
    assert "Kies een begeleider." in response.text
    traject.refresh_from_db()
    assert traject.professional is None


# --- Start ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("days_later", "warned"), [(0, False), (14, True)])
def test_start_later_than_the_regional_term_is_warned(client, days_later, warned):
    traject = kade_traject(S.DECIDED)
    due = delivery.start_due_on(traject)
    assert due is not None
    assert due > traject.decided_on
    with time_machine.travel(timezone.now() + timedelta(days=days_later), tick=False):
        started = timezone.localdate()
        login(client, "kade.begeleider")
        response = client.post(
            page("provider-start", traject.pk), {"started_on": started.isoformat()}
        )
        assert response.status_code == 302
        texts = messages_of(response)
    traject.refresh_from_db()
    assert traject.status_enum is S.ACTIVE
    assert traject.started_on == started
    warnings = [t for t in texts if "na de afgesproken termijn" in t]
    assert bool(warnings) is warned
    if warned:
        assert f"{due:%d-%m-%Y}" in warnings[0]
    assert any("de evaluaties zijn gepland" in t for t in texts)


# --- Evaluation -----------------------------------------------------------------------------


def test_evaluation_advising_heavier_shows_the_new_melding(client):
    traject = kade_traject(S.ACTIVE)
    evaluation = traject.evaluations.get()
    response = login(client, "kade.begeleider").post(
        page("provider-evaluation", traject.pk, evaluation.pk),
        {
            "r0_achieved": "ja",
            "r0_why_how": "De weekplanning lukt zelfstandig.",
            "r1_achieved": "nee",
            "r1_why_how": "Sociale contacten blijven uit; stemming wisselt sterk.",
            "held_on": today().isoformat(),
            "advice": "zwaarder",
            "explanation": "Structureel meer begeleiding nodig.",
            "signature_kind": "akkoord",
            "signer_name": "M. Thao",
            "signed_on": today().isoformat(),
            "signature_method": "persoonlijk",
        },
        follow=True,
    )
    assert response.status_code == 200
    evaluation.refresh_from_db()
    assert evaluation.is_submitted
    melding = evaluation.reindication
    assert melding is not None
    assert melding.previous == traject
    assert f"De melding voor de herindicatie staat klaar als traject {melding.number}" in (
        response.text
    )
    # the submitted evaluation is read-only afterwards
    again = client.get(page("provider-evaluation", traject.pk, evaluation.pk))
    assert again.status_code == 200
    assert Evaluation.objects.filter(traject=traject, submitted_at__isnull=False).count() == 1


def test_an_incomplete_evaluation_comes_back_with_the_reasons(client):
    traject = kade_traject(S.ACTIVE)
    evaluation = traject.evaluations.get()
    response = login(client, "kade.begeleider").post(
        page("provider-evaluation", traject.pk, evaluation.pk),
        {
            "r0_achieved": "ja",
            "r0_why_how": "Gaat goed.",
            "held_on": today().isoformat(),
            "advice": "verlenging",
            "explanation": "Doorgaan.",
            "signature_kind": "akkoord",
            "signer_name": "M. Thao",
            "signed_on": today().isoformat(),
            "signature_method": "persoonlijk",
        },
    )
    assert response.status_code == 200
    assert "Resultaat 2: geef aan of het resultaat is behaald" in response.text
    evaluation.refresh_from_db()
    assert not evaluation.is_submitted


# --- Practice -------------------------------------------------------------------------------


def test_practice_toggle_shows_the_banner_and_only_fictitious_clients(client):
    real = kade_traject(S.WITH_PROVIDER)
    login(client, "kade.werkverdeler")
    inbox = client.get(page("provider-inbox"))
    assert "oa-practice-banner" not in inbox.text
    assert real.number in inbox.text
    response = client.post(page("provider-practice"), {"actie": "aan"}, follow=True)
    assert response.status_code == 200
    assert "oa-practice-banner" in response.text
    assert "u werkt met fictieve inwoners" in response.text
    assert real.number not in response.text
    practice_trajects = Traject.objects.filter(is_practice=True, provider=flow.kade())
    assert practice_trajects.count() == 3
    assert all(t.number in response.text for t in practice_trajects)
    one = practice_trajects.first()
    detail = client.get(page("provider-traject", one.pk))
    assert "Oefenomgeving – fictieve inwoner" in detail.text
    assert client.get(page("provider-traject", real.pk)).status_code == 404
    response = client.post(page("provider-practice"), {"actie": "uit"}, follow=True)
    assert "oa-practice-banner" not in response.text
    assert real.number in response.text
    assert client.get(page("provider-traject", one.pk)).status_code == 404


def test_practice_municipality_step_only_in_practice_mode(client):
    real = kade_traject(S.PLAN_REVIEW)
    login(client, "kade.werkverdeler")
    assert client.post(page("provider-practice-municipality", real.pk)).status_code == 404
    client.post(page("provider-practice"), {"actie": "aan"})
    assert client.post(page("provider-practice-municipality", real.pk)).status_code == 404
    real.refresh_from_db()
    assert real.status_enum is S.PLAN_REVIEW


# --- Signals read by the PA -----------------------------------------------------------------


def test_the_pa_reads_and_answers_a_signal(client):
    traject = kade_traject(S.ACTIVE)
    signal = delivery.signal_send(
        traject=traject,
        actor=flow.user("kade.begeleider"),
        kind=SignalKind.HOME,
        description="De woning raakt vervuild.",
    )
    url = page("traject-signal", traject.pk, signal.pk)
    assert login(client, "kade.werkverdeler").get(url).status_code == 404
    assert login(client, "mlw.pa").get(url).status_code == 404
    login(client, "almere.pa")
    detail = client.get(page("traject-detail", traject.pk))
    assert url in detail.text
    response = client.get(url)
    assert response.status_code == 200
    assert "De woning raakt vervuild." in response.text
    response = client.post(url, {"response": "We komen op huisbezoek."})
    assert response.status_code == 302
    assert response.url == page("traject-detail", traject.pk)
    signal.refresh_from_db()
    assert signal.read_by.username == "almere.pa"
    assert signal.response == "We komen op huisbezoek."
    # the provider sees the answer on its own page
    provider_page = login(client, "kade.begeleider").get(page("provider-traject", traject.pk))
    assert "We komen op huisbezoek." in provider_page.text


# --- Warm handover --------------------------------------------------------------------------


def test_the_new_provider_reads_the_warm_handover_on_its_traject_page(client):
    old = kade_traject_in_lot_3()
    new = decisions.traject_change_open(
        traject=old,
        actor=flow.user("almere.pa"),
        kind=LinkKind.CHANGE_PROVIDER,
        reason="Wisseling van aanbieder.",
    )
    response = login(client, "kade.begeleider").post(
        page("provider-handover", old.pk), {"text": "Maandagochtend werkt het best."}
    )
    assert response.status_code == 302
    anker = login(client, "anker.werkverdeler")
    assert anker.get(page("provider-traject", new.pk)).status_code == 404  # not handed yet
    hand_to(new, Provider.objects.get(name="Thuishulp Het Anker"))
    response = anker.get(page("provider-traject", new.pk))
    assert response.status_code == 200
    assert "Maandagochtend werkt het best." in response.text
    assert anker.get(page("provider-traject", old.pk)).status_code == 404


# --- Subcontractor delegation ---------------------------------------------------------------


def delegated_mlw_traject() -> Traject:
    traject = mlw(S.ACTIVE)
    delivery.delegation_grant(
        traject=traject,
        actor=flow.user("maaskempen.werkverdeler"),
        delegate=flow.user("peel.medewerker"),
        reason="Levert de groepsbegeleiding op de boerderij.",
    )
    return traject


def test_a_delegate_reads_the_traject_but_writes_nothing(client):
    traject = delegated_mlw_traject()
    login(client, "peel.medewerker")
    response = client.get(page("provider-traject", traject.pk))
    assert response.status_code == 200
    assert "Alleen-lezen inzage" in response.text
    assert AccessLog.objects.filter(
        actor__username="peel.medewerker", object_id=str(traject.pk)
    ).exists()
    for name in (
        "provider-assign",
        "provider-part-two",
        "provider-start",
        "provider-casusregie",
        "provider-signal",
        "provider-stop",
        "provider-handover",
        "provider-delegation",
    ):
        assert client.get(page(name, traject.pk)).status_code == 404, name
    open_evaluation = traject.evaluations.first()
    url = page("provider-evaluation", traject.pk, open_evaluation.pk)
    assert client.get(url).status_code == 404
    assert client.get(page("provider-practice")).status_code == 404
    delivery.delegation_revoke(
        delegation=traject.delegations.get(), actor=flow.user("maaskempen.werkverdeler")
    )
    assert client.get(page("provider-traject", traject.pk)).status_code == 404


def test_a_delegate_cannot_read_a_submitted_evaluation(client):
    """The traject page hides evaluations from a delegate (only consented POP deel I parts);
    a guessed evaluation URL must not show them either."""
    traject = delegated_mlw_traject()
    interim = traject.evaluations.first()
    delivery.evaluation_submit(
        evaluation=interim,
        actor=flow.user("maaskempen.begeleider"),
        held_on=today(),
        results=[
            {"result": "R", "achieved": False, "why_how": "Somber, trekt zich terug."}
            for _ in range(2)
        ],
        advice=Advice.EXTENSION,
        explanation="Vertrouwelijke toelichting van de hoofdaanbieder.",
        signature_kind=SignatureKind.AGREED,
        signer_name="M. Janssen",
        signed_on=today(),
        signature_method=SignatureMethod.IN_PERSON,
    )
    login(client, "peel.medewerker")
    page_text = client.get(page("provider-traject", traject.pk)).text
    assert "Vertrouwelijke toelichting" not in page_text
    response = client.get(page("provider-evaluation", traject.pk, interim.pk))
    assert response.status_code == 404
    assert "Vertrouwelijke toelichting" not in response.text
