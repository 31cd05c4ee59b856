"""The billing pages: the provider's monthly declaration (what is owed per client and why,
send the 323, the 325 per line) and the municipality's received lines and payments."""

from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, Exists, F, OuterRef, Sum, When
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from openarrangementen.accounts.models import Municipality, Provider
from openarrangementen.accounts.selectors import municipalities_for, roles_of
from openarrangementen.core.audit import log_list
from openarrangementen.core.money import format_euro
from openarrangementen.core.pagination import page_of
from openarrangementen.iwmo import codelists
from openarrangementen.iwmo.exchange import ExchangeError, today
from openarrangementen.iwmo.models import Side
from openarrangementen.iwmo.schemas import SchemasMissing
from openarrangementen.portal.forms import UtrechtFormMixin

from . import services
from .domain import month_of
from .models import Line
from .selectors import (
    MUNICIPALITY_BILLING_ROLES,
    PROVIDER_BILLING_ROLES,
    billing_clients,
    billing_providers_for,
    lines_visible_to,
    provider_billing,
    provider_municipalities,
    settings_for,
)


class MonthField(forms.DateField):
    input_formats = ["%Y-%m"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class ProviderMonthForm(UtrechtFormMixin, forms.Form):
    maand = MonthField(label="Maand")
    gemeente = forms.ModelChoiceField(label="Gemeente", queryset=Municipality.objects.none())

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gemeente"].queryset = municipalities


class ProviderFilterForm(ProviderMonthForm):
    """Declareren's choice of month and municipality, and which clients to list."""

    naam = forms.CharField(label="Achternaam cliënt (of een deel)", required=False, max_length=100)
    eerder = forms.BooleanField(
        label="Alle cliënten, ook van wie de toewijzing voor deze maand al eindigde",
        required=False,
    )


class PaymentForm(UtrechtFormMixin, forms.Form):
    paid_on = forms.DateField(
        label="Betaald op",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=date.today,
    )
    reference = forms.CharField(label="Betalingskenmerk", max_length=50)


def _previous_month() -> date:
    return month_of(today()).begin - timedelta(days=1)


def _roles_text(roles) -> str:
    return ",".join(sorted(roles))


def _retour_texts() -> dict[str, codelists.Code]:
    """WJ001 as installed, by code; empty without the schemas (the codes still show)."""
    try:
        return codelists.retour_codes()
    except codelists.CodeListUnavailable:
        return {}


def _codes(line: Line, known: dict[str, codelists.Code]) -> list[dict]:
    """The refusing codes of a line with their WJ001 text."""
    return [
        {"code": c, "text": known[c].label if c in known else ""}
        for c in line.retour_codes or []
        if c not in ("0200", "8001")
    ]


# Each client on *Declareren* is a section with what is owed, the plan and the lines of the
# month: ten of them make a page one reads through (issue #14: the owed computation and the
# HTML grow with the page, not with the provider).
CLIENTS_PER_PAGE = 10


@login_required
def provider_page(request: HttpRequest) -> HttpResponse:
    """Declareren: per client what is owed in the month and why, what a run would send, and
    the lines of the month with their answer. Paged by client (issue #14): the owed
    computation runs for the 25 clients shown, the run itself for all of them."""
    roles = roles_of(request.user)
    if not roles & PROVIDER_BILLING_ROLES:
        raise Http404("Deze pagina is er niet voor uw rol.")
    provider = billing_providers_for(request.user).first()
    if provider is None:
        raise Http404("U declareert niet voor een aanbieder.")
    municipalities = provider_municipalities(provider)
    form = ProviderFilterForm(
        request.GET or None,
        municipalities=municipalities,
        initial={"maand": _previous_month(), "gemeente": municipalities.first()},
    )
    month, municipality = _previous_month(), municipalities.first()
    name, earlier = "", False
    if form.is_bound and form.is_valid():
        month, municipality = form.cleaned_data["maand"], form.cleaned_data["gemeente"]
        name, earlier = form.cleaned_data["naam"].strip(), form.cleaned_data["eerder"]
    period = month_of(month)
    context = {"form": form, "provider": provider, "municipality": municipality}
    if municipality is None:
        return render(request, "billing/provider.html", context)
    clients = billing_clients(
        provider=provider,
        municipality=municipality,
        until=period.end,
        since=None if earlier else period.begin,
    )
    if name:
        clients = clients.filter(family_name__icontains=name)
    page = page_of(request, clients, per_page=CLIENTS_PER_PAGE)
    shown = list(page.object_list)
    order = {client.pk: i for i, client in enumerate(shown)}
    rows = provider_billing(
        provider=provider, municipality=municipality, month=period.begin, client_ids=order
    )
    rows.sort(key=lambda r: (order[r.state.client_id], r.state.category))
    lines = lines_visible_to(request.user, side=Side.PROVIDER).filter(
        provider=provider, municipality=municipality
    )
    known = _retour_texts()
    by_line: dict[tuple, list[Line]] = {}
    for line in lines.filter(
        client_id__in=list(order), period_begin__lte=period.end, period_end__gte=period.begin
    ).order_by("period_begin", "assignment_number", "created_at", "pk"):
        line.codes = _codes(line, known)
        by_line.setdefault((line.client_id, line.product_category), []).append(line)
    by_pk = {client.pk: client for client in shown}
    for row in rows:
        row.client = by_pk[row.state.client_id]
        row.lines = by_line.get((row.state.client_id, row.state.category), [])
        row.owed_shown = [o for o in row.owed if o.period.overlaps(period)]
        row.others_shown = [o for o in row.others if o.period.overlaps(period)]
    log_list(
        actor=request.user,
        objects=shown,
        purpose="declareren",
        path=request.get_full_path(),
        roles=_roles_text(roles),
    )
    settings = settings_for(municipality.region)
    return render(
        request,
        "billing/provider.html",
        context
        | {
            "period": period,
            "rows": rows,
            "page": page,
            "count_text": page.paginator.count_text("cliënt", "cliënten"),
            "filtered": bool(name or earlier),
            "settings": settings,
            "to_send_here": sum(len(r.plan_debits) + len(r.plan_credits) for r in rows),
            "may_run": period.end < today(),
            "due_by": period.end + timedelta(days=settings.declaration_term_days),
            "concept": lines.filter(status=Line.Status.CONCEPT).count(),
            "refused_months": _refused_months(lines),
        },
    )


def _refused_months(lines) -> list[dict]:
    """Per month, the refused lines whose period has no standing debit since: the page
    shows one month, a refusal still open in another must not go unseen (bounded by the
    months, not the lines)."""
    declared_again = Line.objects.filter(
        side=OuterRef("side"),
        municipality=OuterRef("municipality"),
        assignment_number=OuterRef("assignment_number"),
        period_begin=OuterRef("period_begin"),
        credit=False,
        standing=True,
    )
    return [
        {"month": row["month"], "count": row["count"]}
        for row in lines.filter(status=Line.Status.REJECTED, credit=False)
        .exclude(Exists(declared_again))
        .annotate(month=TruncMonth("period_begin"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("-month")
    ]


@login_required
@require_POST
def provider_run(request: HttpRequest) -> HttpResponse:
    if not roles_of(request.user) & PROVIDER_BILLING_ROLES:
        raise Http404
    provider = billing_providers_for(request.user).first()
    municipalities = provider_municipalities(provider) if provider else Municipality.objects.none()
    form = ProviderMonthForm(request.POST, municipalities=municipalities)
    if provider is None or not form.is_valid():
        messages.error(request, "Kies een maand en een gemeente.")
        return redirect("portal:billing-provider")
    month, municipality = form.cleaned_data["maand"], form.cleaned_data["gemeente"]
    back = reverse("portal:billing-provider") + f"?maand={month:%Y-%m}&gemeente={municipality.pk}"
    try:
        result = services.billing_run(
            user=request.user, provider=provider, municipality=municipality, month=month
        )
    except (services.BillingError, ExchangeError, SchemasMissing) as exc:
        messages.error(request, str(exc) or "De schema's van iWmo zijn niet geïnstalleerd.")
        return redirect(back)
    if result.message is None:
        messages.info(request, "Er is niets te declareren over deze maand.")
    else:
        lines = Line.objects.filter(side=Side.PROVIDER, message=result.message)
        approved = lines.filter(status=Line.Status.APPROVED).count()
        messages.success(
            request,
            f"Declaratie {result.message.identification} verzonden: {lines.count()} regels "
            f"({result.debits} debet, {result.credits} credit nieuw), {approved} goedgekeurd.",
        )
    return redirect(back)


@login_required
def municipality_page(request: HttpRequest) -> HttpResponse:
    """Declaraties: the received lines with the check's outcome, what is payable by when, and
    recording a payment."""
    roles = roles_of(request.user)
    if not roles & MUNICIPALITY_BILLING_ROLES:
        raise Http404("Deze pagina is er niet voor uw rol.")
    lines = lines_visible_to(request.user, side=Side.MUNICIPALITY)
    # The providers that can declare here (not read from every line: that grows with them).
    providers = Provider.objects.filter(
        pk__in=Provider.objects.filter(
            contracts__lot__catalog_version__region__municipalities__in=municipalities_for(
                request.user, MUNICIPALITY_BILLING_ROLES
            )
        )
    ).order_by("name")
    provider_id = request.GET.get("aanbieder")
    status = request.GET.get("status", "")
    if provider_id and provider_id.isdigit():
        lines = lines.filter(provider_id=int(provider_id))
    if status == "te-betalen":
        lines = lines.filter(status=Line.Status.APPROVED, payment__isnull=True)
    elif status in Line.Status.values:
        lines = lines.filter(status=status)
    # What is still to pay in this selection, summed in the database over every line.
    unpaid_total = lines.filter(status=Line.Status.APPROVED, payment__isnull=True).aggregate(
        total=Sum(Case(When(credit=True, then=-F("amount")), default=F("amount")))
    )["total"] or Decimal(0)
    page = page_of(request, lines.order_by("-created_at", "-pk"))
    lines = list(page.object_list)
    known = _retour_texts()
    for line in lines:
        line.codes = _codes(line, known)
        line.overdue = (
            line.status == Line.Status.APPROVED
            and line.payment_id is None
            and line.payable_by is not None
            and line.payable_by < today()
        )
    log_list(
        actor=request.user,
        objects={line.client for line in lines},
        purpose="declaraties beoordelen en betalen",
        path=request.get_full_path(),
        roles=_roles_text(roles),
    )
    return render(
        request,
        "billing/municipality.html",
        {
            "lines": lines,
            "providers": providers,
            "provider_id": provider_id or "",
            "status": status,
            "statuses": Line.Status.choices,
            "unpaid_total": format_euro(unpaid_total),
            "page": page,
            "count_text": page.paginator.count_text("declaratieregel", "declaratieregels"),
            "payment_form": PaymentForm(),
        },
    )


@login_required
@require_POST
def record_payment(request: HttpRequest) -> HttpResponse:
    if not roles_of(request.user) & MUNICIPALITY_BILLING_ROLES:
        raise Http404
    form = PaymentForm(request.POST)
    ids = [int(i) for i in request.POST.getlist("regel") if i.isdigit()]
    lines = list(lines_visible_to(request.user, side=Side.MUNICIPALITY).filter(pk__in=ids))
    if not form.is_valid() or not lines:
        messages.error(request, "Kies de betaalde regels en vul datum en betalingskenmerk in.")
        return redirect("portal:billing-municipality")
    if len({(line.municipality_id, line.provider_id) for line in lines}) > 1:
        messages.error(request, "Eén betaling geldt voor één aanbieder en één gemeente.")
        return redirect("portal:billing-municipality")
    first = lines[0]
    municipality = get_object_or_404(
        municipalities_for(request.user, MUNICIPALITY_BILLING_ROLES), pk=first.municipality_id
    )
    try:
        payment = services.record_payment(
            user=request.user,
            municipality=municipality,
            provider=first.provider,
            lines=lines,
            paid_on=form.cleaned_data["paid_on"],
            reference=form.cleaned_data["reference"],
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("portal:billing-municipality")
    messages.success(
        request,
        f"Betaling {payment.reference} van {format_euro(payment.amount)} vastgelegd "
        f"({len(lines)} regels).",
    )
    return redirect("portal:billing-municipality")
