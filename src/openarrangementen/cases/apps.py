from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "openarrangementen.cases"
    label = "cases"
    verbose_name = "Trajecten"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Intake, Suspension, Traject, ZrmScore

        # Changes of personal data are logged (SPEC §7); reads go to core.AccessLog.
        auditlog.register(Traject)
        auditlog.register(Suspension)
        auditlog.register(Intake)
        auditlog.register(ZrmScore)
