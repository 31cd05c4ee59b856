from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "openarrangementen.plans"
    label = "plans"
    verbose_name = "Ondersteuningsplannen"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import (
            Consent,
            Consultation,
            PartOne,
            PartTwo,
            PlannedDeployment,
            ProviderChoice,
            Signature,
        )

        for model in (
            PartOne,
            Consultation,
            ProviderChoice,
            Consent,
            Signature,
            PartTwo,
            PlannedDeployment,
        ):
            auditlog.register(model)
