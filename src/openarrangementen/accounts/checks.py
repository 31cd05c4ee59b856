"""`check --deploy` refuses an installation without the second factor for staff, or with
passwords for inwoners (issue #21)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def second_factor_required(app_configs, **kwargs):
    if getattr(settings, "TWO_FACTOR_REQUIRED", True):
        return []
    return [
        Error(
            "TWO_FACTOR_REQUIRED is off: staff would sign in with a password only.",
            hint="Only the demo switches the second factor off; remove TWO_FACTOR_REQUIRED "
            "from the environment in production.",
            id="openarrangementen.E021",
        )
    ]


@register(Tags.security, deploy=True)
def inwoner_password_off(app_configs, **kwargs):
    if not getattr(settings, "INWONER_PASSWORD_LOGIN", False):
        return []
    return [
        Error(
            "INWONER_PASSWORD_LOGIN is on: inwoners could sign in with a password.",
            hint="Inwoners sign in with DigiD; only the demo lets them use a password.",
            id="openarrangementen.E022",
        )
    ]
