from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from openarrangementen.core.validators import validate_agb_code, validate_gemeentecode

from .domain import ROLE_LABELS, Role, scope_error


class Region(models.Model):
    """A region of municipalities that contracts and configures together (one catalog)."""

    name = models.CharField("naam", max_length=100, unique=True)
    slug = models.SlugField("korte naam", max_length=50, unique=True)
    max_coordination_fee_percent = models.DecimalField(
        "maximum regiekosten (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text="Het maximale percentage dat een hoofdaanbieder mag inhouden op wat "
        "onderaannemers leveren. Leeg: geen regionaal maximum vastgesteld.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "regio"
        verbose_name_plural = "regio's"

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    region = models.ForeignKey(
        Region, verbose_name="regio", on_delete=models.PROTECT, related_name="municipalities"
    )
    name = models.CharField("naam", max_length=100)
    cbs_code = models.CharField(
        "gemeentecode (CBS)",
        max_length=4,
        unique=True,
        validators=[validate_gemeentecode],
        help_text="Vier cijfers, zoals in de CBS-lijst van gemeenten (Almere: 0034).",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "gemeente"
        verbose_name_plural = "gemeenten"

    def __str__(self) -> str:
        return f"{self.name} ({self.cbs_code})"


class Provider(models.Model):
    """A care provider (aanbieder), identified nationally by its AGB code."""

    name = models.CharField("naam", max_length=200)
    agb_code = models.CharField(
        "AGB-code",
        max_length=8,
        unique=True,
        validators=[validate_agb_code],
        help_text="Acht cijfers (Vektis AGB-register).",
    )
    city = models.CharField("vestigingsplaats", max_length=100, blank=True)
    email = models.EmailField("e-mailadres", blank=True)
    phone = models.CharField("telefoonnummer", max_length=30, blank=True)
    description = models.TextField(
        "omschrijving voor cliënten",
        blank=True,
        help_text="Wordt getoond wanneer een cliënt een aanbieder kiest.",
    )
    is_nationally_contracted = models.BooleanField(
        "landelijk gecontracteerd",
        default=False,
        help_text="Bijvoorbeeld voor zintuiglijke beperkingen (Almere).",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "aanbieder"
        verbose_name_plural = "aanbieders"

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who logs in. What they may do follows from their role assignments."""

    phone = models.CharField("telefoonnummer", max_length=30, blank=True)

    class Meta(AbstractUser.Meta):
        ordering = ["username"]
        verbose_name = "gebruiker"
        verbose_name_plural = "gebruikers"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class RoleAssignment(models.Model):
    """A user holds a role for one municipality, one region, or one provider (SPEC §2)."""

    user = models.ForeignKey(
        User, verbose_name="gebruiker", on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField("rol", max_length=30, choices=[(r.value, ROLE_LABELS[r]) for r in Role])
    region = models.ForeignKey(
        Region, verbose_name="regio", on_delete=models.PROTECT, null=True, blank=True
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name="gemeente", on_delete=models.PROTECT, null=True, blank=True
    )
    provider = models.ForeignKey(
        Provider, verbose_name="aanbieder", on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["user", "role"]
        verbose_name = "roltoekenning"
        verbose_name_plural = "roltoekenningen"
        constraints = [
            models.CheckConstraint(
                name="role_assignment_at_most_one_scope",
                condition=(
                    Q(region__isnull=True, municipality__isnull=True)
                    | Q(region__isnull=True, provider__isnull=True)
                    | Q(municipality__isnull=True, provider__isnull=True)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} – {self.scope}"

    @property
    def scope(self) -> Region | Municipality | Provider | None:
        return self.municipality or self.region or self.provider

    @property
    def scope_region_id(self) -> int | None:
        if self.region_id:
            return self.region_id
        if self.municipality_id:
            return self.municipality.region_id
        return None

    def clean(self) -> None:
        if not self.role:
            return
        message = scope_error(
            Role(self.role),
            has_region=self.region_id is not None,
            has_municipality=self.municipality_id is not None,
            has_provider=self.provider_id is not None,
        )
        if message:
            raise ValidationError(message)
        duplicate = RoleAssignment.objects.filter(
            user_id=self.user_id,
            role=self.role,
            region_id=self.region_id,
            municipality_id=self.municipality_id,
            provider_id=self.provider_id,
        ).exclude(pk=self.pk)
        if self.user_id and duplicate.exists():
            raise ValidationError("Deze gebruiker heeft deze rol hier al.")
