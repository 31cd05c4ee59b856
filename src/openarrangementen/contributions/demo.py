"""Demo data for the contribution page: the national rates and a marked 2026 rate."""

from decimal import Decimal

from .models import FlatRate
from .services import flat_rates_ensure

DEMO_YEAR = 2026


def flat_rates_demo_load() -> None:
    """The rates of 2019-2025 and, when 2026 has none, a demo rate for 2026 (idempotent)."""
    flat_rates_ensure()
    FlatRate.objects.get_or_create(
        year=DEMO_YEAR,
        defaults={
            "amount": Decimal("21.00"),
            "period": "month",
            "source": "Het bedrag van 2025 als voorbeeld. Het tarief voor 2026 staat niet in de "
            "bronnen; de functioneel beheerder legt het vast zodra het bekend is.",
            "is_demo_value": True,
        },
    )
