from django.contrib import admin

from openarrangementen.core.admin_site import RoleScopedAdmin

from .models import FlatRate


@admin.register(FlatRate)
class FlatRateAdmin(RoleScopedAdmin):
    """The national rate is the same for every region: any functioneel beheerder keeps it,
    the contract manager reads it. Changes are in the audit log (django-auditlog)."""

    region_path = None
    list_display = ["year", "amount", "period", "is_demo_value", "source"]
    list_filter = ["is_demo_value"]
    fields = ["year", "amount", "period", "source", "is_demo_value"]
    ordering = ["-year"]
