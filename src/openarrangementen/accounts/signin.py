"""The sign-in audit log (issue #21): every sign-in, failure, lockout, logout, password reset
and change of the second factor becomes a `SignInEvent`. The receivers are connected in
`AccountsConfig.ready`; services call `record` for the events they cause themselves."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from .domain import SignInKind
from .models import SignInEvent, User


def client_address(request: HttpRequest | None) -> str | None:
    """The address the request came from, as the lockout counts it (django-axes: the
    proxies in front are configured with TRUSTED_PROXY_COUNT)."""
    if request is None:
        return None
    address = getattr(request, "axes_ip_address", None)
    if address is None:
        from axes.helpers import get_client_ip_address

        address = get_client_ip_address(request)
    return address or None


def record(
    kind: SignInKind,
    *,
    request: HttpRequest | None = None,
    user: User | None = None,
    username: str = "",
    by: User | None = None,
    detail: str = "",
) -> SignInEvent:
    return SignInEvent.objects.create(
        kind=kind.value,
        user=user if user is not None and user.pk else None,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        ip_address=client_address(request),
        by=by,
        detail=detail[:200],
    )


def _logged_in(sender, request, user, **kwargs) -> None:
    import time

    from .middleware import IDLE_SECONDS, LAST_SEEN
    from .selectors import idle_timeout_minutes

    # Through which sign-in provider, when not with a password (accounts.views.oidc_callback).
    record(SignInKind.LOGIN, request=request, user=user, detail=getattr(request, "oa_via", ""))
    from django.conf import settings

    if settings.IDLE_TIMEOUT_ENABLED and request is not None and hasattr(request, "session"):
        request.session[IDLE_SECONDS] = idle_timeout_minutes(user) * 60
        request.session[LAST_SEEN] = time.time()


def _logged_out(sender, request, user, **kwargs) -> None:
    if user is None:  # no one was signed in
        return
    if getattr(request, "_oa_idle_logout", False):
        return  # recorded as IDLE_LOGOUT by the middleware
    record(SignInKind.LOGOUT, request=request, user=user)


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username") or "")
    if request is not None and getattr(request, "axes_locked_out", False):
        return  # recorded as LOCKED by `lockout.locked_out`
    user = User.objects.filter(username=username).first() if username else None
    record(SignInKind.FAILED, request=request, user=user, username=username)


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="oa-sign-in-login")
    user_logged_out.connect(_logged_out, dispatch_uid="oa-sign-in-logout")
    user_login_failed.connect(_login_failed, dispatch_uid="oa-sign-in-failed")
