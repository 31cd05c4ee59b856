from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Upper

from openarrangementen.accounts.models import Municipality
from openarrangementen.core.models import TimestampedModel
from openarrangementen.core.validators import validate_bsn

GENDERS = [("0", "Onbekend"), ("1", "Mannelijk"), ("2", "Vrouwelijk")]  # iWmo COD046

postcode_validator = RegexValidator(
    r"^[1-9][0-9]{3} ?[A-Za-z]{2}$", "Een postcode bestaat uit 4 cijfers en 2 letters (1234 AB)."
)


class Household(TimestampedModel):
    """Clients who live together. Each gets their own decision; the household is seen whole."""

    name = models.CharField(
        "omschrijving", max_length=150, help_text="Bijvoorbeeld 'Huishouden De Vries'."
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "huishouden"
        verbose_name_plural = "huishoudens"

    def __str__(self) -> str:
        return self.name


class Client(TimestampedModel):
    """An inwoner who asks for or receives support."""

    bsn = models.CharField(
        "BSN",
        max_length=9,
        validators=[validate_bsn],
        help_text="Uniek per gemeente: elke gemeente heeft haar eigen dossier van de inwoner "
        "(ADR 0009).",
    )
    initials = models.CharField("voorletters", max_length=20, blank=True)
    given_names = models.CharField("voornamen", max_length=200, blank=True)
    family_name_prefix = models.CharField("voorvoegsel", max_length=20, blank=True)
    family_name = models.CharField("achternaam", max_length=200)
    birth_date = models.DateField("geboortedatum")
    gender = models.CharField("geslacht", max_length=1, choices=GENDERS, default="0")
    street = models.CharField("straat", max_length=200, blank=True)
    house_number = models.PositiveIntegerField("huisnummer", null=True, blank=True)
    house_number_addition = models.CharField("toevoeging", max_length=10, blank=True)
    postcode = models.CharField(
        "postcode", max_length=7, blank=True, validators=[postcode_validator]
    )
    city = models.CharField("woonplaats", max_length=100, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name="gemeente",
        on_delete=models.PROTECT,
        related_name="clients",
        help_text="De gemeente waar de inwoner staat ingeschreven; die is verantwoordelijk.",
    )
    phone = models.CharField("telefoonnummer", max_length=30, blank=True)
    practice_provider = models.ForeignKey(
        "accounts.Provider",
        verbose_name="fictieve inwoner in de oefenomgeving van",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leeg bij echte inwoners. Fictieve inwoners ziet alleen die aanbieder, "
        "en alleen in de oefenomgeving.",
    )
    email = models.EmailField("e-mailadres", blank=True)
    household = models.ForeignKey(
        Household,
        verbose_name="huishouden",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="account",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="client",
        help_text="Het account waarmee de inwoner zelf inlogt, als dat er is.",
    )
    anonymised_at = models.DateTimeField(
        "geanonimiseerd op",
        null=True,
        blank=True,
        help_text="Na de bewaartermijn van al haar of zijn trajecten zijn de persoonsgegevens "
        "verwijderd (ADR 0013).",
    )

    class Meta:
        ordering = ["family_name", "initials", "id"]
        verbose_name = "inwoner"
        verbose_name_plural = "inwoners"
        constraints = [
            # Each municipality is responsible for its own file (verwerkingsverantwoordelijke):
            # an inwoner who moves gets a new file in the new municipality, and a BSN known
            # elsewhere is neither reused nor revealed.
            models.UniqueConstraint(
                fields=["municipality", "bsn"],
                name="client_bsn_once_per_municipality",
                violation_error_message="Er is in deze gemeente al een inwoner met dit BSN.",
            )
        ]
        indexes = [
            models.Index(fields=["bsn"], name="client_bsn_idx"),
            # The inwoner list of a municipality, in name order (issue #14). Searching by
            # name uses trigram indexes on PostgreSQL (migration 0004).
            models.Index(
                fields=["municipality", "family_name", "initials", "id"],
                name="client_list_idx",
            ),
            models.Index(Upper("postcode"), name="client_postcode_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def audit_client_id(self) -> int:
        return self.pk

    @property
    def display_name(self) -> str:
        parts = [self.initials, self.family_name_prefix, self.family_name]
        return " ".join(p for p in parts if p)

    @property
    def address_line(self) -> str:
        number = f"{self.house_number or ''}{self.house_number_addition}".strip()
        street = f"{self.street} {number}".strip()
        place = f"{self.postcode} {self.city}".strip()
        return ", ".join(p for p in (street, place) if p)

    def clean(self) -> None:
        if self.postcode:
            compact = self.postcode.replace(" ", "").upper()
            self.postcode = f"{compact[:4]} {compact[4:]}"
        if self.bsn:
            self.bsn = "".join(self.bsn.split())
            if len(self.bsn) == 8 and self.bsn.isdigit():
                self.bsn = "0" + self.bsn


class Representative(TimestampedModel):
    """A legal representative, cliëntondersteuner or contact person of a client."""

    class Kind(models.TextChoices):
        LEGAL = "legal", "wettelijk vertegenwoordiger"
        CLIENT_SUPPORT = "client_support", "cliëntondersteuner"
        CONTACT = "contact", "contactpersoon"

    # iWmo WJ003 codes for a legal representation.
    LEGAL_BASIS = [
        ("06", "Voogdij"),
        ("07", "Bewindvoering"),
        ("08", "Mentorschap"),
        ("09", "Onder curatele stelling"),
        ("10", "Zaakwaarneming"),
    ]

    client = models.ForeignKey(
        Client, verbose_name="inwoner", on_delete=models.CASCADE, related_name="representatives"
    )
    kind = models.CharField("soort", max_length=20, choices=Kind.choices)
    legal_basis = models.CharField(
        "grondslag vertegenwoordiging", max_length=2, choices=LEGAL_BASIS, blank=True
    )
    name = models.CharField("naam", max_length=200)
    organisation = models.CharField(
        "organisatie",
        max_length=200,
        blank=True,
        help_text="Bijvoorbeeld MEE voor cliëntondersteuning.",
    )
    relation = models.CharField("relatie tot de inwoner", max_length=100, blank=True)
    phone = models.CharField("telefoonnummer", max_length=30, blank=True)
    email = models.EmailField("e-mailadres", blank=True)
    bsn = models.CharField(
        "BSN van de vertegenwoordiger",
        max_length=9,
        blank=True,
        validators=[validate_bsn],
        db_index=True,
        help_text="Alleen bij een wettelijk vertegenwoordiger: met dit BSN logt die met de "
        "eigen DigiD in en kiest dan namens wie (ADR 0011).",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="account van de vertegenwoordiger",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="representations",
        help_text="Gekoppeld bij de eerste keer inloggen met DigiD.",
    )

    class Meta:
        ordering = ["client", "kind", "name"]
        verbose_name = "vertegenwoordiger of ondersteuner"
        verbose_name_plural = "vertegenwoordigers en ondersteuners"

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def audit_client_id(self) -> int:
        return self.client_id

    def clean(self) -> None:
        if self.kind == self.Kind.LEGAL and not self.legal_basis:
            raise ValidationError(
                {"legal_basis": "Geef de grondslag van de wettelijke vertegenwoordiging."}
            )
        if self.kind != self.Kind.LEGAL and self.legal_basis:
            raise ValidationError(
                {"legal_basis": "Alleen een wettelijk vertegenwoordiger heeft een grondslag."}
            )
        if self.kind != self.Kind.LEGAL and self.bsn:
            raise ValidationError(
                {"bsn": "Alleen een wettelijk vertegenwoordiger logt namens de inwoner in."}
            )
