from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "openarrangementen.clients"
    label = "clients"
    verbose_name = "Inwoners"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Client, Household, Representative

        # Every change of personal data is logged (SPEC §7); reads go to core.AccessLog.
        auditlog.register(Client)
        auditlog.register(Household)
        auditlog.register(Representative)
