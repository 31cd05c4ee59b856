from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "openarrangementen.billing"
    label = "billing"
    verbose_name = "Declareren"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import BillingSettings, Line, Payment

        auditlog.register(BillingSettings)
        auditlog.register(Line)
        auditlog.register(Payment)
