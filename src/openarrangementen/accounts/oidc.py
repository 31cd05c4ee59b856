"""Signing in through OpenID Connect (issue #21, ADR 0011): the authorization code flow with
PKCE on mozilla-django-oidc, per `SignInProvider` instead of per setting.

The backend is consulted only with a `sign_in_provider` (from `accounts.views.oidc_callback`,
after the state was checked against the session). It verifies the ID token's signature
against the provider's published keys and, unlike mozilla-django-oidc's default, its
issuer, audience, expiry, issue time and nonce; then:

- a DigiD broker: the BSN claim finds the inwoner's file (`Client`) in a municipality of the
  provider's region, and the inwoner's account is made on the first sign-in; a BSN that is a
  legal representative's (`Representative.bsn`) signs in that person, who then picks whom
  they act for. A BSN with neither gets no account (`request.oa_sign_in_outcome`).
- an organisation's own provider: the account linked to the person's `sub` earlier, else the
  account with that e-mail address whose roles are all at that organisation (never a
  superuser or technical account), else a new account without roles.
"""

import logging

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q

import jwt
import requests
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .domain import Role
from .models import ExternalIdentity, Municipality, RoleAssignment, SignInProvider, User

logger = logging.getLogger(__name__)

BACKEND = "openarrangementen.accounts.oidc.SignInBackend"
LEEWAY_SECONDS = 30


ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")


class DiscoveryFailed(Exception):
    """The issuer's configuration could not be read; the message is for the beheerder."""


def discover(issuer: str) -> dict[str, str]:
    """The endpoints an issuer publishes (OpenID Connect Discovery 1.0, section 4), checked:
    the document must name the same issuer, or tokens from it would never verify."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except requests.RequestException as exc:
        raise DiscoveryFailed(
            f"De inlogdienst is niet bereikbaar op {url} ({exc.__class__.__name__})."
        ) from exc
    except ValueError as exc:
        raise DiscoveryFailed(f"Op {url} staat geen geldige OpenID-configuratie.") from exc
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        raise DiscoveryFailed(
            f"De configuratie op {url} noemt een andere issuer "
            f"({document.get('issuer') if isinstance(document, dict) else '?'!r}); "
            "neem het adres precies over zoals de inlogdienst het opgeeft."
        )
    found = {name: str(document.get(name) or "") for name in ENDPOINTS}
    missing = [
        name for name in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not found[name]
    ]
    if missing:
        raise DiscoveryFailed(f"De configuratie op {url} mist {', '.join(missing)}.")
    return found


class SignInRefused(Exception):
    """The provider's answer cannot be trusted; `reason` is for the sign-in log. Not a
    SuspiciousOperation: mozilla-django-oidc turns those into a silent `None` when raised
    while finding the account."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class SignInBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # The settings mozilla-django-oidc reads at start-up come from the provider, per
        # sign-in (`_configure`).
        self.UserModel = User
        self.sign_in_provider: SignInProvider | None = None

    def _configure(self, provider: SignInProvider) -> None:
        self.sign_in_provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = provider.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = provider.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = provider.jwks_uri
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, sign_in_provider=None, **kwargs):
        if sign_in_provider is None:
            return None  # a password sign-in: not ours
        self._configure(sign_in_provider)
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload, key):
        provider = self.sign_in_provider
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=["RS256"],
                audience=provider.client_id,
                issuer=provider.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise SignInRefused("ID-token verlopen") from exc
        except jwt.InvalidAudienceError as exc:
            raise SignInRefused("ID-token voor een andere client (aud)") from exc
        except jwt.InvalidIssuerError as exc:
            raise SignInRefused("ID-token van een onbekende uitgever (iss)") from exc
        except jwt.PyJWTError as exc:
            raise SignInRefused(f"ID-token ongeldig: {exc}") from exc

    def verify_token(self, token, **kwargs):
        # The algorithm first: a token signed with the client secret (HS256) or not at all
        # must not even reach the key lookup.
        try:
            alg = jwt.get_unverified_header(token).get("alg")
        except jwt.PyJWTError as exc:
            raise SignInRefused("ID-token onleesbaar") from exc
        if alg != "RS256":
            raise SignInRefused(f"ID-token met algoritme {alg!r}")
        payload = super().verify_token(token, **kwargs)
        audiences = payload["aud"] if isinstance(payload["aud"], list) else [payload["aud"]]
        if len(audiences) > 1 and payload.get("azp") != self.sign_in_provider.client_id:
            raise SignInRefused("ID-token voor meer clients zonder azp")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        claims = dict(payload)
        if self.sign_in_provider.userinfo_endpoint:
            info = self.get_userinfo(access_token, id_token, payload)
            if info.get("sub") != payload["sub"]:
                raise SignInRefused("userinfo van een ander subject")
            claims.update(info)
        provider = self.sign_in_provider
        with transaction.atomic():
            if provider.kind == SignInProvider.Kind.DIGID:
                return self._inwoner(provider, claims)
            return self._staff(provider, claims)

    # --- DigiD ------------------------------------------------------------------------------

    def _inwoner(self, provider: SignInProvider, claims: dict) -> User | None:
        from stdnum.nl import bsn as bsn_number

        from openarrangementen.clients.models import Client, Representative

        value = str(claims.get(provider.claim) or "").strip()
        if not bsn_number.is_valid(value):
            raise SignInRefused(f"geen geldig BSN in claim {provider.claim!r}")
        municipalities = Municipality.objects.filter(region=provider.region)
        own = (
            Client.objects.filter(
                bsn=value, municipality__in=municipalities, practice_provider__isnull=True
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        represented = Representative.objects.filter(
            bsn=value,
            kind=Representative.Kind.LEGAL,
            client__municipality__in=municipalities,
            client__practice_provider__isnull=True,
        )
        if own is None and not represented.exists():
            self.request.oa_sign_in_outcome = "unknown"
            return None
        if own is not None and own.user_id:
            user = own.user
            if not user.is_active:
                raise SignInRefused("account niet actief")
        else:
            user = self._identity_user(provider, claims["sub"])
            if user is None:
                user = User.objects.create(
                    username=_free_username("inwoner"), password=make_password(None)
                )
            if own is not None:
                own.user = user
                own.save(update_fields=["user"])
        RoleAssignment.objects.get_or_create(user=user, role=Role.INWONER.value)
        ExternalIdentity.objects.get_or_create(
            sign_in_provider=provider, subject=claims["sub"], defaults={"user": user}
        )
        represented.filter(Q(user__isnull=True) | ~Q(user=user)).update(user=user)
        return user

    # --- Staff of an organisation ------------------------------------------------------------

    def _staff(self, provider: SignInProvider, claims: dict) -> User:
        user = self._identity_user(provider, claims["sub"])
        email = str(claims.get(provider.claim) or "").strip().lower()
        if user is None:
            if not email or "@" not in email:
                raise SignInRefused(f"geen e-mailadres in claim {provider.claim!r}")
            user = self._linkable(provider, email) or User.objects.create(
                username=_free_username(email.split("@", 1)[0]),
                email=email,
                first_name=str(claims.get("given_name") or "")[:150],
                last_name=str(claims.get("family_name") or "")[:150],
                home_region=provider.region,
                password=make_password(None),
            )
            ExternalIdentity.objects.create(
                sign_in_provider=provider, subject=claims["sub"], user=user
            )
        if not user.is_active:
            raise SignInRefused("account niet actief")
        return user

    def _identity_user(self, provider: SignInProvider, subject: str) -> User | None:
        identity = (
            ExternalIdentity.objects.filter(sign_in_provider=provider, subject=subject)
            .select_related("user")
            .first()
        )
        return identity.user if identity else None

    def _linkable(self, provider: SignInProvider, email: str) -> User | None:
        """An existing account for this person: same e-mail address, every role at the
        provider's organisation, not a technical account. Anything else would let one
        organisation's provider sign someone in to another organisation's account."""
        candidates = list(
            User.objects.filter(email__iexact=email, is_superuser=False, is_staff=False)
        )
        if len(candidates) != 1:
            return None
        user = candidates[0]
        roles = list(user.role_assignments.all())
        if not roles:
            return None
        if provider.municipality_id:
            # A municipality's staff: roles at that municipality, or region-wide roles of its
            # region (shared-service regions work for all their municipalities).
            ok = all(
                r.municipality_id == provider.municipality_id
                or (r.region_id == provider.region_id and r.municipality_id is None)
                for r in roles
                if r.role != Role.INWONER.value
            )
        elif provider.provider_id:
            ok = all(r.provider_id == provider.provider_id for r in roles)
        else:
            ok = False
        return user if ok and roles else None


def _free_username(base: str) -> str:
    from .domain import username_base, username_candidate

    base = username_base(base)
    attempt = 1
    while User.objects.filter(username__iexact=username_candidate(base, attempt)).exists():
        attempt += 1
    return username_candidate(base, attempt)
