"""Writes to the catalog: importing a regional catalog and starting a new contract period."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from openarrangementen.accounts.models import Municipality, Region

from .models import (
    Arrangement,
    AssessmentCriterion,
    AssessmentInstrument,
    Bandwidth,
    CakProductCode,
    CatalogVersion,
    IndicationTerm,
    LevelPrice,
    LifeDomain,
    Lot,
    Module,
    ModuleStep,
    ResultCode,
    SupportForm,
)
from .models import Level as LevelModel


def _save(obj: Any) -> Any:
    """Validate like a form would (Dutch messages), then save."""
    obj.full_clean()
    obj.save()
    return obj


def support_forms_ensure(specs: list[dict[str, Any]]) -> dict[str, SupportForm]:
    forms = {}
    for spec in specs:
        form, _ = SupportForm.objects.get_or_create(
            code=spec["code"], defaults={"name": spec["name"], "unit": spec["unit"]}
        )
        forms[form.code] = form
    return forms


@transaction.atomic
def catalog_version_import(
    spec: dict[str, Any], support_forms: list[dict[str, Any]]
) -> CatalogVersion:
    """Load a regional catalog (see `regional_catalogs`). Idempotent: a version that already
    exists for the region under that name is returned unchanged; all or nothing otherwise."""
    region_spec = spec["region"]
    region, _ = Region.objects.get_or_create(
        slug=region_spec["slug"],
        defaults={
            "name": region_spec["name"],
            "max_coordination_fee_percent": _decimal(
                region_spec.get("max_coordination_fee_percent")
            ),
        },
    )
    for name, code in spec["municipalities"]:
        Municipality.objects.get_or_create(cbs_code=code, defaults={"name": name, "region": region})
    version_spec = spec["version"]
    existing = CatalogVersion.objects.filter(region=region, name=version_spec["name"]).first()
    if existing:
        return existing
    forms = support_forms_ensure(support_forms)
    version = _save(
        CatalogVersion(
            region=region,
            name=version_spec["name"],
            valid_from=date.fromisoformat(version_spec["valid_from"]),
            valid_to=_date(version_spec.get("valid_to")),
            description=version_spec.get("description", ""),
            max_term_months_stable=version_spec.get("max_term_months_stable"),
            max_term_months_change_expected=version_spec.get("max_term_months_change_expected"),
        )
    )
    for months, label in spec.get("indication_terms", []):
        _save(IndicationTerm(catalog_version=version, months=months, label=label))
    lots = {}
    for rank, lot_spec in enumerate(spec["lots"], start=1):
        lot = _save(
            Lot(catalog_version=version, code=lot_spec["code"], name=lot_spec["name"], rank=rank)
        )
        lot.support_forms.set([forms[c] for c in lot_spec.get("support_forms", [])])
        lots[lot.code] = lot
    module_steps: dict[tuple[str, int], ModuleStep] = {}
    modules: list[Module] = []
    for d_rank, (d_code, d_name, module_specs) in enumerate(spec.get("life_domains", []), 1):
        domain = _save(LifeDomain(catalog_version=version, code=d_code, name=d_name, rank=d_rank))
        for m_rank, (m_code, m_name, steps) in enumerate(module_specs, start=1):
            module = _save(Module(life_domain=domain, code=m_code, name=m_name, rank=m_rank))
            modules.append(module)
            for step, mark in steps.items():
                availability = "available" if mark == "x" else "undecided"
                module_steps[(m_code, step)] = _save(
                    ModuleStep(module=module, step=step, availability=availability)
                )
    for rank, arr_spec in enumerate(spec["arrangements"], start=1):
        arrangement = _save(
            Arrangement(
                catalog_version=version,
                code=arr_spec["code"],
                name=arr_spec["name"],
                target_group=arr_spec.get("target_group", ""),
                kind=arr_spec.get("kind", "arrangement"),
                composition=arr_spec.get("composition", "single_level"),
                rank=rank,
            )
        )
        arrangement.lots.set([lots[c] for c in arr_spec["lots"]])
        arrangement.support_forms.set([forms[c] for c in arr_spec.get("support_forms", [])])
        if arr_spec.get("modules") == "all":
            arrangement.modules.set(modules)
        for level_spec in arr_spec["levels"]:
            _level_import(arrangement, level_spec, forms, module_steps)
    if assessment := spec.get("assessment"):
        instrument = AssessmentInstrument(
            catalog_version=version,
            name=assessment["name"],
            scoring=assessment["scoring"],
            is_demo_value=assessment.get("demo", False),
            source=assessment.get("source", ""),
        )
        instrument.save()
        for number, part, text, low, high in assessment["criteria"]:
            _save(
                AssessmentCriterion(
                    instrument=instrument,
                    number=number,
                    part=part,
                    text=text,
                    low_label=low,
                    high_label=high,
                )
            )
        instrument.full_clean()  # the scoring refers to the criteria just saved
    for code, domain, name in spec.get("result_codes", []):
        _save(
            ResultCode(
                catalog_version=version,
                code=code,
                domain=domain,
                name=name,
                is_demo_value=True,
                source="resultatenmatrix (bijlage 3) staat niet in de seed: demowaarde",
            )
        )
    for lot_name, description, product_code, cak_code, note in spec.get("cak_product_codes", []):
        _save(
            CakProductCode(
                catalog_version=version,
                lot_name=lot_name,
                description=description,
                product_code=product_code,
                cak_code=cak_code,
                note=note,
                source="seed 004 bijlage 6",
            )
        )
    return version


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _level_import(
    arrangement: Arrangement,
    spec: dict[str, Any],
    forms: dict[str, SupportForm],
    module_steps: dict[tuple[str, int], ModuleStep],
) -> LevelModel:
    level = _save(
        LevelModel(
            arrangement=arrangement,
            code=spec["code"],
            name=spec["name"],
            rank=spec.get("rank", 1),
            attributes=spec.get("attributes", {}),
            module_step=module_steps.get((spec["module"], spec["step"]))
            if "module" in spec
            else None,
            min_duration_months=spec.get("min_duration_months"),
            max_duration_months=spec.get("max_duration_months"),
            product_category=spec["product_category"],
            product_code=spec["product_code"],
            cak_code=spec.get("cak_code", ""),
            iwmo_unit=spec.get("iwmo_unit", "82"),
            iwmo_frequency=spec.get("iwmo_frequency", "4"),
            is_demo_value=spec.get("demo", False),
            source=spec.get("source", ""),
        )
    )
    for price in spec.get("prices", []):
        _save(
            LevelPrice(
                level=level,
                kind=price["kind"],
                amount=Decimal(price["amount"]),
                period=price["period"],
                valid_from=date.fromisoformat(price["valid_from"]),
                valid_to=_date(price.get("valid_to")),
                is_demo_value=price.get("demo", False),
                source=price.get("source", ""),
            )
        )
    for bw in spec.get("bandwidths", []):
        _save(
            Bandwidth(
                level=level,
                support_form=forms[bw["form"]],
                minimum_per_week=Decimal(bw["min"]),
                expected_per_week=Decimal(bw["expected"]) if bw.get("expected") else None,
                maximum_per_week=Decimal(bw["max"]),
                is_demo_value=bw.get("demo", False),
            )
        )
    return level


class CatalogError(ValueError):
    """A catalog change that the rules refuse; the message is Dutch."""


@transaction.atomic
def catalog_version_start_next(
    *, previous: CatalogVersion, name: str, valid_from: date
) -> CatalogVersion:
    """Start a new contract period from `previous`: the old version ends the day before
    `valid_from` and keeps all its data; the new one starts as a copy that can then be edited.
    Open prices of the old version end with it, so history is never rewritten."""
    previous = CatalogVersion.objects.select_for_update().get(pk=previous.pk)
    if valid_from <= previous.valid_from:
        raise CatalogError("De nieuwe periode moet beginnen na het begin van de vorige.")
    if previous.valid_to is not None and valid_from != previous.valid_to + timedelta(days=1):
        raise CatalogError(
            "De vorige versie loopt tot en met "
            f"{previous.valid_to:%d-%m-%Y}; de nieuwe moet de dag erna beginnen."
        )
    if CatalogVersion.objects.filter(region=previous.region, name=name).exists():
        raise CatalogError(f"Er is al een catalogusversie met de naam '{name}'.")
    end_of_previous = valid_from - timedelta(days=1)
    previous.valid_to = end_of_previous
    previous.save(update_fields=["valid_to"])
    LevelPrice.objects.filter(
        level__arrangement__catalog_version=previous, valid_to__isnull=True
    ).update(valid_to=end_of_previous)

    new = _save(
        CatalogVersion(
            region=previous.region,
            name=name,
            valid_from=valid_from,
            description=previous.description,
            max_term_months_stable=previous.max_term_months_stable,
            max_term_months_change_expected=previous.max_term_months_change_expected,
        )
    )
    for term in previous.indication_terms.all():
        IndicationTerm.objects.create(catalog_version=new, months=term.months, label=term.label)
    lots = {}
    for lot in previous.lots.all():
        forms = list(lot.support_forms.all())
        old_pk = lot.pk
        lot.pk = None
        lot.catalog_version = new
        lot.save()
        lot.support_forms.set(forms)
        lots[old_pk] = lot
    modules, steps = _copy_life_domains(previous, new)
    for arrangement in previous.arrangements.prefetch_related(
        "lots", "support_forms", "modules", "levels__prices", "levels__bandwidths"
    ):
        arr_lots = [lots[lot.pk] for lot in arrangement.lots.all()]
        arr_forms = list(arrangement.support_forms.all())
        arr_modules = [modules[m.pk] for m in arrangement.modules.all()]
        levels = list(arrangement.levels.all())
        arrangement.pk = None
        arrangement.catalog_version = new
        arrangement.save()
        arrangement.lots.set(arr_lots)
        arrangement.support_forms.set(arr_forms)
        arrangement.modules.set(arr_modules)
        for level in levels:
            prices = [p for p in level.prices.all() if p.valid_to == end_of_previous]
            bandwidths = list(level.bandwidths.all())
            level.pk = None
            level.arrangement = arrangement
            level.module_step = steps.get(level.module_step_id) if level.module_step_id else None
            level.save()
            for price in prices:
                price.pk = None
                price.level = level
                price.valid_from = valid_from
                price.valid_to = None
                price.save()
            for bandwidth in bandwidths:
                bandwidth.pk = None
                bandwidth.level = level
                bandwidth.save()
    _copy_codes(previous, new)
    return new


def _copy_life_domains(
    previous: CatalogVersion, new: CatalogVersion
) -> tuple[dict[int, Module], dict[int, ModuleStep]]:
    modules: dict[int, Module] = {}
    steps: dict[int, ModuleStep] = {}
    for domain in previous.life_domains.prefetch_related("modules__steps"):
        domain_modules = list(domain.modules.all())
        domain.pk = None
        domain.catalog_version = new
        domain.save()
        for module in domain_modules:
            module_steps = list(module.steps.all())
            old_pk = module.pk
            module.pk = None
            module.life_domain = domain
            module.save()
            modules[old_pk] = module
            for step in module_steps:
                old_step_pk = step.pk
                step.pk = None
                step.module = module
                step.save()
                steps[old_step_pk] = step
    return modules, steps


def _copy_codes(previous: CatalogVersion, new: CatalogVersion) -> None:
    for model in (ResultCode, CakProductCode):
        for row in model.objects.filter(catalog_version=previous):
            row.pk = None
            row.catalog_version = new
            row.save()
    instrument = AssessmentInstrument.objects.filter(catalog_version=previous).first()
    if instrument:
        criteria = list(instrument.criteria.all())
        instrument.pk = None
        instrument.catalog_version = new
        instrument.save()
        for criterion in criteria:
            criterion.pk = None
            criterion.instrument = instrument
            criterion.save()
