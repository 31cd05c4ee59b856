from django.urls import path

from . import api

app_name = "iwmo"

urlpatterns = [
    path("berichten/", api.messages, name="api-messages"),
]
