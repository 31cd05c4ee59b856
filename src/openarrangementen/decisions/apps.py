from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "openarrangementen.decisions"
    label = "decisions"
    verbose_name = "Beschikkingen"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Beschikking, FollowUp, Objection, StartCheck

        for model in (Beschikking, Objection, StartCheck, FollowUp):
            auditlog.register(model)
