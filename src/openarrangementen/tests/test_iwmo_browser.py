"""The iWmo pages in headless Chromium with axe-core on every page: the PA follows a
traject's 301 and its 302, reads why a 305 was refused and answers a VOT; the werkverdeler
sees the provider's side; the functioneel beheerder resends a failed message; and without
the schemas the log says so."""

import re

import pytest

from openarrangementen.cases.tests import flow
from openarrangementen.iwmo import schemas, services
from openarrangementen.iwmo.models import Message, Request, Side
from openarrangementen.portal.tests.test_iwmo_views import (
    decided,
    receive_future_start,
    receive_vot,
    verbeek,
)

from .test_browser import assert_accessible, log_in
from .test_provider_browser import click_and_wait, status_text, switch_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def rows(page) -> list[str]:
    table = page.get_by_role("table", name=re.compile(r"^Berichten, nieuwste eerst"))
    return table.locator("tbody tr").all_inner_texts()


def vot(page, reference: str):
    """The card of one verzoek om toewijzing on the requests page."""
    name = f"Verzoek om toewijzing {reference} – {verbeek().display_name}"
    return page.get_by_role("article", name=name)


def test_pa_follows_the_exchange_and_answers_a_request(page, demo_server):
    base = demo_server.url
    traject = decided()
    receive_future_start(verbeek())
    receive_vot(verbeek())
    sent = Message.objects.get(side=Side.MUNICIPALITY, direction="uit", code="301")
    retour = Message.objects.get(side=Side.MUNICIPALITY, direction="in", code="302")
    refused = Message.objects.get(side=Side.MUNICIPALITY, direction="in", code="305")

    log_in(page, base, "almere.pa")
    page.goto(f"{base}/trajecten/{traject.pk}/")
    click_and_wait(page, "iWmo-berichten van dit traject", rf"traject={traject.number}")
    assert page.get_by_role("heading", level=1).inner_text() == "iWmo-berichten"
    assert any("WMO301 Toewijzing" in row for row in rows(page))
    assert_accessible(page)

    click_and_wait(page, "Filters wissen", r"/iwmo-berichten/$")
    page.get_by_label("Berichttype").select_option(label="WMO301 Toewijzing")
    click_and_wait(page, "Filteren", r"code=301", role="button")
    assert rows(page)
    assert all("WMO301 Toewijzing" in row for row in rows(page))
    assert_accessible(page)

    click_and_wait(page, f"WMO301 {sent.identification}", rf"/iwmo-berichten/{sent.pk}/$")
    assert page.get_by_role("heading", level=1).inner_text().startswith("WMO301 Toewijzing")
    assert verbeek().bsn in page.locator("pre").inner_text()
    assert_accessible(page)
    click_and_wait(
        page,
        f"WMO302 Retour toewijzing {retour.identification}",
        rf"/iwmo-berichten/{retour.pk}/$",
    )
    assert page.get_by_role("link", name=f"WMO301 Toewijzing {sent.identification}").is_visible()
    assert_accessible(page)

    page.goto(f"{base}/iwmo-berichten/{refused.pk}/")
    assert page.get_by_role("table", name="Overtreden regels").get_by_text("TR135").is_visible()
    assert_accessible(page)

    page.goto(f"{base}/iwmo-berichten/")
    click_and_wait(
        page, "Verzoeken om toewijzing en wijziging (2 open)", r"/iwmo-berichten/verzoeken/$"
    )
    assert_accessible(page)
    request = page.get_by_role(
        "article", name=f"Verzoek om toewijzing 42420001 – {verbeek().display_name}"
    )
    request.get_by_role("button", name="Toewijzen").click()
    page.wait_for_load_state()
    assert "Verzoek 42420001 beantwoord met WMO301." in status_text(page)
    assert page.get_by_role("heading", name="Te beoordelen (1)").is_visible()
    assert_accessible(page)
    other = page.get_by_role(
        "article", name=f"Verzoek om toewijzing 42420002 – {verbeek().display_name}"
    )
    other.get_by_role("button", name="Afwijzen").click()
    page.wait_for_url(re.compile(r"/iwmo-berichten/verzoeken/\d+/$"))
    assert page.get_by_role("alert").inner_text() == "Kies een reden van afwijzing."
    assert_accessible(page)
    assert Request.objects.get(provider_reference="42420001").state == Request.State.GRANTED
    assert Request.objects.get(provider_reference="42420002").state == Request.State.OPEN


def test_provider_side_administrator_and_missing_schemas(page, demo_server, settings, tmp_path):
    base = demo_server.url
    traject = decided()
    receive_future_start(verbeek())
    granted, _ = receive_vot(verbeek())
    services.request_answer(request=granted, actor=flow.user("almere.pa"), grant=True)

    # The werkverdeler: the provider's side of the same exchange.
    log_in(page, base, "kade.werkverdeler")
    page.goto(f"{base}/aanbieder/trajecten/{traject.pk}/")
    click_and_wait(page, "iWmo-berichten van dit traject", rf"traject={traject.number}")
    assert all("De Kade Begeleiding" in row for row in rows(page))
    assert any("WMO301 Toewijzing\tOntvangen" in row for row in rows(page))
    assert_accessible(page)
    retour = Message.objects.get(side=Side.PROVIDER, direction="in", code="306")
    page.goto(f"{base}/iwmo-berichten/{retour.pk}/")
    assert page.get_by_role("table", name="Retourcodes per klasse").get_by_text("8848").is_visible()
    assert_accessible(page)
    page.goto(f"{base}/iwmo-berichten/verzoeken/")
    answered = page.get_by_role(
        "article", name=f"Verzoek om toewijzing 42420001 – {verbeek().display_name}"
    )
    assert "Toegewezen" in answered.inner_text()
    assert page.get_by_role("button", name="Toewijzen").count() == 0
    assert_accessible(page)
    # The request page on the traject: an incomplete VOT is refused on the form, in Dutch.
    page.goto(f"{base}/aanbieder/trajecten/{traject.pk}/iwmo-verzoek/")
    assert_accessible(page)
    page.get_by_label("Verzoek om toewijzing (WMO315)", exact=False).check()
    page.get_by_role("button", name="Verzoek versturen").click()
    assert page.get_by_text("Vul dit in voor een verzoek om toewijzing.").first.is_visible()
    assert_accessible(page)

    # The functioneel beheerder resends a message that could not be delivered.
    failed = Message.objects.filter(side=Side.MUNICIPALITY, direction="uit", code="301").first()
    Message.objects.filter(pk=failed.pk).update(
        status=Message.Status.FAILED, needs_attention=True, attempts=5, last_error="Time-out."
    )
    switch_user(page, base, "almere.beheerder")
    page.goto(f"{base}/iwmo-berichten/")
    attention = page.get_by_role("table", name=re.compile(r"^Berichten die niet konden"))
    assert "Time-out." in attention.inner_text()
    assert_accessible(page)
    attention.get_by_role("link", name=f"WMO301 {failed.identification}").click()
    page.wait_for_url(re.compile(rf"/iwmo-berichten/{failed.pk}/$"))
    click_and_wait(page, "Opnieuw versturen", rf"/iwmo-berichten/{failed.pk}/$", role="button")
    assert "Het WMO301-bericht is opnieuw verstuurd." in status_text(page)
    assert_accessible(page)

    # Without the schemas the log says so and still lists what is stored.
    settings.IWMO_SCHEMA_DIR = tmp_path
    schemas.reset()
    try:
        page.goto(f"{base}/iwmo-berichten/")
        assert "De iWmo-schema's zijn niet geïnstalleerd." in page.inner_text("main")
        assert rows(page)
        assert_accessible(page)
    finally:
        schemas.reset()
