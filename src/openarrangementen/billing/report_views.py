"""The billing reports: the municipality's spending overview (with a CSV export) and the
statement of a partnership (samenwerkingsverband).

The spending overview holds sums only, no client data, so it is not in the access log. The
partnership statement lists the lines per client: every client on it is logged. Anyone
without a role for a page gets a 404, as on the other portal pages.
"""

from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import Provider
from openarrangementen.accounts.selectors import municipalities_for, roles_of
from openarrangementen.catalog.models import Arrangement
from openarrangementen.contracting.models import Partnership
from openarrangementen.core.audit import log_list
from openarrangementen.core.exports import csv_bytes
from openarrangementen.portal.forms import UtrechtFormMixin

from .domain import month_of
from .reports import (
    MAX_MONTHS,
    PARTNERSHIP_ROLES,
    SPENDING_CSV_COLUMNS,
    SPENDING_ROLES,
    fee_percent,
    format_percent,
    months_between,
    partnership_scope,
    partnership_statement,
    spending_arrangements,
    spending_csv_lines,
    spending_overview,
    spending_providers,
)

DEFAULT_MONTHS = 12


def _roles_or_404(request: HttpRequest, allowed: frozenset[Role]) -> set[Role]:
    roles = roles_of(request.user)
    if not roles & allowed:
        raise Http404("Deze pagina is er niet voor uw rol.")
    return roles


def _month_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "month", "placeholder": "jjjj-mm"}, format="%Y-%m")


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class ReportFilter(UtrechtFormMixin, forms.Form):
    """The months of a report (GET): 'van' and 'tot en met', as 2026-03."""

    van = forms.DateField(
        label="Van maand",
        required=False,
        input_formats=["%Y-%m", "%m-%Y"],
        widget=_month_input(),
        error_messages={"invalid": "Vul een maand in als jjjj-mm, bijvoorbeeld 2026-03."},
    )
    tot = forms.DateField(
        label="Tot en met maand",
        required=False,
        input_formats=["%Y-%m", "%m-%Y"],
        widget=_month_input(),
        error_messages={"invalid": "Vul een maand in als jjjj-mm, bijvoorbeeld 2026-12."},
    )

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.default_last = month_of(today).begin
        self.default_first = _shift_months(self.default_last, 1 - DEFAULT_MONTHS)

    def clean(self) -> dict:
        data = super().clean()
        first = data.get("van") or self.default_first
        last = data.get("tot") or self.default_last
        if not self.errors:
            if last < first:
                self.add_error("tot", "Deze maand ligt vóór de eerste maand.")
            elif len(months_between(first, last)) > MAX_MONTHS:
                self.add_error("tot", f"Kies ten hoogste {MAX_MONTHS} maanden.")
        return data

    def months(self) -> tuple[date, date] | None:
        """First and last month to show; None when the input is wrong."""
        if self.is_bound and not self.is_valid():
            return None
        data = self.cleaned_data if self.is_bound else {}
        first = data.get("van") or self.default_first
        last = data.get("tot") or self.default_last
        return month_of(first).begin, month_of(last).begin


class SpendingFilter(ReportFilter):
    aanbieder = forms.ModelChoiceField(
        label="Aanbieder", queryset=Provider.objects.none(), required=False, empty_label="Alle"
    )
    arrangement = forms.ModelChoiceField(
        label="Arrangement",
        queryset=Arrangement.objects.none(),
        required=False,
        empty_label="Alle",
    )

    def __init__(self, *args, municipalities, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["aanbieder"].queryset = spending_providers(municipalities)
        self.fields["arrangement"].queryset = spending_arrangements(municipalities)
        self.fields["arrangement"].label_from_instance = lambda a: (
            f"{a.name} ({a.catalog_version.name})"
        )


class PartnershipFilter(ReportFilter):
    verband = forms.ModelChoiceField(
        label="Samenwerkingsverband",
        queryset=Partnership.objects.none(),
        required=False,
        empty_label="Alle",
    )

    def __init__(self, *args, partnerships, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["verband"].queryset = partnerships


# --- spending overview --------------------------------------------------------------------------


@login_required
def spending(request: HttpRequest) -> HttpResponse:
    """Committed, declared, approved and paid per month, provider, arrangement and level in
    the user's municipalities; `?format=csv` gives the table as a CSV file."""
    _roles_or_404(request, SPENDING_ROLES)
    municipalities = municipalities_for(request.user, SPENDING_ROLES)
    form = SpendingFilter(
        request.GET or None, today=timezone.localdate(), municipalities=municipalities
    )
    months = form.months()
    report = None
    if months is not None:
        data = form.cleaned_data if form.is_bound else {}
        report = spending_overview(
            municipalities=municipalities,
            first=months[0],
            last=months[1],
            provider=data.get("aanbieder"),
            arrangement=data.get("arrangement"),
        )
    if request.GET.get("format") == "csv":
        if report is None:
            raise Http404("Deze selectie is niet geldig.")
        return _spending_csv(report, months)
    return render(
        request,
        "billing/spending.html",
        {
            "form": form,
            "report": report,
            "chart": report.chart() if report else None,
            "municipalities": list(municipalities),
        },
    )


def _spending_csv(report, months: tuple[date, date]) -> HttpResponse:
    response = HttpResponse(
        csv_bytes(SPENDING_CSV_COLUMNS, spending_csv_lines(report)),
        content_type="text/csv; charset=utf-8",
    )
    first, last = months
    response["Content-Disposition"] = (
        f'attachment; filename="uitgaven-{first:%Y-%m}-{last:%Y-%m}.csv"'
    )
    return response


# --- partnership statement ----------------------------------------------------------------------


@login_required
def partnership(request: HttpRequest) -> HttpResponse:
    """Per month, partnership and onderaannemer: what the hoofdaanbieder was paid for the
    onderaannemer's trajects, the coordination fee it keeps and what it passes on."""
    roles = _roles_or_404(request, PARTNERSHIP_ROLES)
    scope = partnership_scope(request.user, roles)
    if scope is None:
        raise Http404("Deze pagina is er niet voor uw rol.")
    form = PartnershipFilter(
        request.GET or None, today=timezone.localdate(), partnerships=scope.partnerships
    )
    months = form.months()
    statement = None
    if months is not None:
        chosen = form.cleaned_data.get("verband") if form.is_bound else None
        partnerships = scope.partnerships.filter(pk=chosen.pk) if chosen else scope.partnerships
        statement = partnership_statement(
            partnerships=partnerships,
            side=scope.side,
            first=months[0],
            last=months[1],
            municipalities=scope.municipalities,
        )
        log_list(
            actor=request.user,
            objects=statement.clients,
            purpose="Afrekening samenwerkingsverband",
            path=request.get_full_path(),
            roles=",".join(sorted(roles)),
        )
    return render(
        request,
        "billing/partnership.html",
        {
            "form": form,
            "statement": statement,
            "partnerships": [
                {
                    "partnership": p,
                    "agreed": format_percent(p.coordination_fee_cap_percent),
                    "applied": format_percent(fee_percent(p)),
                    "regional": format_percent(p.region.max_coordination_fee_percent)
                    if p.region.max_coordination_fee_percent is not None
                    else "",
                    "members": [m.provider for m in p.members.all()],
                }
                for p in scope.partnerships.select_related(
                    "region", "lead_provider"
                ).prefetch_related("members__provider")
            ],
            "shows_names": scope.shows_names,
            "is_municipality": scope.municipalities is not None,
        },
    )
