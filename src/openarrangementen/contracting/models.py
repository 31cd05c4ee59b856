from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from openarrangementen.accounts.models import Provider, Region
from openarrangementen.catalog.models import Lot, SupportForm
from openarrangementen.core.models import ValidityPeriod


class Contract(ValidityPeriod):
    """A provider is contracted for a lot (perceel) for a period."""

    provider = models.ForeignKey(
        Provider, verbose_name="aanbieder", on_delete=models.PROTECT, related_name="contracts"
    )
    lot = models.ForeignKey(
        Lot, verbose_name="perceel", on_delete=models.PROTECT, related_name="contracts"
    )
    reference = models.CharField("contractnummer", max_length=50, blank=True)

    class Meta(ValidityPeriod.Meta):
        ordering = ["lot", "provider", "valid_from"]
        verbose_name = "contract"
        verbose_name_plural = "contracten"

    def __str__(self) -> str:
        return f"{self.provider} – {self.lot}"

    def clean(self) -> None:
        super().clean()
        if not (self.lot_id and self.valid_from):
            return
        version = self.lot.catalog_version
        ends_in_time = version.valid_to is None or (
            self.valid_to is not None and self.valid_to <= version.valid_to
        )
        if not (version.validity.contains(self.valid_from) and ends_in_time):
            raise ValidationError(
                "Het contract moet binnen de looptijd van de catalogusversie van het perceel "
                f"vallen ({version.validity.describe()})."
            )
        if self.provider_id and self.first_overlapping(
            Contract.objects.filter(provider_id=self.provider_id, lot_id=self.lot_id)
        ):
            raise ValidationError(
                "Deze aanbieder heeft voor dit perceel al een contract in deze periode."
            )


class Partnership(ValidityPeriod):
    """A hoofdaanbieder with its onderaannemers in a region (samenwerkingsverband)."""

    region = models.ForeignKey(
        Region, verbose_name="regio", on_delete=models.PROTECT, related_name="partnerships"
    )
    lead_provider = models.ForeignKey(
        Provider,
        verbose_name="hoofdaanbieder",
        on_delete=models.PROTECT,
        related_name="led_partnerships",
    )
    name = models.CharField("naam", max_length=200)
    coordination_fee_cap_percent = models.DecimalField(
        "maximum regiekosten (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text="Het deel van wat onderaannemers leveren dat de hoofdaanbieder mag inhouden.",
    )

    class Meta(ValidityPeriod.Meta):
        ordering = ["region", "name"]
        verbose_name = "samenwerkingsverband"
        verbose_name_plural = "samenwerkingsverbanden"
        constraints = [
            *ValidityPeriod.Meta.constraints,
            models.CheckConstraint(
                name="partnership_fee_cap_0_100",
                condition=Q(coordination_fee_cap_percent__gte=0)
                & Q(coordination_fee_cap_percent__lte=100),
                violation_error_message="Het percentage regiekosten ligt tussen 0 en 100.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.region_id and self.coordination_fee_cap_percent is not None:
            regional_max = self.region.max_coordination_fee_percent
            if regional_max is not None and self.coordination_fee_cap_percent > regional_max:
                raise ValidationError(
                    {
                        "coordination_fee_cap_percent": (
                            f"De regio staat ten hoogste {regional_max}% regiekosten toe."
                        )
                    }
                )


class PartnershipMember(models.Model):
    """An onderaannemer in a partnership and the support forms it delivers."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name="samenwerkingsverband",
        on_delete=models.CASCADE,
        related_name="members",
    )
    provider = models.ForeignKey(
        Provider,
        verbose_name="onderaannemer",
        on_delete=models.PROTECT,
        related_name="partnership_memberships",
    )
    support_forms = models.ManyToManyField(SupportForm, verbose_name="levert ondersteuningsvormen")

    class Meta:
        ordering = ["partnership", "provider"]
        verbose_name = "onderaannemer"
        verbose_name_plural = "onderaannemers"
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "provider"],
                name="partnership_member_unique",
                violation_error_message="Deze onderaannemer zit al in dit samenwerkingsverband.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} in {self.partnership}"

    def clean(self) -> None:
        if self.partnership_id and self.provider_id == self.partnership.lead_provider_id:
            raise ValidationError(
                "De hoofdaanbieder kan niet ook onderaannemer in zijn eigen verband zijn."
            )
