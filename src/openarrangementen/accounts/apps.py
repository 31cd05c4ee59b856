from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openarrangementen.accounts"
    label = "accounts"
    verbose_name = "Organisaties en gebruikers"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import (
            AccountRequest,
            ExternalIdentity,
            Provider,
            RoleAssignment,
            SignInProvider,
            User,
        )

        # Who asked for and who granted or took away an account or a role (issue #4).
        auditlog.register(AccountRequest)
        auditlog.register(RoleAssignment)
        # Who changed a provider's national data or an account (ADR 0009).
        auditlog.register(Provider)
        auditlog.register(User, exclude_fields=["password", "last_login"])
        # Who configured a sign-in provider (never its secret: beheer's own history names a
        # new secret without its value), and which outside identity was linked to which
        # account (ADR 0011).
        auditlog.register(SignInProvider, exclude_fields=["client_secret"])
        auditlog.register(ExternalIdentity)

        from . import checks, signin  # noqa: F401 (checks registers itself)

        signin.connect()
