from django.apps import AppConfig


class IwmoConfig(AppConfig):
    name = "openarrangementen.iwmo"
    label = "iwmo"
    verbose_name = "iWmo-berichtenverkeer"
