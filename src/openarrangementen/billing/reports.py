"""Reports on billing: the municipality's spending overview and the statement of a
partnership (samenwerkingsverband). Reads only; the views decide who sees what.

Spending overview, per calendar month and per provider, arrangement and level:

- *toegezegd* (committed): what the sent and current toewijzingen commit the municipality
  to. Every period of the region's billing calendar that overlaps a toewijzing's dates
  (Ingangsdatum to Einddatum) counts once, at the contract tariff per period of the
  toewijzing's level (`selectors.contract_tariff`) on the toewijzing's first day in that
  period, and it counts in the month in which the period begins. With calendar months that
  is one period for every month in which the toewijzing is valid; with 4-week periods a
  month holds one or two periods. A level priced per hour, day part or etmaal has no tariff
  per period: such toewijzingen are counted, not added.
- *gedeclareerd* (declared): the lines the municipality received (its own side), whatever
  their status except concept: debits minus credits.
- *goedgekeurd* (approved): the received lines approved, debits minus credits.
- *betaald* (paid): the approved lines with a payment.

A line counts in the month of its ProductPeriode (`period_begin`), so the four figures of a
month are about the same support. Amounts are Decimal euros.

Partnership statement: per month, partnership and onderaannemer, the approved lines of the
hoofdaanbieder on trajects it delegated to that onderaannemer; the hoofdaanbieder keeps the
coordination fee (regiekosten) and passes on the rest.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import Municipality, Provider, Region, User
from openarrangementen.accounts.selectors import municipalities_for, providers_for
from openarrangementen.catalog.models import Arrangement, Level
from openarrangementen.contracting.models import Partnership, PartnershipMember
from openarrangementen.core.money import euros
from openarrangementen.delivery.models import Delegation
from openarrangementen.iwmo.models import Assignment, Side

from .domain import Calendar, Period, month_of, periods_between
from .models import Line
from .selectors import PER_PERIOD_UNIT, contract_tariff, level_of, settings_for

ZERO = Decimal("0.00")
MAX_MONTHS = 36  # the longest range a report covers

# Who sees the spending overview: the municipality's contract manager and functioneel
# beheerder. (Administratie is a provider role.)
SPENDING_ROLES = frozenset({Role.CONTRACTMANAGER, Role.FUNCTIONEEL_BEHEERDER})
# Who sees a partnership statement: the municipality's contract manager, and the
# hoofdaanbieder's werkverdeler and administratie.
PARTNERSHIP_MUNICIPALITY_ROLES = frozenset({Role.CONTRACTMANAGER})
PARTNERSHIP_PROVIDER_ROLES = frozenset({Role.WERKVERDELER, Role.ADMINISTRATIE})
PARTNERSHIP_ROLES = PARTNERSHIP_MUNICIPALITY_ROLES | PARTNERSHIP_PROVIDER_ROLES


# --- months -------------------------------------------------------------------------------------


def months_between(first: date, last: date) -> list[Period]:
    """The calendar months from the month of `first` to the month of `last`, inclusive."""
    return periods_between(month_of(first).begin, month_of(last).end, Calendar.MONTH)


def periods_beginning_in(month: Period, calendar: Calendar) -> list[Period]:
    """The periods of `calendar` that begin in `month`: the month itself, or the one or two
    4-week periods starting in it."""
    return [p for p in periods_between(month.begin, month.end, calendar) if month.contains(p.begin)]


# --- spending overview --------------------------------------------------------------------------


@dataclass
class Figures:
    """The four amounts and what they are made of."""

    committed: Decimal = ZERO
    declared: Decimal = ZERO
    approved: Decimal = ZERO
    paid: Decimal = ZERO
    committed_periods: int = 0
    declared_lines: int = 0
    approved_lines: int = 0
    paid_lines: int = 0
    assignment_ids: set[int] = field(default_factory=set)
    untariffed_ids: set[int] = field(default_factory=set)  # no tariff per period

    @property
    def assignments(self) -> int:
        return len(self.assignment_ids)

    @property
    def untariffed(self) -> int:
        return len(self.untariffed_ids)

    def add(self, other: "Figures") -> None:
        self.committed += other.committed
        self.declared += other.declared
        self.approved += other.approved
        self.paid += other.paid
        self.committed_periods += other.committed_periods
        self.declared_lines += other.declared_lines
        self.approved_lines += other.approved_lines
        self.paid_lines += other.paid_lines
        self.assignment_ids |= other.assignment_ids
        self.untariffed_ids |= other.untariffed_ids


@dataclass
class SpendingRow(Figures):
    month: Period | None = None
    provider: Provider | None = None
    arrangement: Arrangement | None = None
    level: Level | None = None


@dataclass
class MonthTotal(Figures):
    month: Period | None = None


@dataclass
class SpendingReport:
    months: list[Period]
    rows: list[SpendingRow]
    per_month: list[MonthTotal]
    total: Figures

    def chart(self) -> dict:
        """The four series per month, for Chart.js (floats: for drawing only; the table
        beside the chart has the exact amounts)."""
        series = [
            ("Toegezegd", "committed"),
            ("Gedeclareerd", "declared"),
            ("Goedgekeurd", "approved"),
            ("Betaald", "paid"),
        ]
        return {
            "labels": [m.month.description for m in self.per_month],
            "series": [
                {"label": label, "data": [float(getattr(m, name)) for m in self.per_month]}
                for label, name in series
            ],
        }


class _Levels:
    """The catalog level of toewijzingen (`selectors.level_of`), with the fallback lookup by
    product code done once per region and code."""

    def __init__(self) -> None:
        self._by_code: dict[tuple, Level | None] = {}

    def of(self, assignment: Assignment) -> Level | None:
        if assignment.beschikking_id:
            return assignment.beschikking.level
        key = (
            assignment.municipality.region_id,
            assignment.product_category,
            assignment.product_code,
        )
        if key not in self._by_code:
            found = level_of(assignment)
            if found is not None:
                found = Level.objects.select_related("arrangement").get(pk=found.pk)
            self._by_code[key] = found
        return self._by_code[key]


class _Tariffs:
    """`selectors.contract_tariff` remembered per level, day and calendar."""

    def __init__(self) -> None:
        self._found: dict[tuple, Decimal | None] = {}

    def per_period(self, level: Level | None, day: date, calendar: Calendar) -> Decimal | None:
        if level is None or level.iwmo_unit != PER_PERIOD_UNIT:
            return None
        key = (level.pk, day, calendar)
        if key not in self._found:
            self._found[key] = contract_tariff(level, day, calendar)
        return self._found[key]


def _assignments(rows: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return rows.select_related(
        "beschikking__level__arrangement", "municipality__region", "provider"
    )


def committed_periods(
    assignment: Assignment, month: Period, calendar: Calendar
) -> list[tuple[Period, date]]:
    """The periods committed by `assignment` that count in `month`, each with the day its
    tariff is taken on (the toewijzing's first day in the period)."""
    found = []
    for period in periods_beginning_in(month, calendar):
        if assignment.start_on > period.end:
            continue
        if assignment.end_on is not None and assignment.end_on < period.begin:
            continue
        found.append((period, max(period.begin, assignment.start_on)))
    return found


def spending_overview(
    *,
    municipalities: QuerySet[Municipality],
    first: date,
    last: date,
    provider: Provider | None = None,
    arrangement: Arrangement | None = None,
) -> SpendingReport:
    """Committed, declared, approved and paid per month (from the month of `first` to the
    month of `last`), provider, arrangement and level, in `municipalities`. The module's
    docstring defines the four figures."""
    months = months_between(first, last)
    begin, end = months[0].begin, months[-1].end
    levels, tariffs = _Levels(), _Tariffs()
    cells: dict[tuple, SpendingRow] = {}
    providers: dict[int, Provider] = {}

    def wanted(level: Level | None) -> bool:
        return arrangement is None or (level is not None and level.arrangement_id == arrangement.pk)

    def cell(month: Period, provider_id: int, level: Level | None) -> SpendingRow:
        key = (month.begin, provider_id, level.pk if level else None)
        if key not in cells:
            cells[key] = SpendingRow(
                month=month,
                provider=providers.get(provider_id),
                arrangement=level.arrangement if level else None,
                level=level,
            )
        return cells[key]

    # Committed: sent, current toewijzingen overlapping the range. A 4-week period that
    # begins in the last month can reach four weeks past it.
    sent = Assignment.objects.filter(
        municipality__in=municipalities,
        last_message__isnull=False,
        start_on__lte=end + timedelta(days=28),
    ).filter(Q(end_on__isnull=True) | Q(end_on__gte=begin))
    if provider is not None:
        sent = sent.filter(provider=provider)
    calendars: dict[int, Calendar] = {}
    for assignment in _assignments(sent):
        if not assignment.is_current:
            continue
        providers[assignment.provider_id] = assignment.provider
        region = assignment.municipality.region
        if region.pk not in calendars:
            calendars[region.pk] = Calendar(settings_for(region).calendar)
        calendar = calendars[region.pk]
        level = levels.of(assignment)
        if not wanted(level):
            continue
        for month in months:
            for _period, day in committed_periods(assignment, month, calendar):
                row = cell(month, assignment.provider_id, level)
                tariff = tariffs.per_period(level, day, calendar)
                if tariff is None:
                    row.untariffed_ids.add(assignment.pk)
                    continue
                row.committed += tariff
                row.committed_periods += 1
                row.assignment_ids.add(assignment.pk)

    # Declared, approved and paid: the lines received, summed in the database per ProductPeriode
    # begin, provider, toewijzing, debit or credit and status.
    lines = Line.objects.filter(
        side=Side.MUNICIPALITY,
        municipality__in=municipalities,
        period_begin__gte=begin,
        period_begin__lte=end,
    ).exclude(status=Line.Status.CONCEPT)
    if provider is not None:
        lines = lines.filter(provider=provider)
    is_paid = Q(payment__isnull=False)
    groups = list(
        lines.values("period_begin", "provider_id", "assignment_id", "credit", "status")
        .annotate(
            total=Sum("amount"),
            count=Count("pk"),
            paid_total=Sum("amount", filter=is_paid),
            paid_count=Count("pk", filter=is_paid),
        )
        .order_by()
    )
    missing = {g["provider_id"] for g in groups} - set(providers)
    providers.update(Provider.objects.in_bulk(missing))
    assignment_ids = {g["assignment_id"] for g in groups if g["assignment_id"]}
    by_pk = _assignments(Assignment.objects.filter(pk__in=assignment_ids)).in_bulk()
    for group in groups:
        received = by_pk.get(group["assignment_id"])
        level = levels.of(received) if received is not None else None
        if not wanted(level):
            continue
        row = cell(month_of(group["period_begin"]), group["provider_id"], level)
        sign = -1 if group["credit"] else 1
        amount = sign * euros(group["total"] or 0)
        row.declared += amount
        row.declared_lines += group["count"]
        if group["status"] == Line.Status.APPROVED:
            row.approved += amount
            row.approved_lines += group["count"]
            row.paid += sign * euros(group["paid_total"] or 0)
            row.paid_lines += group["paid_count"]

    rows = sorted(cells.values(), key=_row_order)
    per_month = {m.begin: MonthTotal(month=m) for m in months}
    total = Figures()
    for row in rows:
        per_month[row.month.begin].add(row)
        total.add(row)
    return SpendingReport(months=months, rows=rows, per_month=list(per_month.values()), total=total)


def _row_order(row: SpendingRow) -> tuple:
    arrangement, level = row.arrangement, row.level
    return (
        row.month.begin,
        row.provider.name if row.provider else "",
        row.provider.pk if row.provider else 0,
        (
            arrangement is None,
            arrangement.name if arrangement else "",
            getattr(arrangement, "pk", 0),
        ),
        (level is None, level.rank if level else 0, level.code if level else ""),
    )


SPENDING_CSV_COLUMNS = [
    "maand",
    "aanbieder",
    "agb-code",
    "arrangement",
    "niveau",
    "productcode",
    "toegezegd",
    "toewijzingen",
    "perioden",
    "toewijzingen zonder periodetarief",
    "gedeclareerd",
    "regels gedeclareerd",
    "goedgekeurd",
    "regels goedgekeurd",
    "betaald",
    "regels betaald",
]


def csv_amount(value: Decimal) -> str:
    """'1234,56': decimal comma, no thousands separator, as Dutch spreadsheets read it."""
    return f"{euros(value):.2f}".replace(".", ",")


def spending_csv_lines(report: SpendingReport) -> list[list[str]]:
    """The overview's table as CSV rows (without the header), totals last."""
    lines = []
    for row in report.rows:
        lines.append(
            [
                row.month.label,
                row.provider.name if row.provider else "",
                row.provider.agb_code if row.provider else "",
                row.arrangement.name if row.arrangement else "onbekend",
                row.level.name if row.level else "onbekend",
                row.level.product_code if row.level else "",
                *_csv_figures(row),
            ]
        )
    lines.append(["totaal", "", "", "", "", "", *_csv_figures(report.total)])
    return lines


def _csv_figures(figures: Figures) -> list[str]:
    return [
        csv_amount(figures.committed),
        str(figures.assignments),
        str(figures.committed_periods),
        str(figures.untariffed),
        csv_amount(figures.declared),
        str(figures.declared_lines),
        csv_amount(figures.approved),
        str(figures.approved_lines),
        csv_amount(figures.paid),
        str(figures.paid_lines),
    ]


def spending_providers(municipalities: QuerySet[Municipality]) -> QuerySet[Provider]:
    """Providers with a sent toewijzing or a received line in `municipalities`: the filter's
    choices."""
    assigned = Assignment.objects.filter(
        municipality__in=municipalities, last_message__isnull=False
    ).values("provider")
    declared = Line.objects.filter(side=Side.MUNICIPALITY, municipality__in=municipalities).values(
        "provider"
    )
    return Provider.objects.filter(Q(pk__in=assigned) | Q(pk__in=declared)).order_by("name")


def spending_arrangements(municipalities: QuerySet[Municipality]) -> QuerySet[Arrangement]:
    """The arrangements of the regions' catalogs: the filter's choices."""
    regions = Region.objects.filter(municipalities__in=municipalities)
    return (
        Arrangement.objects.filter(catalog_version__region__in=regions)
        .select_related("catalog_version")
        .order_by("catalog_version__region__name", "-catalog_version__valid_from", "rank", "code")
    )


# --- partnership statement ----------------------------------------------------------------------


def fee_percent(partnership: Partnership) -> Decimal:
    """The coordination fee of the partnership: its agreed percentage, never above the
    region's maximum when the region set one."""
    agreed = partnership.coordination_fee_cap_percent
    regional = partnership.region.max_coordination_fee_percent
    return agreed if regional is None else min(agreed, regional)


def format_percent(value: Decimal) -> str:
    """Dutch: '8%', '7,5%'."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')}%"


def coordination_fee(gross: Decimal, percent: Decimal) -> Decimal:
    """`percent` of `gross`, rounded half up to whole cents."""
    return euros(gross * percent / 100)


@dataclass
class SubcontractorRow:
    """One month of one onderaannemer in one partnership."""

    month: Period
    partnership: Partnership
    subcontractor: Provider
    fee_percent: Decimal
    lines: list[Line] = field(default_factory=list)

    @property
    def gross(self) -> Decimal:
        return sum((line.signed_amount for line in self.lines), ZERO)

    @property
    def fee(self) -> Decimal:
        return coordination_fee(self.gross, self.fee_percent)

    @property
    def net(self) -> Decimal:
        return self.gross - self.fee

    @property
    def fee_percent_text(self) -> str:
        return format_percent(self.fee_percent)

    @property
    def is_capped(self) -> bool:
        """The region's maximum is below what the partnership agreed."""
        return self.fee_percent < self.partnership.coordination_fee_cap_percent


@dataclass
class PartnershipStatement:
    months: list[Period]
    rows: list[SubcontractorRow]

    @property
    def gross(self) -> Decimal:
        return sum((r.gross for r in self.rows), ZERO)

    @property
    def fee(self) -> Decimal:
        return sum((r.fee for r in self.rows), ZERO)

    @property
    def net(self) -> Decimal:
        return sum((r.net for r in self.rows), ZERO)

    @property
    def line_count(self) -> int:
        return sum(len(r.lines) for r in self.rows)

    @property
    def clients(self) -> list:
        """Every client on a line of the statement, once (for the access log)."""
        found = {}
        for row in self.rows:
            for line in row.lines:
                found[line.client_id] = line.client
        return list(found.values())


def _local_day(moment) -> date:
    return timezone.localtime(moment).date()


def partnership_statement(
    *,
    partnerships: QuerySet[Partnership],
    side: str,
    first: date,
    last: date,
    municipalities: QuerySet[Municipality] | None = None,
) -> PartnershipStatement:
    """Per month (of the ProductPeriode), partnership and onderaannemer: the hoofdaanbieder's
    approved lines (debits minus credits) on trajects delegated to the onderaannemer.

    `side` is whose store is read: the hoofdaanbieder's own lines (`Side.PROVIDER`) or what
    the municipality approved (`Side.MUNICIPALITY`, limited to `municipalities`). A line
    counts for a partnership of its provider as hoofdaanbieder in the municipality's region,
    valid on the line's begin date, when the traject has a delegation to a member of that
    partnership that was not revoked before the line's period began (a delegation revoked
    later still covers the months before). With more than one, the earliest granted counts:
    a line is never shared out twice.
    """
    months = months_between(first, last)
    begin, end = months[0].begin, months[-1].end
    partnerships = list(partnerships.select_related("region", "lead_provider"))
    if not partnerships:
        return PartnershipStatement(months=months, rows=[])
    lines = (
        Line.objects.filter(
            side=side,
            status=Line.Status.APPROVED,
            provider_id__in={p.lead_provider_id for p in partnerships},
            period_begin__gte=begin,
            period_begin__lte=end,
            assignment__traject__isnull=False,
        )
        .select_related("client", "municipality", "assignment__traject")
        .order_by("period_begin", "assignment_number", "created_at", "pk")
    )
    if municipalities is not None:
        lines = lines.filter(municipality__in=municipalities)
    lines = list(lines)
    members: dict[int, set[int]] = defaultdict(set)
    for member in PartnershipMember.objects.filter(partnership__in=partnerships):
        members[member.partnership_id].add(member.provider_id)
    delegations: dict[int, list[Delegation]] = defaultdict(list)
    for delegation in (
        Delegation.objects.filter(traject_id__in={line.assignment.traject_id for line in lines})
        .select_related("subcontractor")
        .order_by("granted_at", "pk")
    ):
        delegations[delegation.traject_id].append(delegation)
    cells: dict[tuple, SubcontractorRow] = {}
    for line in lines:
        found = _delegated_to(line, partnerships, members, delegations[line.assignment.traject_id])
        if found is None:
            continue
        partnership, subcontractor = found
        month = month_of(line.period_begin)
        key = (month.begin, partnership.pk, subcontractor.pk)
        if key not in cells:
            cells[key] = SubcontractorRow(
                month=month,
                partnership=partnership,
                subcontractor=subcontractor,
                fee_percent=fee_percent(partnership),
            )
        cells[key].lines.append(line)
    rows = sorted(
        cells.values(),
        key=lambda r: (r.month.begin, r.partnership.name, r.subcontractor.name, r.subcontractor.pk),
    )
    return PartnershipStatement(months=months, rows=rows)


def _delegated_to(
    line: Line,
    partnerships: Iterable[Partnership],
    members: dict[int, set[int]],
    delegations: list[Delegation],
) -> tuple[Partnership, Provider] | None:
    day = line.period_begin
    for partnership in partnerships:
        if partnership.lead_provider_id != line.provider_id:
            continue
        if partnership.region_id != line.municipality.region_id:
            continue
        if not partnership.validity.contains(day):
            continue
        for delegation in delegations:
            if delegation.subcontractor_id not in members[partnership.pk]:
                continue
            if delegation.revoked_at is not None and _local_day(delegation.revoked_at) < day:
                continue
            return partnership, delegation.subcontractor
    return None


@dataclass(frozen=True)
class PartnershipScope:
    """What a user's statement covers: the partnerships, whose lines, and (for the
    municipality) which municipalities. `shows_names`: client names on the lines; the contract
    manager steers and sees traject numbers only (accounts.domain)."""

    partnerships: QuerySet[Partnership]
    side: str
    municipalities: QuerySet[Municipality] | None
    shows_names: bool


def partnership_scope(user: User, roles: set[Role]) -> PartnershipScope | None:
    """The statement's scope for `user`: the contract manager sees the partnerships of the
    regions of their municipalities, as approved there; the hoofdaanbieder's staff see the
    partnerships their provider leads, from its own lines. None: no statement for this user."""
    if roles & PARTNERSHIP_MUNICIPALITY_ROLES:
        municipalities = municipalities_for(user, PARTNERSHIP_MUNICIPALITY_ROLES)
        return PartnershipScope(
            partnerships=Partnership.objects.filter(
                region__in=municipalities.values("region")
            ).order_by("name", "pk"),
            side=Side.MUNICIPALITY,
            municipalities=municipalities,
            shows_names=False,
        )
    if roles & PARTNERSHIP_PROVIDER_ROLES:
        leads = Provider.objects.none()
        for role in sorted(roles & PARTNERSHIP_PROVIDER_ROLES):
            leads = leads | providers_for(user, role)
        return PartnershipScope(
            partnerships=Partnership.objects.filter(lead_provider__in=leads).order_by("name", "pk"),
            side=Side.PROVIDER,
            municipalities=None,
            shows_names=True,
        )
    return None


def leads_a_partnership(user: User) -> bool:
    """Whether `user` works as werkverdeler or administratie at a hoofdaanbieder (for the menu)."""
    assignments = user.role_assignments.filter(
        role__in=[r.value for r in PARTNERSHIP_PROVIDER_ROLES]
    )
    return Partnership.objects.filter(lead_provider__in=assignments.values("provider")).exists()
