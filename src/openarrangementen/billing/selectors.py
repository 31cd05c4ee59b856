"""Reads for billing: the region's settings, the contract tariff per period, and what is owed
per client line, computed the same way on both sides from the toewijzingen and the reported
starts and stops (docs/adr/0008-billing.md)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import Municipality, Provider, Region
from openarrangementen.catalog.domain import PriceKind
from openarrangementen.catalog.models import Level
from openarrangementen.catalog.selectors import level_price_on
from openarrangementen.iwmo.context import standing_reports
from openarrangementen.iwmo.models import Assignment, DeliveryReport, Side

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
    price = level_price_on(level=level, kind=PriceKind.TARIFF, day=day)
    if price is None:
        return None
    if level.iwmo_unit != PER_PERIOD_UNIT:
        return price.amount
    return tariff_per_period(price.amount, price.period, calendar)


def _standing_reports(kind: str, assignment: Assignment) -> list[DeliveryReport]:
    """Approved reports of this kind for the toewijzing that still stand (OP033)."""
    return standing_reports(
        kind,
        DeliveryReport.objects.filter(
            kind=kind,
            message__municipality_id=assignment.municipality_id,
            assignment_number=assignment.number,
        ).order_by("created_at", "pk"),
    )


def segment_of(assignment: Assignment) -> Segment:
    """The toewijzing as delivered: started on the reported start (305), stopped on the
    latest reported stop (307). A removed or void toewijzing (TR384) has no support."""
    starts = _standing_reports(DeliveryReport.Kind.START, assignment)
    stops = _standing_reports(DeliveryReport.Kind.STOP, assignment)
    started = min((r.begin_on for r in starts), default=None)
    stopped = max((r.end_on for r in stops if r.end_on), default=None)
    if not assignment.is_current or assignment.last_message_id is None:
        started = None
    return Segment(
        assignment=assignment.number,
        provider=assignment.provider_id,
        level=assignment.beschikking.level_id if assignment.beschikking_id else None,
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


def line_state(*, municipality: Municipality, client_id: int, category: str, on: date) -> LineState:
    """What is owed on the client's line, to every provider (to know who gets a period of
    change); pages show each provider only its own part."""
    settings = settings_for(municipality.region)
    calendar = Calendar(settings.calendar)
    rows = (
        Assignment.objects.filter(
            municipality=municipality, client_id=client_id, product_category=category
        )
        .select_related("beschikking__level", "municipality")
        .order_by("number")
    )
    assignments = {a.number: a for a in rows}
    segments = {n: segment_of(a) for n, a in assignments.items()}
    levels = {n: level_of(a) for n, a in assignments.items()}
    owed, not_owed = owed_periods(
        segments.values(),
        calendar=calendar,
        rule_set=RuleSet(settings.rule_set),
        until=on - timedelta(days=1),
    )
    target, waiting = claims(
        owed,
        on=on,
        tariff=lambda segment, day: contract_tariff(levels[segment.assignment], day, calendar),
    )
    return LineState(
        municipality=municipality,
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


def as_claims(debits: dict[LineKey, Line]) -> dict[LineKey, Claim]:
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


@dataclass
class ClientBilling:
    """A client's line as its provider sees it for a declaration month."""

    state: LineState
    own: set[int]  # the provider's ToewijzingNummers on this line
    plan_debits: list[Claim]
    plan_credits: list[Line]

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


def provider_billing(*, provider: Provider, municipality: Municipality, month: date):
    """Per client line of the provider: what is owed up to the end of `month` and what a run
    would credit and debit now."""
    on = month_of(month).end + timedelta(days=1)
    result = []
    lines = provider_lines(provider, municipality)
    for client_id, category in client_lines(municipality=municipality, provider=provider):
        state = line_state(municipality=municipality, client_id=client_id, category=category, on=on)
        own = {n for n, a in state.assignments.items() if a.provider_id == provider.pk}
        target = {k: c for k, c in state.target.items() if int(k.assignment) in own}
        debits = standing_debits(lines.filter(client_id=client_id, product_category=category))
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


def lines_visible_to(user) -> QuerySet[Line]:
    """The one selector for declaration lines: a provider's own side for its billing staff,
    the municipality's side for its contract managers and functional managers."""
    from openarrangementen.accounts.selectors import municipalities_for

    municipalities = municipalities_for(user, MUNICIPALITY_BILLING_ROLES)
    return Line.objects.filter(
        Q(side=Side.PROVIDER, provider__in=billing_providers_for(user))
        | Q(side=Side.MUNICIPALITY, municipality__in=municipalities)
    ).select_related("client", "provider", "municipality", "message", "payment")
