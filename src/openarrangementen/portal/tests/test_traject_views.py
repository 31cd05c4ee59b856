"""Traject pages: only allowed steps are offered, refused steps say why, the PDF is a letter."""

import subprocess
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

import pytest

from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.cases.models import Traject
from openarrangementen.cases.tests import flow
from openarrangementen.clients.models import Client
from openarrangementen.core.demo import demo_bsn
from openarrangementen.core.models import AccessLog

pytestmark = pytest.mark.usefixtures("demo")
S = TrajectStatus


def login(client, username: str):
    client.force_login(flow.user(username))
    return client


def detail(client, traject) -> str:
    return client.get(reverse("portal:traject-detail", args=[traject.pk])).text


def test_detail_offers_only_the_steps_the_role_may_take(client):
    traject = flow.advance(flow.new_melding(), S.ASSESSMENT)
    as_wijkwerker = detail(login(client, "almere.wijkwerker"), traject)
    assert "POP deel I invullen" not in as_wijkwerker
    assert "POP deel I afronden" not in as_wijkwerker
    assert "Melding ingetrokken" in as_wijkwerker
    as_pa = detail(login(client, "almere.pa"), traject)
    assert "POP deel I invullen" in as_pa
    assert "POP deel I afronden" in as_pa


def test_a_step_posted_by_the_wrong_role_is_refused_and_nothing_changes(client):
    traject = flow.advance(flow.new_melding(), S.ASSESSMENT)
    flow.advance(traject, S.PROVIDER_CHOICE)  # POP deel I filled in by the PA
    url = reverse("portal:traject-action", args=[traject.pk, "hand_to_provider"])
    response = login(client, "almere.wijkwerker").post(url, follow=True)
    assert "Uw rol mag de stap" in response.text
    traject.refresh_from_db()
    assert traject.status == S.PROVIDER_CHOICE


def test_refused_form_keeps_what_was_typed(client):
    traject = flow.advance(flow.new_melding(), S.DECISION_REVIEW)
    url = reverse("portal:traject-beschikking", args=[traject.pk])
    response = login(client, "almere.collega-pa").post(url, {"controle-note": "", "afkeuren": "1"})
    assert "Schrijf waarom" in response.text
    traject.refresh_from_db()
    assert traject.status == S.DECISION_REVIEW


def test_other_municipality_gets_404_and_no_read_in_the_log(client):
    traject = flow.new_melding()
    response = login(client, "mlw.pa").get(reverse("portal:traject-detail", args=[traject.pk]))
    assert response.status_code == 404
    logged = AccessLog.objects.filter(object_type="cases.Traject")
    assert list(logged.values_list("action", flat=True)) == ["refused"]  # issue #13


def test_new_client_melding_checks_the_bsn(client):
    url = reverse("portal:melding-new")
    form = {
        "inwoner-bsn": "123456789",
        "inwoner-family_name": "Thao",
        "inwoner-birth_date": "1970-01-01",
        "inwoner-gender": "2",
        "inwoner-municipality": Client.objects.get(family_name="Verbeek").municipality_id,
        "melding-channel": "telefoon",
        "melding-received_on": timezone.localdate().isoformat(),
        "melding-question": "Hulp bij het huishouden.",
        "melding-reported_by": "inwoner",
    }
    response = login(client, "almere.wijkwerker").post(url, form)
    assert "elfproef" in response.text
    assert not Traject.objects.exists()
    form["inwoner-bsn"] = demo_bsn(60)
    response = client.post(url, form)
    traject = Traject.objects.get()
    assert response.url == reverse("portal:traject-detail", args=[traject.pk])
    assert traject.client.family_name == "Thao"


def test_work_list_filters_overdue(client):
    late = flow.new_melding()
    late.melding_received_on = timezone.localdate() - timedelta(weeks=7)
    late.save()  # the stored next deadline follows (issue #14)
    flow.new_melding(client=Client.objects.get(given_names="Samira"))
    page = login(client, "almere.pa").get(reverse("portal:traject-list"), {"state": "verlopen"})
    assert late.number in page.text
    assert "1 open traject," in page.text


def test_beschikking_pdf_is_a_tagged_letter_with_the_fallback_and_objection_clause(client):
    traject = flow.advance(flow.new_melding(), S.DECIDED)
    beschikking = traject.beschikkingen.get()
    url = reverse("portal:traject-beschikking-pdf", args=[traject.pk, beschikking.pk])
    response = login(client, "almere.pa").get(url)
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    text = " ".join(text.split())
    assert "Beschikking maatwerkvoorziening Wmo 2015" in text
    assert "Individuele begeleiding 3,00 uur" in text  # the expected average deployment
    assert "zes weken" in text  # objection clause
    assert "De Kade Begeleiding" in text
    info = subprocess.run(
        ["pdfinfo", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Tagged:          yes" in info
    assert f"Beschikking {beschikking.number}" in info  # document title


def test_a_known_bsn_is_not_reused_and_reveals_nothing(client):
    url = reverse("portal:melding-new")
    form = {
        "inwoner-bsn": flow.verbeek().bsn,
        "inwoner-family_name": "Jansen",
        "inwoner-birth_date": "1970-01-01",
        "inwoner-gender": "2",
        "inwoner-municipality": flow.verbeek().municipality_id,
        "inwoner-postcode": "abc",
        "melding-channel": "telefoon",
        "melding-received_on": timezone.localdate().isoformat(),
        "melding-question": "Hulp.",
        "melding-reported_by": "inwoner",
    }
    response = login(client, "almere.wijkwerker").post(url, form)
    assert "4 cijfers en 2 letters" in response.text  # postcode checked in the form, no 500
    form["inwoner-postcode"] = "1325 LM"
    response = client.post(url, form)
    assert "Dit BSN is al bekend in deze gemeente" in response.text
    assert not Traject.objects.exists()
    lookup = AccessLog.objects.get(action="lookup")
    assert (lookup.actor.username, lookup.client_id) == (
        "almere.wijkwerker",
        str(flow.verbeek().pk),
    )
    # Another region's inwoner: nothing is said about them; Almere opens its own file
    # (issue #13, ADR 0009), and the search is logged as finding nothing here.
    mlw = Client.objects.get(family_name="Janssen")
    form["inwoner-bsn"] = mlw.bsn
    response = client.post(url, form)
    assert response.status_code == 302
    assert "al bekend" not in client.get(response["Location"]).text
    new = Client.objects.get(bsn=mlw.bsn, municipality=flow.verbeek().municipality)
    assert new.pk != mlw.pk
    assert new.family_name == "Jansen"
    assert Traject.objects.get().client == new
    Client.objects.get(pk=mlw.pk)  # untouched
    searched = AccessLog.objects.filter(action="lookup").latest("pk")
    assert searched.client_id == ""
    assert searched.purpose.endswith("(niets gevonden)")


# --- the access log: reads only once found visible, refusals as refusals (issue #13) ------


def test_another_beschikking_in_the_pdf_url_is_a_404_without_a_read_but_with_a_refusal(client):
    traject = flow.advance(flow.new_melding(), TrajectStatus.DECIDED)
    other = flow.advance(
        flow.new_melding(client=Client.objects.get(family_name="Thao")), TrajectStatus.DECIDED
    ).beschikkingen.get()
    login(client, "almere.pa")
    before = AccessLog.objects.count()
    url = reverse("portal:traject-beschikking-pdf", args=[traject.pk, other.pk])
    assert client.get(url).status_code == 404
    rows = list(AccessLog.objects.order_by("pk")[before:])
    assert [row.action for row in rows] == ["refused"]
    assert rows[0].object_type == "decisions.Beschikking"
    assert rows[0].client_id == str(other.traject.client_id)


def test_a_traject_of_another_region_is_refused_and_logged_for_the_auditor(client):
    traject = flow.new_melding()
    login(client, "mlw.pa")
    before = AccessLog.objects.count()
    assert client.get(reverse("portal:traject-detail", args=[traject.pk])).status_code == 404
    (row,) = AccessLog.objects.order_by("pk")[before:]
    assert (row.action, row.actor.username) == ("refused", "mlw.pa")
    assert (row.object_type, row.object_id) == ("cases.Traject", str(traject.pk))
    assert row.client_id == str(traject.client_id)
    # Who saw or tried to see this client: one indexed query on client_id.
    seen = AccessLog.objects.filter(client_id=str(traject.client_id))
    assert {r.action for r in seen} >= {"refused"}
    assert "mlw.pa" in {r.actor.username for r in seen}


def test_a_page_that_fails_after_reading_leaves_no_read_in_the_log(client):
    traject = flow.new_melding()
    login(client, "almere.pa")
    before = AccessLog.objects.filter(action="view").count()
    url = reverse("portal:traject-beschikking-pdf", args=[traject.pk, 999999])
    assert client.get(url).status_code == 404
    assert AccessLog.objects.filter(action="view").count() == before
    assert client.get(reverse("portal:traject-detail", args=[traject.pk])).status_code == 200
    assert AccessLog.objects.filter(action="view").count() == before + 1
