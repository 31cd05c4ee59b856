"""Account requests (issue #4) in headless Chromium: De Kade's contact person asks for an
account, Almere's functioneel beheerder approves it, the new colleague sets a password and
logs in. axe-core checks every page, error states included."""

import re

import pytest

from openarrangementen.accounts.models import User
from openarrangementen.accounts.services import password_set_path

from .test_browser import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_EMAIL = "nina.nieuw@kade.example"


def click_and_wait(page, role: str, name: str, url_pattern: str) -> None:
    page.get_by_role(role, name=name, exact=True).click()
    page.wait_for_url(re.compile(url_pattern))
    page.wait_for_load_state()


def test_request_approve_and_first_login(page, demo_server):
    base = demo_server.url

    # The contact person asks for an account for a new colleague.
    log_in(page, base, "kade.contactpersoon")
    page.goto(f"{base}/organisatie/accounts/")
    assert page.get_by_role("heading", level=1).inner_text() == "Accounts van uw organisatie"
    assert page.get_by_role("cell", name="kade.werkverdeler", exact=True).is_visible()
    assert_accessible(page)
    click_and_wait(page, "link", "Nieuw account aanvragen", r"/aanvragen/$")
    assert_accessible(page)
    page.get_by_role("button", name="Aanvraag versturen").click()
    page.wait_for_load_state()
    assert page.get_by_text("Kies ten minste één rol.").is_visible()
    assert_accessible(page)
    page.get_by_label("Voornaam").fill("Nina")
    page.get_by_label("Achternaam").fill("Nieuw")
    page.get_by_label("E-mailadres").fill(NEW_EMAIL)
    page.get_by_role("group", name="Rollen").get_by_label("Begeleider / professional").check()
    page.get_by_label("Toelichting").fill("Nieuwe collega in het team Almere-Haven.")
    click_and_wait(page, "button", "Aanvraag versturen", r"/organisatie/accounts/$")
    assert page.get_by_text("Uw aanvraag voor een account voor Nina Nieuw").is_visible()
    assert_accessible(page)
    click_and_wait(page, "link", "Account laten intrekken", r"/intrekken/$")
    assert_accessible(page)

    # The functioneel beheerder of Almere approves it.
    page.context.clear_cookies()
    log_in(page, base, "almere.beheerder")
    page.goto(f"{base}/accountaanvragen/")
    assert_accessible(page)
    click_and_wait(page, "link", "Nina Nieuw", r"/accountaanvragen/\d+/$")
    assert_accessible(page)
    page.get_by_role("button", name="Afwijzen").click()
    page.wait_for_load_state()
    assert page.get_by_text("Geef de reden van de afwijzing.").first.is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Goedkeuren").click()
    page.wait_for_load_state()
    assert page.get_by_text("De aanvraag is goedgekeurd.").is_visible()
    assert_accessible(page)

    # The new colleague follows the link from the e-mail and logs in.
    colleague = User.objects.get(email=NEW_EMAIL)
    page.context.clear_cookies()
    page.goto(base + password_set_path(colleague))
    assert page.get_by_role("heading", level=1).inner_text() == "Wachtwoord instellen"
    assert_accessible(page)
    page.locator("#id_new_password1").fill("kort")
    page.locator("#id_new_password2").fill("kort")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    page.wait_for_load_state()
    assert_accessible(page)
    password = "Zomer-in-Almere-2026"
    page.locator("#id_new_password1").fill(password)
    page.locator("#id_new_password2").fill(password)
    click_and_wait(page, "button", "Wachtwoord opslaan", r"/wachtwoord-instellen/klaar/$")
    assert_accessible(page)
    page.goto(f"{base}/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(colleague.username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_text("Begeleider / professional – De Kade Begeleiding").is_visible()
