"""Portal pages. Views stay thin: parse input, call a selector or service, render."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from openarrangementen.accounts.domain import (
    MUNICIPALITY_CLIENT_ROLES,
    ROLE_LABELS,
    Role,
)
from openarrangementen.accounts.selectors import role_assignments_of, roles_of
from openarrangementen.cases.selectors import traject_list_visible_to
from openarrangementen.catalog.models import CatalogVersion
from openarrangementen.catalog.selectors import (
    catalog_overview,
    catalog_version_on,
    lots_with_contracts,
    regions_for,
)
from openarrangementen.clients.permissions import may_record_representatives
from openarrangementen.clients.selectors import (
    client_get_visible_to,
    client_list_visible_to,
    household_members_visible_to,
)
from openarrangementen.contracting.models import Contract, Partnership
from openarrangementen.core.audit import log_access, log_list
from openarrangementen.core.pagination import CappedPaginator, page_of

from .forms import CatalogDateForm, ClientSearchForm


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: one section per role the user holds."""
    assignments = role_assignments_of(request.user)
    roles = {Role(a.role) for a in assignments}
    today = timezone.localdate()
    context: dict[str, object] = {
        "assignments": [(a, ROLE_LABELS[Role(a.role)]) for a in assignments],
        "regions": list(regions_for(user=request.user)),
        "today": today,
    }
    if roles & MUNICIPALITY_CLIENT_ROLES:
        # A count that stops early: the start page stays cheap at any volume (ADR 0010).
        context["client_count"] = CappedPaginator(
            client_list_visible_to(actor=request.user).order_by("pk")
        ).count_text("inwoner", "inwoners")
    if Role.FUNCTIONEEL_BEHEERDER in roles:
        context["system"] = _system_state(request.user)
    if Role.CONTRACTMANAGER in roles or Role.FUNCTIONEEL_BEHEERDER in roles:
        region_ids = {a.scope_region_id for a in assignments if a.scope_region_id}
        context["contracts"] = (
            Contract.objects.filter(lot__catalog_version__region__in=region_ids)
            .filter(valid_from__lte=today)
            .exclude(valid_to__lt=today)
            .select_related("provider", "lot__catalog_version__region")
            .order_by("lot__catalog_version__region__name", "lot__rank", "provider__name")
        )
    provider_ids = {a.provider_id for a in assignments if a.provider_id}
    if provider_ids:
        context["provider_contracts"] = (
            Contract.objects.filter(provider__in=provider_ids)
            .select_related("provider", "lot__catalog_version__region")
            .order_by("provider__name", "lot__catalog_version__region__name", "lot__rank")
        )
        context["partnerships"] = Partnership.objects.filter(
            lead_provider__in=provider_ids
        ).prefetch_related("members__provider", "members__support_forms")
    if Role.INWONER in roles:
        # A legal representative acting for someone sees that person's file (ADR 0011).
        acting = getattr(request.user, "acting_for_client_id", None)
        visible = client_list_visible_to(actor=request.user)
        own = (visible.filter(pk=acting) if acting else visible.filter(user=request.user)).first()
        context["acting_for"] = own if acting else None
        if own is not None:
            log_access(
                actor=request.user,
                action="view",
                objects=[own],
                purpose="eigen gegevens op startpagina",
                path=request.path,
                roles=Role.INWONER.value,
            )
        context["own_client"] = own
    context["roles"] = {r.value for r in roles}
    context["is_contactpersoon_only"] = roles == {Role.CONTACTPERSOON}
    return render(request, "portal/home.html", context)


@login_required
def catalog_index(request: HttpRequest) -> HttpResponse:
    regions = list(regions_for(user=request.user))
    if len(regions) == 1:
        return redirect("portal:catalog-detail", region_slug=regions[0].slug)
    return render(request, "portal/catalog/index.html", {"regions": regions})


@login_required
def catalog_detail(request: HttpRequest, region_slug: str) -> HttpResponse:
    """The region's catalog as in force on a date (default today), or one chosen version."""
    region = get_object_or_404(regions_for(user=request.user), slug=region_slug)
    form = CatalogDateForm(request.GET or None, region=region)
    day: date = timezone.localdate()
    version: CatalogVersion | None = None
    if form.is_valid():
        day = form.cleaned_data.get("datum") or day
        version = form.cleaned_data.get("versie")
        if version is not None and not version.validity.contains(day):
            day = version.valid_from
    if version is None:
        version = catalog_version_on(region=region, day=day)
    context: dict[str, object] = {
        "region": region,
        "form": form,
        "day": day,
        "version": version,
        "versions": region.catalog_versions.all(),
        "municipalities": region.municipalities.all(),
    }
    if version is not None:
        arrangements = catalog_overview(version=version, day=day)
        context["arrangements"] = arrangements
        context["lots"] = lots_with_contracts(version=version, day=day)
        context["life_domains"] = version.life_domains.prefetch_related("modules__steps")
        context["steps"] = [1, 2, 3, 4, 5]
        context["indication_terms"] = version.indication_terms.all()
        context["result_codes"] = version.result_codes.all()
        context["cak_codes"] = version.cak_product_codes.all()
        context["instrument"] = getattr(version, "assessment_instrument", None)
        context["has_demo_values"] = any(
            level.is_demo_value or any(p.is_demo_value for p in level.prices_on_day)
            for arrangement in arrangements
            for level in arrangement.levels.all()
        )
        context["matrix"] = [
            (domain, [(module, module_step_cells(module)) for module in domain.modules.all()])
            for domain in context["life_domains"]
        ]
    return render(request, "portal/catalog/detail.html", context)


def module_step_cells(module) -> list[str]:
    """Availability per trede 1-5 for the matrix: "available", "undecided" or ""."""
    by_step = {step.step: step.availability for step in module.steps.all()}
    return [by_step.get(step, "") for step in range(1, 6)]


def _client_roles_or_404(request: HttpRequest) -> set[Role]:
    roles = roles_of(request.user)
    if not roles & (MUNICIPALITY_CLIENT_ROLES | {Role.INWONER}):
        raise Http404("Deze pagina is er niet voor uw rol.")
    return roles


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    roles = _client_roles_or_404(request)
    clients = client_list_visible_to(actor=request.user)
    form = ClientSearchForm(request.GET or None)
    searched = False
    if form.is_valid() and form.cleaned_data.get("q"):
        searched = True
        clients = form.filter(clients)
    page = page_of(request, clients, per_page=25)
    log_list(
        actor=request.user,
        objects=page.object_list,
        purpose="zoeken in inwoners" if searched else "overzicht inwoners",
        path=request.get_full_path(),
        roles=",".join(sorted(roles)),
    )
    return render(
        request, "portal/clients/list.html", {"form": form, "page": page, "searched": searched}
    )


@login_required
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _client_roles_or_404(request)
    client = client_get_visible_to(
        actor=request.user, pk=pk, purpose="dossier inwoner ingezien", path=request.path
    )
    return render(
        request,
        "portal/clients/detail.html",
        {
            "client": client,
            "representatives": client.representatives.all(),
            "may_record_representatives": may_record_representatives(request.user),
            "household_members": household_members_visible_to(actor=request.user, client=client),
            "trajects": traject_list_visible_to(actor=request.user).filter(client=client),
            "may_register": bool(roles_of(request.user) & {Role.WIJKWERKER, Role.PROCESREGISSEUR}),
        },
    )


def _system_state(user) -> dict:
    """What the functioneel beheerder should know of the installation (issue #23): whether
    the worker runs (sends, retries, reminders), and the outgoing iWmo messages of their
    municipalities that could not be sent."""
    from django.conf import settings

    from openarrangementen.core.jobs import worker_alive
    from openarrangementen.iwmo.models import Message
    from openarrangementen.iwmo.selectors import message_list_visible_to

    return {
        "worker_alive": worker_alive(),
        "heartbeat_minutes": settings.WORKER_HEARTBEAT_MINUTES,
        "failed": message_list_visible_to(user)
        .filter(
            direction=Message.Direction.OUTGOING,
            status=Message.Status.FAILED,
            needs_attention=True,
        )
        .count(),
    }


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's messages in the app; reading the page marks them read."""
    from openarrangementen.core.models import Notification
    from openarrangementen.core.notifications import mark_read

    if request.method == "POST":
        mark_read(user=request.user)
        return redirect("portal:notifications")
    page = Paginator(Notification.objects.filter(recipient=request.user), 25).get_page(
        request.GET.get("pagina")
    )
    return render(request, "portal/notifications.html", {"page": page})
