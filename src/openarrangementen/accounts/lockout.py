"""Login throttling (issue #21) on django-axes.

Failures are counted per account-and-address pair (`PAIR_FAILURE_LIMIT`), so a colleague's
typing errors cannot lock everyone behind a municipality's proxy, and per account over every
address (`ACCOUNT_FAILURE_LIMIT`), so guessing spread over many addresses is slowed down too.
Both are counted over the cool-off (`AXES_COOLOFF_TIME`); a successful sign-in clears the
account's failures; a functioneel beheerder can lift a lockout (`unlock`)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt

from .domain import ACCOUNT_FAILURE_LIMIT, PAIR_FAILURE_LIMIT, SignInKind
from .models import User
from .signin import client_address, record


@dataclass(frozen=True)
class Lockout:
    per_account: bool  # False: only this account from this address
    until: datetime


def _recent(request: HttpRequest | None, **filters):
    attempts = AccessAttempt.objects.filter(**filters)
    cool_off = get_cool_off(request)
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))


def lockout_of(username: str, address: str | None, request: HttpRequest | None = None):
    """The lockout in force for this account from this address, or None."""
    if not username:
        return None
    cool_off = get_cool_off(request)
    account = _recent(request, username=username)
    if (account["failures"] or 0) >= ACCOUNT_FAILURE_LIMIT:
        return Lockout(per_account=True, until=account["last"] + cool_off)
    pair = _recent(request, username=username, ip_address=address)
    if (pair["failures"] or 0) >= PAIR_FAILURE_LIMIT:
        return Lockout(per_account=False, until=pair["last"] + cool_off)
    return None


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with the two limits above. Axes compares
    `get_failures` with `AXES_FAILURE_LIMIT` (= PAIR_FAILURE_LIMIT); an account over its own
    limit counts as having reached it from every address."""

    def get_failures(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        address = getattr(request, "axes_ip_address", None) or client_address(request)
        if lockout_of(username or "", address, request) is not None:
            return PAIR_FAILURE_LIMIT
        pair = _recent(request, username=username, ip_address=address)
        return pair["failures"] or 0


def locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """The page shown instead of signing in while a lockout holds: says why and until when."""
    username = get_client_username(request, credentials) or ""
    lockout = lockout_of(username, client_address(request), request)
    user = User.objects.filter(username=username).first() if username else None
    record(
        SignInKind.LOCKED,
        request=request,
        user=user,
        username=username,
        detail="per account" if lockout and lockout.per_account else "per account en adres",
    )
    until = timezone.localtime(lockout.until) if lockout else None
    return render(
        request,
        "registration/locked_out.html",
        {"lockout": lockout, "until": until, "pair_limit": PAIR_FAILURE_LIMIT},
        status=429,
    )


def clear_failures(user: User) -> int:
    """Forget the account's failed attempts (all addresses): a new password was set."""
    removed, _ = AccessAttempt.objects.filter(username=user.get_username()).delete()
    return removed


def unlock(*, user: User, by: User, request: HttpRequest | None = None) -> int:
    """Lift every lockout of the account (all addresses); recorded with who did it."""
    removed = clear_failures(user)
    record(SignInKind.UNLOCKED, request=request, user=user, by=by)
    return removed
