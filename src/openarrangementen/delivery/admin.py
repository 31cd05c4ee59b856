"""Beheer of what a region agreed about delivery: evaluations and subcontractor access.
The provider's records themselves are worked on in the portal, never in beheer."""

from django.contrib import admin

from openarrangementen.core.admin_site import RoleScopedAdmin

from .models import DeliveryPolicy


@admin.register(DeliveryPolicy)
class DeliveryPolicyAdmin(RoleScopedAdmin):
    region_path = "region"
    scoped_fields = {"region": ""}
    list_display = [
        "region",
        "evaluation_weeks_before_end",
        "evaluation_reminder_weeks",
        "interim_every_months",
        "delegation_allowed",
    ]
