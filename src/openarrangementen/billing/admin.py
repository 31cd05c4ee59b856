"""Beheer of the billing settings per region. Declaration lines and payments are read and
recorded on the billing pages, which go through the visibility selector."""

from django.contrib import admin

from openarrangementen.core.admin_site import RoleScopedAdmin

from .models import BillingSettings


@admin.register(BillingSettings)
class BillingSettingsAdmin(RoleScopedAdmin):
    region_path = "region"
    scoped_fields = {"region": ""}
    list_display = ["region", "calendar", "rule_set", "declaration_term_days", "payment_term_days"]
    fields = [
        "region",
        "calendar",
        "rule_set",
        "declaration_term_days",
        "payment_term_days",
        "source",
    ]
