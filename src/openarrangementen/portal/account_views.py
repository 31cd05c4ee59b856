"""Account requests (issue #4): the provider's contact person asks for and revokes
colleagues' accounts; the region's functioneel beheerder approves or rejects.

Being a contact person gives no access to client data: these pages show accounts and
requests only, and use no client or traject selector. Pages answer 404 to other roles.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy

from openarrangementen.accounts import services
from openarrangementen.accounts.domain import ROLE_LABELS, AccountRequestStatus, Role
from openarrangementen.accounts.models import Provider
from openarrangementen.accounts.selectors import (
    account_request_list_of,
    account_request_list_visible_to,
    colleague_list_for,
    colleagues_of,
    providers_for,
    roles_of,
)

from . import account_forms as f

NOT_FOR_YOUR_ROLE = "Deze pagina is er niet voor uw rol."


def _contact_providers(request: HttpRequest) -> QuerySet[Provider]:
    """The providers whose accounts the user manages as contact person; 404 when none."""
    providers = providers_for(request.user, Role.CONTACTPERSOON)
    if not providers.exists():
        raise Http404(NOT_FOR_YOUR_ROLE)
    return providers


def _require_beheerder(request: HttpRequest) -> None:
    if Role.FUNCTIONEEL_BEHEERDER not in roles_of(request.user):
        raise Http404(NOT_FOR_YOUR_ROLE)


def _add_service_error(form, exc: services.AccountRequestError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


@login_required
def organisation_accounts(request: HttpRequest) -> HttpResponse:
    """The organisation's accounts and the requests made for it."""
    providers = _contact_providers(request)
    organisations = [
        (
            provider,
            [
                (user, [ROLE_LABELS[Role(a.role)] for a in user.provider_assignments])
                for user in colleagues_of(provider)
            ],
        )
        for provider in providers
    ]
    return render(
        request,
        "portal/accounts/organisation.html",
        {
            "organisations": organisations,
            "account_requests": account_request_list_of(providers),
        },
    )


@login_required
def account_request_new(request: HttpRequest) -> HttpResponse:
    providers = _contact_providers(request)
    form = f.AccountRequestForm(request.POST or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account_request = services.account_request_create(
                actor=request.user,
                provider=form.provider,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                roles=data["roles"],
                motivation=data["motivation"],
            )
        except services.AccountRequestError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"Uw aanvraag voor een account voor {account_request.person_name} is verstuurd "
                "naar de functioneel beheerder van de gemeente.",
            )
            return redirect("portal:account-organisation")
    return render(
        request,
        "portal/accounts/form.html",
        {
            "form": form,
            "title": "Nieuw account aanvragen",
            "intro": "Vraag een account aan voor een collega. De functioneel beheerder van de "
            "gemeente beoordeelt de aanvraag. Na goedkeuring krijgt uw collega een e-mail om "
            "een wachtwoord in te stellen.",
            "submit": "Aanvraag versturen",
        },
    )


@login_required
def account_revoke_new(request: HttpRequest) -> HttpResponse:
    providers = _contact_providers(request)
    colleagues = colleague_list_for(request.user, providers)
    initial = {}
    if request.method == "GET" and request.GET.get("account", "").isdigit():
        initial["account"] = int(request.GET["account"])
    form = f.RevocationForm(
        request.POST or None, initial=initial, providers=providers, colleagues=colleagues
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account_request = services.account_request_create_revocation(
                actor=request.user,
                provider=form.provider,
                account=data["account"],
                reason=data["motivation"],
            )
        except services.AccountRequestError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"Uw aanvraag om het account van {account_request.person_name} in te trekken "
                "is verstuurd naar de functioneel beheerder van de gemeente.",
            )
            return redirect("portal:account-organisation")
    return render(
        request,
        "portal/accounts/form.html",
        {
            "form": form,
            "title": "Account laten intrekken",
            "intro": "Werkt een collega niet meer bij uw organisatie, of heeft die geen toegang "
            "meer nodig? Vraag dan aan de gemeente om het account in te trekken.",
            "submit": "Aanvraag versturen",
        },
    )


@login_required
def account_request_list(request: HttpRequest) -> HttpResponse:
    """Requests of the providers contracted in the beheerder's region(s)."""
    _require_beheerder(request)
    visible = account_request_list_visible_to(request.user)
    pending = AccountRequestStatus.PENDING.value
    return render(
        request,
        "portal/accounts/request_list.html",
        {
            "pending": visible.filter(status=pending).order_by("requested_at", "id"),
            "decided": visible.exclude(status=pending).order_by("-decided_at", "-id")[:50],
        },
    )


@login_required
def account_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request; approve or reject it."""
    _require_beheerder(request)
    account_request = get_object_or_404(account_request_list_visible_to(request.user), pk=pk)
    here = reverse("portal:account-request-detail", args=[pk])
    form = f.DecisionForm(request.POST or None)
    # Only the reject form has a field to correct; it is shown again with its message.
    rejecting = request.POST.get("decision") == f.DecisionForm.REJECT
    reject_form = form if rejecting else f.DecisionForm(initial={"decision": f.DecisionForm.REJECT})
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == f.DecisionForm.APPROVE:
                services.account_request_approve(request=account_request, actor=request.user)
                messages.success(request, "De aanvraag is goedgekeurd.")
            else:
                services.account_request_reject(
                    request=account_request, actor=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, "De aanvraag is afgewezen.")
        except services.AccountRequestError as exc:
            if exc.field not in form.fields:
                # Already decided, or not for this user to decide: say so on the page itself.
                messages.error(request, str(exc))
                return redirect(here)
            _add_service_error(form, exc)
        else:
            return redirect(here)
    current_roles = []
    if account_request.account_id and account_request.is_pending:
        current_roles = [
            ROLE_LABELS[Role(a.role)]
            for a in account_request.account.role_assignments.filter(
                provider=account_request.provider
            )
        ]
    return render(
        request,
        "portal/accounts/request_detail.html",
        {
            "account_request": account_request,
            "may_decide": account_request.is_pending
            and account_request.requested_by_id != request.user.pk,
            "reject_form": reject_form,
            "current_roles": current_roles,
        },
    )


password_set = auth_views.PasswordResetConfirmView.as_view(
    template_name="portal/accounts/password_set.html",
    form_class=f.PasswordSetForm,
    success_url=reverse_lazy("portal:password-set-done"),
)
password_set_done = auth_views.PasswordResetCompleteView.as_view(
    template_name="portal/accounts/password_set_done.html"
)
