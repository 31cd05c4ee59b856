from django.apps import AppConfig


class ContractingConfig(AppConfig):
    name = "openarrangementen.contracting"
    label = "contracting"
    verbose_name = "Contracten en samenwerkingsverbanden"
