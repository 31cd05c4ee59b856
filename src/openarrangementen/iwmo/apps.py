from django.apps import AppConfig


class IwmoConfig(AppConfig):
    name = "openarrangementen.iwmo"
    label = "iwmo"
    verbose_name = "iWmo-berichtenverkeer"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Endpoint

        # Who changed where a provider's messages go (ADR 0009). The token material is
        # left out of the log: a log entry must not hold what derives a token.
        auditlog.register(
            Endpoint, exclude_fields=["outgoing_token_salt", "token_digest", "updated_at"]
        )
