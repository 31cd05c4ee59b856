"""Billing settings per region, declaration lines (Prestaties) on both sides and payments.

docs/adr/0008-billing.md explains the model: what is owed comes from the toewijzingen and the
reported starts and stops (`billing.domain`); a billing run reconciles it with the standing
lines; the municipality checks every line against the same computation.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from openarrangementen.iwmo.models import Side

from .domain import CALENDAR_LABELS, RULE_SET_LABELS, Calendar, RuleSet


class BillingSettings(models.Model):
    """How a region pays its providers: the billing calendar and the rule set."""

    region = models.OneToOneField(
        "accounts.Region",
        verbose_name="regio",
        on_delete=models.CASCADE,
        related_name="billing_settings",
    )
    calendar = models.CharField(
        "declaratieperiode",
        max_length=10,
        choices=[(k.value, v) for k, v in CALENDAR_LABELS.items()],
        default=Calendar.MONTH.value,
    )
    rule_set = models.CharField(
        "declaratieregels",
        max_length=20,
        choices=[(k.value, v) for k, v in RULE_SET_LABELS.items()],
        default=RuleSet.EVERY_PERIOD.value,
    )
    declaration_term_days = models.PositiveSmallIntegerField(
        "termijn indienen (dagen na de periode)",
        default=28,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text="Seed 004: de factuur binnen vier weken na afloop van de periode.",
    )
    payment_term_days = models.PositiveSmallIntegerField(
        "betaaltermijn (dagen)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Goedgekeurde regels worden binnen dertig kalenderdagen betaald (seed 004).",
    )
    source = models.CharField("bron", max_length=300, blank=True)

    class Meta:
        verbose_name = "declaratie-instelling"
        verbose_name_plural = "declaratie-instellingen"

    def __str__(self) -> str:
        return f"{self.region}: {self.get_calendar_display()}, {self.get_rule_set_display()}"


class Payment(models.Model):
    """A payment by the municipality of approved lines of one provider."""

    municipality = models.ForeignKey(
        "accounts.Municipality", verbose_name="gemeente", on_delete=models.PROTECT
    )
    provider = models.ForeignKey(
        "accounts.Provider", verbose_name="aanbieder", on_delete=models.PROTECT
    )
    paid_on = models.DateField("betaald op")
    reference = models.CharField("betalingskenmerk", max_length=50)
    amount = models.DecimalField("bedrag", max_digits=12, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="vastgelegd door", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField("vastgelegd op", auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-pk"]
        verbose_name = "betaling"
        verbose_name_plural = "betalingen"

    def __str__(self) -> str:
        return f"{self.reference} ({self.paid_on:%d-%m-%Y})"


class Line(models.Model):
    """One Prestatie of a declaration (323), on the provider's side (what it declared and how
    it fared) or the municipality's (what it received, approved and paid)."""

    class Status(models.TextChoices):
        CONCEPT = "concept", "Klaar om te verzenden"
        SENT = "verzonden", "Verzonden"
        APPROVED = "goedgekeurd", "Goedgekeurd"
        REJECTED = "afgekeurd", "Afgekeurd"

    side = models.CharField("kant", max_length=10, choices=Side.choices)
    status = models.CharField("status", max_length=12, choices=Status.choices)
    municipality = models.ForeignKey(
        "accounts.Municipality", verbose_name="gemeente", on_delete=models.PROTECT
    )
    provider = models.ForeignKey(
        "accounts.Provider", verbose_name="aanbieder", on_delete=models.PROTECT
    )
    client = models.ForeignKey("clients.Client", verbose_name="cliënt", on_delete=models.PROTECT)
    assignment = models.ForeignKey(
        "iwmo.Assignment",
        verbose_name="toewijzing",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="billing_lines",
    )
    assignment_number = models.PositiveIntegerField("toewijzingnummer")
    reference = models.CharField("referentienummer", max_length=20)
    previous_reference = models.CharField("vorig referentienummer", max_length=20, blank=True)
    credit = models.BooleanField("credit", default=False)
    product_category = models.CharField("productcategorie", max_length=2)
    product_code = models.CharField("productcode", max_length=5, blank=True)
    period_begin = models.DateField("productperiode vanaf")
    period_end = models.DateField("productperiode tot en met")
    periods = models.JSONField("betaalde perioden", default=list)
    volume = models.PositiveIntegerField("volume")
    unit = models.CharField("eenheid", max_length=2)
    tariff = models.DecimalField("tarief per periode", max_digits=10, decimal_places=2)
    amount = models.DecimalField("bedrag", max_digits=12, decimal_places=2)
    explanation = models.TextField("toelichting", blank=True)
    # A debit that counts: provider side, not refused and not credited; municipality side,
    # approved and not credited. At most one per toewijzing and ProductPeriode.
    standing = models.BooleanField("staat", default=True)
    message = models.ForeignKey(
        "iwmo.Message",
        verbose_name="declaratiebericht",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="billing_lines",
    )
    retour_codes = models.JSONField("retourcodes", default=list, blank=True)
    decided_on = models.DateField("beoordeeld op", null=True, blank=True)
    payable_by = models.DateField("te betalen uiterlijk", null=True, blank=True)
    payment = models.ForeignKey(
        Payment,
        verbose_name="betaling",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
    )
    created_at = models.DateTimeField("aangemaakt op", auto_now_add=True)

    class Meta:
        ordering = ["period_begin", "assignment_number", "created_at", "pk"]
        verbose_name = "declaratieregel"
        verbose_name_plural = "declaratieregels"
        constraints = [
            # TR314: a ReferentieNummer is used once by the provider.
            models.UniqueConstraint(
                fields=["side", "provider", "reference"], name="billing_line_unique_reference"
            ),
            # Exactly once: one standing debit per toewijzing and ProductPeriode.
            models.UniqueConstraint(
                fields=["side", "municipality", "assignment_number", "period_begin"],
                condition=Q(credit=False, standing=True),
                name="billing_line_one_standing_debit",
                violation_error_message="Voor deze toewijzing en periode staat al een "
                "declaratieregel.",
            ),
            models.CheckConstraint(
                name="billing_line_amount_not_negative", condition=Q(amount__gte=Decimal(0))
            ),
        ]
        indexes = [
            models.Index(fields=["side", "provider", "status"]),
            # Declaraties, newest first (issue #14): for a region's user (several
            # municipalities) and for one municipality.
            models.Index(
                "side",
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="billing_line_received_all",
            ),
            models.Index(
                "side",
                "municipality",
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="billing_line_received",
            ),
            # What is still to pay, summed from the index alone.
            models.Index(
                fields=["side", "municipality", "provider"],
                include=["amount", "credit"],
                condition=Q(status="goedgekeurd", payment__isnull=True),
                name="billing_line_unpaid",
            ),
            # Declareren: a page of clients' lines; the billing run's standing debits.
            models.Index(
                fields=["side", "provider", "municipality", "client", "period_begin"],
                name="billing_line_client",
            ),
            # Declareren: the clients with a standing debit from the month on (the run may
            # credit it), without reading the pair's whole history.
            models.Index(
                fields=["side", "provider", "municipality", "period_end"],
                include=["client"],
                condition=Q(credit=False, standing=True),
                name="billing_line_standing_end",
            ),
        ]

    def __str__(self) -> str:
        kind = "credit" if self.credit else "debet"
        return f"{self.reference} {kind} {self.period_begin:%m-%Y} € {self.amount}"

    @property
    def audit_client_id(self) -> int:
        return self.client_id

    @property
    def signed_amount(self) -> Decimal:
        return -self.amount if self.credit else self.amount
