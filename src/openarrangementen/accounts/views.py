"""The pages of signing in (issue #21): forgotten password, the second factor (set up,
give, recovery codes) and keeping an idle session alive. The login page itself is
Django's LoginView (openarrangementen.urls) with the throttling of accounts.lockout."""

import logging
from base64 import b32encode
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

import segno
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .domain import Role, SignInKind
from .forms import ResetPasswordForm, ResetRequestForm, TokenForm
from .models import SignInProvider, User
from .signin import record
from .tokens import forgotten_password_tokens

logger = logging.getLogger(__name__)

RECOVERY_CODES = 10
APP_DEVICE = "Authenticator-app"
RECOVERY_DEVICE = "Herstelcodes"
NEW_CODES = "oa_new_recovery_codes"


# --- Forgotten password ---------------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    token_generator = forgotten_password_tokens
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ResetPasswordForm
    token_generator = forgotten_password_tokens
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form):
        response = super().form_valid(form)
        from .lockout import clear_failures

        clear_failures(form.user)
        record(SignInKind.PASSWORD_RESET_DONE, request=self.request, user=form.user)
        return response


class PasswordResetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_done.html"


# --- Second factor --------------------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _throttled(device, form) -> bool:
    """django-otp waits 1, 2, 4, ... seconds after each wrong code; say until when."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return False
    until = timezone.localtime(data["locked_until"]) if data.get("locked_until") else None
    form.add_error(
        "code",
        "Er zijn te veel verkeerde codes ingevuld. Probeer het "
        + (f"na {until:%H:%M:%S} " if until else "over een minuut ")
        + "opnieuw, met de code die de app dan toont.",
    )
    return True


def _new_recovery_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Link an authenticator app: scan the code or type the key, then give a code from the
    app to show it works. Only for an account without a linked app (a functioneel
    beheerder removes it when the phone is lost)."""
    if user_has_device(request.user):
        return redirect(_with_next("accounts:otp-verify", request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name=APP_DEVICE, confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not _throttled(device, form):
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                request.session[NEW_CODES] = _new_recovery_codes(request.user)
                record(SignInKind.OTP_SETUP, request=request, user=request.user)
            otp_login(request, device)
            return redirect(_with_next("accounts:otp-recovery", request))
        record(SignInKind.OTP_FAILED, request=request, user=request.user, detail="instellen")
        form.add_error("code", "Deze code klopt niet. Vul de zes cijfers in die de app nu toont.")
    secret = b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "secret": _grouped(secret),
            "qr": qr.svg_data_uri(scale=5, dark="#000", light="#fff"),
            "next": _next_url(request),
            "after_passkey": _with_next("accounts:otp-recovery", request),
        },
    )


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Give the second factor: a code from the app, or one of the recovery codes (each
    works once)."""
    from .passkeys import has_passkey

    if not user_has_device(request.user):
        return redirect(_with_next("accounts:otp-setup", request))
    app = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        # Six digits come from the app; a recovery code has eight letters and digits.
        recovery = StaticDevice.objects.filter(user=request.user, name=RECOVERY_DEVICE).first()
        device = app if code.isdigit() or recovery is None else recovery
        if device is None:
            form.add_error(
                "code", "U heeft geen app gekoppeld. Gebruik uw passkey of een herstelcode."
            )
        elif not _throttled(device, form):
            if device.verify_token(code):
                otp_login(request, device)
                if device is recovery:
                    left = recovery.token_set.count()
                    record(
                        SignInKind.OTP_RECOVERY_USED,
                        request=request,
                        user=request.user,
                        detail=f"nog {left} over",
                    )
                    messages.warning(
                        request,
                        f"U bent ingelogd met een herstelcode; er zijn er nog {left} over. "
                        "Maak nieuwe herstelcodes als u er weinig over heeft.",
                    )
                return redirect(_next_url(request))
            record(SignInKind.OTP_FAILED, request=request, user=request.user)
            form.add_error(
                "code",
                "Deze code klopt niet. Vul de zes cijfers in die de app nu toont, of een "
                "herstelcode. Na een paar verkeerde codes moet u steeds iets langer wachten.",
            )
    return render(
        request,
        "accounts/otp_verify.html",
        {
            "form": form,
            "next": _next_url(request),
            "has_app": app is not None,
            "has_passkey": has_passkey(request.user),
        },
    )


@login_required
def otp_recovery(request: HttpRequest) -> HttpResponse:
    """The recovery codes just made, shown once; and a button to make a new set."""
    if request.method == "POST":
        if not request.user.is_verified():
            return redirect("accounts:otp-verify")
        request.session[NEW_CODES] = _new_recovery_codes(request.user)
        record(SignInKind.OTP_RECOVERY_NEW, request=request, user=request.user)
        return redirect("accounts:otp-recovery")
    codes = request.session.pop(NEW_CODES, None)
    left = StaticToken.objects.filter(
        device__user=request.user, device__name=RECOVERY_DEVICE
    ).count()
    return render(
        request,
        "accounts/otp_recovery.html",
        {"codes": codes, "left": left, "next": _next_url(request)},
    )


# --- Idle time ------------------------------------------------------------------------------


@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """The page's "Ingelogd blijven" (static/accounts/idle.js): the request itself moves
    the session's last-seen time (accounts.middleware)."""
    if not request.user.is_authenticated:
        return JsonResponse({"ingelogd": False}, status=401)
    from .middleware import IDLE_SECONDS

    return JsonResponse({"ingelogd": True, "seconden": request.session.get(IDLE_SECONDS)})


# --- OpenID Connect (DigiD through a broker; an organisation's own provider) ----------------


class LoginView(auth_views.LoginView):
    """The login page: a password, or a button per sign-in provider in use."""

    redirect_authenticated_user = True

    def get_form_class(self):
        from openarrangementen.portal.forms import LoginForm

        return LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        providers = list(SignInProvider.objects.filter(is_active=True).select_related("region"))
        context["digid_providers"] = [p for p in providers if p.kind == SignInProvider.Kind.DIGID]
        context["staff_providers"] = [p for p in providers if p.kind == SignInProvider.Kind.STAFF]
        return context


STATES = "oidc_states"  # mozilla-django-oidc's: state -> {nonce, code_verifier, added_on}
VIA = "oa_sign_in_via"  # the provider the session signed in through
ACTING_FOR = "oa_acting_for"  # the client a representative acts for


def oidc_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Send the browser to the provider with a fresh state, nonce and PKCE challenge."""
    from django.utils.crypto import get_random_string

    from mozilla_django_oidc.utils import (
        add_state_and_verifier_and_nonce_to_session,
        generate_code_challenge,
    )

    provider = SignInProvider.objects.filter(slug=slug, is_active=True).first()
    if provider is None or not provider.authorization_endpoint:
        return render(request, "accounts/oidc_failed.html", {"reason": "onbekend"}, status=404)
    state, nonce = get_random_string(32), get_random_string(32)
    verifier = get_random_string(64)
    params = {
        "response_type": "code",
        "scope": provider.scopes,
        "client_id": provider.client_id,
        "redirect_uri": request.build_absolute_uri(reverse("accounts:oidc-callback")),
        "state": state,
        "nonce": nonce,
        "code_challenge": generate_code_challenge(verifier, "S256"),
        "code_challenge_method": "S256",
    }
    add_state_and_verifier_and_nonce_to_session(request, state, params, verifier)
    request.session[STATES][state]["provider"] = provider.slug
    request.session.modified = True
    return redirect(f"{provider.authorization_endpoint}?{urlencode(params)}")


def oidc_callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the browser back here with a code and our state."""
    from django.contrib.auth import login

    import requests

    from openarrangementen.clients.selectors import clients_represented_by

    from .oidc import BACKEND, SignInBackend, SignInRefused

    state = request.GET.get("state", "")
    entry = request.session.get(STATES, {}).pop(state, None) if state else None
    request.session.modified = True
    provider = (
        SignInProvider.objects.filter(slug=entry.get("provider"), is_active=True).first()
        if entry
        else None
    )

    def refuse(reason: str, *, status: int = 400, template: str = "accounts/oidc_failed.html"):
        record(SignInKind.FAILED, request=request, detail=f"OpenID Connect: {reason}")
        return render(request, template, {"reason": reason, "provider": provider}, status=status)

    if provider is None:
        return refuse("state onbekend of al gebruikt")
    if request.GET.get("error"):
        return refuse(f"de inlogdienst meldt {request.GET['error'][:50]}")
    try:
        user = SignInBackend().authenticate(
            request,
            sign_in_provider=provider,
            nonce=entry.get("nonce"),
            code_verifier=entry.get("code_verifier"),
        )
    except SignInRefused as exc:
        return refuse(exc.reason)
    except SuspiciousOperation as exc:  # mozilla-django-oidc's own checks (nonce, key)
        return refuse(str(exc)[:150])
    except requests.HTTPError as exc:
        # The provider refused the code (used before, expired, or not issued to us).
        logger.warning("Sign-in provider %s refused: %s", provider.slug, exc)
        return refuse("de inlogdienst weigert de code")
    except requests.RequestException as exc:
        logger.warning("Sign-in provider %s did not answer: %s", provider.slug, exc)
        return refuse("de inlogdienst antwoordt niet", status=502)
    if user is None:
        if getattr(request, "oa_sign_in_outcome", "") == "unknown":
            return refuse("BSN onbekend", status=403, template="accounts/oidc_unknown.html")
        return refuse("geen account")
    request.oa_via = f"via {provider.name} (OpenID Connect)"
    login(request, user, backend=BACKEND)
    request.session[VIA] = provider.kind
    if provider.kind == SignInProvider.Kind.DIGID and clients_represented_by(actor=user).exists():
        return redirect("accounts:acting-for")
    return redirect(settings.LOGIN_REDIRECT_URL)


@login_required
def acting_for(request: HttpRequest) -> HttpResponse:
    """A legal representative picks whom they act for: themselves (if they have a file) or
    one of the people they represent. Only the representations recorded on the inwoner."""
    from openarrangementen.clients.selectors import client_list_visible_to, clients_represented_by

    options = {str(c.pk): c for c in clients_represented_by(actor=request.user)}
    own = client_list_visible_to(actor=request.user).filter(user=request.user).first()
    if request.method == "POST":
        choice = request.POST.get("namens", "")
        if choice == "zelf" and own is not None:
            request.session.pop(ACTING_FOR, None)
            return redirect(settings.LOGIN_REDIRECT_URL)
        if choice in options:
            request.session[ACTING_FOR] = options[choice].pk
            return redirect(settings.LOGIN_REDIRECT_URL)
        messages.error(request, "Kies voor wie u wilt inloggen.")
    from openarrangementen.core.audit import log_access

    log_access(
        actor=request.user,
        action="view",
        objects=list(options.values()),
        purpose="kiezen namens wie de vertegenwoordiger inlogt",
        path=request.path,
        roles=Role.INWONER.value,
    )
    return render(
        request,
        "accounts/acting_for.html",
        {"options": options.values(), "own": own, "current": request.session.get(ACTING_FOR)},
    )
