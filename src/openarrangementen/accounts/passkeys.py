"""Passkeys as the second factor (issue #21, ADR 0011 §2): django-otp-webauthn's ceremonies,
with our sign-in log and recovery codes around them.

A passkey is offered beside the authenticator app where the browser supports WebAuthn; it
is a second factor after the password, never a sign-in of its own
(`OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False`). Registering one needs a session that
has already given a second factor, unless the account has none yet (the first set-up);
the first device of an account also gets the ten recovery codes."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from django_otp.plugins.otp_static.models import StaticToken
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as webauthn

from .domain import SignInKind
from .signin import record


class CompleteRegistration(webauthn.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        from .views import NEW_CODES, RECOVERY_DEVICE, _new_recovery_codes

        user = self.request.user
        response = super().post(*args, **kwargs)  # raises (→ JSON error) when refused
        record(SignInKind.OTP_SETUP, request=self.request, user=user, detail="passkey")
        codes = StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE)
        if not codes.exists():
            self.request.session[NEW_CODES] = _new_recovery_codes(user)
        return response


class CompleteAuthentication(webauthn.CompleteCredentialAuthenticationView):
    def handle_exception(self, exc):
        if isinstance(exc, exceptions.OTPWebAuthnApiError) and self.request.user.is_authenticated:
            record(
                SignInKind.OTP_FAILED,
                request=self.request,
                user=self.request.user,
                detail="passkey",
            )
        return super().handle_exception(exc)


def has_passkey(user) -> bool:
    from django_otp_webauthn.models import WebAuthnCredential

    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


# The names django-otp-webauthn's template tags reverse (namespace "otp_webauthn").
urlpatterns = [
    path(
        "registratie/begin/",
        webauthn.BeginCredentialRegistrationView.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registratie/klaar/",
        CompleteRegistration.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "controle/begin/",
        webauthn.BeginCredentialAuthenticationView.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "controle/klaar/",
        CompleteAuthentication.as_view(),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
