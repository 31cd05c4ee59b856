"""Beheer of the traject's configuration: regional terms and the ZRM. Trajects themselves
are worked on in the portal, never in beheer (they carry client data)."""

from django.contrib import admin

from openarrangementen.core.admin_site import RoleScopedAdmin, ScopedInline

from .models import DeadlineRule, SelfSufficiencyMatrix, ZrmDomain


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(RoleScopedAdmin):
    region_path = "region"
    scoped_fields = {"region": ""}
    list_display = ["region", "kind", "amount", "unit", "source"]
    list_filter = ["region"]


class ZrmDomainInline(ScopedInline):
    model = ZrmDomain


@admin.register(SelfSufficiencyMatrix)
class SelfSufficiencyMatrixAdmin(RoleScopedAdmin):
    """Shared by every region (the ZRM is one national instrument)."""

    list_display = ["name", "is_current"]
    inlines = [ZrmDomainInline]

    def has_add_permission(self, request, obj=None) -> bool:
        # One instrument for every region: only the installation's administrator changes it.
        return request.user.is_superuser

    has_delete_permission = has_add_permission
    has_change_permission = has_add_permission
