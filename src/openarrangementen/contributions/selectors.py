"""Reads for the client contribution: the flat rates and, per period, the contribution and
mutations of every client the user may see.

Client data comes only through `cases.selectors.traject_list_visible_to`, further limited to
the municipalities where the user holds one of `domain.CLIENT_ROLES`. The callers write
the access log (the page and the export, `services.contribution_export`).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from openarrangementen.accounts.models import Municipality, User
from openarrangementen.accounts.selectors import municipalities_for, roles_of
from openarrangementen.cases.models import Traject
from openarrangementen.cases.selectors import traject_list_visible_to
from openarrangementen.catalog.domain import PriceKind
from openarrangementen.catalog.models import Level, LevelPrice
from openarrangementen.clients.models import Client
from openarrangementen.decisions.models import Beschikking

from .domain import (
    CLIENT_ROLES,
    MUTATION_LABELS,
    CakPeriod,
    Mutation,
    Price,
    Spell,
    amount_per_period,
    contribution_for,
    contribution_segments,
    line_in,
    price_on,
    spell_days,
)
from .models import FlatRate


def flat_rate_list() -> list[FlatRate]:
    return list(FlatRate.objects.order_by("year"))


def flat_rate_for(period: CakPeriod) -> FlatRate | None:
    """The rate recorded for the period's year, or None when none is."""
    return FlatRate.objects.filter(year=period.year).first()


def flat_rate_per_period(period: CakPeriod) -> Decimal | None:
    rate = flat_rate_for(period)
    if rate is None:
        return None
    return amount_per_period(rate.amount, rate.period, period.unit)


@dataclass(frozen=True)
class ContributionRow:
    """One client's contribution in one period."""

    period: CakPeriod
    client: Client
    traject: Traject  # the traject whose level applies in the period
    municipality: Municipality
    level: Level
    mutations: tuple[Mutation, ...]
    starts_on: date  # ingangsdatum of the level and cost price on this row
    ends_on: date  # einddatum of the contribution as now known
    cost_price: Decimal | None  # per period; None: no cost price recorded for the level
    flat_rate: Decimal | None  # per period; None: no rate recorded for the year
    contribution: Decimal | None  # the lower of the two; None when one of them is unknown

    @property
    def mutation_text(self) -> str:
        return ", ".join(MUTATION_LABELS[m] for m in self.mutations)


def contribution_rows_visible_to(user: User, period: CakPeriod) -> list[ContributionRow]:
    """Every client with a contribution in `period` that `user` may see, by name.

    Only the PAs (`domain.CLIENT_ROLES`) get rows, for the trajects of their municipalities.
    A client's whole support history in the municipality is read, so that a row knows
    whether the period starts, changes or stops the contribution.
    """
    if not roles_of(user) & CLIENT_ROLES:
        return []
    trajects = traject_list_visible_to(actor=user).filter(
        municipality__in=municipalities_for(user, CLIENT_ROLES), started_on__isnull=False
    )
    before = period.previous()
    # Clients with support in the period or the one before; only those can pay in it.
    around = trajects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=before.begin),
        started_on__lte=period.end,
        beschikkingen__status=Beschikking.Status.FINAL,
        beschikkingen__end_on__gte=before.begin,
    )
    beschikkingen = (
        Beschikking.objects.filter(
            status=Beschikking.Status.FINAL,
            traject__in=trajects.filter(client__in=around.values("client")),
        )
        .select_related("level", "traject__client", "traject__municipality")
        .order_by("traject_id", "decided_on", "pk")
    )
    # A traject has one final beschikking; should there be more, the latest decided counts.
    final = {b.traject_id: b for b in beschikkingen}

    groups: dict[tuple[int, int], list[Spell]] = defaultdict(list)
    for beschikking in final.values():
        traject = beschikking.traject
        days = spell_days(
            decided_from=beschikking.start_on,
            decided_to=beschikking.end_on,
            started_on=traject.started_on,
            ended_on=traject.ended_on,
        )
        if days is None:
            continue
        groups[(traject.client_id, traject.municipality_id)].append(
            Spell(key=traject.pk, level=beschikking.level_id, first_day=days[0], last_day=days[1])
        )

    prices: dict[int, list[Price]] = defaultdict(list)
    for row in LevelPrice.objects.filter(
        level_id__in={b.level_id for b in final.values()}, kind=PriceKind.COST_PRICE.value
    ).order_by("level_id", "valid_from"):
        prices[row.level_id].append(Price(row.valid_from, row.valid_to, row.amount, row.period))

    def cost_price(level_id, at: CakPeriod) -> Decimal | None:
        # The price on the first day of the period counts for the whole period.
        price = price_on(prices[level_id], at.begin)
        return None if price is None else amount_per_period(price.amount, price.per, at.unit)

    flat_rate = flat_rate_per_period(period)
    rows = []
    for spells in groups.values():
        spells.sort(key=lambda s: (s.first_day, s.key))
        line = line_in(contribution_segments(spells, cost_price), period)
        if line is None:
            continue
        beschikking = final[line.segment.spell.key]
        traject = beschikking.traject
        cost = line.segment.cost_price
        rows.append(
            ContributionRow(
                period=period,
                client=traject.client,
                traject=traject,
                municipality=traject.municipality,
                level=beschikking.level,
                mutations=line.mutations,
                starts_on=line.starts_on,
                ends_on=line.ends_on,
                cost_price=cost,
                flat_rate=flat_rate,
                contribution=(
                    contribution_for(flat_rate=flat_rate, cost_price=cost)
                    if flat_rate is not None and cost is not None
                    else None
                ),
            )
        )
    rows.sort(key=lambda r: (r.client.family_name, r.client.initials, r.client.pk))
    return rows
