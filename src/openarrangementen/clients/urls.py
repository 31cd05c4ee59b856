from django.urls import path

from . import views

app_name = "clients"

urlpatterns = [
    path(
        "<int:client_pk>/vertegenwoordiger/nieuw/",
        views.representative_edit,
        name="representative-new",
    ),
    path(
        "<int:client_pk>/vertegenwoordiger/<int:pk>/",
        views.representative_edit,
        name="representative-edit",
    ),
    path(
        "<int:client_pk>/vertegenwoordiger/<int:pk>/verwijderen/",
        views.representative_delete,
        name="representative-delete",
    ),
]
