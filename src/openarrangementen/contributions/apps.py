from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "openarrangementen.contributions"
    label = "contributions"
    verbose_name = "Bijdrage in de kosten (CAK)"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import FlatRate

        # Who changed a rate, when, old -> new: the page shows the amounts, the log the history.
        auditlog.register(FlatRate)
