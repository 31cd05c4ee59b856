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


def test_other_municipality_gets_404_and_no_log(client):
    traject = flow.new_melding()
    response = login(client, "mlw.pa").get(reverse("portal:traject-detail", args=[traject.pk]))
    assert response.status_code == 404
    assert not AccessLog.objects.filter(object_type="cases.Traject").exists()


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
    Traject.objects.filter(pk=late.pk).update(
        melding_received_on=timezone.localdate() - timedelta(weeks=7)
    )
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
    assert "Dit BSN is al bekend" in response.text
    assert not Traject.objects.exists()
    mlw = Client.objects.get(family_name="Janssen")  # another region's inwoner: same answer
    form["inwoner-bsn"] = mlw.bsn
    assert "Dit BSN is al bekend" in client.post(url, form).text
