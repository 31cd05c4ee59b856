"""Billing pages, included in the portal's namespace (portal:billing-…)."""

from django.urls import path

from . import report_views, views

urlpatterns = [
    path("declareren/", views.provider_page, name="billing-provider"),
    path("declareren/verzenden/", views.provider_run, name="billing-provider-run"),
    path("declaraties/", views.municipality_page, name="billing-municipality"),
    path("declaraties/betaling/", views.record_payment, name="billing-payment"),
    path("uitgaven/", report_views.spending, name="billing-spending"),
    path(
        "samenwerkingsverband/afrekening/",
        report_views.partnership,
        name="billing-partnership",
    ),
]
