from django.contrib import admin

from openarrangementen.core.admin_site import NATIONAL, RoleScopedAdmin

from .models import FlatRate


@admin.register(FlatRate)
class FlatRateAdmin(RoleScopedAdmin):
    """The national rate is the same for every region: the installation's administrator keeps
    it, the beheer roles read it (a region could otherwise change another region's
    contributions, ADR 0009). Changes are in the audit log (django-auditlog)."""

    region_path = NATIONAL
    list_display = ["year", "amount", "period", "is_demo_value", "source"]
    list_filter = ["is_demo_value"]
    fields = ["year", "amount", "period", "source", "is_demo_value"]
    ordering = ["-year"]
