"""Reads for billing: the region's settings, the contract tariff per period, and what is owed
per client line, computed the same way on both sides from the toewijzingen and the reported
starts and stops (docs/adr/0008-billing.md)."""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Q, QuerySet

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import Municipality, Provider, Region
from openarrangementen.catalog.domain import PriceKind
from openarrangementen.catalog.models import Level, LevelPrice
from openarrangementen.iwmo.context import standing_reports
from openarrangementen.iwmo.models import Assignment, DeliveryReport, Message, Side

from .domain import (
    Calendar,
    Claim,
    LineKey,
    NotOwed,
    Owed,
    RuleSet,
    Segment,
    claims,
    month_of,
    owed_periods,
    reconcile,
    tariff_per_period,
)
from .models import BillingSettings, Line

PER_PERIOD_UNIT = "82"  # WJ756 Stuks (output): one per period


def settings_for(region: Region) -> BillingSettings:
    """The region's billing settings; calendar months and 'every period' when none are set."""
    found = BillingSettings.objects.filter(region=region).first()
    return found or BillingSettings(region=region)


def level_of(assignment: Assignment) -> Level | None:
    """The catalog level of the toewijzing: its beschikking's level, else the level with its
    product code in the region."""
    if assignment.beschikking_id:
        return assignment.beschikking.level
    return (
        Level.objects.filter(
            arrangement__catalog_version__region_id=assignment.municipality.region_id,
            product_category=assignment.product_category,
            product_code=assignment.product_code,
        )
        .order_by("-arrangement__catalog_version__valid_from")
        .first()
    )


def contract_tariff(level: Level | None, day: date, calendar: Calendar) -> Decimal | None:
    """The level's tariff on `day` per period of `calendar` (a 4-week tariff converted to a
    month and back: `domain.tariff_per_period`). Only a tariff per period (output, Eenheid
    82) is converted; a tariff per hour, day part or etmaal is what it is."""
    if level is None:
        return None
    return tariff_on(level, tariffs_of(level), day, calendar)


def tariffs_of(level: Level) -> list:
    """The level's tariffs (PriceKind.TARIFF), oldest first: read once, then `tariff_on`."""
    return list(level.prices.filter(kind=PriceKind.TARIFF.value).order_by("valid_from"))


def tariff_on(level: Level, prices: list, day: date, calendar: Calendar) -> Decimal | None:
    """`contract_tariff` from the level's tariffs read by `tariffs_of`."""
    price = next((p for p in prices if p.validity.contains(day)), None)
    if price is None:
        return None
    if level.iwmo_unit != PER_PERIOD_UNIT:
        return price.amount
    return tariff_per_period(price.amount, price.period, calendar)


class ReportRow(NamedTuple):
    """What `segment_of` reads of a start or stop report (`standing_reports`' keys)."""

    kind: str
    bsn: str
    assignment_number: int | None
    product_category: str
    product_code: str
    begin_on: date
    end_on: date | None
    reason: str
    status_code: str


def segment_of(
    assignment: Assignment, reports: list[DeliveryReport] | list[ReportRow], *, level_id: int | None
) -> Segment:
    """The toewijzing as delivered: started on the reported start (305), stopped on the
    latest reported stop (307). A removed or void toewijzing (TR384) has no support.
    `reports`: the approved start and stop reports with its number, in the order they came."""
    starts = standing_reports(
        DeliveryReport.Kind.START, [r for r in reports if r.kind == DeliveryReport.Kind.START]
    )
    stops = standing_reports(
        DeliveryReport.Kind.STOP, [r for r in reports if r.kind == DeliveryReport.Kind.STOP]
    )
    started = min((r.begin_on for r in starts), default=None)
    stopped = max((r.end_on for r in stops if r.end_on), default=None)
    if not assignment.is_current or assignment.last_message_id is None:
        started = None
    return Segment(
        assignment=assignment.number,
        provider=assignment.provider_id,
        level=level_id,
        assigned_from=assignment.start_on,
        assigned_to=assignment.end_on,
        started_on=started,
        stopped_on=stopped,
    )


@dataclass
class LineState:
    """One client line (client and product category) in one municipality, as owed on `on`."""

    municipality: Municipality
    client_id: int
    category: str
    assignments: dict[int, Assignment]
    segments: dict[int, Segment]
    owed: list[Owed]
    not_owed: list[NotOwed]
    target: dict[LineKey, Claim]
    waiting: list[tuple[Owed, str]]
    levels: dict[int, Level | None] = field(default_factory=dict)


# What the owed computation and a run read of a toewijzing (`segment_of`, `level_of`,
# `services._debit_fields`); the rest is not loaded for a run's tens of thousands.
ASSIGNMENT_FIELDS = (
    "id", "number", "municipality_id", "provider_id", "client_id", "beschikking_id",
    "product_category", "product_code", "start_on", "end_on", "change_reason",
    "last_message_id", "unit",
)  # fmt: skip


class Lines:
    """What the owed computation needs for many client lines of one municipality, loaded in a
    fixed number of queries: the toewijzingen, their start and stop reports, the catalog
    levels and the tariffs (issue #14: a billing run is set-based, not a query per line).

    `provider`: the lines on which the provider has a toewijzing sent in a 301 (with every
    toewijzing on them, also other providers': a period of change goes to whoever began
    it). `client_ids`: the lines of these clients (of the provider's, with both). Neither:
    the municipality's lines."""

    def __init__(self, municipality: Municipality, *, provider=None, client_ids=None):
        self.municipality = municipality
        settings = settings_for(municipality.region)
        self.calendar = Calendar(settings.calendar)
        self.rule_set = RuleSet(settings.rule_set)
        rows = Assignment.objects.filter(municipality=municipality)
        if provider is not None:
            mine = Assignment.objects.filter(
                municipality=municipality, provider=provider, last_message__isnull=False
            )
            if client_ids is not None:
                mine = mine.filter(client_id__in=list(client_ids))
            rows = rows.filter(client_id__in=mine.values("client_id"))
        elif client_ids is not None:
            rows = rows.filter(client_id__in=list(client_ids))
        self._lines: dict[tuple[int, str], dict[int, Assignment]] = {}
        numbers = []
        # The beschikking's level as an id (annotated), the levels read once below.
        for a in (
            rows.only(*ASSIGNMENT_FIELDS)
            .annotate(beschikking_level_id=F("beschikking__level_id"))
            .order_by("number")
        ):
            a.municipality = municipality
            self._lines.setdefault((a.client_id, a.product_category), {})[a.number] = a
            numbers.append(a.number)
        if provider is not None:
            sent = {
                (a.client_id, a.product_category)
                for line in self._lines.values()
                for a in line.values()
                if a.provider_id == provider.pk and a.last_message_id is not None
            }
            self._lines = {k: v for k, v in self._lines.items() if k in sent}
        self._reports: dict[int, list[ReportRow]] = {}
        reports = DeliveryReport.objects.filter(message__municipality_id=municipality.pk)
        if client_ids is not None:
            reports = reports.filter(assignment_number__in=numbers)
        elif provider is not None:
            reports = reports.filter(assignment_number__in=rows.values("number"))
        for row in reports.order_by("created_at", "pk").values_list(*ReportRow._fields):
            report = ReportRow(*row)
            self._reports.setdefault(report.assignment_number, []).append(report)
        self._region_levels: dict[tuple[str, str], Level] = {}
        self._levels: dict[int, Level] = {}
        for level in Level.objects.filter(
            arrangement__catalog_version__region_id=municipality.region_id
        ).order_by("arrangement__catalog_version__valid_from"):
            self._region_levels[(level.product_category, level.product_code)] = level
            self._levels[level.pk] = level
        self._prices: dict[int, list] | None = None
        self._tariffs: dict[tuple[int, date], Decimal | None] = {}

    def line_keys(self) -> list[tuple[int, str]]:
        """(client id, product category) of the loaded lines, in order."""
        return sorted(self._lines)

    def level_of(self, assignment: Assignment) -> Level | None:
        """As `level_of`, from what is loaded."""
        if assignment.beschikking_id:
            level_id = assignment.beschikking_level_id
            if level_id not in self._levels:
                self._levels[level_id] = Level.objects.get(pk=level_id)
            return self._levels[level_id]
        return self._region_levels.get((assignment.product_category, assignment.product_code))

    def tariff(self, level: Level | None, day: date) -> Decimal | None:
        """As `contract_tariff`, with each level's tariffs read once."""
        if level is None:
            return None
        key = (level.pk, day)
        if key not in self._tariffs:
            self._tariffs[key] = self._tariff(level, day)
        return self._tariffs[key]

    def _tariff(self, level: Level, day: date) -> Decimal | None:
        if self._prices is None:
            # Every tariff of the region's levels in one query, oldest first.
            self._prices = {pk: [] for pk in self._levels}
            for price in LevelPrice.objects.filter(
                level_id__in=list(self._levels), kind=PriceKind.TARIFF.value
            ).order_by("valid_from"):
                self._prices[price.level_id].append(price)
        if level.pk not in self._prices:
            self._prices[level.pk] = tariffs_of(level)
        return tariff_on(level, self._prices[level.pk], day, self.calendar)

    def state(
        self, client_id: int, category: str, on: date, *, since: date | None = None
    ) -> LineState:
        """What is owed on the client's line on `on`, to every provider (from the period
        containing `since` only, when given: `domain.owed_periods`)."""
        assignments = self._lines.get((client_id, category), {})
        segments = {
            n: segment_of(a, self._reports.get(n, []), level_id=a.beschikking_level_id)
            for n, a in assignments.items()
        }
        levels = {n: self.level_of(a) for n, a in assignments.items()}
        owed, not_owed = owed_periods(
            segments.values(),
            calendar=self.calendar,
            rule_set=self.rule_set,
            until=on - timedelta(days=1),
            since=since,
        )
        target, waiting = claims(
            owed, on=on, tariff=lambda segment, day: self.tariff(levels[segment.assignment], day)
        )
        return LineState(
            municipality=self.municipality,
            client_id=client_id,
            category=category,
            assignments=assignments,
            segments=segments,
            owed=owed,
            not_owed=not_owed,
            target=target,
            waiting=waiting,
            levels=levels,
        )


def line_state(*, municipality: Municipality, client_id: int, category: str, on: date) -> LineState:
    """What is owed on the client's line, to every provider (to know who gets a period of
    change); pages show each provider only its own part."""
    return Lines(municipality, client_ids=[client_id]).state(client_id, category, on)


def client_lines(*, municipality: Municipality, provider: Provider | None = None):
    """(client id, product category) of every line with a toewijzing (of the provider)."""
    rows = Assignment.objects.filter(municipality=municipality, last_message__isnull=False)
    if provider is not None:
        rows = rows.filter(provider=provider)
    return sorted(set(rows.values_list("client_id", "product_category")))


def standing_debits(lines: QuerySet[Line]) -> dict[LineKey, Line]:
    """The standing debits by toewijzing and ProductPeriode."""
    return {
        LineKey(str(line.assignment_number), line.period_begin): line
        for line in lines.filter(credit=False, standing=True)
    }


class StandingDebit(NamedTuple):
    """What reconciling and the provider's page read of a standing debit: a tuple, not a
    model instance (a run at 100,000 toewijzingen reads half a million of them)."""

    pk: int
    client_id: int
    product_category: str
    assignment_number: int
    reference: str
    period_begin: date
    period_end: date
    periods: list[str]
    tariff: Decimal
    amount: Decimal


def _standing_debits(lines: QuerySet[Line]) -> Iterator[StandingDebit]:
    """The lines as `StandingDebit`s, read straight from the cursor: half a million rows
    in a run at 100,000 toewijzingen, where the ORM's per-value conversion doubles the time.
    The query is still the ORM's; on PostgreSQL the driver gives dates and decimals as they
    are and only `periods` (JSON) needs decoding. Elsewhere the ORM converts."""
    query = lines.values_list(*StandingDebit._fields)
    if connections[query.db].vendor != "postgresql":
        yield from (StandingDebit(*row) for row in query.iterator(chunk_size=10_000))
        return
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # e.g. no clients on the page: nothing to read
        return
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(10_000):
            for row in rows:
                periods = row[7]
                yield StandingDebit(
                    *row[:7], json.loads(periods) if isinstance(periods, str) else periods, *row[8:]
                )


def as_claims(debits: dict[LineKey, StandingDebit]) -> dict[LineKey, Claim]:
    """The standing debits as claims, to reconcile against the target."""
    return {
        key: Claim(
            key=key,
            end=line.period_end,
            periods=tuple(line.periods),
            tariff=line.tariff,
            segment=None,
        )
        for key, line in debits.items()
    }


def provider_lines(provider: Provider, municipality: Municipality) -> QuerySet[Line]:
    return Line.objects.filter(side=Side.PROVIDER, provider=provider, municipality=municipality)


def provider_declarations(provider: Provider, municipality: Municipality) -> QuerySet[Message]:
    """The 323s the provider sent to the municipality, on the provider's side."""
    return Message.objects.filter(
        side=Side.PROVIDER,
        direction=Message.Direction.OUTGOING,
        code="323",
        provider=provider,
        municipality=municipality,
    )


@dataclass
class ClientBilling:
    """A client's line as its provider sees it for a declaration month."""

    state: LineState
    own: set[int]  # the provider's ToewijzingNummers on this line
    plan_debits: list[Claim]
    plan_credits: list[StandingDebit]

    @property
    def owed(self) -> list[Owed]:
        return [o for o in self.state.owed if o.segment.assignment in self.own]

    @property
    def waiting(self) -> list[tuple[Owed, str]]:
        return [(o, r) for o, r in self.state.waiting if o.segment.assignment in self.own]

    @property
    def others(self) -> list[Owed]:
        """Periods of this line that go to another provider (a change of provider)."""
        return [o for o in self.state.owed if o.segment.assignment not in self.own]


def billed_client_ids(provider: Provider, municipality: Municipality) -> list[int]:
    """The clients with a toewijzing of the provider sent in a 301: the lines a run
    computes (`Lines` with a provider), in order."""
    return sorted(
        set(
            Assignment.objects.filter(
                municipality=municipality, provider=provider, last_message__isnull=False
            ).values_list("client_id", flat=True)
        )
    )


def provider_billing(
    *, provider: Provider, municipality: Municipality, month: date, client_ids=None
):
    """Per client line of the provider: what is owed up to the end of `month` and what a run
    would credit and debit now. Set-based: the toewijzingen, reports, tariffs and standing
    debits of all the provider's lines (of `client_ids` only, when given) are read once."""
    on = month_of(month).end + timedelta(days=1)
    loaded = Lines(municipality, provider=provider, client_ids=client_ids)
    debits_by_line: dict[tuple[int, str], dict[LineKey, StandingDebit]] = {}
    standing = provider_lines(provider, municipality).filter(credit=False, standing=True)
    if client_ids is not None:
        standing = standing.filter(client_id__in=list(client_ids))
    for line in _standing_debits(standing):
        debits_by_line.setdefault((line.client_id, line.product_category), {})[
            LineKey(str(line.assignment_number), line.period_begin)
        ] = line
    result = []
    for client_id, category in loaded.line_keys():
        state = loaded.state(client_id, category, on)
        own = {n for n, a in state.assignments.items() if a.provider_id == provider.pk}
        target = {k: c for k, c in state.target.items() if int(k.assignment) in own}
        debits = debits_by_line.get((client_id, category), {})
        plan = reconcile(target, as_claims(debits))
        result.append(
            ClientBilling(
                state=state,
                own=own,
                plan_debits=plan.debits,
                plan_credits=[debits[key] for key in plan.credits],
            )
        )
    return result


# --- what a user may see ---------------------------------------------------------------------

PROVIDER_BILLING_ROLES = frozenset({Role.ADMINISTRATIE, Role.WERKVERDELER})
MUNICIPALITY_BILLING_ROLES = frozenset({Role.FUNCTIONEEL_BEHEERDER, Role.CONTRACTMANAGER})


def billing_providers_for(user) -> QuerySet[Provider]:
    """The providers whose declarations this user prepares (administratie, werkverdeler)."""
    return Provider.objects.filter(
        pk__in=user.role_assignments.filter(
            role__in=[r.value for r in PROVIDER_BILLING_ROLES]
        ).values("provider")
    )


def provider_municipalities(provider: Provider) -> QuerySet[Municipality]:
    """The municipalities that sent this provider a toewijzing."""
    return Municipality.objects.filter(
        pk__in=Assignment.objects.filter(provider=provider, last_message__isnull=False).values(
            "municipality"
        )
    ).order_by("name")


def lines_visible_to(user, *, side: str | None = None) -> QuerySet[Line]:
    """The one selector for declaration lines: a provider's own side for its billing staff,
    the municipality's side for its contract managers and functional managers. `side`: only
    that side's lines, so the planner gets one condition it can serve from an index (the
    organisations as a list of ids, as `clients.selectors` does)."""
    from openarrangementen.accounts.selectors import municipalities_for

    condition = Q(pk__in=[])
    if side in (None, Side.PROVIDER):
        providers = list(billing_providers_for(user).values_list("pk", flat=True))
        condition |= Q(side=Side.PROVIDER, provider__in=providers)
    if side in (None, Side.MUNICIPALITY):
        municipalities = list(
            municipalities_for(user, MUNICIPALITY_BILLING_ROLES).values_list("pk", flat=True)
        )
        condition |= Q(side=Side.MUNICIPALITY, municipality__in=municipalities)
    # The declaration a line came in is shown by its identification; its XML (megabytes for
    # a large 323, repeated on every line of it) stays in the database.
    return (
        Line.objects.filter(condition)
        .select_related("client", "provider", "municipality", "message", "payment")
        .defer("message__xml")
    )


def billing_clients(
    *, provider: Provider, municipality: Municipality, until: date, since: date | None = None
):
    """The clients on whom the provider declares to the municipality, in name order (the
    pages of *Declareren*): a toewijzing sent in a 301 that begins on or before `until` and
    was not voided (TR384). With `since` (the month's first day), only the clients the
    month concerns: a toewijzing in force from `since` on, a standing debit for a period
    from `since` on (a run may credit it), or a toewijzing or start/stop changed since the
    provider's last declaration to the municipality (what a run may still correct). Not a
    client file: what the provider needs of a client to declare (name, BSN)."""
    from openarrangementen.clients.models import Client

    sent = Assignment.objects.filter(
        provider=provider,
        municipality=municipality,
        last_message__isnull=False,
        start_on__lte=until,
    ).exclude(change_reason__in=["01", "13"], end_on=F("start_on"))
    if since is None:
        condition = Q(pk__in=sent.values("client_id"))
    else:
        condition = _concerned_by_month(provider, municipality, sent, since)
    return Client.objects.filter(condition, municipality=municipality).order_by(
        "family_name", "initials", "pk"
    )


def _concerned_by_month(provider, municipality, sent, since: date) -> Q:
    """`billing_clients` from `since` on: in force, a standing debit, or a change since the
    last 323."""
    condition = Q(
        pk__in=sent.filter(Q(end_on__isnull=True) | Q(end_on__gte=since)).values("client_id")
    ) | Q(
        pk__in=provider_lines(provider, municipality)
        .filter(credit=False, standing=True, period_end__gte=since)
        .values("client_id")
    )
    last = (
        provider_declarations(provider, municipality)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last is not None:
        reported = DeliveryReport.objects.filter(
            message__in=Message.objects.filter(
                side=Side.MUNICIPALITY,
                provider=provider,
                municipality=municipality,
                code__in=["305", "307"],
                created_at__gt=last,
            )
        ).values("assignment_number")
        condition |= Q(
            pk__in=sent.filter(Q(updated_at__gt=last) | Q(number__in=reported)).values("client_id")
        )
    return condition
