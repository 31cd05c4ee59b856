from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openarrangementen.accounts"
    label = "accounts"
    verbose_name = "Organisaties en gebruikers"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import AccountRequest, Provider, RoleAssignment, User

        # Who asked for and who granted or took away an account or a role (issue #4).
        auditlog.register(AccountRequest)
        auditlog.register(RoleAssignment)
        # Who changed a provider's national data or an account (ADR 0009).
        auditlog.register(Provider)
        auditlog.register(User, exclude_fields=["password", "last_login"])

        from . import checks, signin  # noqa: F401 (checks registers itself)

        signin.connect()
