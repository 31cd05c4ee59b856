"""Account requests (issue #4): a provider's contact person asks for a colleague's account or
for its revocation; a functioneel beheerder of a region where the provider is contracted
approves or rejects.

Each service runs in one transaction. A refused step raises `AccountRequestError` with a
Dutch message (and the form field it concerns, if any) and leaves the data as it was. A
request is decided once: its row is locked and a second decision is refused.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from openarrangementen.core.notifications import notify

from .domain import (
    ACCOUNT_REQUEST_STATUS_LABELS,
    REQUESTABLE_ROLES,
    ROLE_LABELS,
    AccountRequestKind,
    AccountRequestStatus,
    Role,
    username_base,
    username_candidate,
)
from .models import AccountRequest, Provider, RoleAssignment, User
from .selectors import (
    account_request_list_visible_to,
    functional_managers_for,
    providers_for,
    regions_managed_by,
)


class AccountRequestError(Exception):
    """A request or decision refused by a rule; the message is shown to the user as it is.

    `field` names the form field the message belongs to ("" for the form as a whole).
    """

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _require_contact_person(actor: User, provider: Provider) -> None:
    if not providers_for(actor, Role.CONTACTPERSOON).filter(pk=provider.pk).exists():
        raise AccountRequestError(
            "Alleen de gemachtigde contactpersoon van deze aanbieder mag accounts aanvragen."
        )


def _organisation_url() -> str:
    return reverse("portal:account-organisation")


def _notify_managers(request: AccountRequest, text: str) -> None:
    notify(
        recipients=functional_managers_for(request.provider).exclude(pk=request.requested_by_id),
        subject="Nieuwe accountaanvraag",
        text=text,
        url=reverse("portal:account-request-detail", args=[request.pk]),
    )


def _clean_roles(roles: list[str] | list[Role]) -> list[str]:
    """The requested roles in the canonical order of REQUESTABLE_ROLES, without duplicates."""
    wanted = {str(r) for r in roles}
    allowed = {r.value for r in REQUESTABLE_ROLES}
    if not wanted:
        raise AccountRequestError("Kies ten minste één rol.", field="roles")
    if wanted - allowed:
        names = ", ".join(ROLE_LABELS[r].lower() for r in REQUESTABLE_ROLES)
        raise AccountRequestError(f"U kunt alleen deze rollen aanvragen: {names}.", field="roles")
    return [r.value for r in REQUESTABLE_ROLES if r.value in wanted]


def _check_email(email: str) -> str:
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise AccountRequestError(
            "Vul een geldig e-mailadres in, bijvoorbeeld naam@organisatie.nl.", field="email"
        ) from exc
    if User.objects.filter(email__iexact=email, is_active=True).exists():
        raise AccountRequestError(
            "Er bestaat al een actief account met dit e-mailadres.", field="email"
        )
    return email


def _save_new(request: AccountRequest, duplicate_message: str, field: str) -> AccountRequest:
    # The unique constraints catch two identical requests sent at the same moment.
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError as exc:
        raise AccountRequestError(duplicate_message, field=field) from exc
    return request


@transaction.atomic
def account_request_create(
    *,
    actor: User,
    provider: Provider,
    first_name: str,
    last_name: str,
    email: str,
    roles: list[str] | list[Role],
    motivation: str,
) -> AccountRequest:
    """Ask for an account for a colleague; the region's functioneel beheerders are told."""
    _require_contact_person(actor, provider)
    if not first_name.strip():
        raise AccountRequestError("Vul de voornaam in.", field="first_name")
    if not last_name.strip():
        raise AccountRequestError("Vul de achternaam in.", field="last_name")
    email = _check_email(email)
    roles_clean = _clean_roles(roles)
    if not motivation.strip():
        raise AccountRequestError("Geef een korte toelichting.", field="motivation")
    duplicate = "Voor dit e-mailadres loopt al een aanvraag."
    if AccountRequest.objects.filter(
        kind=AccountRequestKind.CREATE.value,
        status=AccountRequestStatus.PENDING.value,
        email__iexact=email,
    ).exists():
        raise AccountRequestError(duplicate, field="email")
    request = _save_new(
        AccountRequest(
            kind=AccountRequestKind.CREATE.value,
            provider=provider,
            requested_by=actor,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email,
            roles=roles_clean,
            motivation=motivation.strip(),
        ),
        duplicate,
        "email",
    )
    _notify_managers(request, f"{provider.name} vraagt een account aan voor {request.person_name}.")
    return request


@transaction.atomic
def account_request_create_revocation(
    *, actor: User, provider: Provider, account: User, reason: str
) -> AccountRequest:
    """Ask to revoke a colleague's account at `provider`; beheerders are told."""
    _require_contact_person(actor, provider)
    if not RoleAssignment.objects.filter(user=account, provider=provider).exists():
        raise AccountRequestError("Dit account hoort niet bij uw organisatie.", field="account")
    if account.pk == actor.pk:
        raise AccountRequestError(
            "U kunt uw eigen account niet laten intrekken. Neem hiervoor contact op met de "
            "gemeente.",
            field="account",
        )
    if not reason.strip():
        raise AccountRequestError("Geef de reden voor het intrekken.", field="motivation")
    duplicate = "Voor dit account loopt al een aanvraag tot intrekken."
    if AccountRequest.objects.filter(
        kind=AccountRequestKind.REVOKE.value,
        status=AccountRequestStatus.PENDING.value,
        provider=provider,
        account=account,
    ).exists():
        raise AccountRequestError(duplicate, field="account")
    request = _save_new(
        AccountRequest(
            kind=AccountRequestKind.REVOKE.value,
            provider=provider,
            requested_by=actor,
            account=account,
            first_name=account.first_name,
            last_name=account.last_name,
            email=account.email,
            motivation=reason.strip(),
        ),
        duplicate,
        "account",
    )
    _notify_managers(request, f"{provider.name} vraagt om het account van {account} in te trekken.")
    return request


def _lock_for_decision(request: AccountRequest, actor: User) -> AccountRequest:
    """The request re-read and locked, once it is certain `actor` may decide on it now."""
    if not account_request_list_visible_to(actor).filter(pk=request.pk).exists():
        raise AccountRequestError("U mag niet beslissen over aanvragen van deze aanbieder.")
    request = (
        AccountRequest.objects.select_for_update(of=("self",))
        .select_related("provider", "requested_by", "account", "decided_by")
        .get(pk=request.pk)
    )
    if not request.is_pending:
        label = ACCOUNT_REQUEST_STATUS_LABELS[request.status_enum].lower()
        when = timezone.localtime(request.decided_at)
        raise AccountRequestError(
            f"Over deze aanvraag is al besloten: {label} door {request.decided_by} "
            f"op {when:%d-%m-%Y %H:%M}. Er is niets gewijzigd."
        )
    if request.requested_by_id == actor.pk:
        raise AccountRequestError(
            "U kunt niet beslissen over uw eigen aanvraag (vierogenprincipe)."
        )
    if request.account_id == actor.pk and request.kind == AccountRequestKind.REVOKE:
        raise AccountRequestError("U kunt niet beslissen over het intrekken van uw eigen account.")
    return request


def _record_decision(
    request: AccountRequest, actor: User, status: AccountRequestStatus, reason: str
) -> None:
    request.status = status.value
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_reason = reason
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "account"])


def _unique_username(email: str) -> str:
    base = username_base(email)
    attempt = 1
    while User.objects.filter(username__iexact=username_candidate(base, attempt)).exists():
        attempt += 1
    return username_candidate(base, attempt)


def password_set_path(user: User) -> str:
    """The portal path where `user` sets a password; valid once, for PASSWORD_RESET_TIMEOUT."""
    return reverse(
        "portal:password-set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def _send_password_link(user: User, provider: Provider) -> None:
    """E-mail the new user a link to set a password, after the commit. Not through `notify`:
    the link is a credential and must not be stored as an in-app notification."""
    link = settings.PORTAL_BASE_URL.rstrip("/") + password_set_path(user)
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60))
    body = (
        f"Beste {user.first_name or user.username},\n\n"
        f"De gemeente heeft voor u een account aangemaakt in Open Arrangementen, voor "
        f"{provider.name}. Uw gebruikersnaam is: {user.username}\n\n"
        f"Stel via deze link uw wachtwoord in. De link werkt één keer en is {days} dagen "
        f"geldig:\n{link}\n\n"
        "Heeft u dit account niet verwacht? Neem dan contact op met de gemachtigde "
        "contactpersoon van uw organisatie."
    )
    address = user.email
    transaction.on_commit(
        lambda: send_mail(
            "Open Arrangementen: stel uw wachtwoord in",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [address],
            fail_silently=True,
        )
    )


@transaction.atomic
def account_request_approve(*, request: AccountRequest, actor: User) -> AccountRequest:
    """Carry out the request: create the account with its roles and send a password link,
    or take away the colleague's roles at the provider (deactivating an account left
    without any role). The requester is told."""
    request = _lock_for_decision(request, actor)
    provider = request.provider
    if request.kind == AccountRequestKind.CREATE:
        if User.objects.filter(email__iexact=request.email, is_active=True).exists():
            raise AccountRequestError(
                "Er bestaat inmiddels een actief account met dit e-mailadres. Wijs de aanvraag "
                "af, of geef dat account de rol in beheer."
            )
        user = User(
            username=_unique_username(request.email),
            email=request.email,
            first_name=request.first_name,
            last_name=request.last_name,
        )
        user.set_unusable_password()
        user.save()
        for role in request.roles:
            RoleAssignment.objects.create(user=user, role=role, provider=provider)
        request.account = user
        _record_decision(request, actor, AccountRequestStatus.APPROVED, "")
        _send_password_link(user, provider)
        text = (
            f"Uw aanvraag voor een account voor {request.person_name} is goedgekeurd. De "
            f"gebruikersnaam is {user.username}; uw collega krijgt per e-mail een link om een "
            "wachtwoord in te stellen."
        )
    else:
        account = User.objects.select_for_update().get(pk=request.account_id)
        # One by one, so the audit log records each removed role.
        for assignment in RoleAssignment.objects.filter(user=account, provider=provider):
            assignment.delete()
        if not account.role_assignments.exists():
            account.is_active = False
            # Left without a role, the account stays with the region that decided (ADR 0009).
            account.home_region = account.home_region or regions_managed_by(actor).first()
            account.save(update_fields=["is_active", "home_region"])
        _record_decision(request, actor, AccountRequestStatus.APPROVED, "")
        text = (
            f"Uw aanvraag om het account van {request.person_name} in te trekken is "
            f"goedgekeurd. Het account heeft geen rol meer bij {provider.name}."
        )
    notify(
        recipients=[request.requested_by],
        subject="Accountaanvraag goedgekeurd",
        text=text,
        url=_organisation_url(),
    )
    return request


@transaction.atomic
def account_request_reject(*, request: AccountRequest, actor: User, reason: str) -> AccountRequest:
    """Refuse the request with a reason; nothing else changes. The requester is told."""
    request = _lock_for_decision(request, actor)
    if not reason.strip():
        raise AccountRequestError("Geef de reden van de afwijzing.", field="reason")
    _record_decision(request, actor, AccountRequestStatus.REJECTED, reason.strip())
    what = (
        f"een account voor {request.person_name}"
        if request.kind == AccountRequestKind.CREATE
        else f"het intrekken van het account van {request.person_name}"
    )
    notify(
        recipients=[request.requested_by],
        subject="Accountaanvraag afgewezen",
        text=f"Uw aanvraag voor {what} is afgewezen. Reden: {reason.strip()}",
        url=_organisation_url(),
    )
    return request


# --- Signing in (issue #21) -----------------------------------------------------------------


@transaction.atomic
def second_factor_reset(*, user: User, by: User, request=None) -> int:
    """Remove the account's authenticator app, passkeys and recovery codes (a lost phone or
    laptop): at the next request the person sets up a new second factor. Recorded with who
    did it."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_otp_webauthn.models import WebAuthnCredential

    from .domain import SignInKind
    from .signin import record

    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    removed += WebAuthnCredential.objects.filter(user=user).delete()[0]
    record(SignInKind.OTP_RESET, request=request, user=user, by=by)
    return removed
