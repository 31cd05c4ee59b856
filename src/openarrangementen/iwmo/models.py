"""The message store (outbox and inbox of both sides), the assignments (toegewezen
producten), the start and stop reports and the requests (VOT/VOW) that the messages carry,
and the transport settings per provider."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from openarrangementen.core.models import TimestampedModel


class Side(models.TextChoices):
    """Whose store a message row belongs to. A portal provider's messages are processed in
    this product too, so an in-process message has a row on each side."""

    MUNICIPALITY = "gemeente", "Gemeente"
    PROVIDER = "aanbieder", "Aanbieder"


class Message(models.Model):
    class Direction(models.TextChoices):
        OUTGOING = "uit", "Verzonden"
        INCOMING = "in", "Ontvangen"

    class Status(models.TextChoices):
        DRAFT = "concept", "Concept"
        VALIDATED = "gevalideerd", "Gevalideerd"
        SENT = "verzonden", "Verzonden"
        ANSWERED = "beantwoord", "Beantwoord"
        REJECTED = "afgekeurd", "Afgekeurd"
        FAILED = "mislukt", "Verzenden mislukt"

    side = models.CharField("kant", max_length=10, choices=Side.choices)
    direction = models.CharField("richting", max_length=3, choices=Direction.choices)
    code = models.CharField("berichttype", max_length=3)
    status = models.CharField("status", max_length=12, choices=Status.choices)
    sender_code = models.CharField("afzender", max_length=8)
    receiver_code = models.CharField("ontvanger", max_length=8)
    identification = models.CharField("berichtidentificatie", max_length=12)
    dated_on = models.DateField("dagtekening", null=True, blank=True)
    xml = models.TextField("XML")
    digest = models.CharField("SHA-256 van de XML", max_length=64)
    municipality = models.ForeignKey(
        "accounts.Municipality", verbose_name="gemeente", on_delete=models.PROTECT, null=True
    )
    provider = models.ForeignKey(
        "accounts.Provider", verbose_name="aanbieder", on_delete=models.PROTECT, null=True
    )
    client = models.ForeignKey(
        "clients.Client", verbose_name="cliënt", on_delete=models.PROTECT, null=True, blank=True
    )
    traject = models.ForeignKey(
        "cases.Traject",
        verbose_name="traject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="iwmo_messages",
    )
    in_reply_to = models.ForeignKey(
        "self",
        verbose_name="antwoord op",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
    )
    answer_due_on = models.DateField("antwoord uiterlijk", null=True, blank=True)
    accepted = models.BooleanField("goedgekeurd", null=True, blank=True)
    # [{"class": "ToegewezenProduct", "path": "client/toegewezen_producten[0]",
    #   "codes": ["9332"]}] for a retour or 325; the violations found when we checked it.
    retour_codes = models.JSONField("retourcodes", default=list, blank=True)
    violations = models.JSONField("gevonden fouten", default=list, blank=True)
    errors = models.JSONField("XSD- of leesfouten", default=list, blank=True)
    transport = models.CharField("transport", max_length=20, blank=True)
    attempts = models.PositiveSmallIntegerField("verzendpogingen", default=0)
    next_attempt_at = models.DateTimeField("volgende poging", null=True, blank=True)
    last_error = models.TextField("laatste verzendfout", blank=True)
    needs_attention = models.BooleanField("aandacht beheerder", default=False)
    created_at = models.DateTimeField("aangemaakt op", auto_now_add=True)
    sent_at = models.DateTimeField("verzonden op", null=True, blank=True)
    processed_at = models.DateTimeField("verwerkt op", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "iWmo-bericht"
        verbose_name_plural = "iWmo-berichten"
        constraints = [
            # TR056: the identification is unique per message type for the sender; a message
            # received twice is found here and changes nothing the second time.
            models.UniqueConstraint(
                fields=["side", "direction", "sender_code", "code", "identification"],
                name="iwmo_message_unique_identification",
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["side", "code", "created_at"]),
            # The message log, newest first: walked in order (several municipalities), or
            # per municipality or provider (issue #14).
            models.Index(
                "side", F("created_at").desc(), F("id").desc(), name="iwmo_message_log"
            ),
            models.Index(
                "side", "municipality", F("created_at").desc(), F("id").desc(),
                name="iwmo_message_log_municipality",
            ),
            models.Index(
                "side", "provider", F("created_at").desc(), F("id").desc(),
                name="iwmo_message_log_provider",
            ),
            # The message a retour or 325 answers, found by its identification.
            models.Index(
                fields=["side", "code", "identification"], name="iwmo_message_identification"
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"WMO{self.code} {self.identification} ({self.get_status_display()})"

    @property
    def audit_client_id(self) -> int | None:
        return self.client_id

    @property
    def name(self) -> str:
        from .schemas import NAMES

        return NAMES.get(self.code, "")


class Endpoint(TimestampedModel):
    """How messages between a provider and the municipalities of one region travel: in this
    portal (in-process), through a folder, or through HTTP to and from the provider's own
    software. One link per provider and region, managed by that region's functioneel
    beheerder (ADR 0009): no region can redirect another region's messages.

    Tokens are never stored: the provider's token as its SHA-256, ours to the provider as a
    random salt from which `iwmo.links` derives it with a key from the settings. Both are
    shown once, when they are issued."""

    class Transport(models.TextChoices):
        IN_PROCESS = "portaal", "In het portaal (geen eigen software)"
        FOLDER = "map", "Map (batchkoppeling)"
        HTTP = "http", "HTTP met token (eigen software)"

    region = models.ForeignKey(
        "accounts.Region",
        verbose_name="regio",
        on_delete=models.PROTECT,
        related_name="iwmo_endpoints",
    )
    provider = models.ForeignKey(
        "accounts.Provider",
        verbose_name="aanbieder",
        on_delete=models.CASCADE,
        related_name="iwmo_endpoints",
    )
    transport = models.CharField(
        "transport", max_length=10, choices=Transport.choices, default=Transport.IN_PROCESS
    )
    folder = models.CharField(
        "map",
        max_length=200,
        blank=True,
        help_text="Voor transport 'map': de naam van de map binnen de basismap van deze "
        "installatie (IWMO_FOLDER_ROOT), bijvoorbeeld 'almere/de-kade'.",
    )
    url = models.URLField(
        "adres van de aanbieder",
        blank=True,
        help_text="Voor transport 'http': waar berichten voor de aanbieder naartoe gaan "
        "(https, een openbaar adres).",
    )
    outgoing_token_salt = models.CharField(
        "sleutelmateriaal token naar de aanbieder", max_length=64, blank=True, editable=False
    )
    outgoing_token_issued_at = models.DateTimeField(
        "token naar de aanbieder uitgegeven op", null=True, blank=True, editable=False
    )
    token_digest = models.CharField(
        "SHA-256 van het token van de aanbieder",
        max_length=64,
        blank=True,
        db_index=True,
        editable=False,
    )
    token_issued_at = models.DateTimeField(
        "token van de aanbieder uitgegeven op", null=True, blank=True, editable=False
    )
    service_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="systeemgebruiker",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Namens wie de berichten van de software van de aanbieder worden verwerkt.",
    )

    class Meta:
        verbose_name = "iWmo-koppeling"
        verbose_name_plural = "iWmo-koppelingen"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "region"],
                name="iwmo_endpoint_one_per_provider_and_region",
                violation_error_message="Deze aanbieder heeft in deze regio al een koppeling.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} – {self.region} ({self.get_transport_display()})"

    def clean(self) -> None:
        from .links import link_errors

        if errors := link_errors(self):
            raise ValidationError(errors)


class Assignment(TimestampedModel):
    """A toegewezen product: the municipality's order to a provider (301)."""

    municipality = models.ForeignKey(
        "accounts.Municipality", verbose_name="gemeente", on_delete=models.PROTECT
    )
    provider = models.ForeignKey(
        "accounts.Provider", verbose_name="aanbieder", on_delete=models.PROTECT
    )
    client = models.ForeignKey("clients.Client", verbose_name="cliënt", on_delete=models.PROTECT)
    traject = models.ForeignKey(
        "cases.Traject",
        verbose_name="traject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    beschikking = models.ForeignKey(
        "decisions.Beschikking",
        verbose_name="beschikking",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    number = models.PositiveIntegerField("toewijzingnummer")
    provider_reference = models.CharField("referentie aanbieder", max_length=20, blank=True)
    product_category = models.CharField("productcategorie", max_length=2)
    product_code = models.CharField("productcode", max_length=5, blank=True)
    assigned_at = models.DateTimeField("toegewezen op")
    start_on = models.DateField("ingangsdatum")
    end_on = models.DateField("einddatum", null=True, blank=True)
    change_reason = models.CharField("reden wijziging", max_length=2, blank=True)
    volume = models.PositiveIntegerField("volume", null=True, blank=True)
    unit = models.CharField("eenheid", max_length=2, blank=True)
    frequency = models.CharField("frequentie", max_length=1, blank=True)
    budget = models.PositiveIntegerField("budget (centen)", null=True, blank=True)
    commentary = models.CharField("commentaar", max_length=200, blank=True)
    # Changed since the last 301 to this provider for this client (OP087).
    changed_since_sent = models.BooleanField("gewijzigd sinds laatste 301", default=True)
    last_message = models.ForeignKey(
        Message,
        verbose_name="laatste toewijzingsbericht",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    received_by_provider_at = models.DateTimeField(
        "ontvangen door aanbieder", null=True, blank=True
    )
    start_overdue_signalled_on = models.DateField(
        "geen start gesignaleerd op", null=True, blank=True
    )

    class Meta:
        ordering = ["municipality", "number"]
        verbose_name = "toewijzing"
        verbose_name_plural = "toewijzingen"
        constraints = [
            # TR332: each toegewezen product has a unique number within the municipality.
            models.UniqueConstraint(
                fields=["municipality", "number"], name="iwmo_assignment_unique_number"
            )
        ]
        indexes = [
            # A provider's clients at one municipality (Declareren, the billing run).
            models.Index(
                fields=["provider", "municipality", "client"], name="iwmo_assignment_provider"
            ),
            # The same for the toewijzingen sent in a 301, with what *Declareren* filters on:
            # its client list reads the index alone (issue #14: 47 ms of heap reads for
            # 33,000 toewijzingen of one provider at 1,000,000 trajects).
            models.Index(
                fields=["provider", "municipality", "client"],
                include=["start_on", "end_on", "change_reason", "updated_at", "number"],
                name="iwmo_assignment_sent",
                condition=Q(last_message__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Toewijzing {self.number} ({self.product_category} {self.product_code})"

    @property
    def is_current(self) -> bool:
        """OP087: a toewijzing removed (13) or void (01) with end = start is not current."""
        return not (self.change_reason in {"01", "13"} and self.end_on == self.start_on)


class DeliveryReport(models.Model):
    """One StartProduct (305) or StopProduct (307) received and approved."""

    class Kind(models.TextChoices):
        START = "start", "Start"
        STOP = "stop", "Stop"

    kind = models.CharField("soort", max_length=5, choices=Kind.choices)
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="deliveries")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries"
    )
    provider_code = models.CharField("aanbieder (AGB)", max_length=8)
    municipality_code = models.CharField("gemeente (CBS)", max_length=4)
    bsn = models.CharField("BSN", max_length=9)
    assignment_number = models.PositiveIntegerField("toewijzingnummer", null=True, blank=True)
    product_category = models.CharField("productcategorie", max_length=2, blank=True)
    product_code = models.CharField("productcode", max_length=5, blank=True)
    assignment_start_on = models.DateField("toewijzing ingangsdatum", null=True, blank=True)
    begin_on = models.DateField("begindatum")
    end_on = models.DateField("einddatum", null=True, blank=True)
    reason = models.CharField("reden beëindiging", max_length=2, blank=True)
    status_code = models.CharField("status aanlevering", max_length=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "start- of stopmelding"
        verbose_name_plural = "start- en stopmeldingen"
        indexes = [
            # The reports of a toewijzing: the cross-message rules, segments, billing.
            models.Index(fields=["assignment_number", "kind"], name="iwmo_delivery_number")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} toewijzing {self.assignment_number}"

    @classmethod
    def of_assignment(
        cls, assignment: "Assignment", *, kind: str, message: Message, begin_on, **extra
    ) -> "DeliveryReport":
        """An approved report for a toewijzing as stored (unsaved), for bulk inserts of
        reports the municipality already approved elsewhere (a take-over, the benchmark)."""
        return cls(
            kind=kind,
            message=message,
            assignment=assignment,
            provider_code=assignment.provider.agb_code,
            municipality_code=assignment.municipality.cbs_code,
            bsn=assignment.client.bsn,
            assignment_number=assignment.number,
            product_category=assignment.product_category,
            product_code=assignment.product_code,
            assignment_start_on=assignment.start_on,
            begin_on=begin_on,
            status_code="1",
            **extra,
        )


class Request(TimestampedModel):
    """A provider's verzoek om toewijzing (315: one row per AangevraagdProduct, each with its
    own reference and answer) or verzoek om wijziging (317: one row, answered as a whole),
    as the municipality received it."""

    class Kind(models.TextChoices):
        VOT = "vot", "Verzoek om toewijzing"
        VOW = "vow", "Verzoek om wijziging"

    class State(models.TextChoices):
        OPEN = "open", "Te beoordelen"
        INVESTIGATING = "onderzoek", "In onderzoek"
        GRANTED = "toegewezen", "Toegewezen"
        REJECTED = "afgewezen", "Afgewezen"

    kind = models.CharField("soort", max_length=3, choices=Kind.choices)
    state = models.CharField("stand", max_length=10, choices=State.choices, default=State.OPEN)
    municipality = models.ForeignKey(
        "accounts.Municipality", verbose_name="gemeente", on_delete=models.PROTECT
    )
    provider = models.ForeignKey(
        "accounts.Provider", verbose_name="aanbieder", on_delete=models.PROTECT
    )
    client = models.ForeignKey(
        "clients.Client", verbose_name="cliënt", on_delete=models.PROTECT, null=True, blank=True
    )
    bsn = models.CharField("BSN", max_length=9)
    traject = models.ForeignKey(
        "cases.Traject",
        verbose_name="traject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="iwmo_requests",
    )
    provider_reference = models.CharField("referentie aanbieder", max_length=20)
    reason_code = models.CharField("reden verzoek", max_length=2, blank=True)
    # The requested products as in the message: [{"reference": .., "category": .., "code": ..,
    # "start_on": .., "end_on": .., "volume": .., "unit": .., "frequency": .., "budget": ..,
    # "assignment_number": .., "change": "nieuw|wijzigen|ongewijzigd"}].
    products = models.JSONField("producten", default=list)
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="requests")
    answer = models.ForeignKey(
        Message, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.CharField("reden afwijzing", max_length=2, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )

    @property
    def audit_client_id(self) -> int | None:
        return self.client_id

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "verzoek"
        verbose_name_plural = "verzoeken"
