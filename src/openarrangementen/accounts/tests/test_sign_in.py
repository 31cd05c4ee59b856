"""Signing in (issue #21): the lockout per account-and-address pair and per account, the
functioneel beheerder's unlock, the idle sign-out, the forgotten password and the sign-in
audit log; with the demo accounts. Limits written from the issue: 5 failures per pair,
20 per account, within the hour's cool-off; 15 minutes idle by default."""

import re
import time
from datetime import timedelta

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine

from openarrangementen.accounts.models import Region, SignInEvent, User
from openarrangementen.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.usefixtures("demo")

LOGIN = "/inloggen/"
OFFICE = "192.0.2.10"  # one municipal proxy: every colleague behind it has this address


def sign_in(client, username, password, address=OFFICE):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


def kinds(username):
    return list(
        SignInEvent.objects.filter(username=username)
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )


# --- Lockout --------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_only_that_account_from_that_address(client):
    for _ in range(4):
        response = sign_in(client, "almere.pa", "verkeerd")
        assert response.status_code == 200
        assert "klopt niet" in response.text
    response = sign_in(client, "almere.pa", "verkeerd")  # the fifth
    assert response.status_code == 429
    assert "Tijdelijk geblokkeerd" in response.text
    # Now the right password is refused too, from that address, with when and why.
    response = sign_in(client, "almere.pa", DEMO_PASSWORD)
    assert response.status_code == 429
    assert not signed_in(response)
    assert "5 keer een verkeerd wachtwoord" in response.text
    assert "Collega's kunnen gewoon inloggen" in response.text
    until = timezone.localtime(timezone.now() + timedelta(hours=1))
    assert f"tot {until:%H:%M} uur" in response.text or (
        f"tot {(until - timedelta(minutes=1)):%H:%M} uur" in response.text
    )
    # A colleague behind the same proxy signs in as usual.
    assert signed_in(sign_in(Client(), "almere.wijkwerker", DEMO_PASSWORD))
    # The same account from another address (at home) signs in as usual.
    assert signed_in(sign_in(Client(), "almere.pa", DEMO_PASSWORD, "198.51.100.7"))
    # The fifth failure and the refused attempt are lockouts, then the sign-in from home.
    assert kinds("almere.pa") == ["failed"] * 4 + ["locked", "locked", "login"]


def test_an_hour_later_the_pair_may_try_again(client):
    for _ in range(5):
        sign_in(client, "almere.pa", "verkeerd")
    assert sign_in(client, "almere.pa", DEMO_PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        assert signed_in(sign_in(client, "almere.pa", DEMO_PASSWORD))


def test_twenty_failures_from_many_addresses_lock_the_account_everywhere(client):
    # Four failures from each of five addresses: no pair reaches five; the twentieth locks.
    statuses = [
        sign_in(client, "almere.pa", "verkeerd", f"203.0.113.{n}").status_code
        for n in range(5)
        for _ in range(4)
    ]
    assert statuses == [200] * 19 + [429]
    response = sign_in(client, "almere.pa", DEMO_PASSWORD, "198.51.100.99")
    assert response.status_code == 429
    assert "vanaf verschillende plaatsen" in response.text
    # Another account is not affected.
    assert signed_in(sign_in(client, "almere.wijkwerker", DEMO_PASSWORD, "198.51.100.99"))


def test_a_successful_sign_in_clears_the_count(client):
    for _ in range(4):
        sign_in(client, "almere.pa", "verkeerd")
    assert signed_in(sign_in(client, "almere.pa", DEMO_PASSWORD))
    client.logout()
    for _ in range(4):
        assert sign_in(client, "almere.pa", "verkeerd").status_code == 200
    assert signed_in(sign_in(client, "almere.pa", DEMO_PASSWORD))


def _lock(username):
    """Lock the account everywhere: 20 failures over five addresses."""
    for n in range(5):
        for _ in range(4):
            sign_in(Client(), username, "verkeerd", f"203.0.113.{n}")


def test_the_functioneel_beheerder_lifts_a_lockout_and_it_is_logged(client):
    _lock("almere.pa")
    assert sign_in(client, "almere.pa", DEMO_PASSWORD).status_code == 429
    beheerder = User.objects.get(username="almere.beheerder")
    client.force_login(beheerder)
    pa = User.objects.get(username="almere.pa")
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [pa.pk], "index": 0},
    )
    assert response.status_code == 302
    client.logout()
    assert signed_in(sign_in(client, "almere.pa", DEMO_PASSWORD))
    event = SignInEvent.objects.get(kind="unlocked")
    assert (event.user, event.by) == (pa, beheerder)


def test_a_beheerder_cannot_unlock_an_account_of_another_region(client):
    _lock("mlw.pa")
    client.force_login(User.objects.get(username="almere.beheerder"))
    other = User.objects.get(username="mlw.pa")
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [other.pk], "index": 0},
    )
    client.logout()
    assert sign_in(client, "mlw.pa", DEMO_PASSWORD).status_code == 429
    assert not SignInEvent.objects.filter(kind="unlocked").exists()


# --- The sign-in audit log ------------------------------------------------------------------


def test_sign_in_failure_and_sign_out_are_recorded_without_the_password(client):
    sign_in(client, "almere.pa", "geheim-fout-123")
    sign_in(client, "niemand.bekend", "iets")
    assert signed_in(sign_in(client, "almere.pa", DEMO_PASSWORD))
    client.post(reverse("logout"))
    assert kinds("almere.pa") == ["failed", "login", "logout"]
    unknown = SignInEvent.objects.get(username="niemand.bekend")
    assert (unknown.kind, unknown.user, unknown.ip_address) == ("failed", None, OFFICE)
    stored = " ".join(str(v) for v in SignInEvent.objects.values_list("detail", "username"))
    assert "geheim-fout-123" not in stored
    assert DEMO_PASSWORD not in stored


def test_the_beheerder_sees_the_events_of_own_accounts_only(client):
    sign_in(client, "almere.pa", "verkeerd")
    sign_in(client, "mlw.pa", "verkeerd")
    client.force_login(User.objects.get(username="almere.beheerder"))
    response = client.get(reverse("admin:accounts_signinevent_changelist"))
    assert response.status_code == 200
    listed = {e.username for e in response.context["cl"].queryset}
    assert "almere.pa" in listed
    assert "mlw.pa" not in listed


# --- Idle time ------------------------------------------------------------------------------


@pytest.fixture
def idle_on(settings):
    settings.IDLE_TIMEOUT_ENABLED = True


@pytest.mark.usefixtures("idle_on")
def test_after_fifteen_idle_minutes_the_next_page_is_the_login_page(client):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert signed_in(sign_in(client, "almere.pa", DEMO_PASSWORD))
        assert client.get("/trajecten/").status_code == 200
        clock.shift(timedelta(minutes=14))
        assert client.get("/trajecten/").status_code == 200  # 14 minutes: still signed in
        clock.shift(timedelta(minutes=15, seconds=30))
        response = client.get("/trajecten/")
        assert response.status_code == 302
        assert response["Location"].startswith(f"{LOGIN}?reden=inactief")
        assert "next=%2Ftrajecten%2F" in response["Location"]
        page = client.get(response["Location"])
        assert "automatisch uitgelogd" in page.text
        assert client.get("/trajecten/").status_code == 302  # signed out for good
    assert kinds("almere.pa") == ["login", "idle_logout"]


@pytest.mark.usefixtures("idle_on")
def test_the_region_sets_the_idle_time_and_the_keep_alive_counts_as_activity(client):
    Region.objects.filter(slug="almere").update(idle_timeout_minutes=30)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert signed_in(sign_in(client, "almere.pa", DEMO_PASSWORD))
        clock.shift(timedelta(minutes=25))
        assert client.get("/trajecten/").status_code == 200
        clock.shift(timedelta(minutes=25))
        answer = client.post(reverse("accounts:keep-alive"))
        assert answer.json() == {"ingelogd": True, "seconden": 30 * 60}
        clock.shift(timedelta(minutes=25))
        assert client.get("/trajecten/").status_code == 200
        clock.shift(timedelta(minutes=31))
        assert client.get("/trajecten/").status_code == 302


@pytest.mark.usefixtures("idle_on")
def test_the_page_carries_the_warning_dialog(client):
    assert signed_in(sign_in(client, "almere.pa", DEMO_PASSWORD))
    text = client.get("/trajecten/").text
    assert 'id="oa-idle" data-seconds="900"' in text
    assert "Ingelogd blijven" in text


# --- Forgotten password ---------------------------------------------------------------------


def _link(message) -> str:
    return re.search(r"http://testserver(/account/wachtwoord-herstellen/\S+/)", message.body)[1]


def test_a_forgotten_password_is_reset_once_through_the_link(client):
    response = client.post(reverse("accounts:password-reset"), {"email": "almere.pa@demo.invalid"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["almere.pa@demo.invalid"]
    assert "één keer en één uur lang" in mail.outbox[0].body
    form = client.get(_link(mail.outbox[0]), follow=True)
    assert "Nieuw wachtwoord kiezen" in form.text
    set_url = form.redirect_chain[-1][0]
    new = "Lindeboom-zomer-2026"
    done = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert signed_in(sign_in(Client(), "almere.pa", new))
    # The link works once.
    again = client.get(_link(mail.outbox[0]), follow=True)
    assert "Deze link werkt niet meer" in again.text
    assert kinds("almere.pa") == ["reset_requested", "reset_done", "login"]


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    known = client.post(reverse("accounts:password-reset"), {"email": "almere.pa@demo.invalid"})
    unknown = client.post(reverse("accounts:password-reset"), {"email": "niemand@demo.invalid"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1


def test_the_link_expires_after_an_hour(client):
    client.post(reverse("accounts:password-reset"), {"email": "almere.pa@demo.invalid"})
    # Django's reset tokens count local seconds: travel by a timestamp, not a local date.
    with time_machine.travel(time.time() + 59 * 60):
        response = client.get(_link(mail.outbox[0]), follow=True)
        assert "Nieuw wachtwoord kiezen" in response.text
        assert "Deze link werkt niet meer" not in response.text
    with time_machine.travel(time.time() + 61 * 60):
        response = Client().get(_link(mail.outbox[0]), follow=True)
        assert "Deze link werkt niet meer" in response.text


def test_the_new_account_link_still_lasts_three_days():
    from django.contrib.auth.tokens import default_token_generator

    from openarrangementen.accounts.tokens import forgotten_password_tokens

    user = User.objects.get(username="almere.pa")
    welcome = default_token_generator.make_token(user)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert default_token_generator.check_token(user, welcome)
        # A forgotten-password token is not accepted where the welcome link is, and back.
        assert not forgotten_password_tokens.check_token(user, welcome)


def test_a_reset_lifts_the_lockout_of_the_account(client):
    _lock("almere.pa")
    client.post(reverse("accounts:password-reset"), {"email": "almere.pa@demo.invalid"})
    form = client.get(_link(mail.outbox[0]), follow=True)
    new = "Lindeboom-zomer-2026"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert signed_in(sign_in(Client(), "almere.pa", new))


def test_the_login_page_links_to_the_forgotten_password_page(client):
    assert reverse("accounts:password-reset") in client.get(LOGIN).text
