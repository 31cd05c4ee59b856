"""End to end in headless Chromium: log in as a person would, walk the pages, and check
every page against WCAG 2.2 AA with axe-core."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from openarrangementen.accounts.models import Provider
from openarrangementen.cases.models import DeadlineRule
from openarrangementen.catalog.models import CatalogVersion, Level
from openarrangementen.clients.models import Client
from openarrangementen.contracting.models import Partnership
from openarrangementen.core.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_22_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
axe = Axe()


def assert_accessible(page) -> None:
    results = axe.run(page, options=WCAG_22_AA)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base_url}/")


def test_login_page_is_accessible_and_explains_a_wrong_password(page, demo_server):
    page.goto(f"{demo_server.url}/inloggen/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert_accessible(page)
    page.get_by_label("Gebruikersnaam").fill("almere.pa")
    page.get_by_label("Wachtwoord").fill("niet-goed")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").inner_text().startswith("De combinatie van gebruikersnaam")
    assert_accessible(page)


def test_municipality_staff_walk_start_catalog_and_clients(page, demo_server):
    base = demo_server.url
    log_in(page, base, "almere.pa")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welkom")
    assert_accessible(page)

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Catalogus").click()
    page.wait_for_url(f"{base}/catalogus/almere/")
    assert page.get_by_role("heading", name="Lichamelijke achteruitgang").is_visible()
    assert_accessible(page)

    page.get_by_role("textbox", name="Peildatum").fill("2020-01-01")
    page.get_by_role("button", name="Tonen").click()
    page.wait_for_url("**datum=2020-01-01**")
    assert "gold er geen catalogus" in page.content()
    assert_accessible(page)

    page.get_by_role("link", name="Inwoners").first.click()
    page.wait_for_url(f"{base}/inwoners/")
    page.get_by_label("Zoek op naam, BSN of postcode").fill("Vries")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url("**q=Vries**")
    assert_accessible(page)
    page.get_by_role("link", name="J.M. de Vries").click()
    page.wait_for_url(f"{base}/inwoners/*/")
    assert page.get_by_role("heading", name="Huishouden").is_visible()
    assert page.get_by_role("link", name="H. de Vries").is_visible()
    assert_accessible(page)


@pytest.mark.parametrize(
    ("username", "region"),
    [("mlw.beheerder", "midden-limburg-west"), ("sleutelstad.werkverdeler", "leidse-regio")],
)
def test_other_regions_and_provider_pages_are_accessible(page, demo_server, username, region):
    log_in(page, demo_server.url, username)
    assert_accessible(page)
    page.goto(f"{demo_server.url}/catalogus/{region}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Catalogus")
    assert_accessible(page)


def test_inwoner_sees_own_data(page, demo_server):
    log_in(page, demo_server.url, "leiden.inwoner")
    assert page.get_by_role("heading", name="Mijn gegevens").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Alle gegevens bekijken").click()
    page.wait_for_url(f"{demo_server.url}/inwoners/*/")
    own = Client.objects.get(user__username="leiden.inwoner")
    assert page.get_by_role("heading", level=1).inner_text() == own.display_name
    assert_accessible(page)


def test_beheer_pages_are_accessible_and_refuse_bad_input_in_dutch(page, demo_server):
    base = demo_server.url
    log_in(page, base, "almere.beheerder")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Beheer").click()
    page.wait_for_url(f"{base}/beheer/")
    assert_accessible(page)
    version = CatalogVersion.objects.get(region__slug="almere")
    level = Level.objects.filter(arrangement__catalog_version=version).first()
    partnership = Partnership.objects.get(region__slug="almere")
    rule = DeadlineRule.objects.filter(region__slug="almere").first()
    for path in [
        "/beheer/catalog/catalogversion/",
        f"/beheer/catalog/catalogversion/{version.pk}/change/",
        f"/beheer/catalog/level/{level.pk}/change/",
        "/beheer/accounts/user/",
        f"/beheer/contracting/partnership/{partnership.pk}/change/",
        "/beheer/cases/deadlinerule/",
        f"/beheer/cases/deadlinerule/{rule.pk}/change/",
        "/beheer/cases/selfsufficiencymatrix/",
        # Issue #13: the region's links, a provider of another region (read only), a new user.
        "/beheer/iwmo/endpoint/add/",
        f"/beheer/accounts/provider/{Provider.objects.get(agb_code='75000201').pk}/change/",
        "/beheer/accounts/user/add/",
        # Issue #21: a sign-in provider (OpenID Connect) and the sign-in log.
        "/beheer/accounts/signinprovider/add/",
        "/beheer/accounts/signinevent/",
    ]:
        page.goto(base + path)
        assert page.get_by_role("heading", level=1).is_visible()
        assert_accessible(page)
    page.goto(base + "/beheer/accounts/provider/add/")
    page.get_by_label("Naam").fill("Nieuwe aanbieder")
    page.get_by_label("AGB-code").fill("12AB")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("Een AGB-code bestaat uit precies 8 cijfers.").is_visible()
    assert_accessible(page)


def test_user_without_role_sees_an_accessible_empty_catalog_index(page, demo_server):
    from openarrangementen.accounts.tests.factories import UserFactory

    UserFactory(username="nieuw", password=DEMO_PASSWORD)
    log_in(page, demo_server.url, "nieuw")
    assert "U heeft nog geen rol" in page.content()
    page.goto(f"{demo_server.url}/catalogus/")
    assert "geen catalogus voor u beschikbaar" in page.content()
    assert_accessible(page)


def test_too_many_wrong_passwords_lock_the_account(page, demo_server):
    for _ in range(5):
        page.goto(f"{demo_server.url}/inloggen/")
        page.get_by_label("Gebruikersnaam").fill("mlw.pa")
        page.get_by_label("Wachtwoord").fill("fout")
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_load_state()
    assert page.get_by_role("heading", name="Tijdelijk geblokkeerd").is_visible()
    assert_accessible(page)
