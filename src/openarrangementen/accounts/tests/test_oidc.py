"""Signing in through OpenID Connect (issue #21, ADR 0011), against a real provider on
127.0.0.1 (`idp` fixture, tests/oidc.py): the product's pages are driven with Django's test
client, the person's browser at the provider with `requests`. Every token is issued (or,
for the audience and expiry cases, signed) by the provider's own key and fetched from its
token endpoint; nothing of the protocol is mocked.

Expected outcomes come from the issue and OpenID Connect Core 1.0 §3.1.3.7 (iss, aud, exp,
nonce) and RFC 6749 §10.12 (state), not from the code."""

import time
from urllib.parse import parse_qs, urlencode, urlparse, urlunparse

from django.core.management import call_command
from django.core.management.base import SystemCheckError

import jwt
import pytest
import requests
import time_machine

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import (
    ExternalIdentity,
    Municipality,
    RoleAssignment,
    SignInEvent,
    SignInProvider,
    User,
)
from openarrangementen.accounts.oidc import SignInBackend, SignInRefused
from openarrangementen.clients.models import Client, Representative
from openarrangementen.clients.selectors import client_list_visible_to
from openarrangementen.core.demo import DEMO_PASSWORD
from openarrangementen.tests.oidc import (
    DIGID_INWONER,
    DIGID_REPRESENTATIVE,
    DIGID_UNKNOWN,
    OTHER_CLIENT,
    PASSWORD,
    STAFF_CLIENT,
    STAFF_NEW,
    STAFF_PA,
    make_sign_in_providers,
)

CALLBACK = "http://testserver/account/inloggen/terug/"


@pytest.fixture
def providers(demo, idp):
    return make_sign_in_providers(idp)


def at_provider(idp, username: str) -> requests.Session:
    """The person's browser, signed in at the provider with their password there."""
    browser = requests.Session()
    browser.get(f"{idp.url}/login/", timeout=10)
    answer = browser.post(
        f"{idp.url}/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "next": "/openid/.well-known/openid-configuration",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, f"test provider refused {username}"
    return browser


def start(client, slug: str) -> str:
    """The product's redirect to the provider's authorization endpoint."""
    answer = client.get(f"/account/inloggen/via/{slug}/")
    assert answer.status_code == 302
    return answer["Location"]


def authorize(browser: requests.Session, url: str) -> str:
    """The provider's redirect back to the product (a path on the test server)."""
    answer = browser.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    location = answer.headers["Location"]
    assert location.startswith(CALLBACK), location
    return location.removeprefix("http://testserver")


def changed(url: str, **params: str) -> str:
    parts = urlparse(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | params
    return urlunparse(parts._replace(query=urlencode(query)))


def sign_in(client, idp, slug: str, username: str):
    return client.get(authorize(at_provider(idp, username), start(client, slug)))


def last_event() -> SignInEvent:
    return SignInEvent.objects.order_by("-pk").first()


def signed_in_user(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


# --- DigiD ----------------------------------------------------------------------------------


def test_an_inwoner_signs_in_with_digid_and_sees_their_own_file(client, providers):
    answer = sign_in(client, providers.idp, "digid", DIGID_INWONER)

    assert answer.status_code == 302
    assert answer["Location"] == "/"
    johanna = Client.objects.get(bsn=DIGID_INWONER)
    assert signed_in_user(client) == johanna.user
    assert johanna.user.username == "almere.inwoner"
    home = client.get("/")
    assert "Mijn gegevens" in home.content.decode()
    assert "J.M. de Vries" in home.content.decode()
    assert ExternalIdentity.objects.filter(
        sign_in_provider=providers.digid, user=johanna.user
    ).exists()
    event = last_event()
    assert (event.kind, event.user) == ("login", johanna.user)
    assert "DigiD" in event.detail


def test_a_bsn_without_a_file_gets_a_page_and_no_account(client, providers):
    users = User.objects.count()

    answer = sign_in(client, providers.idp, "digid", DIGID_UNKNOWN)

    assert answer.status_code == 403
    assert "Wij hebben geen gegevens van u" in answer.content.decode()
    assert User.objects.count() == users
    assert signed_in_user(client) is None
    assert (last_event().kind, last_event().detail) == ("failed", "OpenID Connect: BSN onbekend")


def test_a_bsn_known_only_in_another_region_is_unknown_here(client, providers):
    johanna = Client.objects.get(bsn=DIGID_INWONER)
    johanna.municipality = Municipality.objects.exclude(region=providers.digid.region).first()
    johanna.save(update_fields=["municipality"])

    answer = sign_in(client, providers.idp, "digid", DIGID_INWONER)

    assert answer.status_code == 403
    assert signed_in_user(client) is None


def test_a_representative_picks_whom_they_act_for(client, providers):
    hendrik = Client.objects.get(given_names="Hendrik", family_name="Vries")
    johanna = Client.objects.get(bsn=DIGID_INWONER)
    Representative.objects.create(
        client=hendrik,
        kind=Representative.Kind.LEGAL,
        legal_basis="08",
        name="Mr. K. Visser",
        bsn=DIGID_REPRESENTATIVE,
    )

    answer = sign_in(client, providers.idp, "digid", DIGID_REPRESENTATIVE)

    assert answer["Location"] == "/account/inloggen/namens/"
    user = signed_in_user(client)
    assert set(user.role_assignments.values_list("role", flat=True)) == {Role.INWONER.value}
    # Before picking: no file at all (the representative has none of their own).
    assert list(client_list_visible_to(actor=user)) == []
    picker = client.get("/account/inloggen/namens/").content.decode()
    assert "H. de Vries" in picker
    assert "J.M. de Vries" not in picker
    # Someone they do not represent cannot be picked by posting their number.
    refused = client.post("/account/inloggen/namens/", {"namens": johanna.pk})
    assert refused.status_code == 200
    assert "Kies voor wie u wilt inloggen." in refused.content.decode()
    chosen = client.post("/account/inloggen/namens/", {"namens": hendrik.pk})
    assert chosen["Location"] == "/"
    home = client.get("/").content.decode()
    assert "Gegevens van H. de Vries" in home
    assert "U bent ingelogd als wettelijk vertegenwoordiger" in home
    # The representation ends: the next page no longer shows Hendrik's file.
    Representative.objects.filter(client=hendrik).delete()
    assert "Gegevens van H. de Vries" not in client.get("/").content.decode()


# --- Staff ----------------------------------------------------------------------------------


def test_a_new_staff_member_gets_an_account_without_roles(client, providers, settings):
    settings.TWO_FACTOR_REQUIRED = True
    answer = sign_in(client, providers.idp, "almere", STAFF_NEW[0])

    assert answer["Location"] == "/"
    user = signed_in_user(client)
    assert user.email == STAFF_NEW[1]
    assert user.home_region == providers.staff.region
    assert not user.has_usable_password()
    assert not RoleAssignment.objects.filter(user=user).exists()
    # The organisation's provider did the second step: the product does not ask again.
    assert client.get("/").status_code == 200

    # The next sign-in finds the same account through the provider's subject.
    client.logout()
    sign_in(client, providers.idp, "almere", STAFF_NEW[0])
    assert signed_in_user(client) == user
    assert User.objects.filter(email=STAFF_NEW[1]).count() == 1


def test_a_known_staff_member_keeps_their_account_and_roles(client, providers, settings):
    settings.TWO_FACTOR_REQUIRED = True
    pa = User.objects.get(username="almere.pa")

    answer = sign_in(client, providers.idp, "almere", STAFF_PA[0])

    assert answer["Location"] == "/"
    assert signed_in_user(client) == pa
    assert client.get("/trajecten/").status_code == 200


def test_an_address_of_an_account_elsewhere_is_not_taken_over(client, providers):
    other = User.objects.get(username="mlw.pa")  # roles in Midden-Limburg West only
    other.email = STAFF_NEW[1]
    other.save(update_fields=["email"])

    sign_in(client, providers.idp, "almere", STAFF_NEW[0])

    user = signed_in_user(client)
    assert user != other
    assert not RoleAssignment.objects.filter(user=user).exists()


# --- Refused answers -----------------------------------------------------------------------


def test_a_wrong_state_is_refused(client, providers):
    back = authorize(at_provider(providers.idp, DIGID_INWONER), start(client, "digid"))

    answer = client.get(changed(back, state="niet-van-ons"))

    assert answer.status_code == 400
    assert "Inloggen is niet gelukt" in answer.content.decode()
    assert signed_in_user(client) is None
    assert last_event().detail == "OpenID Connect: state onbekend of al gebruikt"


def test_the_same_answer_twice_signs_in_once(client, providers):
    back = authorize(at_provider(providers.idp, DIGID_INWONER), start(client, "digid"))
    assert client.get(back).status_code == 302
    client.logout()

    assert client.get(back).status_code == 400
    assert signed_in_user(client) is None


def test_a_wrong_nonce_is_refused(client, providers):
    # Someone swaps the nonce on the way to the provider (a token minted for another
    # request): the state and PKCE verifier are ours, the token's nonce is not.
    url = changed(start(client, "digid"), nonce="een-andere-nonce")

    answer = client.get(authorize(at_provider(providers.idp, DIGID_INWONER), url))

    assert answer.status_code == 400
    assert signed_in_user(client) is None
    assert "Nonce" in last_event().detail


def test_a_code_issued_to_another_client_is_refused(client, providers):
    url = changed(start(client, "almere"), client_id=OTHER_CLIENT[0])

    answer = client.get(authorize(at_provider(providers.idp, STAFF_NEW[0]), url))

    assert answer.status_code == 400
    assert signed_in_user(client) is None
    assert last_event().detail == "OpenID Connect: de inlogdienst weigert de code"


def test_a_token_from_an_unknown_issuer_is_refused(client, providers):
    providers.digid.issuer = providers.idp.issuer + "/nep"
    providers.digid.save(update_fields=["issuer"])

    answer = sign_in(client, providers.idp, "digid", DIGID_INWONER)

    assert answer.status_code == 400
    assert signed_in_user(client) is None
    assert "onbekende uitgever" in last_event().detail


def test_an_expired_token_is_refused(client, providers):
    back = authorize(at_provider(providers.idp, DIGID_INWONER), start(client, "digid"))

    # The provider issues ID tokens for 10 minutes (django-oidc-provider's default); the
    # answer arrives an hour later by the product's clock.
    with time_machine.travel(time.time() + 3600, tick=True):
        answer = client.get(back)

    assert answer.status_code == 400
    assert signed_in_user(client) is None
    assert "verlopen" in last_event().detail


def _token(idp, nonce: str, **claims) -> str:
    """A token signed with the provider's own key, with claims it would not issue."""
    pem, kid = idp.signing_key()
    now = int(time.time())
    payload = {
        "iss": idp.issuer,
        "sub": "1",
        "aud": STAFF_CLIENT[0],
        "iat": now,
        "exp": now + 600,
        "nonce": nonce,
    } | claims
    return jwt.encode(payload, pem, algorithm="RS256", headers={"kid": kid})


def _verify(provider, token, nonce="n-1"):
    backend = SignInBackend()
    backend._configure(provider)
    return backend.verify_token(token, nonce=nonce)


def test_the_backend_accepts_a_genuine_token_and_refuses_other_audiences(providers):
    idp = providers.idp
    assert _verify(providers.staff, _token(idp, "n-1"))["sub"] == "1"

    with pytest.raises(SignInRefused, match="andere client"):
        _verify(providers.staff, _token(idp, "n-1", aud=OTHER_CLIENT[0]))
    with pytest.raises(SignInRefused, match="meer clients zonder azp"):
        _verify(providers.staff, _token(idp, "n-1", aud=[STAFF_CLIENT[0], OTHER_CLIENT[0]]))
    with pytest.raises(SignInRefused, match="verlopen"):
        _verify(providers.staff, _token(idp, "n-1", exp=int(time.time()) - 120))
    with pytest.raises(SignInRefused, match="onbekende uitgever"):
        _verify(providers.staff, _token(idp, "n-1", iss="http://127.0.0.1:1/openid"))


@pytest.mark.filterwarnings("ignore:The HMAC key is")  # the demo client secret is short
def test_the_backend_refuses_tokens_not_signed_with_the_providers_key(providers):
    pem, kid = providers.idp.signing_key()
    payload = {
        "iss": providers.idp.issuer,
        "sub": "1",
        "aud": STAFF_CLIENT[0],
        "iat": int(time.time()),
        "exp": int(time.time()) + 600,
        "nonce": "n-1",
    }
    # Signed with the client secret (a symmetric key anyone with the secret has).
    hs256 = jwt.encode(payload, STAFF_CLIENT[1], algorithm="HS256", headers={"kid": kid})
    with pytest.raises(SignInRefused, match="algoritme"):
        _verify(providers.staff, hs256)
    # Not signed at all.
    unsigned = jwt.encode(payload, None, algorithm="none", headers={"kid": kid})
    with pytest.raises(SignInRefused, match="algoritme 'none'"):
        _verify(providers.staff, unsigned)
    # Signed with another RSA key under the provider's key id.
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(payload, other, algorithm="RS256", headers={"kid": kid})
    with pytest.raises(SignInRefused, match="ongeldig"):
        _verify(providers.staff, forged)


# --- Passwords for inwoners, the deploy check ----------------------------------------------


def test_an_inwoner_cannot_use_a_password_outside_the_demo(client, demo, settings):
    settings.INWONER_PASSWORD_LOGIN = False
    answer = client.post("/inloggen/", {"username": "almere.inwoner", "password": DEMO_PASSWORD})
    assert answer.status_code == 200
    assert "Inwoners loggen in met DigiD" in answer.content.decode()
    assert signed_in_user(client) is None
    # Staff still sign in with a password where their organisation has no provider.
    client.post("/inloggen/", {"username": "almere.pa", "password": DEMO_PASSWORD})
    assert signed_in_user(client).username == "almere.pa"


def test_deploy_check_refuses_passwords_for_inwoners(settings):
    settings.INWONER_PASSWORD_LOGIN = True
    with pytest.raises(SystemCheckError, match="E022"):
        call_command("check", "--deploy", "--fail-level", "ERROR", "--tag", "security")


# --- Beheer ---------------------------------------------------------------------------------


def _form(region, idp, **changes) -> dict:
    return {
        "region": region.pk,
        "kind": "staff",
        "name": "Gemeente Almere",
        "slug": "almere-medewerkers",
        "municipality": Municipality.objects.get(cbs_code="0034").pk,
        "provider": "",
        "issuer": idp.issuer,
        "client_id": STAFF_CLIENT[0],
        "client_secret": STAFF_CLIENT[1],
        "scopes": "openid email",
        "claim": "email",
        "authorization_endpoint": "",
        "token_endpoint": "",
        "userinfo_endpoint": "",
        "jwks_uri": "",
        "is_active": "on",
    } | changes


def test_the_beheerder_adds_a_provider_by_its_issuer_only(client, demo, idp):
    almere = Municipality.objects.get(cbs_code="0034").region
    client.force_login(User.objects.get(username="almere.beheerder"))

    answer = client.post("/beheer/accounts/signinprovider/add/", _form(almere, idp))

    assert answer.status_code == 302, answer.content.decode()[:3000]
    provider = SignInProvider.objects.get(slug="almere-medewerkers")
    # Fetched from the provider's discovery document, not typed.
    assert provider.authorization_endpoint == f"{idp.issuer}/authorize"
    assert provider.token_endpoint == f"{idp.issuer}/token"
    assert provider.jwks_uri == f"{idp.issuer}/jwks"
    assert provider.client_secret == STAFF_CLIENT[1]
    # The secret is never shown again, and an empty field keeps it.
    page = client.get(f"/beheer/accounts/signinprovider/{provider.pk}/change/").content.decode()
    assert STAFF_CLIENT[1] not in page
    data = _form(almere, idp, client_secret="", name="Almere (medewerkers)") | {
        name: getattr(provider, name)
        for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
    }
    client.post(f"/beheer/accounts/signinprovider/{provider.pk}/change/", data)
    provider.refresh_from_db()
    assert (provider.name, provider.client_secret) == ("Almere (medewerkers)", STAFF_CLIENT[1])
    # Who configured it is in the audit log; the secret is not, not even in part.
    from auditlog.models import LogEntry

    entries = LogEntry.objects.get_for_object(provider)
    assert entries.filter(actor__username="almere.beheerder").count() == 2
    assert not any("not-secret" in str(e.changes) for e in entries)


def test_the_beheerder_is_told_what_is_wrong(client, demo, idp):
    almere = Municipality.objects.get(cbs_code="0034").region
    client.force_login(User.objects.get(username="almere.beheerder"))

    def errors(**changes) -> str:
        answer = client.post("/beheer/accounts/signinprovider/add/", _form(almere, idp, **changes))
        assert answer.status_code == 200
        return answer.content.decode()

    assert "niet bereikbaar" in errors(issuer="http://127.0.0.1:9/openid")
    assert "noemt een andere issuer" in errors(issuer=idp.issuer + "/")
    assert "Vul het client-secret in" in errors(client_secret="")
    assert "DigiD geldt voor de hele regio" in errors(kind="digid")
    assert "Kies de gemeente of de aanbieder" in errors(municipality="")
    assert not SignInProvider.objects.exists()
