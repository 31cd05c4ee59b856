from django.contrib import admin

from openarrangementen.accounts.domain import Role
from openarrangementen.core.admin_site import RoleScopedAdmin, ScopedInline

from .models import Contract, Partnership, PartnershipMember

CONTRACT_ROLES = frozenset({Role.CONTRACTMANAGER, Role.FUNCTIONEEL_BEHEERDER})


@admin.register(Contract)
class ContractAdmin(RoleScopedAdmin):
    manage_roles = CONTRACT_ROLES
    region_path = "lot__catalog_version__region"
    scoped_fields = {"lot": "catalog_version__region"}
    # Any provider may be contracted, also one registered by another region.
    national_fields = frozenset({"provider"})
    list_display = ["provider", "lot", "reference", "valid_from", "valid_to"]
    list_filter = [
        ("lot__catalog_version__region", admin.RelatedOnlyFieldListFilter),
        ("lot__catalog_version", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["provider__name", "provider__agb_code", "reference"]


class PartnershipMemberInline(ScopedInline):
    model = PartnershipMember
    # Subcontractors hold no contract of their own: any provider may be one.
    national_fields = frozenset({"provider", "support_forms"})


@admin.register(Partnership)
class PartnershipAdmin(RoleScopedAdmin):
    manage_roles = CONTRACT_ROLES
    region_path = "region"
    scoped_fields = {"region": "", "lead_provider": "contracts__lot__catalog_version__region"}
    list_display = ["name", "lead_provider", "region", "coordination_fee_cap_percent"]
    list_filter = [("region", admin.RelatedOnlyFieldListFilter)]
    inlines = [PartnershipMemberInline]
