"""`check --deploy` refuses an installation without the second factor for staff (issue #21)."""

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
