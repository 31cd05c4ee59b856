"""The traject: one client's route from melding to beschikking and beyond (SPEC §4).

The current status is a field (lists filter on it); every change of it is an append-only
`StatusChange` written in the same transaction by `cases.services.traject_transition`.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from openarrangementen.accounts.models import Municipality, Provider, Region
from openarrangementen.clients.models import Client
from openarrangementen.core.models import TimestampedModel

from .domain import (
    STATUS_LABELS,
    Action,
    DeadlineKind,
    TermUnit,
    TrajectStatus,
)


class OnTraject:
    """A row that belongs to one traject: the access log and audit find its client here."""

    @property
    def audit_client_id(self) -> int:
        return self.traject.client_id


DEADLINE_KIND_LABELS = {
    DeadlineKind.APPOINTMENT: "afspraak keukentafelgesprek na melding",
    DeadlineKind.PROVIDER_HANDOVER: "toeleiding naar aanbieder na melding",
    DeadlineKind.PLAN_PART_TWO: "POP deel II na overdracht aan aanbieder",
    DeadlineKind.DECISION: "beschikking na indienen POP deel II",
    DeadlineKind.START: "start ondersteuning na definitieve beschikking",
}
TERM_UNIT_LABELS = {
    TermUnit.WEEKS: "weken",
    TermUnit.WORKING_DAYS: "werkdagen",
    TermUnit.DAYS: "kalenderdagen",
}


class DeadlineRule(models.Model):
    """A term the region agreed with its providers (seed 002: Almere; seed 004: Midden-Limburg).

    The statutory terms (Wmo 2015 art. 2.3.2 and 2.3.5) are law and live in `cases.domain`.
    """

    region = models.ForeignKey(
        Region, verbose_name="regio", on_delete=models.CASCADE, related_name="deadline_rules"
    )
    kind = models.CharField(
        "termijn",
        max_length=20,
        choices=[(k.value, label) for k, label in DEADLINE_KIND_LABELS.items()],
    )
    amount = models.PositiveSmallIntegerField(
        "duur", validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    unit = models.CharField(
        "eenheid",
        max_length=10,
        choices=[(u.value, label) for u, label in TERM_UNIT_LABELS.items()],
    )
    source = models.CharField("bron", max_length=300, blank=True)

    class Meta:
        ordering = ["region", "kind"]
        verbose_name = "termijn van de regio"
        verbose_name_plural = "termijnen van de regio"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kind"],
                name="deadline_rule_unique",
                violation_error_message="Deze regio heeft al een afspraak voor deze termijn.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount} {self.get_unit_display()}"


class LinkKind(models.TextChoices):
    FOLLOW_UP = "vervolg", "Vervolg na evaluatie"
    CHANGE_ARRANGEMENT = "ander_arrangement", "Wijziging van arrangement of niveau"
    CHANGE_PROVIDER = "andere_aanbieder", "Wisseling van aanbieder"


# The closed statuses (`domain.CLOSED`) as the partial indexes name them.
CLOSED_VALUES = ["ingetrokken", "advies", "beeindigd"]


class Traject(TimestampedModel):
    """A client's traject, opened by a melding."""

    class Channel(models.TextChoices):
        NEIGHBOURHOOD_TEAM = "wijkteam", "Via het wijkteam"
        PHONE = "telefoon", "Telefonisch"
        WEB_FORM = "webformulier", "Webformulier"
        LETTER = "brief", "Brief of e-mail"
        DESK = "balie", "Aan de balie"
        EVALUATION = "evaluatie", "Uit een evaluatie (herindicatie)"
        TAKEOVER = "overname", "Overgenomen uit een vorig systeem"
        OTHER = "anders", "Anders"

    class Reporter(models.TextChoices):
        CLIENT = "inwoner", "De inwoner zelf"
        REPRESENTATIVE = "vertegenwoordiger", "Vertegenwoordiger"
        NETWORK = "netwerk", "Iemand uit het netwerk"
        PROFESSIONAL = "professional", "Een professional (huisarts, aanbieder, ...)"

    number = models.CharField("dossiernummer", max_length=30, unique=True)
    client = models.ForeignKey(
        Client, verbose_name="inwoner", on_delete=models.PROTECT, related_name="trajects"
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name="gemeente", on_delete=models.PROTECT, related_name="trajects"
    )
    status = models.CharField(
        "status",
        max_length=20,
        choices=[(s.value, label) for s, label in STATUS_LABELS.items()],
        default=TrajectStatus.MELDING.value,
        db_index=True,
    )
    # Melding
    channel = models.CharField("kanaal", max_length=20, choices=Channel.choices)
    melding_received_on = models.DateField("datum melding")
    question = models.TextField("hulpvraag")
    reported_by = models.CharField("gemeld door", max_length=20, choices=Reporter.choices)
    reporter_name = models.CharField("naam melder", max_length=200, blank=True)
    advice = models.TextField("gegeven advies", blank=True)
    # People
    wijkwerker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="wijkwerker",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    procesregisseur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="procesregisseur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    provider = models.ForeignKey(
        Provider,
        verbose_name="aanbieder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trajects",
    )
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="begeleider bij de aanbieder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Toegewezen door de werkverdeler; het aanspreekpunt (casusregie).",
    )
    is_practice = models.BooleanField(
        "oefentraject",
        default=False,
        help_text="Een fictieve casus in de oefenomgeving van een aanbieder; nooit echte gegevens.",
    )
    previous = models.ForeignKey(
        "self",
        verbose_name="vorig traject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    link_kind = models.CharField(
        "soort koppeling", max_length=20, choices=LinkKind.choices, blank=True
    )
    link_reason = models.TextField("reden koppeling", blank=True)
    # Dates that start or meet deadlines (cases.domain.Event)
    intake_planned_on = models.DateField("afspraak gemaakt op", null=True, blank=True)
    handed_to_provider_on = models.DateField("overgedragen aan aanbieder", null=True, blank=True)
    part_two_submitted_on = models.DateField("POP deel II ingediend", null=True, blank=True)
    investigation_completed_on = models.DateField("onderzoek afgerond", null=True, blank=True)
    application_received_on = models.DateField("aanvraag ontvangen", null=True, blank=True)
    decided_on = models.DateField("beschikt op", null=True, blank=True)
    started_on = models.DateField("start ondersteuning", null=True, blank=True)
    ended_on = models.DateField("einde ondersteuning", null=True, blank=True)
    # The next deadline, stored for the work list (issue #14): kept current by `save()`
    # and `cases.deadlines`, computed only by `cases.domain.next_pending`.
    next_deadline_on = models.DateField("eerstvolgende termijn", null=True, blank=True)
    next_deadline_kind = models.CharField("soort eerstvolgende termijn", max_length=30, blank=True)
    # The day the traject closed (withdrawn, closed with advice or ended), kept by `save()`;
    # the retention period runs from here (`cases.retention`, ADR 0013).
    closed_on = models.DateField("afgesloten op", null=True, blank=True)
    anonymised_at = models.DateTimeField(
        "geanonimiseerd op",
        null=True,
        blank=True,
        help_text="Na de bewaartermijn zijn de persoonsgegevens uit dit traject verwijderd.",
    )

    class Meta:
        ordering = ["-melding_received_on", "-pk"]
        verbose_name = "traject"
        verbose_name_plural = "trajecten"
        constraints = [
            models.CheckConstraint(
                name="traject_provider_after_handover",
                condition=Q(handed_to_provider_on__isnull=True) | Q(provider__isnull=False),
                violation_error_message="Een overgedragen traject heeft een aanbieder.",
            )
        ]
        indexes = [
            # The work list, most urgent first: walked in order while the visibility rule
            # filters (PostgreSQL keeps NULLs last in an ascending index, as the list does);
            # per status for the status filter, per provider for the inbox.
            models.Index(fields=["next_deadline_on", "id"], name="traject_urgency_idx"),
            # A municipality's open trajects, most urgent first (the work list narrows to
            # the user's municipalities first, `organisation_scope`).
            models.Index(
                fields=["municipality", "next_deadline_on", "id"],
                name="traject_worklist_idx",
                condition=Q(is_practice=False) & ~Q(status__in=CLOSED_VALUES),
            ),
            # ... and per status: running trajects have their deadlines last, so a status
            # filter on the index above walks every other open traject first.
            models.Index(
                fields=["municipality", "status", "next_deadline_on", "id"],
                name="traject_worklist_status_idx",
                condition=Q(is_practice=False) & ~Q(status__in=CLOSED_VALUES),
            ),
            models.Index(
                fields=["status", "next_deadline_on", "id"], name="traject_status_urgency_idx"
            ),
            # The provider inbox (issue #14): its open trajects, most urgent first, and the
            # ones nobody was assigned to yet; partial, so the walk stops after a page.
            models.Index(
                fields=["provider", "next_deadline_on", "id"],
                name="traject_inbox_open_idx",
                condition=Q(handed_to_provider_on__isnull=False, is_practice=False)
                & ~Q(status__in=CLOSED_VALUES),
            ),
            models.Index(
                fields=["provider", "next_deadline_on", "id"],
                name="traject_inbox_unassigned_idx",
                condition=Q(
                    handed_to_provider_on__isnull=False, is_practice=False, professional=None
                )
                & ~Q(status="beeindigd"),
            ),
            # The daily retention job: closed trajects not yet anonymised, oldest first.
            models.Index(
                fields=["status", "closed_on"],
                name="traject_retention_idx",
                condition=Q(anonymised_at__isnull=True, status__in=CLOSED_VALUES),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs) -> None:
        """Every save brings the stored next deadline up to date, in the same transaction."""
        from .deadlines import NEXT_DEADLINE_FIELDS, compute, rows_of, store_pending

        pending = compute(self)
        self.stamp(pending)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *NEXT_DEADLINE_FIELDS, "closed_on"}
        super().save(*args, **kwargs)
        store_pending({self.pk: rows_of(self, pending)})

    def stamp(self, pending) -> None:
        """Set what is derived from the traject's own fields before it is written: the day
        it closed and its next deadline (`pending`: `deadlines.compute`, soonest first)."""
        closed = self.status in CLOSED_VALUES
        self.closed_on = (self.closed_on or timezone.localdate()) if closed else None
        self.next_deadline_on = pending[0].due_on if pending else None
        self.next_deadline_kind = pending[0].kind.value if pending else ""

    @property
    def audit_client_id(self) -> int:
        return self.client_id

    @property
    def status_enum(self) -> TrajectStatus:
        return TrajectStatus(self.status)


class StatusChange(OnTraject, models.Model):
    """One step in the traject's history. Append-only: never updated or deleted."""

    traject = models.ForeignKey(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="history"
    )
    action = models.CharField("stap", max_length=30, choices=[(a.value, a.value) for a in Action])
    from_status = models.CharField("van", max_length=20, blank=True)
    to_status = models.CharField("naar", max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="door", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("op", auto_now_add=True)
    reason = models.TextField("toelichting", blank=True)

    class Meta:
        ordering = ["traject", "at", "pk"]
        verbose_name = "statuswijziging"
        verbose_name_plural = "statuswijzigingen"

    def __str__(self) -> str:
        return f"{self.traject}: {self.from_status or '–'} → {self.to_status}"

    @property
    def from_label(self) -> str:
        return STATUS_LABELS[TrajectStatus(self.from_status)] if self.from_status else ""

    @property
    def to_label(self) -> str:
        return STATUS_LABELS[TrajectStatus(self.to_status)]


class Suspension(models.Model):
    """The clock stands still (opschorten), e.g. for a care-avoiding client (SPEC §4 step 6)."""

    traject = models.ForeignKey(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="suspensions"
    )
    starts_on = models.DateField("vanaf")
    days = models.PositiveSmallIntegerField(
        "aantal dagen", validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    reason = models.TextField("reden")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="door", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("vastgelegd op", auto_now_add=True)
    # The first day the clock runs again (starts_on + days), for the work list's filter.
    ends_before = models.DateField("tot (niet meer opgeschort op)", editable=False)

    class Meta:
        ordering = ["traject", "starts_on"]
        verbose_name = "opschorting"
        verbose_name_plural = "opschortingen"
        constraints = [models.CheckConstraint(name="suspension_positive", condition=Q(days__gte=1))]

    def __str__(self) -> str:
        return f"{self.starts_on} +{self.days} dagen"

    def save(self, *args, **kwargs) -> None:
        self.ends_before = self.starts_on + timedelta(days=self.days)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "ends_before"}
        super().save(*args, **kwargs)


class PendingDeadline(models.Model):
    """A deadline of an open traject that runs and is not yet met (issue #14, ADR 0010):
    derived from the traject by `cases.domain.pending_deadlines`, stored so the work list
    filters on deadline states in SQL. Kept current with every save of the traject.

    The traject's municipality and provider are copied onto the row so a deadline-state
    filter first narrows the terms to the user's own organisations (`organisation_scope`),
    then looks up the few trajects: at 1,000,000 trajects the terms due in the next days
    of the whole installation are thousands (ADR 0010 §9)."""

    traject = models.ForeignKey(Traject, on_delete=models.CASCADE, related_name="pending_deadlines")
    kind = models.CharField("soort termijn", max_length=30)
    starts_on = models.DateField("begint op")
    due_on = models.DateField("uiterlijk")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    provider = models.ForeignKey(
        Provider, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = "lopende termijn"
        verbose_name_plural = "lopende termijnen"
        indexes = [
            models.Index(fields=["due_on", "traject"], name="pending_deadline_due_idx"),
            models.Index(
                fields=["municipality", "due_on", "traject"],
                name="pending_deadline_municipality",
            ),
            models.Index(
                fields=["provider", "due_on", "traject"],
                name="pending_deadline_provider",
                condition=Q(provider__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["traject", "kind"], name="pending_deadline_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} uiterlijk {self.due_on}"


class SelfSufficiencyMatrix(models.Model):
    """A version of the zelfredzaamheidsmatrix (ZRM). The instrument is data: the 2017
    version has 13 domains, the older one 11 (SPEC §4 step 2). Criteria texts per cell belong
    to GGD Amsterdam and are not stored."""

    name = models.CharField("naam", max_length=100, unique=True)
    level_names = models.JSONField(
        "namen van de scores", help_text='Bijvoorbeeld {"1": "acute problematiek", ...}.'
    )
    is_current = models.BooleanField("in gebruik", default=False)

    class Meta:
        verbose_name = "zelfredzaamheidsmatrix"
        verbose_name_plural = "zelfredzaamheidsmatrices"
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_zrm"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def level_name(self, score: int) -> str:
        return self.level_names.get(str(score), "")


class ZrmDomain(models.Model):
    matrix = models.ForeignKey(
        SelfSufficiencyMatrix,
        verbose_name="matrix",
        on_delete=models.CASCADE,
        related_name="domains",
    )
    number = models.PositiveSmallIntegerField("nummer")
    name = models.CharField("domein", max_length=100)

    class Meta:
        ordering = ["matrix", "number"]
        verbose_name = "ZRM-domein"
        verbose_name_plural = "ZRM-domeinen"
        constraints = [
            models.UniqueConstraint(fields=["matrix", "number"], name="zrm_domain_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Intake(OnTraject, TimestampedModel):
    """The keukentafelgesprek and the plan van aanpak that comes out of it."""

    traject = models.OneToOneField(
        Traject, verbose_name="traject", on_delete=models.CASCADE, related_name="intake"
    )
    planned_for = models.DateField("datum gesprek")
    location = models.CharField("plaats", max_length=200, default="bij de inwoner thuis")
    participants = models.CharField("deelnemers", max_length=300)
    client_support = models.CharField(
        "cliëntondersteuner",
        max_length=200,
        blank=True,
        help_text="Naam en organisatie, indien aanwezig.",
    )
    held_on = models.DateField("gesprek gevoerd op", null=True, blank=True)
    summary = models.TextField("verslag", blank=True)
    matrix = models.ForeignKey(
        SelfSufficiencyMatrix, verbose_name="matrix", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "keukentafelgesprek"
        verbose_name_plural = "keukentafelgesprekken"

    def __str__(self) -> str:
        return f"Gesprek {self.traject} op {self.planned_for}"


class ZrmScore(models.Model):
    """Plan van aanpak: score, notes and goals for one life domain."""

    intake = models.ForeignKey(
        Intake, verbose_name="gesprek", on_delete=models.CASCADE, related_name="scores"
    )
    domain = models.ForeignKey(ZrmDomain, verbose_name="domein", on_delete=models.PROTECT)
    score = models.PositiveSmallIntegerField(
        "score", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    notes = models.TextField("notities", blank=True)
    goals = models.TextField("doelen", blank=True)

    class Meta:
        ordering = ["intake", "domain__number"]
        verbose_name = "ZRM-score"
        verbose_name_plural = "ZRM-scores"
        constraints = [
            models.UniqueConstraint(fields=["intake", "domain"], name="zrm_score_unique"),
            models.CheckConstraint(
                name="zrm_score_range",
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.domain}: {self.score or '–'}"

    @property
    def level_name(self) -> str:
        return self.intake.matrix.level_name(self.score) if self.score else ""

    @property
    def audit_client_id(self) -> int:
        return self.intake.traject.client_id
