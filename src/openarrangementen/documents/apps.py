from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "openarrangementen.documents"
    label = "documents"
    verbose_name = "Documenten"
