"""Signing in through OpenID Connect in headless Chromium (issue #21, ADR 0011): the real
redirect flow from the login page to the test provider on 127.0.0.1 and back, for an
inwoner with DigiD, a legal representative who picks whom they act for, and a staff member
of Almere through the municipality's own provider. axe-core checks every page of ours;
reflow at 320 px. The provider's own pages are not ours and are not checked."""

import re

import pytest

from openarrangementen.accounts.models import SignInEvent, User
from openarrangementen.clients.models import Client, Representative

from .oidc import (
    DIGID_INWONER,
    DIGID_REPRESENTATIVE,
    DIGID_UNKNOWN,
    PASSWORD,
    STAFF_NEW,
    make_sign_in_providers,
)
from .test_browser import assert_accessible, log_in
from .test_sign_in_browser import assert_reflows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def base(demo_server, idp):
    idp.allow_redirect(f"{demo_server.url}/account/inloggen/terug/")
    make_sign_in_providers(idp)
    return demo_server.url


def through_provider(page, base: str, button: str, username: str) -> None:
    """From our login page to the provider, sign in there, and back."""
    page.goto(f"{base}/inloggen/")
    page.get_by_role("link", name=button).click()
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/login/"))
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen bij de test-inlogdienst").click()
    page.wait_for_url(re.compile(re.escape(base)))
    page.wait_for_load_state()


def test_the_login_page_offers_digid_and_the_organisations_provider(page, base):
    page.goto(f"{base}/inloggen/")
    assert page.get_by_role("link", name="Inloggen met DigiD").is_visible()
    assert page.get_by_role("link", name="Inloggen met Gemeente Almere").is_visible()
    assert_accessible(page)
    assert_reflows(page)
    # Keyboard only: the DigiD link follows with Enter.
    page.get_by_role("link", name="Inloggen met DigiD").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "127.0.0.1" in page.url


def test_an_inwoner_signs_in_with_digid(page, base):
    through_provider(page, base, "Inloggen met DigiD", DIGID_INWONER)

    assert page.url == f"{base}/"
    assert page.get_by_role("heading", name="Mijn gegevens").is_visible()
    assert page.get_by_text("J.M. de Vries").first.is_visible()
    assert_accessible(page)
    johanna = Client.objects.get(bsn=DIGID_INWONER)
    event = SignInEvent.objects.filter(user=johanna.user).latest("pk")
    assert event.kind == "login"
    assert event.detail == "via DigiD (OpenID Connect)"


def test_a_bsn_without_a_file_gets_a_clear_page(page, base):
    users = User.objects.count()
    through_provider(page, base, "Inloggen met DigiD", DIGID_UNKNOWN)

    assert page.get_by_role("heading", name="Wij hebben geen gegevens van u").is_visible()
    assert_accessible(page)
    assert_reflows(page)
    assert User.objects.count() == users


def test_a_pa_records_a_representative_who_then_acts_for_the_inwoner(page, base):
    hendrik = Client.objects.get(given_names="Hendrik", family_name="Vries")
    log_in(page, base, "almere.pa")
    page.goto(f"{base}/inwoners/{hendrik.pk}/")
    page.get_by_role("link", name="Vertegenwoordiger of ondersteuner vastleggen").click()
    page.wait_for_url(re.compile(r"/vertegenwoordiger/nieuw/$"))
    assert_accessible(page)
    assert_reflows(page)
    page.get_by_label("Soort").select_option(label="wettelijk vertegenwoordiger")
    page.get_by_label("Naam", exact=True).fill("Mr. K. Visser")
    page.get_by_label("BSN van de vertegenwoordiger").fill("123456780")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state()
    assert page.get_by_text("Niet alles is goed ingevuld").is_visible()
    assert page.get_by_text("Kies de grondslag").is_visible()
    assert page.get_by_text("11-proef").is_visible()
    assert_accessible(page)
    page.get_by_label("Grondslag vertegenwoordiging").select_option(label="Mentorschap")
    page.get_by_label("BSN van de vertegenwoordiger").fill(DIGID_REPRESENTATIVE)
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(f"{base}/inwoners/{hendrik.pk}/")
    assert page.get_by_text("logt in met eigen DigiD").is_visible()
    assert Representative.objects.get(client=hendrik).bsn == DIGID_REPRESENTATIVE
    page.context.clear_cookies()

    through_provider(page, base, "Inloggen met DigiD", DIGID_REPRESENTATIVE)

    page.wait_for_url(re.compile(r"/account/inloggen/namens/$"))
    assert page.get_by_role("heading", name="Namens wie wilt u inloggen?").is_visible()
    assert_accessible(page)
    assert_reflows(page)
    page.get_by_role("button", name="Verder").click()
    page.wait_for_load_state()
    assert page.get_by_text("Kies voor wie u wilt inloggen.").is_visible()
    assert_accessible(page)
    # Keyboard only: the radio button, then the button.
    page.get_by_label("H. de Vries").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Verder").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("heading", name="Gegevens van H. de Vries").is_visible()
    assert_accessible(page)


def test_a_staff_member_signs_in_through_the_municipality(page, base, settings):
    settings.TWO_FACTOR_REQUIRED = True  # their organisation's provider asks for it
    through_provider(page, base, "Inloggen met Gemeente Almere", STAFF_NEW[0])

    assert page.url == f"{base}/"
    assert_accessible(page)
    user = User.objects.get(email=STAFF_NEW[1])
    assert not user.role_assignments.exists()


def test_a_tampered_answer_shows_what_to_do(page, base):
    page.goto(f"{base}/account/inloggen/terug/?code=abc&state=niet-van-ons")
    assert page.get_by_role("heading", name="Inloggen is niet gelukt").is_visible()
    assert page.get_by_role("link", name="Probeer het opnieuw").is_visible()
    assert_accessible(page)
    assert_reflows(page)
