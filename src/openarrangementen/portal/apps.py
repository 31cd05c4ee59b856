from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "openarrangementen.portal"
    label = "portal"
    verbose_name = "Portaal"
