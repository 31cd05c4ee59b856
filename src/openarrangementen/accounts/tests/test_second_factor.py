"""Two-factor sign-in for staff (issue #21): set up an authenticator app at the first
sign-in, recovery codes that work once, the functioneel beheerder's reset, and the
production check that refuses an installation without it. The codes are computed here by
RFC 6238 (TOTP, SHA-1, 6 digits, 30 s), independent of django-otp."""

import hashlib
import hmac
import re
import struct
import time
from base64 import b32decode

from django.core import checks
from django.test import Client
from django.urls import reverse

import pytest
import time_machine

from openarrangementen.accounts.models import SignInEvent, User
from openarrangementen.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.usefixtures("demo")


@pytest.fixture(autouse=True)
def second_factor_on(settings):
    settings.TWO_FACTOR_REQUIRED = True


def totp(secret: str, at: float | None = None) -> str:
    key = b32decode(secret.replace(" ", ""))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def sign_in(client, username):
    response = client.post("/inloggen/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, "the password was not accepted"


def set_up(client) -> tuple[str, list[str]]:
    """Sign in the PA and link the app; returns the key and the recovery codes."""
    page = client.get(reverse("accounts:otp-setup") + "?next=/trajecten/")
    secret = re.search(r'<code class="oa-secret">([A-Z2-7 ]+)</code>', page.text)[1]
    response = client.post(
        reverse("accounts:otp-setup"), {"code": totp(secret), "next": "/trajecten/"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp-recovery"))
    codes = re.findall(
        r"<li class=\"utrecht-unordered-list__item\"><code>([a-z2-7]+)</code>",
        client.get(response["Location"]).text,
    )
    return secret, codes


def test_staff_set_up_the_app_at_the_first_sign_in_before_any_page(client):
    sign_in(client, "almere.pa")
    response = client.get("/trajecten/")
    assert response.status_code == 302
    assert response["Location"] == (reverse("accounts:otp-setup") + "?next=%2Ftrajecten%2F")
    # Not a page with client data, nor beheer, nor the API's session side.
    assert client.get("/inwoners/")["Location"].startswith(reverse("accounts:otp-setup"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.text
    secret = re.search(r'<code class="oa-secret">([A-Z2-7 ]+)</code>', page.text)[1]
    wrong = "000000" if totp(secret) != "000000" else "111111"
    assert (
        "Deze code klopt niet" in client.post(reverse("accounts:otp-setup"), {"code": wrong}).text
    )
    # Right after a wrong code the next is refused, saying until when (1 s, 2 s, 4 s, ...).
    throttled = client.post(reverse("accounts:otp-setup"), {"code": totp(secret)})
    assert "te veel verkeerde codes" in throttled.text
    with time_machine.travel(time.time() + 3):
        response = client.post(
            reverse("accounts:otp-setup"), {"code": totp(secret), "next": "/trajecten/"}
        )
    recovery = client.get(response["Location"])
    codes = re.findall(r"<code>([a-z2-7]{8})</code>", recovery.text)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert "maar één keer" in recovery.text
    # Shown once: the page now only counts them.
    again = client.get(reverse("accounts:otp-recovery"))
    assert not re.findall(r"<code>([a-z2-7]{8})</code>", again.text)
    assert "nog 10 ongebruikte herstelcodes" in again.text
    assert client.get("/trajecten/").status_code == 200
    user = User.objects.get(username="almere.pa")
    assert [e.kind for e in SignInEvent.objects.filter(user=user).order_by("id")] == [
        "login",
        "otp_failed",
        "otp_setup",
    ]


def test_the_next_sign_in_asks_for_a_code_from_the_app(client):
    sign_in(client, "almere.pa")
    secret, _ = set_up(client)
    later = time.time() + 90  # a code is accepted once; this is the next one
    with time_machine.travel(later):
        other = Client()
        sign_in(other, "almere.pa")
        response = other.get("/trajecten/")
        assert response["Location"] == reverse("accounts:otp-verify") + "?next=%2Ftrajecten%2F"
        refused = other.post(reverse("accounts:otp-verify"), {"code": "12345"})
        assert "Deze code klopt niet" in refused.text
        assert other.get("/trajecten/").status_code == 302
    with time_machine.travel(later + 5):
        accepted = other.post(
            reverse("accounts:otp-verify"), {"code": totp(secret, later + 5), "next": "/trajecten/"}
        )
        assert accepted["Location"] == "/trajecten/"
        assert other.get("/trajecten/").status_code == 200


def test_a_recovery_code_works_once(client):
    sign_in(client, "almere.pa")
    _, codes = set_up(client)
    first = Client()
    sign_in(first, "almere.pa")
    response = first.post(reverse("accounts:otp-verify"), {"code": codes[3], "next": "/"})
    assert response["Location"] == "/"
    assert "nog 9 over" in " ".join(m.message for m in response.wsgi_request._messages)
    assert first.get("/trajecten/").status_code == 200
    second = Client()
    sign_in(second, "almere.pa")
    refused = second.post(reverse("accounts:otp-verify"), {"code": codes[3]})
    assert "Deze code klopt niet" in refused.text
    assert second.get("/trajecten/").status_code == 302
    kinds = list(SignInEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds.count("otp_recovery") == 1
    assert kinds[-1] == "otp_failed"


def test_an_inwoner_is_not_asked_for_a_second_factor(client):
    sign_in(client, "almere.inwoner")
    assert client.get("/").status_code == 200


def test_beheer_is_behind_the_second_factor_too(client):
    sign_in(client, "almere.beheerder")
    response = client.get("/beheer/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp-setup"))


def test_the_beheerder_resets_a_lost_phone_and_the_session_must_set_up_again(client):
    sign_in(client, "almere.pa")
    set_up(client)
    assert client.get("/trajecten/").status_code == 200
    beheerder = User.objects.get(username="almere.beheerder")
    fb = Client()
    fb.force_login(beheerder)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from openarrangementen.accounts.views import APP_DEVICE

    # The beheerder's own session has given its second factor.
    device = TOTPDevice.objects.create(user=beheerder, name=APP_DEVICE, confirmed=True)
    session = fb.session
    from django_otp import DEVICE_ID_SESSION_KEY

    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    pa = User.objects.get(username="almere.pa")
    response = fb.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [pa.pk], "index": 0},
    )
    assert response.status_code == 302
    # The PA's open session now has to link an app again.
    response = client.get("/trajecten/")
    assert response["Location"].startswith(reverse("accounts:otp-setup"))
    event = SignInEvent.objects.get(kind="otp_reset")
    assert (event.user, event.by) == (pa, beheerder)


def test_production_refuses_to_run_without_the_second_factor(settings):
    settings.TWO_FACTOR_REQUIRED = False
    errors = checks.run_checks(include_deployment_checks=True)
    assert "openarrangementen.E021" in {e.id for e in errors}
    settings.TWO_FACTOR_REQUIRED = True
    errors = checks.run_checks(include_deployment_checks=True)
    assert "openarrangementen.E021" not in {e.id for e in errors}


# --- Passkeys (django-otp-webauthn) ---------------------------------------------------------
# The ceremonies themselves run in Chromium with a virtual authenticator
# (tests/test_sign_in_browser.py); these are the rules around them.


def test_a_passkey_cannot_be_added_to_skip_the_app(client):
    """Someone with only the password of an account that has an app cannot register their
    own passkey and so get past the second step."""
    sign_in(client, "almere.pa")
    set_up(client)
    client.logout()
    sign_in(client, "almere.pa")  # the password only: not verified in this session

    begin = client.post("/account/passkey/registratie/begin/")

    assert begin.status_code == 403
    assert "otp_webauthn_register_state" not in client.session


def test_a_passkey_is_no_way_in_without_a_password(client):
    begin = client.post("/account/passkey/controle/begin/")
    assert begin.status_code == 403
    assert "_auth_user_id" not in client.session


def test_the_passkey_ceremonies_are_reachable_before_the_second_step(client):
    sign_in(client, "almere.pa")  # no second factor yet: every page sends to the set-up
    assert client.get("/trajecten/").status_code == 302
    begin = client.post("/account/passkey/registratie/begin/")
    assert begin.status_code == 200
    assert begin.json()["rp"] == {"id": "localhost", "name": "Open Arrangementen"}


def test_the_beheerder_reset_removes_passkeys_too(client):
    from django_otp_webauthn.models import WebAuthnCredential

    from openarrangementen.accounts.services import second_factor_reset

    pa = User.objects.get(username="almere.pa")
    WebAuthnCredential.objects.create(
        user=pa,
        name="laptop",
        confirmed=True,
        credential_id=b"id",
        public_key=b"key",
        sign_count=0,
    )

    second_factor_reset(user=pa, by=User.objects.get(username="almere.beheerder"))

    assert not WebAuthnCredential.objects.filter(user=pa).exists()
