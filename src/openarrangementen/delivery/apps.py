from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "openarrangementen.delivery"
    label = "delivery"
    verbose_name = "Levering en evaluatie"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        for model in (
            models.WorkAssignment,
            models.LogEntry,
            models.WeeklyDeployment,
            models.Signal,
            models.SupportStop,
            models.Handover,
            models.Evaluation,
            models.Delegation,
            models.DeliveryPolicy,
        ):
            auditlog.register(model)
