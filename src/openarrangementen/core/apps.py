from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openarrangementen.core"
    label = "core"
    verbose_name = "Basis"
