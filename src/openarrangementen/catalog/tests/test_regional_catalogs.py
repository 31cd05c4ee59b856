"""Each seed variant loads as data and answers: which levels, which bandwidth, which tariff
on a date. And a new contract period never rewrites the previous one."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

import pytest

from openarrangementen.catalog.domain import PriceKind
from openarrangementen.catalog.models import (
    Arrangement,
    CatalogVersion,
    Level,
    LevelPrice,
    ModuleStep,
)
from openarrangementen.catalog.regional_catalogs import REGIONAL_CATALOGS, SUPPORT_FORMS
from openarrangementen.catalog.selectors import (
    catalog_overview,
    catalog_version_on,
    level_for_assessment,
    level_price_on,
)
from openarrangementen.catalog.services import (
    CatalogError,
    catalog_version_import,
    catalog_version_start_next,
)

pytestmark = pytest.mark.django_db
DAY = date(2026, 6, 1)


def load(slug: str) -> CatalogVersion:
    return catalog_version_import(REGIONAL_CATALOGS[slug](), SUPPORT_FORMS)


def test_almere_five_arrangements_three_levels_sensory_one():
    version = load("almere")
    assert catalog_version_on(region=version.region, day=DAY) == version
    levels = {a.code: a.levels.count() for a in version.arrangements.all()}
    assert levels == {"1": 3, "2": 3, "3": 3, "4": 3, "5": 1}
    assert sorted(version.lots.values_list("code", flat=True)) == ["1", "2", "3", "4A", "4B", "5"]
    physical = version.arrangements.get(code="4")
    assert sorted(physical.lots.values_list("code", flat=True)) == ["4A", "4B"]
    assert list(version.lots.get(code="4A").support_forms.values_list("code", flat=True)) == ["HH"]
    heaviest = physical.levels.get(code="N3")
    assert (heaviest.min_duration_months, heaviest.max_duration_months) == (36, 60)
    bandwidth = heaviest.bandwidths.get(support_form__code="IB")
    assert bandwidth.minimum_per_week <= bandwidth.expected_per_week <= bandwidth.maximum_per_week
    tariff = level_price_on(level=heaviest, kind=PriceKind.TARIFF, day=DAY)
    assert tariff.period == "4w"
    assert tariff.is_demo_value
    assert level_price_on(level=heaviest, kind=PriceKind.TARIFF, day=date(2023, 12, 31)) is None
    assert all(a.in_kind_only for a in version.arrangements.all())


def test_midden_limburg_profiles_cost_price_terms_and_codes():
    version = load("midden-limburg-west")
    region = version.region
    assert sorted(region.municipalities.values_list("cbs_code", flat=True)) == [
        "0946",
        "0988",
        "1640",
    ]
    begeleiding = version.arrangements.get(code="BEG")
    assert begeleiding.levels.count() == 9
    for level in begeleiding.levels.all():
        cost = level_price_on(level=level, kind=PriceKind.COST_PRICE, day=DAY)
        # Seed 004 §7: EUR 150 per 4 weeks for every profile; a seed fact, not a demo value.
        assert (cost.amount, cost.period, cost.is_demo_value) == (Decimal("150.00"), "4w", False)
    assert list(version.indication_terms.values_list("months", flat=True)) == [
        6, 12, 18, 24, 36, 48, 60,
    ]  # fmt: skip
    additional = version.arrangements.filter(kind="additional")
    assert {a.code for a in additional} == {"VVR", "KV"}
    transport = {lvl.name for lvl in version.arrangements.get(code="VVR").levels.all()}
    assert transport == {"Zittend vervoer", "Rolstoelvervoer"}
    assert version.arrangements.get(code="KV").levels.get().iwmo_unit == "14"  # etmaal
    codes = {c.product_code: c.cak_code for c in version.cak_product_codes.all()}
    assert codes["2701"] == "405"
    assert codes["7707"] == "411"
    assert codes["4707"] == "428"
    assert version.result_codes.exists()
    assert version.result_codes.first().is_demo_value


def test_midden_limburg_assessment_instrument_proposes_a_level():
    version = load("midden-limburg-west")
    instrument = version.assessment_instrument
    assert instrument.criteria.count() == 5
    begeleiding = version.arrangements.get(code="BEG")
    level = level_for_assessment(
        arrangement=begeleiding, scores={1: "C", 2: "B", 3: "D", 4: "D", 5: "C"}
    )
    assert level.attributes == {"categorie": "2", "intensiteit": "intensief"}


def test_assessment_scoring_is_data_a_region_can_change():
    version = load("midden-limburg-west")
    instrument = version.assessment_instrument
    scores = {1: "A", 2: "A", 3: "A", 4: "A", 5: "A"}
    begeleiding = version.arrangements.get(code="BEG")
    assert level_for_assessment(arrangement=begeleiding, scores=scores).code == "C1B"
    instrument.scoring["outcomes"][0]["bands"][0]["value"] = "3"
    instrument.full_clean()
    instrument.save()
    begeleiding = Arrangement.objects.get(pk=begeleiding.pk)
    assert level_for_assessment(arrangement=begeleiding, scores=scores).code == "C3B"


def test_invalid_scoring_is_refused_in_dutch():
    version = load("midden-limburg-west")
    instrument = version.assessment_instrument
    instrument.scoring = {"letters": {"A": 1}, "outcomes": [{"attribute": "categorie"}]}
    with pytest.raises(ValidationError, match="criteria"):
        instrument.full_clean()


def test_leidse_regio_segments_modules_and_matrix():
    version = load("leidse-regio")
    assert version.region.municipalities.count() == 5
    assert sorted(version.lots.values_list("code", flat=True)) == ["HO", "S1", "S2", "S3", "S4"]
    steps = ModuleStep.objects.filter(module__life_domain__catalog_version=version)
    # seed 003: SPF 5 + ZZG 3 + GZ 2 + DB 5 + 3 availability + 3 housing + 1 housing costs
    assert steps.filter(availability="available").count() == 22
    undecided = steps.get(availability="undecided")
    assert (undecided.module.code, undecided.step) == ("GZ", 1)  # "?" in seed 003
    spf = steps.filter(module__code="SPF").values_list("step", flat=True)
    assert sorted(spf) == [1, 2, 3, 4, 5]
    segment = version.arrangements.get(code="S2")
    assert segment.composition == "modules"
    assert segment.modules.count() == 11
    level = segment.levels.get(code="ZZG-3")
    assert level.module_step.step == 3
    assert level_price_on(level=level, kind=PriceKind.TARIFF, day=DAY).period == "month"
    assert not segment.levels.filter(code="GZ-1").exists()  # undecided: no product yet
    assert version.arrangements.get(code="HO").lots.get().code == "HO"


def test_import_is_idempotent():
    first = load("almere")
    count = Level.objects.count()
    assert load("almere") == first
    assert Level.objects.count() == count


def test_catalog_overview_answers_prices_on_the_day(django_assert_max_num_queries):
    version = load("almere")
    with django_assert_max_num_queries(10):
        arrangements = catalog_overview(version=version, day=DAY)
        levels = [lvl for a in arrangements for lvl in a.levels.all()]
        tariffs = [lvl.tariff_on_day for lvl in levels]
        bandwidths = [bw.support_form.code for lvl in levels for bw in lvl.bandwidths.all()]
    assert len(levels) == 13
    assert all(tariffs)
    assert bandwidths


def test_new_contract_period_keeps_history():
    old = load("almere")
    level = Level.objects.get(arrangement__catalog_version=old, arrangement__code="1", code="N2")
    old_tariff = level_price_on(level=level, kind=PriceKind.TARIFF, day=DAY).amount

    new = catalog_version_start_next(
        previous=old, name="Ondersteuningsarrangementen 2027", valid_from=date(2027, 1, 1)
    )
    new_level = Level.objects.get(
        arrangement__catalog_version=new, arrangement__code="1", code="N2"
    )
    new_price = new_level.prices.get(kind="tariff")
    new_price.amount = old_tariff + Decimal("25.00")
    new_price.save()

    region = old.region
    assert catalog_version_on(region=region, day=date(2026, 12, 31)) == old
    assert catalog_version_on(region=region, day=date(2027, 1, 1)) == new
    level.refresh_from_db()
    assert level_price_on(level=level, kind=PriceKind.TARIFF, day=DAY).amount == old_tariff
    assert level_price_on(level=level, kind=PriceKind.TARIFF, day=date(2027, 2, 1)) is None
    assert level_price_on(
        level=new_level, kind=PriceKind.TARIFF, day=date(2027, 2, 1)
    ).amount == old_tariff + Decimal("25.00")
    assert new.lots.count() == old.lots.count()
    assert new.arrangements.get(code="4").lots.filter(code="4A").exists()


def test_new_period_cannot_start_before_the_old_one():
    old = load("almere")
    with pytest.raises(CatalogError, match="na het begin"):
        catalog_version_start_next(previous=old, name="Te vroeg", valid_from=date(2023, 1, 1))
    old.refresh_from_db()
    assert old.valid_to is None  # nothing changed


def test_overlapping_catalog_version_is_refused():
    old = load("almere")
    overlapping = CatalogVersion(region=old.region, name="Dubbel", valid_from=date(2025, 1, 1))
    with pytest.raises(ValidationError, match="overlapt"):
        overlapping.full_clean()


def test_overlapping_price_is_refused_and_tells_how_to_fix():
    version = load("almere")
    level = Level.objects.filter(arrangement__catalog_version=version).first()
    price = LevelPrice(
        level=level, kind="tariff", amount=Decimal("1.00"), period="4w", valid_from=DAY
    )
    with pytest.raises(ValidationError, match="Sluit die eerst af"):
        price.full_clean()


def test_negative_amount_and_bad_bandwidth_are_refused():
    version = load("almere")
    level = Level.objects.filter(arrangement__catalog_version=version).first()
    price = LevelPrice(
        level=level, kind="tariff", amount=Decimal("-1"), period="4w", valid_from=date(2040, 1, 1)
    )
    with pytest.raises(ValidationError):
        price.full_clean()
    bandwidth = level.bandwidths.first()
    bandwidth.maximum_per_week = bandwidth.minimum_per_week - 1
    with pytest.raises(ValidationError, match="onder het minimum"):
        bandwidth.full_clean()


def test_level_durations_and_attributes_are_checked():
    version = load("almere")
    level = Level.objects.filter(arrangement__catalog_version=version).first()
    level.min_duration_months, level.max_duration_months = 24, 12
    with pytest.raises(ValidationError, match="maximale looptijd ligt onder de minimale"):
        level.full_clean()
    level.min_duration_months = None
    level.attributes = {"categorie": 2}
    with pytest.raises(ValidationError, match="paren van tekst"):
        level.full_clean()


def test_next_period_follows_a_closed_version_directly_and_needs_a_new_name():
    old = load("almere")
    old.valid_to = date(2026, 12, 31)
    old.save()
    with pytest.raises(CatalogError, match="de dag erna beginnen"):
        catalog_version_start_next(previous=old, name="Gat", valid_from=date(2027, 2, 1))
    with pytest.raises(CatalogError, match="al een catalogusversie met de naam"):
        catalog_version_start_next(previous=old, name=old.name, valid_from=date(2027, 1, 1))
    assert CatalogVersion.objects.filter(region=old.region).count() == 1
