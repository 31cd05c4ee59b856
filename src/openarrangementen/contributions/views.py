"""The municipality's page on the client contribution (CAK) and its CSV export.

The PAs see the clients of their municipalities; the functioneel beheerder and the contract
manager see the flat rates only. Anyone else gets a 404, as on the other portal pages.
Every client shown or exported is written to the access log.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.selectors import roles_of
from openarrangementen.core.audit import log_list

from .domain import CLIENT_ROLES, PAGE_ROLES, amount_per_period, period_unit
from .forms import PeriodForm
from .selectors import contribution_rows_visible_to, flat_rate_for, flat_rate_list
from .services import contribution_export


def _roles_or_404(request: HttpRequest, allowed: frozenset[Role]) -> set[Role]:
    roles = roles_of(request.user)
    if not roles & allowed:
        raise Http404("Deze pagina is er niet voor uw rol.")
    return roles


@login_required
def contribution_overview(request: HttpRequest) -> HttpResponse:
    """Per period: the mutations for the CAK, every client's contribution and the rates."""
    roles = _roles_or_404(request, PAGE_ROLES)
    form = PeriodForm(request.GET or None, today=timezone.localdate())
    period = form.period()
    sees_clients = bool(roles & CLIENT_ROLES)
    rows = contribution_rows_visible_to(request.user, period) if sees_clients else []
    log_list(
        actor=request.user,
        objects=[row.client for row in rows],
        purpose=f"Bijdrage in de kosten (CAK) {period.code}",
        path=request.get_full_path(),
        roles=",".join(sorted(roles)),
    )
    rates = flat_rate_list()
    for rate in rates:
        # In the CAK period of its own year, e.g. 2019 per 4 weeks.
        rate.per_own_period = amount_per_period(rate.amount, rate.period, period_unit(rate.year))
    missing_cost_prices = sorted(
        {f"{row.level.name} ({row.level.product_code})" for row in rows if row.cost_price is None}
    )
    return render(
        request,
        "contributions/overview.html",
        {
            "form": form,
            "period": period,
            "sees_clients": sees_clients,
            "rows": rows,
            "mutation_rows": [row for row in rows if row.mutations],
            "rate": flat_rate_for(period),
            "rates": rates,
            "missing_cost_prices": missing_cost_prices,
            "may_manage_rates": Role.FUNCTIONEEL_BEHEERDER in roles,
        },
    )


@login_required
def contribution_csv(request: HttpRequest) -> HttpResponse:
    """The period's mutations as a CSV file (docs/cak-export.md)."""
    _roles_or_404(request, CLIENT_ROLES)
    form = PeriodForm(request.GET or None, today=timezone.localdate())
    if form.is_bound and not form.is_valid():
        raise Http404("Deze periode bestaat niet.")
    export = contribution_export(
        actor=request.user, period=form.period(), path=request.get_full_path()
    )
    response = HttpResponse(export.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
