"""Beheer of the traject's configuration: regional terms and the ZRM. Trajects themselves
are worked on in the portal, never in beheer (they carry client data)."""

from django.contrib import admin

from openarrangementen.core.admin_site import NATIONAL, RoleScopedAdmin, ScopedInline

from .models import DeadlineRule, SelfSufficiencyMatrix, ZrmDomain


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(RoleScopedAdmin):
    region_path = "region"
    scoped_fields = {"region": ""}
    list_display = ["region", "kind", "amount", "unit", "source"]
    list_filter = [("region", admin.RelatedOnlyFieldListFilter)]


class ZrmDomainInline(ScopedInline):
    model = ZrmDomain


@admin.register(SelfSufficiencyMatrix)
class SelfSufficiencyMatrixAdmin(RoleScopedAdmin):
    """Shared by every region (the ZRM is one national instrument): only the installation's
    administrator changes it."""

    region_path = NATIONAL
    list_display = ["name", "is_current"]
    inlines = [ZrmDomainInline]
