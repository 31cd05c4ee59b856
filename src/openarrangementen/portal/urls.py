from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalogus/", views.catalog_index, name="catalog-index"),
    path("catalogus/<slug:region_slug>/", views.catalog_detail, name="catalog-detail"),
    path("inwoners/", views.client_list, name="client-list"),
    path("inwoners/<int:pk>/", views.client_detail, name="client-detail"),
]
