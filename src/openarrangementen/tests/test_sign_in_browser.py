"""Signing in (issue #21) in headless Chromium: a PA links an authenticator app at the
first sign-in and keeps the recovery codes, signs in again with one of them, asks for a
new password, and sees the idle warning; axe-core checks every page, reflow at 320 px."""

import re
import time

from django.core import mail

import pytest

from openarrangementen.accounts.tests.test_second_factor import totp
from openarrangementen.core.demo import DEMO_PASSWORD

from .test_browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def password_step(page, base: str, username: str) -> None:
    page.goto(f"{base}/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()


def assert_reflows(page) -> None:
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert width <= 320, f"{page.url} scrolls sideways at 320 px ({width} px)"


def test_a_pa_links_an_app_keeps_the_codes_and_signs_in_with_one(page, demo_server, settings):
    settings.TWO_FACTOR_REQUIRED = True
    base = demo_server.url
    password_step(page, base, "almere.pa")
    page.wait_for_url(re.compile(r"/account/tweestapsverificatie/instellen/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Tweestapsverificatie instellen"
    assert page.get_by_role("img", name=re.compile("QR-code")).is_visible()
    assert_accessible(page)
    assert_reflows(page)
    secret = page.locator("code.oa-secret").inner_text()
    page.get_by_label("Code").fill("12345")
    page.get_by_role("button", name="Controleer de code").click()
    page.wait_for_load_state()
    assert page.get_by_text("Deze code klopt niet").is_visible()
    assert_accessible(page)
    time.sleep(1.1)  # the wait after one wrong code
    page.get_by_label("Code").fill(totp(secret))
    page.get_by_role("button", name="Controleer de code").click()
    page.wait_for_url(re.compile(r"/herstelcodes/"))
    codes = page.get_by_role("list", name="Uw herstelcodes").locator("code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    assert_reflows(page)
    page.get_by_role("link", name="Ik heb ze bewaard, ga verder").click()
    page.wait_for_url(f"{base}/")

    # Another day, without the phone: a recovery code.
    page.context.clear_cookies()
    password_step(page, base, "almere.pa")
    page.wait_for_url(re.compile(r"/account/tweestapsverificatie/\?"))
    assert_accessible(page)
    assert_reflows(page)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_text("nog 9 over").is_visible()
    assert_accessible(page)


def test_a_forgotten_password_from_the_login_page(page, demo_server):
    base = demo_server.url
    page.goto(f"{base}/inloggen/")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    page.wait_for_url(re.compile(r"/wachtwoord-vergeten/$"))
    assert_accessible(page)
    page.get_by_role("button", name="Stuur de link").click()
    page.wait_for_load_state()
    assert (
        page.get_by_text("Dit veld is verplicht")
        .or_(page.get_by_text("Vul een geldig e-mailadres"))
        .first.is_visible()
    )
    assert_accessible(page)
    page.get_by_label("E-mailadres").fill("almere.pa@demo.invalid")
    page.get_by_role("button", name="Stuur de link").click()
    page.wait_for_url(re.compile(r"/verstuurd/$"))
    assert_accessible(page)
    link = re.search(r"https?://\S+/account/wachtwoord-herstellen/\S+/", mail.outbox[-1].body)
    path = re.sub(r"^https?://[^/]+", "", link[0])
    page.goto(f"{base}{path}")
    assert page.get_by_role("heading", name="Nieuw wachtwoord kiezen").is_visible()
    assert_accessible(page)
    assert_reflows(page)
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("Lindeboom-zomer-2026")
    page.get_by_label("Nieuw wachtwoord bevestigen").fill("Lindeboom-zomer-2026")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    page.wait_for_url(re.compile(r"/klaar/$"))
    assert_accessible(page)


def test_the_idle_warning_offers_to_stay_signed_in(page, demo_server, settings):
    settings.IDLE_TIMEOUT_ENABLED = True
    base = demo_server.url
    page.clock.install()
    password_step(page, base, "almere.pa")
    page.wait_for_url(f"{base}/")
    dialog = page.get_by_role("dialog", name="Nog even bezig?")
    assert not dialog.is_visible()
    page.clock.run_for("13:10")  # 15 minutes idle: the warning comes at 13
    dialog.wait_for(state="visible")
    assert page.get_by_role("button", name="Ingelogd blijven").evaluate(
        "el => el === document.activeElement"
    )
    assert_accessible(page)
    with page.expect_response(re.compile(r"/account/sessie/verlengen/$")) as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200
    assert not dialog.is_visible()


def test_a_pa_sets_up_a_passkey_and_signs_in_with_it(page, demo_server, settings):
    """Chromium's virtual authenticator (DevTools WebAuthn domain) plays the laptop's
    fingerprint reader: the real WebAuthn ceremonies, in the browser and on the server."""
    from django_otp_webauthn.models import WebAuthnCredential

    from openarrangementen.accounts.models import SignInEvent, User

    settings.TWO_FACTOR_REQUIRED = True
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [demo_server.url]
    base = demo_server.url
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    password_step(page, base, "almere.pa")
    page.wait_for_url(re.compile(r"/account/tweestapsverificatie/instellen/"))
    button = page.get_by_role("button", name="Passkey instellen")
    button.wait_for()
    assert_accessible(page)
    button.click()
    page.wait_for_url(re.compile(r"/herstelcodes/"))
    codes = page.get_by_role("list", name="Uw herstelcodes").locator("code").all_inner_texts()
    assert len(codes) == 10
    pa = User.objects.get(username="almere.pa")
    assert WebAuthnCredential.objects.filter(user=pa, confirmed=True).count() == 1
    assert SignInEvent.objects.filter(user=pa, kind="otp_setup", detail="passkey").exists()
    page.get_by_role("link", name="Ik heb ze bewaard, ga verder").click()
    page.wait_for_url(f"{base}/")

    # The next day: password, then the passkey.
    page.context.clear_cookies()
    password_step(page, base, "almere.pa")
    page.wait_for_url(re.compile(r"/account/tweestapsverificatie/\?"))
    assert page.get_by_role("heading", name="Tweede stap").is_visible()
    passkey = page.get_by_role("button", name="Inloggen met passkey")
    passkey.wait_for()
    assert_accessible(page)
    assert_reflows(page)
    passkey.click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("heading", level=1).is_visible()
