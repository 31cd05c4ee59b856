"""Mw. Verbeek (seed 002: mild intellectual disability, Almere) from melding to a final
beschikking, through the real pages in headless Chromium, with axe-core on every page.

The provider's POP deel II goes through the provider-side service; its screens are the
provider portal's issue.
"""

import re

import pytest

from openarrangementen.cases.domain import TrajectStatus
from openarrangementen.cases.models import Traject
from openarrangementen.cases.tests import flow
from openarrangementen.clients.models import Client

from .test_browser import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def switch_user(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, base, username)


def open_traject(page, base: str, traject: Traject) -> None:
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Trajecten").click()
    page.wait_for_url(f"{base}/trajecten/")
    assert_accessible(page)
    page.get_by_role("link", name=traject.number).click()
    page.wait_for_url(f"{base}/trajecten/{traject.pk}/")


def click_and_wait(page, name: str, url_pattern: str, *, role: str = "link") -> None:
    page.get_by_role(role, name=name, exact=True).click()
    page.wait_for_url(re.compile(url_pattern))
    page.wait_for_load_state()


def test_verbeek_from_melding_to_final_beschikking(page, demo_server):
    base = demo_server.url
    client = flow.verbeek()

    # Wijkwerker: melding, keukentafelgesprek, plan van aanpak.
    log_in(page, base, "almere.wijkwerker")
    page.goto(f"{base}/inwoners/{client.pk}/")
    click_and_wait(page, "Melding registreren", r"/melding/$")
    assert_accessible(page)
    page.get_by_label("Kanaal").select_option("telefoon")
    page.get_by_label("Hulpvraag").fill("Mw. Verbeek raakt het overzicht over post en geld kwijt.")
    page.get_by_label("Gemeld door").select_option("inwoner")
    click_and_wait(page, "Melding registreren", r"/trajecten/\d+/$", role="button")
    traject = Traject.objects.get(client=client)
    assert page.get_by_role("heading", level=1).inner_text() == f"Traject {traject.number}"
    assert_accessible(page)

    click_and_wait(page, "Keukentafelgesprek plannen", r"/gesprek/$")
    assert_accessible(page)
    page.get_by_label("Datum gesprek").fill(f"{traject.melding_received_on:%Y-%m-%d}")
    page.get_by_label("Deelnemers").fill("Mw. Verbeek, haar moeder, wijkwerker")
    click_and_wait(page, "Opslaan", r"/trajecten/\d+/$", role="button")

    click_and_wait(page, "Plan van aanpak invullen", r"/plan-van-aanpak/$")
    assert_accessible(page)
    page.get_by_label("Score Financiën").select_option("2")
    page.get_by_label("Notities Financiën").fill("Rekeningen blijven liggen.")
    page.get_by_label("Doelen Financiën").fill(flow.GOALS[0])
    page.get_by_label("Score Sociaal netwerk").select_option("3")
    page.get_by_label("Doelen Sociaal netwerk").fill(flow.GOALS[1])
    click_and_wait(page, "Plan van aanpak opslaan", r"/trajecten/\d+/$", role="button")
    page.get_by_role("button", name="Plan van aanpak naar procesregisseur").click()
    page.wait_for_load_state()
    assert "Indicatiestelling (POP deel I)" in page.inner_text("main")

    # Procesregisseur: POP deel I, provider choice, consent, signature, hand-over.
    switch_user(page, base, "almere.pa")
    open_traject(page, base, traject)
    assert_accessible(page)
    click_and_wait(page, "POP deel I invullen", r"/pop-deel-1/$")
    assert_accessible(page)
    page.get_by_label("Eigen kracht en inzet netwerk").fill("Moeder helpt wekelijks; te weinig.")
    page.get_by_label("Wettelijk voorliggende voorzieningen").fill("Geen.")
    page.get_by_label("Algemene voorzieningen").fill("Buurthuis geprobeerd; te weinig structuur.")
    page.get_by_label("Beschrijving inzet maatwerkvoorziening").fill("Individuele begeleiding.")
    page.get_by_label("Arrangement en niveau").select_option(
        label="2 Lichte verstandelijke beperking – Niveau 2"
    )
    page.get_by_label("De inwoner heeft last van").fill("Overzicht verliezen over post.")
    page.get_by_label("De inwoner kan niet").fill("Zelf een weekplanning volhouden.")
    page.get_by_label("Argumentatie keuze niveau").fill("Perspectief op groei.")
    start = flow.part_one_input(traject).start_on
    page.get_by_label("Begindatum").fill(f"{start:%Y-%m-%d}")
    # Longer than the 24 months niveau 2 allows: refused with a clear message, nothing lost.
    page.get_by_label("Einddatum").fill(f"{start.replace(year=start.year + 3):%Y-%m-%d}")
    click_and_wait(page, "POP deel I opslaan", r"/pop-deel-1/$", role="button")
    assert "maximaal 24 maanden" in page.get_by_role("alert").inner_text()
    assert (
        page.get_by_label("De inwoner kan niet").input_value() == "Zelf een weekplanning volhouden."
    )
    assert_accessible(page)
    end = flow.part_one_input(traject).end_on
    page.get_by_label("Einddatum").fill(f"{end:%Y-%m-%d}")
    click_and_wait(page, "POP deel I opslaan", r"/trajecten/\d+/$", role="button")
    page.get_by_role("button", name="POP deel I afronden").click()
    page.wait_for_load_state()

    click_and_wait(page, "Keuze aanbieder", r"/aanbieder/$")
    assert "De Kade en partners" in page.inner_text("main")  # partners shown with the choice
    assert_accessible(page)
    page.get_by_label("Gekozen aanbieder").select_option(label="De Kade Begeleiding")
    click_and_wait(page, "Opslaan", r"/trajecten/\d+/$", role="button")
    click_and_wait(page, "Toestemming", r"/toestemming/$")
    assert_accessible(page)
    page.get_by_label("Geeft de inwoner toestemming").select_option("ja")
    page.get_by_label("Notities per leefgebied (ZRM)").uncheck()  # consent per field
    click_and_wait(page, "Opslaan", r"/trajecten/\d+/$", role="button")
    click_and_wait(page, "Ondertekening POP deel I", r"/ondertekening/$")
    assert_accessible(page)
    page.get_by_label("Manier").select_option("persoonlijk")
    click_and_wait(page, "Opslaan", r"/trajecten/\d+/$", role="button")
    page.get_by_role("button", name="Overdragen aan aanbieder").click()
    page.wait_for_load_state()
    assert "POP deel II bij aanbieder" in page.inner_text("main")
    traject.refresh_from_db()
    assert traject.provider.name == "De Kade Begeleiding"
    assert "zrm" not in traject.consents.get().shared_fields

    # The provider's deel II, through the provider-side service.
    flow.submit_part_two(traject, per_week="6.00")

    # Procesregisseur: toetsing shows the deployment outside the bandwidth; draft.
    page.reload()
    click_and_wait(page, "POP deel II toetsen", r"/pop-deel-2/$")
    assert "Boven de bandbreedte" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_label("Overwegingen").fill("Het arrangement past bij de hulpvraag en de doelen.")
    click_and_wait(page, "Beschikking opstellen", r"/trajecten/\d+/$", role="button")
    page.get_by_role("button", name="Ter controle aan collega").click()
    page.wait_for_load_state()
    click_and_wait(page, "Beschikking bekijken", r"/beschikking/$")
    assert "Een collega controleert haar" in page.inner_text("main")  # not your own draft
    assert page.get_by_role("button", name="Beschikking definitief maken").count() == 0
    assert_accessible(page)

    # Collega-PA: four-eyes review makes it final.
    switch_user(page, base, "almere.collega-pa")
    open_traject(page, base, traject)
    click_and_wait(page, "Beschikking bekijken", r"/beschikking/$")
    assert_accessible(page)
    click_and_wait(page, "Beschikking definitief maken", r"/trajecten/\d+/$", role="button")
    assert "Beschikt, wacht op start" in page.inner_text("main")
    assert_accessible(page)
    traject.refresh_from_db()
    beschikking = traject.beschikkingen.get()
    assert beschikking.is_final
    assert beschikking.reviewed_by.username == "almere.collega-pa"
    pdf = page.request.get(f"{base}/trajecten/{traject.pk}/beschikking/{beschikking.pk}.pdf")
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")


def test_every_other_traject_page_is_accessible(page, demo_server):
    """The pages beside the main route: forms after the start, suspension, withdrawal,
    consultation, a new inwoner's melding, the filtered work list, and a form with errors."""
    base = demo_server.url
    active = flow.advance(flow.new_melding(), TrajectStatus.ACTIVE)
    wife = Client.objects.get(given_names="Johanna Maria")
    husband = Client.objects.get(given_names="Hendrik")
    open_one = flow.new_melding(client=wife)
    flow.new_melding(client=husband)  # same household: linked from either traject
    log_in(page, base, "almere.pa")
    for path, heading in [
        (f"/trajecten/{active.pk}/", f"Traject {active.number}"),
        (f"/trajecten/{active.pk}/3-maandencheck/", "3-maandencheck"),
        (f"/trajecten/{active.pk}/vervolg/", "Evaluatie verwerken: vervolgbesluit"),
        (f"/trajecten/{active.pk}/wijziging/", "Arrangement of aanbieder wijzigen"),
        (f"/trajecten/{active.pk}/bezwaar/", "Bezwaar tegen beschikking"),
        (f"/trajecten/{open_one.pk}/", f"Traject {open_one.number}"),
        (f"/trajecten/{open_one.pk}/opschorten/", "Termijnen opschorten"),
        (f"/trajecten/{open_one.pk}/consultatie/", "Consultatie vastleggen"),
        (f"/trajecten/{open_one.pk}/stap/withdraw/", "Melding ingetrokken"),
        ("/trajecten/melding/", "Melding registreren"),
        ("/trajecten/?state=verlopen&status=melding", "Werklijst trajecten"),
    ]:
        page.goto(base + path)
        assert page.get_by_role("heading", level=1).inner_text().startswith(heading), path
        assert_accessible(page)
    assert "zelfde huishouden" in page.goto(f"{base}/trajecten/{open_one.pk}/").text()
    page.goto(f"{base}/trajecten/{open_one.pk}/opschorten/")
    page.get_by_label("Aantal dagen").fill("14")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()  # the reason is missing
    assert page.get_by_label("Aantal dagen").input_value() == "14"
    assert_accessible(page)
