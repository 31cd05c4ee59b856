"""`check` warns when a retention period is set shorter than the Selectielijst gemeenten
gives (ADR 0013): destroying earlier is a deviation the municipality must decide on and
document under the Archiefwet, not a configuration detail."""

from django.conf import settings
from django.core.checks import Warning, register

# The Selectielijst's periods, by setting (written out here, not read from the settings).
SELECTIELIJST = {
    "RETENTION_GRANTED_YEARS": 15,
    "RETENTION_ADVICE_YEARS": 5,
    "RETENTION_WITHDRAWN_DAYS": 42,
    "RETENTION_PAYMENT_YEARS": 7,
}


@register()
def retention_not_shorter(app_configs, **kwargs):
    return [
        Warning(
            f"{name} is {getattr(settings, name)}, shorter than the Selectielijst gemeenten "
            f"({minimum}).",
            hint="Keep the default unless the municipality decided on a documented deviation.",
            id="openarrangementen.W023",
        )
        for name, minimum in SELECTIELIJST.items()
        if int(getattr(settings, name)) < minimum
    ]
