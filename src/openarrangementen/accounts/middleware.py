"""Signing-in rules applied to every request (issue #21): sign out after the region's idle
time, and ask staff for their second factor before anything else."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .domain import SignInKind

LAST_SEEN = "oa_last_seen"
IDLE_SECONDS = "oa_idle_seconds"
# Write the session at most this often just to move the last-seen time.
TOUCH_EVERY_SECONDS = 30


def _exempt(path: str, prefixes: tuple[str, ...]) -> bool:
    return path.startswith(prefixes)


def _static_prefixes() -> tuple[str, ...]:
    return ("/" + settings.STATIC_URL.lstrip("/"), "/api/")


class IdleTimeoutMiddleware:
    """A session idle for longer than its limit is ended; the next page is the login page,
    saying why. The limit is set at sign-in (`signin._logged_in`) from the regions the user
    works for; the page warns two minutes before (static/accounts/idle.js)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if settings.IDLE_TIMEOUT_ENABLED and session is not None and IDLE_SECONDS in session:
            now = time.time()
            last = session.get(LAST_SEEN, now)
            if now - last > session[IDLE_SECONDS]:
                return self._sign_out(request, minutes=session[IDLE_SECONDS] // 60)
            if now - last >= TOUCH_EVERY_SECONDS or LAST_SEEN not in session:
                session[LAST_SEEN] = now
        return self.get_response(request)

    def _sign_out(self, request: HttpRequest, *, minutes: int) -> HttpResponse:
        from .signin import record

        user = request.user if request.user.is_authenticated else None
        request._oa_idle_logout = True
        logout(request)
        if user is not None:
            record(SignInKind.IDLE_LOGOUT, request=request, user=user, detail=f"{minutes} min")
        query = {"reden": "inactief"}
        if request.method == "GET" and not request.path.startswith(_static_prefixes()):
            query["next"] = request.get_full_path()
        response = redirect(f"{reverse('login')}?{urlencode(query)}")
        if request.headers.get("HX-Request"):
            response["HX-Redirect"] = response["Location"]
        return response


class SecondFactorMiddleware:
    """Staff who have not given their second factor in this session see only the pages to
    give or set it up (and to sign out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.TWO_FACTOR_REQUIRED and self._must_verify(request):
            from django_otp import user_has_device

            name = "accounts:otp-verify" if user_has_device(request.user) else "accounts:otp-setup"
            target = reverse(name)
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            response = redirect(target)
            if request.headers.get("HX-Request"):
                response["HX-Redirect"] = target
            return response
        return self.get_response(request)

    def _must_verify(self, request: HttpRequest) -> bool:
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return False
        if request.session.get("oa_sign_in_via") == "staff":
            return False  # the organisation's own provider asked for its second factor
        allowed = (
            *_static_prefixes(),
            reverse("logout"),
            reverse("accounts:otp-setup"),
            reverse("accounts:otp-verify"),
            # The passkey ceremonies (accounts.passkeys) that give or set up the factor.
            reverse("otp_webauthn:js-i18n-catalog").rsplit("jsi18n/", 1)[0],
        )
        if _exempt(request.path, allowed):
            return False
        from .domain import needs_second_factor
        from .selectors import roles_of

        return needs_second_factor(
            roles_of(user), is_superuser=user.is_superuser, is_staff=user.is_staff
        )


class ActingForMiddleware:
    """A legal representative who signed in with DigiD and picked whom they act for
    (`accounts.views.acting_for`): the visibility rules read it from the user
    (`clients.selectors.inwoner_condition`), and check the representation each time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        acting = request.session.get("oa_acting_for") if hasattr(request, "session") else None
        if acting and request.user.is_authenticated:
            request.user.acting_for_client_id = acting
        return self.get_response(request)
