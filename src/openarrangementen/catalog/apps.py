from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "openarrangementen.catalog"
    label = "catalog"
    verbose_name = "Catalogus"
