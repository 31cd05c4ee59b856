"""The contribution pages, included in the portal's namespace (portal:cak-contributions)."""

from django.urls import path

from . import views

urlpatterns = [
    path("bijdrage-cak/", views.contribution_overview, name="cak-contributions"),
    path("bijdrage-cak/export.csv", views.contribution_csv, name="cak-contributions-csv"),
]
