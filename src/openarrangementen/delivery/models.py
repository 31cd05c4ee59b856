"""What the provider records after the hand-over: who works on the traject, the casusregie
log, signals, the stop, the warm handover, evaluations and subcontractor delegations."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from openarrangementen.accounts.models import Provider, Region
from openarrangementen.cases.models import OnTraject, Traject
from openarrangementen.catalog.models import SupportForm
from openarrangementen.core.models import TimestampedModel
from openarrangementen.plans.domain import SignatureKind, SignatureMethod

from .domain import (
    ADVICE_LABELS,
    EVALUATION_KIND_LABELS,
    LOG_LABELS,
    SIGNAL_LABELS,
)

USER = settings.AUTH_USER_MODEL


class DeliveryPolicy(models.Model):
    """What a region agreed with its providers about evaluations and subcontractors.

    Seed 002 (Almere): a final evaluation at the latest 8 weeks before the end. Seed 004
    (Midden-Limburg): also every half year for trajects longer than 6 months. Seed 000:
    subcontractors get no access; a region may allow a named delegation (issue #4).
    """

    region = models.OneToOneField(
        Region, verbose_name="regio", on_delete=models.CASCADE, related_name="delivery_policy"
    )
    evaluation_weeks_before_end = models.PositiveSmallIntegerField(
        "eindevaluatie uiterlijk (weken voor het einde)",
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    evaluation_reminder_weeks = models.PositiveSmallIntegerField(
        "herinnering eindevaluatie (weken voor het einde)",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    interim_every_months = models.PositiveSmallIntegerField(
        "tussenevaluatie elke (maanden)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="Leeg: geen tussenevaluaties. Alleen voor trajecten langer dan deze periode.",
    )
    delegation_allowed = models.BooleanField(
        "hoofdaanbieder mag inzage geven aan een onderaannemer",
        default=False,
        help_text="Per traject, aan één genoemde medewerker, alleen-lezen, intrekbaar, gelogd.",
    )
    source = models.CharField("bron van de afspraak", max_length=300, blank=True)

    class Meta:
        verbose_name = "afspraak levering en evaluatie"
        verbose_name_plural = "afspraken levering en evaluatie"
        constraints = [
            models.CheckConstraint(
                name="delivery_policy_reminder_before_due",
                condition=Q(evaluation_reminder_weeks__gte=models.F("evaluation_weeks_before_end")),
                violation_error_message="De herinnering komt vóór de uiterste datum.",
            )
        ]

    def __str__(self) -> str:
        return f"Afspraken levering {self.region}"


class WorkAssignment(OnTraject, models.Model):
    """One (re)assignment by the werkverdeler; the current professional is on the traject."""

    traject = models.ForeignKey(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="work_assignments"
    )
    professional = models.ForeignKey(
        USER, verbose_name="begeleider", on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        USER, verbose_name="toegewezen door", on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField("toegewezen op", auto_now_add=True)
    note = models.TextField("toelichting", blank=True)

    class Meta:
        ordering = ["traject", "assigned_at", "pk"]
        verbose_name = "werkverdeling"
        verbose_name_plural = "werkverdelingen"

    def __str__(self) -> str:
        return f"{self.traject} → {self.professional}"


class LogEntry(OnTraject, models.Model):
    """The provider's own casusregie log: contacts and agreements with the client. The
    municipality does not approve changes within the bandwidth (seed 000) and does not read
    this log."""

    traject = models.ForeignKey(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="log_entries"
    )
    on = models.DateField("datum")
    kind = models.CharField(
        "soort", max_length=15, choices=[(k.value, v) for k, v in LOG_LABELS.items()]
    )
    note = models.TextField("verslag")
    written_by = models.ForeignKey(
        USER, verbose_name="geschreven door", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("vastgelegd op", auto_now_add=True)

    class Meta:
        ordering = ["traject", "-on", "-pk"]
        verbose_name = "casusregie-notitie"
        verbose_name_plural = "casusregie-notities"

    def __str__(self) -> str:
        return f"{self.traject} {self.on:%d-%m-%Y} {self.get_kind_display()}"


class WeeklyDeployment(OnTraject, models.Model):
    """The deployment agreed for one week and one support form (hours or dagdelen)."""

    traject = models.ForeignKey(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="weekly_deployments"
    )
    week = models.DateField("week (maandag)")
    support_form = models.ForeignKey(
        SupportForm, verbose_name="ondersteuningsvorm", on_delete=models.PROTECT
    )
    amount = models.DecimalField(
        "inzet", max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )
    recorded_by = models.ForeignKey(
        USER, verbose_name="vastgelegd door", on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("bijgewerkt op", auto_now=True)

    class Meta:
        ordering = ["traject", "-week", "support_form"]
        verbose_name = "inzet per week"
        verbose_name_plural = "inzet per week"
        constraints = [
            models.UniqueConstraint(
                fields=["traject", "week", "support_form"], name="weekly_deployment_unique"
            ),
            models.CheckConstraint(
                name="weekly_deployment_not_negative", condition=Q(amount__gte=0)
            ),
            models.CheckConstraint(
                name="weekly_deployment_on_monday", condition=Q(week__week_day=2)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.traject} week {self.week:%d-%m-%Y} {self.support_form.code}: {self.amount}"


class Signal(OnTraject, models.Model):
    """A change in the client's situation the provider reports to the municipality."""

    traject = models.ForeignKey(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="signals"
    )
    kind = models.CharField(
        "soort signaal", max_length=20, choices=[(k.value, v) for k, v in SIGNAL_LABELS.items()]
    )
    description = models.TextField("toelichting")
    sent_by = models.ForeignKey(
        USER, verbose_name="gemeld door", on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField("gemeld op", auto_now_add=True)
    read_by = models.ForeignKey(
        USER,
        verbose_name="gelezen door",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    read_at = models.DateTimeField("gelezen op", null=True, blank=True)
    response = models.TextField("reactie gemeente", blank=True)

    class Meta:
        ordering = ["traject", "-sent_at", "-pk"]
        verbose_name = "signaal"
        verbose_name_plural = "signalen"

    def __str__(self) -> str:
        return f"{self.traject}: {self.get_kind_display()}"


class SupportStop(OnTraject, models.Model):
    """The provider stops the support, with the iWmo reason of ending (code list WMO588)."""

    traject = models.OneToOneField(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="support_stop"
    )
    stopped_on = models.DateField("laatste dag ondersteuning")
    reason_code = models.CharField("reden beëindiging (WMO588)", max_length=4)
    reason_label = models.CharField("omschrijving reden", max_length=200)
    explanation = models.TextField("toelichting")
    recorded_by = models.ForeignKey(
        USER, verbose_name="vastgelegd door", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("vastgelegd op", auto_now_add=True)

    class Meta:
        verbose_name = "stop ondersteuning"
        verbose_name_plural = "stops ondersteuning"

    def __str__(self) -> str:
        return f"{self.traject} gestopt {self.stopped_on:%d-%m-%Y} ({self.reason_code})"


class Handover(OnTraject, models.Model):
    """The warm handover note of the old provider to the new one on a change of provider."""

    traject = models.OneToOneField(
        Traject,
        verbose_name="traject (oude aanbieder)",
        on_delete=models.CASCADE,
        related_name="handover",
    )
    to_traject = models.OneToOneField(
        Traject,
        verbose_name="traject (nieuwe aanbieder)",
        on_delete=models.CASCADE,
        related_name="handover_received",
    )
    text = models.TextField("overdracht")
    written_by = models.ForeignKey(
        USER, verbose_name="geschreven door", on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField("geschreven op", auto_now_add=True)

    class Meta:
        verbose_name = "warme overdracht"
        verbose_name_plural = "warme overdrachten"

    def __str__(self) -> str:
        return f"Overdracht {self.traject} → {self.to_traject}"


class Evaluation(OnTraject, TimestampedModel):
    """A planned or submitted evaluation of the support with the client (seed 002, 004 §8)."""

    traject = models.ForeignKey(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="evaluations"
    )
    kind = models.CharField(
        "soort", max_length=15, choices=[(k.value, v) for k, v in EVALUATION_KIND_LABELS.items()]
    )
    due_on = models.DateField("uiterlijk op")
    remind_on = models.DateField("herinnering op")
    reminded_at = models.DateTimeField("herinnering verstuurd", null=True, blank=True)
    held_on = models.DateField("gesprek gehouden op", null=True, blank=True)
    results = models.JSONField(
        "resultaten", default=list, blank=True, help_text="Lijst van {result, achieved, why_how}."
    )
    advice = models.CharField(
        "vervolgadvies",
        max_length=15,
        blank=True,
        choices=[(k.value, v) for k, v in ADVICE_LABELS.items()],
    )
    explanation = models.TextField("toelichting vervolgadvies", blank=True)
    signature_kind = models.CharField(
        "ondertekening inwoner",
        max_length=10,
        blank=True,
        choices=[
            (SignatureKind.AGREED.value, "voor akkoord"),
            (SignatureKind.SEEN.value, "voor gezien"),
        ],
    )
    signer_name = models.CharField("naam ondertekenaar", max_length=200, blank=True)
    signed_on = models.DateField("datum ondertekening", null=True, blank=True)
    signature_method = models.CharField(
        "wijze",
        max_length=15,
        blank=True,
        choices=[
            (SignatureMethod.IN_PERSON.value, "persoonlijk"),
            (SignatureMethod.PAPER.value, "op papier"),
            (SignatureMethod.DIGITAL.value, "digitaal"),
        ],
    )
    submitted_by = models.ForeignKey(
        USER,
        verbose_name="ingediend door",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField("ingediend op", null=True, blank=True)
    reindication = models.ForeignKey(
        Traject,
        verbose_name="melding herindicatie",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["traject", "due_on", "pk"]
        verbose_name = "evaluatie"
        verbose_name_plural = "evaluaties"
        indexes = [
            # "Evaluaties te doen" (the provider's inbox): the open ones soonest first, each
            # checked against the visibility rule until a page is full (issue #14).
            models.Index(
                fields=["due_on", "id"],
                name="evaluation_open_due_idx",
                condition=Q(submitted_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.traject} (uiterlijk {self.due_on:%d-%m-%Y})"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Delegation(OnTraject, models.Model):
    """Read access for one named user of a subcontractor to one traject, on the consented
    fields only; revocable; every read is in the access log (issue #4, seed 000)."""

    traject = models.ForeignKey(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="delegations"
    )
    delegate = models.ForeignKey(
        USER, verbose_name="medewerker onderaannemer", on_delete=models.PROTECT, related_name="+"
    )
    subcontractor = models.ForeignKey(
        Provider, verbose_name="onderaannemer", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("waarom deze medewerker inzage nodig heeft")
    granted_by = models.ForeignKey(
        USER, verbose_name="gegeven door", on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField("gegeven op", auto_now_add=True)
    revoked_by = models.ForeignKey(
        USER,
        verbose_name="ingetrokken door",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField("ingetrokken op", null=True, blank=True)

    class Meta:
        ordering = ["traject", "-granted_at"]
        verbose_name = "inzage onderaannemer"
        verbose_name_plural = "inzage onderaannemers"
        constraints = [
            models.UniqueConstraint(
                fields=["traject", "delegate"],
                condition=Q(revoked_at__isnull=True),
                name="delegation_one_active_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.traject} → {self.delegate} ({self.subcontractor})"
