from django.contrib import admin

from openarrangementen.accounts.domain import Role
from openarrangementen.core.admin_site import NATIONAL, RoleScopedAdmin, ScopedInline

from .models import (
    Arrangement,
    AssessmentCriterion,
    AssessmentInstrument,
    Bandwidth,
    CakProductCode,
    CatalogVersion,
    IndicationTerm,
    Level,
    LevelPrice,
    LifeDomain,
    Lot,
    Module,
    ModuleStep,
    ResultCode,
    SupportForm,
)

# Tariffs and cost prices are contract matters: the contract manager manages them too.
PRICE_ROLES = frozenset({Role.FUNCTIONEEL_BEHEERDER, Role.CONTRACTMANAGER})
VERSION = {"catalog_version": "region"}


class IndicationTermInline(ScopedInline):
    model = IndicationTerm


class LotInline(ScopedInline):
    model = Lot
    fields = ["code", "name", "rank"]
    show_change_link = True


@admin.register(CatalogVersion)
class CatalogVersionAdmin(RoleScopedAdmin):
    region_path = "region"
    scoped_fields = {"region": ""}
    list_display = ["name", "region", "valid_from", "valid_to"]
    list_filter = [("region", admin.RelatedOnlyFieldListFilter)]
    inlines = [LotInline, IndicationTermInline]


@admin.register(SupportForm)
class SupportFormAdmin(RoleScopedAdmin):
    """Shared by every region: only the installation's administrator changes one."""

    region_path = NATIONAL
    list_display = ["code", "name", "unit", "pgb_allowed"]


@admin.register(Lot)
class LotAdmin(RoleScopedAdmin):
    region_path = "catalog_version__region"
    scoped_fields = VERSION
    list_display = ["code", "name", "catalog_version"]
    list_filter = [
        ("catalog_version__region", admin.RelatedOnlyFieldListFilter),
        ("catalog_version", admin.RelatedOnlyFieldListFilter),
    ]
    filter_horizontal = ["support_forms"]
    national_fields = frozenset({"support_forms"})


class ModuleInline(ScopedInline):
    model = Module
    show_change_link = True


@admin.register(LifeDomain)
class LifeDomainAdmin(RoleScopedAdmin):
    region_path = "catalog_version__region"
    scoped_fields = VERSION
    list_display = ["name", "code", "catalog_version"]
    inlines = [ModuleInline]


class ModuleStepInline(ScopedInline):
    model = ModuleStep


@admin.register(Module)
class ModuleAdmin(RoleScopedAdmin):
    region_path = "life_domain__catalog_version__region"
    scoped_fields = {"life_domain": "catalog_version__region"}
    list_display = ["name", "code", "life_domain"]
    inlines = [ModuleStepInline]


class LevelInline(ScopedInline):
    model = Level
    fields = ["code", "name", "rank", "product_category", "product_code", "is_demo_value"]
    show_change_link = True


@admin.register(Arrangement)
class ArrangementAdmin(RoleScopedAdmin):
    region_path = "catalog_version__region"
    scoped_fields = {
        **VERSION,
        "lots": "catalog_version__region",
        "modules": "life_domain__catalog_version__region",
    }
    national_fields = frozenset({"support_forms"})  # the national forms of provision
    list_display = ["name", "code", "kind", "composition", "catalog_version"]
    list_filter = [
        ("catalog_version__region", admin.RelatedOnlyFieldListFilter),
        "kind",
        "composition",
    ]
    filter_horizontal = ["lots", "support_forms", "modules"]
    inlines = [LevelInline]


class BandwidthInline(ScopedInline):
    model = Bandwidth
    national_fields = frozenset({"support_form"})


class LevelPriceInline(ScopedInline):
    model = LevelPrice

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser or bool(self._parent()._roles(request) & PRICE_ROLES)

    has_add_permission = has_change_permission


@admin.register(Level)
class LevelAdmin(RoleScopedAdmin):
    region_path = "arrangement__catalog_version__region"
    scoped_fields = {
        "arrangement": "catalog_version__region",
        "module_step": "module__life_domain__catalog_version__region",
    }
    list_display = ["__str__", "code", "product_category", "product_code", "is_demo_value"]
    list_filter = [
        ("arrangement__catalog_version__region", admin.RelatedOnlyFieldListFilter),
        "is_demo_value",
    ]
    search_fields = ["name", "code", "product_code"]
    inlines = [BandwidthInline, LevelPriceInline]


@admin.register(LevelPrice)
class LevelPriceAdmin(RoleScopedAdmin):
    manage_roles = PRICE_ROLES
    region_path = "level__arrangement__catalog_version__region"
    scoped_fields = {"level": "arrangement__catalog_version__region"}
    list_display = ["level", "kind", "amount", "period", "valid_from", "valid_to", "is_demo_value"]
    list_filter = [
        "kind",
        ("level__arrangement__catalog_version__region", admin.RelatedOnlyFieldListFilter),
        "is_demo_value",
    ]


@admin.register(ResultCode)
class ResultCodeAdmin(RoleScopedAdmin):
    region_path = "catalog_version__region"
    scoped_fields = VERSION
    list_display = ["code", "domain", "name", "is_demo_value"]


@admin.register(CakProductCode)
class CakProductCodeAdmin(RoleScopedAdmin):
    region_path = "catalog_version__region"
    scoped_fields = VERSION
    list_display = ["product_code", "cak_code", "description", "lot_name", "note"]


class CriterionInline(ScopedInline):
    model = AssessmentCriterion


@admin.register(AssessmentInstrument)
class AssessmentInstrumentAdmin(RoleScopedAdmin):
    region_path = "catalog_version__region"
    scoped_fields = VERSION
    inlines = [CriterionInline]
