"""The billing reports on the demo data: the municipality's spending overview (committed,
declared, approved, paid; the CSV export; who sees what) and the partnership statement
(gross, coordination fee within the caps, net; clients in the access log)."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django.urls import reverse

import pytest
import time_machine

from openarrangementen.accounts.models import Municipality, Provider, Region
from openarrangementen.billing import reports, services
from openarrangementen.billing.domain import Calendar, euros, tariff_per_period
from openarrangementen.billing.models import BillingSettings, Line
from openarrangementen.billing.tests.test_flow import started as started  # noqa: F401
from openarrangementen.cases.tests import flow
from openarrangementen.contracting.models import Partnership
from openarrangementen.core.models import AccessLog
from openarrangementen.core.money import format_euro
from openarrangementen.delivery.models import Delegation
from openarrangementen.iwmo.models import Assignment, Side

pytestmark = pytest.mark.usefixtures("demo")
user = flow.user
MARCH = date(2026, 3, 1)
WERKPLAATS = "75000105"  # Dagbesteding De Werkplaats, onderaannemer of De Kade (demo)


@pytest.fixture
def declared(started):
    """March declared by De Kade and approved by Almere (one line on each side)."""
    with time_machine.travel(date(2026, 4, 2), tick=False):
        services.billing_run(
            user=user("kade.administratie"),
            provider=started.provider,
            municipality=started.municipality,
            month=MARCH,
        )
    return started


def received(**filters) -> Line:
    return Line.objects.get(side=Side.MUNICIPALITY, **filters)


def monthly_tariff(traject) -> Decimal:
    price = traject.beschikkingen.get(status="definitief").level.prices.get(kind="tariff")
    return tariff_per_period(price.amount, price.period, Calendar.MONTH)


def almere() -> Municipality:
    return Municipality.objects.filter(cbs_code="0034")


def overview(first=MARCH, last=MARCH, municipalities=None, **filters):
    return reports.spending_overview(
        municipalities=almere() if municipalities is None else municipalities,
        first=first,
        last=last,
        **filters,
    )


def copy_line(line: Line, **changes) -> Line:
    line.pk = None
    for name, value in {"standing": False, "payment": None, **changes}.items():
        setattr(line, name, value)
    line.save()
    return line


def login(client, username: str):
    client.force_login(user(username))
    return client


# --- spending overview --------------------------------------------------------------------------


def test_one_approved_and_paid_line_gives_the_four_figures(declared):
    line = received()
    services.record_payment(
        user=user("almere.beheerder"),
        municipality=declared.municipality,
        provider=declared.provider,
        lines=[line],
        paid_on=date(2026, 4, 20),
        reference="BET-2026-04",
    )
    report = overview()
    [row] = report.rows
    tariff = monthly_tariff(declared)
    assert line.amount == tariff
    assert (row.committed, row.declared, row.approved, row.paid) == (tariff,) * 4
    assert (row.assignments, row.declared_lines, row.approved_lines, row.paid_lines) == (1, 1, 1, 1)
    assert row.provider == declared.provider
    level = declared.beschikkingen.get(status="definitief").level
    assert (row.level, row.arrangement) == (level, level.arrangement)
    assert report.total.paid == tariff
    assert report.chart()["series"][3] == {"label": "Betaald", "data": [float(tariff)]}


def test_a_refused_line_is_declared_not_approved_and_a_credit_subtracts(declared):
    debit = received()
    copy_line(received(), reference="X-1", status=Line.Status.REJECTED, retour_codes=["8017"])
    copy_line(
        received(reference=debit.reference),
        reference="X-2",
        previous_reference=debit.reference,
        credit=True,
        status=Line.Status.APPROVED,
        amount=Decimal("100.00"),
    )
    [row] = overview().rows
    assert row.declared == debit.amount + debit.amount - Decimal("100.00")
    assert row.approved == debit.amount - Decimal("100.00")
    assert (row.declared_lines, row.approved_lines) == (3, 2)
    assert (row.paid, row.paid_lines) == (Decimal(0), 0)


def test_committed_follows_the_contract_tariff_per_period_of_the_calendar(started):
    assignment = Assignment.objects.get(traject=started)
    assert assignment.last_message_id is not None
    tariff = monthly_tariff(started)
    # Calendar months: every month of the toewijzing once, nothing before it starts.
    report = overview(first=date(2026, 2, 1), last=date(2026, 4, 1))
    assert [m.committed for m in report.per_month] == [Decimal(0), tariff, tariff]
    assert report.total.assignments == 1
    assert report.total.declared == Decimal(0)
    # 4-week periods: January 2027 holds two periods (1 and 29 January).
    BillingSettings.objects.update_or_create(
        region=started.municipality.region, defaults={"calendar": Calendar.FOUR_WEEKS}
    )
    price = started.beschikkingen.get(status="definitief").level.prices.get(kind="tariff")
    per_four_weeks = tariff_per_period(price.amount, price.period, Calendar.FOUR_WEEKS)
    assert assignment.end_on is None or assignment.end_on >= date(2027, 1, 31)
    [row] = overview(first=date(2027, 1, 1), last=date(2027, 1, 1)).rows
    assert (row.committed_periods, row.committed) == (2, 2 * per_four_weeks)


def test_the_filters_narrow_the_overview(declared):
    other = Provider.objects.get(agb_code="75000102")  # Het Anker
    assert overview(provider=other).rows == []
    assert len(overview(provider=declared.provider).rows) == 1
    level = declared.beschikkingen.get(status="definitief").level
    assert len(overview(arrangement=level.arrangement).rows) == 1
    elsewhere = level.arrangement.catalog_version.arrangements.exclude(pk=level.arrangement_id)
    assert overview(arrangement=elsewhere.first()).rows == []


def test_the_page_and_the_csv_export(declared, client):
    login(client, "almere.contractmanager")
    url = reverse("portal:billing-spending")
    page = client.get(url, {"van": "2026-03", "tot": "2026-03"})
    assert page.status_code == 200
    html = page.content.decode()
    amount = received().amount
    assert format_euro(amount) in html  # Dutch notation: € 1.234,56
    assert "De Kade Begeleiding" in html
    assert 'id="billing-chart-data"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "<script>" not in html  # no inline script: the CSP allows only static files
    export = client.get(url, {"van": "2026-03", "tot": "2026-03", "format": "csv"})
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert "uitgaven-2026-03-2026-03.csv" in export["Content-Disposition"]
    text = export.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = [r.split(";") for r in text.lstrip("\ufeff").splitlines()]
    assert rows[0] == reports.SPENDING_CSV_COLUMNS
    euro_text = f"{amount:.2f}".replace(".", ",")
    assert rows[1][:3] == ["2026-03", "De Kade Begeleiding", "75000101"]
    assert rows[1][6:9] == [euro_text, "1", "1"]
    assert rows[1][10:] == [euro_text, "1", euro_text, "1", "0,00", "0"]
    assert rows[-1][0] == "totaal"
    assert len(rows) == 3
    assert not AccessLog.objects.filter(actor__username="almere.contractmanager").exists()


def test_who_sees_the_spending_overview(declared, client):
    url = reverse("portal:billing-spending")
    for provider_user in ("kade.administratie", "kade.werkverdeler", "almere.pa"):
        assert login(client, provider_user).get(url).status_code == 404
    page = login(client, "mlw.contractmanager").get(url, {"van": "2026-03", "tot": "2026-03"})
    assert page.status_code == 200
    assert "De Kade Begeleiding" not in page.content.decode()
    assert "Geen toewijzingen of declaraties" in page.content.decode()
    # Nobody picks another municipality's provider through the filter.
    page = login(client, "mlw.contractmanager").get(url, {"aanbieder": declared.provider.pk})
    assert page.context["report"] is None
    page = login(client, "almere.beheerder").get(url, {"van": "2026-04", "tot": "2026-03"})
    assert page.context["report"] is None
    assert "vóór de eerste maand" in page.content.decode()


# --- partnership statement ----------------------------------------------------------------------


def delegate(traject) -> Delegation:
    return Delegation.objects.create(
        traject=traject,
        delegate=user("werkplaats.medewerker"),
        subcontractor=Provider.objects.get(agb_code=WERKPLAATS),
        reason="Dagbesteding door De Werkplaats.",
        granted_by=user("kade.werkverdeler"),
    )


def kade_partnership() -> Partnership:
    return Partnership.objects.get(lead_provider__agb_code="75000101")


def statement(side=Side.PROVIDER, municipalities=None):
    return reports.partnership_statement(
        partnerships=Partnership.objects.all(),
        side=side,
        first=MARCH,
        last=MARCH,
        municipalities=municipalities,
    )


def test_the_partnership_statement_keeps_the_fee_and_passes_on_the_rest(declared, client):
    assert statement().rows == []  # not delegated: the lead provider's own traject
    delegate(declared)
    [row] = statement().rows
    gross = received().amount
    percent = kade_partnership().coordination_fee_cap_percent
    assert percent == Decimal("8.00")
    assert row.subcontractor.agb_code == WERKPLAATS
    assert row.gross == gross
    assert row.fee == euros(gross * percent / 100)
    assert row.net == row.gross - row.fee
    [municipal] = statement(Side.MUNICIPALITY, almere()).rows
    assert (municipal.gross, municipal.fee) == (row.gross, row.fee)
    # The lead provider's administration sees the lines with the client; the read is logged.
    url = reverse("portal:billing-partnership")
    page = login(client, "kade.administratie").get(url, {"van": "2026-03", "tot": "2026-03"})
    html = page.content.decode()
    assert declared.number in html
    assert declared.client.display_name in html
    assert declared.client.bsn not in html
    assert reports.format_percent(percent) == "8%"
    log = AccessLog.objects.get(actor__username="kade.administratie")
    assert (log.action, log.client_ids) == ("list", [declared.client_id])
    # The contract manager sees the traject number, not the name; also logged.
    page = login(client, "almere.contractmanager").get(url, {"van": "2026-03", "tot": "2026-03"})
    html = page.content.decode()
    assert declared.number in html
    assert declared.client.display_name not in html
    assert AccessLog.objects.filter(actor__username="almere.contractmanager").count() == 1


def test_the_fee_never_exceeds_the_regional_maximum(declared):
    delegate(declared)
    Region.objects.filter(slug="almere").update(max_coordination_fee_percent=Decimal("5.00"))
    [row] = statement().rows
    assert row.fee_percent == Decimal("5.00")
    assert row.is_capped
    assert row.fee == euros(row.gross * Decimal("0.05"))
    assert row.net == row.gross - row.fee


def test_a_revoked_delegation_still_covers_the_months_before(declared):
    delegation = delegate(declared)
    revoked = Delegation.objects.filter(pk=delegation.pk)
    revoked.update(revoked_at=datetime(2026, 5, 1, 12, tzinfo=UTC))
    assert len(statement().rows) == 1
    revoked.update(revoked_at=datetime(2026, 2, 1, 12, tzinfo=UTC))
    assert statement().rows == []


def test_who_sees_a_partnership_statement(declared, client):
    delegate(declared)
    url = reverse("portal:billing-partnership")
    for username in ("kade.begeleider", "werkplaats.medewerker", "almere.pa"):
        assert login(client, username).get(url).status_code == 404
    # Het Anker leads no partnership; Midden-Limburg's contract manager sees its own only.
    for username in ("anker.administratie", "mlw.contractmanager"):
        page = login(client, username).get(url, {"van": "2026-03", "tot": "2026-03"})
        assert page.status_code == 200
        assert page.context["statement"].rows == []
        assert declared.number not in page.content.decode()
    assert not reports.leads_a_partnership(user("anker.administratie"))
    assert reports.leads_a_partnership(user("kade.werkverdeler"))
