"""The national flat rate (abonnementstarief) per year, kept by the functioneel beheerder."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from openarrangementen.catalog.models import PERIOD_LABELS
from openarrangementen.core.models import TimestampedModel

from .domain import FIRST_FLAT_RATE_YEAR


class FlatRate(TimestampedModel):
    """The abonnementstarief of one calendar year, with where the amount comes from.

    A year without a row has no known rate: the contribution page says so instead of
    guessing. An amount that the sources do not give is marked as a demo value.
    """

    year = models.PositiveSmallIntegerField(
        "jaar",
        unique=True,
        validators=[MinValueValidator(FIRST_FLAT_RATE_YEAR), MaxValueValidator(2100)],
        error_messages={"unique": "Voor dit jaar is al een abonnementstarief vastgelegd."},
    )
    amount = models.DecimalField(
        "bedrag (euro)",
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    period = models.CharField(
        "per",
        max_length=6,
        choices=[(key.value, label) for key, label in PERIOD_LABELS.items()],
        help_text="Tot en met 2019 per 4 weken, vanaf 2020 per maand.",
    )
    source = models.CharField(
        "bron",
        max_length=300,
        help_text="Waar het bedrag vandaan komt, bijvoorbeeld de regeling of de publicatie van "
        "het CAK.",
    )
    is_demo_value = models.BooleanField(
        "demowaarde",
        default=False,
        help_text="Aangevinkt: het bedrag staat niet in de bronnen en is een voorbeeldwaarde.",
    )

    class Meta:
        ordering = ["year"]
        verbose_name = "abonnementstarief"
        verbose_name_plural = "abonnementstarieven"
        constraints = [
            models.CheckConstraint(
                name="flat_rate_not_negative",
                condition=Q(amount__gte=0),
                violation_error_message="Een bedrag kan niet negatief zijn.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: € {self.amount} {self.get_period_display()}"
