"""Beschikkingen, bezwaar, the 3-month check and the follow-up decision after an evaluation."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from openarrangementen.accounts.models import Provider
from openarrangementen.cases.models import OnTraject, Traject
from openarrangementen.catalog.models import Arrangement, Level
from openarrangementen.core.models import TimestampedModel
from openarrangementen.plans.models import PartTwo

from .domain import FOLLOW_UP_LABELS


class Beschikking(OnTraject, TimestampedModel):
    """The formal decision on the aanvraag (Awb art. 1:3). Once final it is never changed:
    `content` holds everything the letter shows, as it was on that day."""

    class Status(models.TextChoices):
        DRAFT = "concept", "Concept"
        IN_REVIEW = "controle", "Bij collega ter controle"
        FINAL = "definitief", "Definitief"

    traject = models.ForeignKey(
        Traject, verbose_name="traject", on_delete=models.PROTECT, related_name="beschikkingen"
    )
    number = models.CharField("beschikkingnummer", max_length=30, unique=True)
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.DRAFT)
    arrangement = models.ForeignKey(
        Arrangement, verbose_name="arrangement", on_delete=models.PROTECT, related_name="+"
    )
    level = models.ForeignKey(
        Level, verbose_name="niveau", on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        Provider, verbose_name="aanbieder", on_delete=models.PROTECT, related_name="beschikkingen"
    )
    part_two = models.ForeignKey(
        PartTwo, verbose_name="POP deel II", on_delete=models.PROTECT, related_name="+"
    )
    start_on = models.DateField("ingangsdatum")
    end_on = models.DateField("einddatum")
    considerations = models.TextField(
        "overwegingen", help_text="Waarom de gemeente deze ondersteuning toekent."
    )
    client_disagreed = models.BooleanField("inwoner niet akkoord met arrangement", default=False)
    content = models.JSONField("inhoud bij vaststelling", default=dict, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="opgesteld door",
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="gecontroleerd door",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review_note = models.TextField("opmerking controle", blank=True)
    decided_on = models.DateField("datum besluit", null=True, blank=True)
    replaces = models.ForeignKey(
        "self",
        verbose_name="vervangt beschikking",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "beschikking"
        verbose_name_plural = "beschikkingen"
        constraints = [
            models.CheckConstraint(
                name="beschikking_period_order", condition=Q(end_on__gte=models.F("start_on"))
            ),
            models.CheckConstraint(
                name="beschikking_four_eyes",
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=models.F("drafted_by")),
                violation_error_message="Niemand keurt een eigen concept goed (vierogenprincipe).",
            ),
            models.CheckConstraint(
                name="beschikking_final_has_date",
                condition=~Q(status="definitief") | Q(decided_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL


class Objection(TimestampedModel):
    """A bezwaar against a final beschikking (Awb art. 6:4, term art. 6:7)."""

    beschikking = models.ForeignKey(
        Beschikking, verbose_name="beschikking", on_delete=models.PROTECT, related_name="objections"
    )
    received_on = models.DateField("ontvangen op")
    grounds = models.TextField("gronden van het bezwaar")
    is_on_time = models.BooleanField("binnen de termijn")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="geregistreerd door",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["beschikking", "received_on"]
        verbose_name = "bezwaar"
        verbose_name_plural = "bezwaren"

    def __str__(self) -> str:
        return f"Bezwaar tegen {self.beschikking} ({self.received_on})"

    @property
    def audit_client_id(self) -> int:
        return self.beschikking.traject.client_id


class StartCheck(OnTraject, TimestampedModel):
    """The PA's call three months after the start (seed 002, SPEC §4 step 8)."""

    traject = models.OneToOneField(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="start_check"
    )
    due_on = models.DateField("uiterlijk op")
    done_on = models.DateField("gebeld op", null=True, blank=True)
    started_in_time = models.BooleanField("op tijd gestart", null=True, blank=True)
    within_arrangement = models.BooleanField("binnen het arrangement", null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        "tevredenheid (1-10)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    remarks = models.TextField("opmerkingen", blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="door",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "3-maandencheck"
        verbose_name_plural = "3-maandenchecks"
        constraints = [
            models.CheckConstraint(
                name="start_check_satisfaction_range",
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=10),
            )
        ]

    def __str__(self) -> str:
        return f"3-maandencheck {self.traject}"


class FollowUp(OnTraject, TimestampedModel):
    """The PA's decision after an evaluation: what happens when this traject ends."""

    traject = models.OneToOneField(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="follow_up"
    )
    kind = models.CharField(
        "vervolg", max_length=12, choices=[(k.value, v) for k, v in FOLLOW_UP_LABELS.items()]
    )
    evaluation_summary = models.TextField("samenvatting evaluatie")
    explanation = models.TextField("toelichting besluit")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="door", on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField("datum")
    new_traject = models.OneToOneField(
        Traject,
        verbose_name="nieuw traject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opened_by_follow_up",
    )

    class Meta:
        verbose_name = "vervolgbesluit"
        verbose_name_plural = "vervolgbesluiten"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.traject})"
