"""POP deel I (municipality), consultations, provider choice, consent, signatures and the
versions of POP deel II (provider). Field lists follow seed 002 ("Het formulier deel I/II")
and seed 004 bijlage 2."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from openarrangementen.accounts.models import Provider
from openarrangementen.cases.models import OnTraject, Traject, ZrmDomain
from openarrangementen.catalog.models import Arrangement, Level, SupportForm
from openarrangementen.core.models import TimestampedModel

from .domain import (
    CONSULTATION_LABELS,
    SignatureKind,
    SignatureMethod,
    SignedDocument,
)


class PartOne(OnTraject, TimestampedModel):
    """POP deel I: the PA's indicatiestelling."""

    class Reason(models.TextChoices):
        NEW_CLIENT = "nieuw", "Nieuwe cliënt"
        CHANGED = "gewijzigd", "Gewijzigde omstandigheden (vervolg- of herindicatie)"

    class DeliveryForm(models.TextChoices):
        IN_KIND = "zin", "Zorg in natura (ZIN)"
        PGB = "pgb", "Persoonsgebonden budget (pgb)"

    class Transport(models.TextChoices):
        NONE = "", "Geen vervoer"
        SEATED = "zittend", "Zittend vervoer"
        WHEELCHAIR = "rolstoel", "Rolstoelvervoer"

    traject = models.OneToOneField(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="part_one"
    )
    reason = models.CharField(
        "aanleiding", max_length=10, choices=Reason.choices, default=Reason.NEW_CLIENT
    )
    delivery_form = models.CharField(
        "verstrekkingsvorm", max_length=3, choices=DeliveryForm.choices, default="zin"
    )
    relevant_domains = models.ManyToManyField(
        ZrmDomain, verbose_name="relevante leefgebieden", blank=True, related_name="+"
    )
    own_strength = models.TextField("eigen kracht en inzet netwerk")
    prior_facilities = models.TextField("wettelijk voorliggende voorzieningen")
    general_facilities = models.TextField("algemene voorzieningen")
    customised_support = models.TextField("beschrijving inzet maatwerkvoorziening")
    arrangement = models.ForeignKey(
        Arrangement, verbose_name="arrangement", on_delete=models.PROTECT, related_name="+"
    )
    level = models.ForeignKey(
        Level, verbose_name="niveau", on_delete=models.PROTECT, related_name="+"
    )
    suffers_from = models.TextField("de inwoner heeft last van")
    cannot_do = models.TextField("de inwoner kan niet")
    is_diagnosed = models.BooleanField("gediagnosticeerd", default=False)
    diagnosis = models.CharField("diagnose (indien bekend)", max_length=300, blank=True)
    level_argumentation = models.TextField(
        "keuze niveau", help_text="Toekomstperspectief en kenmerken van de inwoner."
    )
    start_on = models.DateField("begindatum")
    end_on = models.DateField("einddatum")
    goals = models.TextField("doelen voor maatwerk", help_text="Eén doel per regel.")
    assessment_scores = models.JSONField("scores beoordelingsinstrument", default=dict, blank=True)
    instrument_level = models.ForeignKey(
        Level,
        verbose_name="uitkomst beoordelingsinstrument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deviation_motivation = models.TextField("motivatie afwijking uitkomst", blank=True)
    transport = models.CharField(
        "vervoer", max_length=10, choices=Transport.choices, default="", blank=True
    )
    short_stay_nights = models.PositiveSmallIntegerField(
        "kortdurend verblijf (etmalen per 4 weken)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(28)],
    )
    client_agrees = models.BooleanField("inwoner en wijkwerker eens over arrangement", default=True)
    disagreement = models.TextField("waarover verschillen zij van mening", blank=True)
    second_opinion_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tweede wijkwerker",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    second_opinion_agrees = models.BooleanField(
        "na tweede blik eens", null=True, blank=True, default=None
    )
    second_opinion_notes = models.TextField("bevindingen tweede wijkwerker", blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ingevuld door",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "POP deel I"
        verbose_name_plural = "POP's deel I"
        constraints = [
            models.CheckConstraint(
                name="part_one_period_order", condition=Q(end_on__gte=models.F("start_on"))
            ),
            models.CheckConstraint(name="part_one_in_kind_only", condition=Q(delivery_form="zin")),
        ]

    def __str__(self) -> str:
        return f"POP deel I {self.traject}"


class Consultation(OnTraject, TimestampedModel):
    """Advice asked during the indicatiestelling, and its answer (seed 002)."""

    traject = models.ForeignKey(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="consultations"
    )
    kind = models.CharField(
        "soort", max_length=12, choices=[(k.value, v) for k, v in CONSULTATION_LABELS.items()]
    )
    consulted = models.CharField("wie", max_length=200)
    question = models.TextField("vraag")
    asked_on = models.DateField("gevraagd op")
    answer = models.TextField("antwoord", blank=True)
    answered_on = models.DateField("beantwoord op", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="vastgelegd door",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["traject", "asked_on", "pk"]
        verbose_name = "consultatie"
        verbose_name_plural = "consultaties"
        constraints = [
            models.CheckConstraint(
                name="consultation_answer_after_question",
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=models.F("asked_on")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.asked_on})"


class ProviderChoice(OnTraject, TimestampedModel):
    """The client's choice among the providers contracted for the lot (SPEC §4 step 4)."""

    traject = models.OneToOneField(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="provider_choice"
    )
    provider = models.ForeignKey(
        Provider, verbose_name="gekozen aanbieder", on_delete=models.PROTECT, null=True, blank=True
    )
    cannot_choose = models.BooleanField("inwoner kan niet kiezen", default=False)
    referred_to = models.CharField(
        "verwezen naar", max_length=200, blank=True, help_text="Onafhankelijke cliëntondersteuning."
    )
    chosen_on = models.DateField("datum keuze", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="vastgelegd door",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "keuze aanbieder"
        verbose_name_plural = "keuzes aanbieder"
        constraints = [
            models.CheckConstraint(
                name="choice_or_referral",
                condition=Q(provider__isnull=False, cannot_choose=False)
                | Q(provider__isnull=True, cannot_choose=True),
                violation_error_message="Leg een gekozen aanbieder vast, of dat de inwoner niet "
                "kan kiezen.",
            )
        ]

    def __str__(self) -> str:
        return str(self.provider) if self.provider else "verwezen naar cliëntondersteuning"


class Consent(OnTraject, TimestampedModel):
    """The client's consent to share (parts of) POP deel I with one provider."""

    traject = models.ForeignKey(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="consents"
    )
    provider = models.ForeignKey(Provider, verbose_name="aanbieder", on_delete=models.PROTECT)
    is_given = models.BooleanField("toestemming gegeven")
    shared_fields = models.JSONField("gedeelde onderdelen", default=list)
    given_on = models.DateField("datum")
    withdrawn_on = models.DateField("ingetrokken op", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="vastgelegd door",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["traject", "-given_on", "-pk"]
        verbose_name = "toestemming"
        verbose_name_plural = "toestemmingen"
        indexes = [
            # The consents in force per provider: what the provider's visibility rule
            # checks, read from the index alone (issue #14, the inbox).
            models.Index(
                fields=["provider", "traject"],
                name="consent_in_force_idx",
                condition=Q(is_given=True, withdrawn_on=None),
            )
        ]

    def __str__(self) -> str:
        return f"{'Toestemming' if self.is_given else 'Geen toestemming'} voor {self.provider}"


class Signature(OnTraject, TimestampedModel):
    """A signature 'voor akkoord' or 'voor gezien': who, when and how."""

    traject = models.ForeignKey(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="signatures"
    )
    document = models.CharField(
        "document",
        max_length=12,
        choices=[
            (SignedDocument.PART_ONE.value, "POP deel I"),
            (SignedDocument.FULL_POP.value, "POP"),
        ],
    )
    kind = models.CharField(
        "ondertekend",
        max_length=8,
        choices=[
            (SignatureKind.AGREED.value, "Voor akkoord"),
            (SignatureKind.SEEN.value, "Voor gezien"),
        ],
    )
    signer_name = models.CharField("naam ondertekenaar", max_length=200)
    signer_capacity = models.CharField(
        "hoedanigheid",
        max_length=100,
        default="inwoner",
        help_text="Inwoner, of de vertegenwoordiger.",
    )
    signed_on = models.DateField("datum ondertekening")
    method = models.CharField(
        "manier",
        max_length=12,
        choices=[
            (SignatureMethod.IN_PERSON.value, "Persoonlijk, in het gesprek"),
            (SignatureMethod.PAPER.value, "Op papier, ontvangen en bewaard"),
            (SignatureMethod.DIGITAL.value, "Digitaal"),
        ],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="vastgelegd door",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["traject", "signed_on", "pk"]
        verbose_name = "ondertekening"
        verbose_name_plural = "ondertekeningen"

    def __str__(self) -> str:
        return f"{self.get_document_display()} {self.get_kind_display().lower()}"


class PartTwo(OnTraject, models.Model):
    """One submitted version of POP deel II. Versions are never changed: a revision after a
    return is a new row, so every version stays readable."""

    class Review(models.TextChoices):
        SUBMITTED = "ingediend", "Ingediend, wacht op toetsing"
        RETURNED = "teruggestuurd", "Teruggestuurd met redenen"
        ACCEPTED = "akkoord", "Akkoord"

    traject = models.ForeignKey(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="part_twos"
    )
    version = models.PositiveSmallIntegerField("versie")
    results = models.JSONField(
        "resultaten per doel",
        help_text="Lijst van {goal, result, by_client, by_general_facility, by_support}.",
    )
    expected_changes = models.TextField(
        "te verwachten wijzigingen binnen het arrangement", blank=True
    )
    subcontractors = models.TextField("onderaannemers en wat zij leveren", blank=True)
    household_hours = models.JSONField(
        "uren huishoudelijke hulp per jaar", default=dict, blank=True
    )
    activities = models.JSONField("activiteiten met resultaatcode", default=list, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ingediend door",
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField("ingediend op", auto_now_add=True)
    review = models.CharField(
        "toetsing", max_length=15, choices=Review.choices, default=Review.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="getoetst door",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("getoetst op", null=True, blank=True)
    review_reasons = models.TextField("redenen", blank=True)

    class Meta:
        ordering = ["traject", "version"]
        verbose_name = "POP deel II"
        verbose_name_plural = "POP's deel II"
        constraints = [
            models.UniqueConstraint(fields=["traject", "version"], name="part_two_version_unique")
        ]

    def __str__(self) -> str:
        return f"POP deel II {self.traject} v{self.version}"


class PlannedDeployment(models.Model):
    """The expected average deployment of one support form per week (the client's legal
    fallback once it is part of the beschikking, seed 002)."""

    part_two = models.ForeignKey(
        PartTwo, verbose_name="POP deel II", on_delete=models.CASCADE, related_name="deployments"
    )
    support_form = models.ForeignKey(
        SupportForm, verbose_name="ondersteuningsvorm", on_delete=models.PROTECT
    )
    per_week = models.DecimalField(
        "verwachte gemiddelde inzet per week",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    intensity = models.CharField("intensiteit en toelichting", max_length=300, blank=True)

    class Meta:
        ordering = ["part_two", "support_form"]
        verbose_name = "verwachte inzet"
        verbose_name_plural = "verwachte inzet"
        constraints = [
            models.UniqueConstraint(
                fields=["part_two", "support_form"], name="planned_deployment_unique"
            ),
            models.CheckConstraint(
                name="planned_deployment_not_negative", condition=Q(per_week__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.support_form.code}: {self.per_week} per week"
