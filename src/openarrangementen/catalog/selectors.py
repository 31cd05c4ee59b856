"""Reads of the catalog: which version, levels, bandwidths and prices apply on a date."""

from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from openarrangementen.accounts.models import Region, User
from openarrangementen.contracting.models import Contract

from .domain import PriceKind, assess
from .models import Arrangement, CatalogVersion, Level, LevelPrice, Lot


def _valid_on(day: date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def catalog_version_on(*, region: Region, day: date) -> CatalogVersion | None:
    """The region's catalog version in force on `day`."""
    return CatalogVersion.objects.filter(_valid_on(day), region=region).first()


def level_price_on(*, level: Level, kind: PriceKind, day: date) -> LevelPrice | None:
    """The tariff or cost price of `level` on `day`, or None when none is set for that day."""
    return level.prices.filter(_valid_on(day), kind=kind.value).first()


def bandwidths_of(level: Level) -> dict[str, tuple[Decimal, Decimal]]:
    """support form code -> (minimum, maximum) deployment per week for `level`."""
    return {
        b.support_form.code: (b.minimum_per_week, b.maximum_per_week)
        for b in level.bandwidths.select_related("support_form")
    }


def level_for_assessment(*, arrangement: Arrangement, scores: dict[int, str]) -> Level | None:
    """The level the region's assessment instrument proposes for these scores, if any."""
    instrument = arrangement.catalog_version.assessment_instrument
    outcome = assess(instrument.scoring, scores)
    for level in arrangement.levels.all():
        if all(level.attributes.get(k) == v for k, v in outcome.items()):
            return level
    return None


def regions_for(*, user: User) -> QuerySet[Region]:
    """Regions whose catalog the user may browse: their own, or where their provider contracts."""
    if user.is_superuser:
        return Region.objects.all()
    assignments = user.role_assignments.all()
    return Region.objects.filter(
        Q(pk__in=assignments.values("region"))
        | Q(municipalities__in=assignments.values("municipality"))
        | Q(
            pk__in=Contract.objects.filter(provider__in=assignments.values("provider")).values(
                "lot__catalog_version__region"
            )
        )
    ).distinct()


def catalog_overview(*, version: CatalogVersion, day: date) -> list[Arrangement]:
    """Everything the catalog page shows for one version, in a fixed number of queries.

    Each level gets `tariff_on_day` and `cost_price_on_day` (a LevelPrice or None).
    """
    prices = LevelPrice.objects.filter(_valid_on(day))
    arrangements = list(
        version.arrangements.prefetch_related(
            "lots",
            "support_forms",
            Prefetch(
                "levels",
                queryset=Level.objects.select_related(
                    "module_step__module__life_domain"
                ).prefetch_related(
                    Prefetch("prices", queryset=prices, to_attr="prices_on_day"),
                    "bandwidths__support_form",
                ),
            ),
        )
    )
    for arrangement in arrangements:
        for level in arrangement.levels.all():
            by_kind = {price.kind: price for price in level.prices_on_day}
            level.tariff_on_day = by_kind.get(PriceKind.TARIFF.value)
            level.cost_price_on_day = by_kind.get(PriceKind.COST_PRICE.value)
    return arrangements


def lots_with_contracts(*, version: CatalogVersion, day: date) -> list[Lot]:
    """The version's lots, each with `contracts_on_day` (providers contracted on `day`)."""
    contracts = Contract.objects.filter(_valid_on(day)).select_related("provider")
    return list(
        version.lots.prefetch_related(
            "support_forms", Prefetch("contracts", queryset=contracts, to_attr="contracts_on_day")
        )
    )
