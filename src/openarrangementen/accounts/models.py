from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from openarrangementen.core.validators import validate_agb_code, validate_gemeentecode

from .domain import (
    ACCOUNT_REQUEST_KIND_LABELS,
    ACCOUNT_REQUEST_STATUS_LABELS,
    IDLE_TIMEOUT_DEFAULT_MINUTES,
    REQUESTABLE_ROLES,
    ROLE_LABELS,
    SIGN_IN_LABELS,
    AccountRequestKind,
    AccountRequestStatus,
    Role,
    SignInKind,
    scope_error,
)


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
    idle_timeout_minutes = models.PositiveSmallIntegerField(
        "automatisch uitloggen na (minuten)",
        default=IDLE_TIMEOUT_DEFAULT_MINUTES,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
        help_text="Na zoveel minuten zonder activiteit wordt een medewerker uitgelogd; twee "
        "minuten eerder krijgt die een waarschuwing. Werkt iemand voor meer regio's, dan "
        "geldt de kortste tijd. Los hiervan eindigt elke sessie 8 uur na het inloggen.",
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
    registered_by = models.ForeignKey(
        Region,
        verbose_name="geregistreerd door regio",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registered_providers",
        help_text="De regio die de aanbieder heeft ingevoerd. Alleen die regio wijzigt de "
        "gegevens, zolang geen andere regio de aanbieder heeft gecontracteerd (ADR 0009).",
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
    home_region = models.ForeignKey(
        Region,
        verbose_name="regio van de gebruiker",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="home_users",
        help_text="De regio die deze gebruiker heeft aangemaakt. Zolang de gebruiker geen rol "
        "heeft, beheert alleen die regio het account.",
    )

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


class AccountRequest(models.Model):
    """A provider's contact person asks for a colleague's account, or for its revocation;
    a functioneel beheerder of a region where the provider is contracted decides (issue #4).

    `roles` is a JSON list of role values from `domain.REQUESTABLE_ROLES`, in that order and
    without duplicates (e.g. ``["werkverdeler", "begeleider"]``); empty for a revocation.
    `account` is the colleague to revoke, or for an approved new account the user created.
    Rows are never deleted: the status records the decision, who took it, when and why.
    """

    kind = models.CharField(
        "soort aanvraag",
        max_length=10,
        choices=[(k.value, label) for k, label in ACCOUNT_REQUEST_KIND_LABELS.items()],
    )
    status = models.CharField(
        "status",
        max_length=10,
        choices=[(s.value, label) for s, label in ACCOUNT_REQUEST_STATUS_LABELS.items()],
        default=AccountRequestStatus.PENDING.value,
        db_index=True,
    )
    provider = models.ForeignKey(
        Provider,
        verbose_name="aanbieder",
        on_delete=models.PROTECT,
        related_name="account_requests",
    )
    requested_by = models.ForeignKey(
        User,
        verbose_name="aangevraagd door",
        on_delete=models.PROTECT,
        related_name="account_requests_made",
    )
    requested_at = models.DateTimeField("aangevraagd op", auto_now_add=True)
    first_name = models.CharField("voornaam", max_length=150, blank=True)
    last_name = models.CharField("achternaam", max_length=150, blank=True)
    email = models.EmailField("e-mailadres", blank=True)
    roles = models.JSONField(
        "gevraagde rollen",
        default=list,
        blank=True,
        help_text="Rollen bij de aanbieder: "
        + ", ".join(ROLE_LABELS[r].lower() for r in REQUESTABLE_ROLES)
        + ".",
    )
    motivation = models.TextField("toelichting", blank=True)
    account = models.ForeignKey(
        User,
        verbose_name="account",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="account_requests_about",
        help_text="Bij intrekken: het account van de collega. Bij een nieuw account: het "
        "account dat bij goedkeuring is aangemaakt.",
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name="beoordeeld door",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="account_requests_decided",
    )
    decided_at = models.DateTimeField("beoordeeld op", null=True, blank=True)
    decision_reason = models.TextField("reden van het besluit", blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "accountaanvraag"
        verbose_name_plural = "accountaanvragen"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=Q(status="pending", kind="create"),
                name="account_request_one_pending_per_email",
                violation_error_message="Voor dit e-mailadres loopt al een aanvraag.",
            ),
            models.UniqueConstraint(
                "account",
                "provider",
                condition=Q(status="pending", kind="revoke"),
                name="account_request_one_pending_revoke",
                violation_error_message="Voor dit account loopt al een aanvraag tot intrekken.",
            ),
            models.CheckConstraint(
                name="account_request_revoke_names_account",
                condition=~Q(kind="revoke") | Q(account__isnull=False),
            ),
            models.CheckConstraint(
                name="account_request_decided_has_decider",
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_by__isnull=False, decided_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person_name} ({self.provider})"

    @property
    def kind_enum(self) -> AccountRequestKind:
        return AccountRequestKind(self.kind)

    @property
    def status_enum(self) -> AccountRequestStatus:
        return AccountRequestStatus(self.status)

    @property
    def is_pending(self) -> bool:
        return self.status == AccountRequestStatus.PENDING

    @property
    def person_name(self) -> str:
        """The colleague the request is about."""
        if self.kind == AccountRequestKind.REVOKE and self.account_id:
            return str(self.account)
        return f"{self.first_name} {self.last_name}".strip() or self.email

    @property
    def role_labels(self) -> list[str]:
        return [ROLE_LABELS[Role(r)] for r in self.roles if r in Role._value2member_map_]


class SignInEvent(models.Model):
    """One sign-in event (issue #21): a login, a failure, a lockout, a logout, a reset or a
    change of the second factor. Never a password, a code or a token; the username as typed
    is kept, so a failure for an unknown name is recorded too."""

    at = models.DateTimeField("tijdstip", auto_now_add=True, db_index=True)
    kind = models.CharField(
        "gebeurtenis", max_length=20, choices=[(k.value, v) for k, v in SIGN_IN_LABELS.items()]
    )
    user = models.ForeignKey(
        User,
        verbose_name="gebruiker",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sign_in_events",
    )
    username = models.CharField("gebruikersnaam", max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("adres", null=True, blank=True)
    by = models.ForeignKey(
        User,
        verbose_name="door",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="De functioneel beheerder die een blokkade ophief of de tweestapsverificatie "
        "opnieuw liet instellen.",
    )
    detail = models.CharField("toelichting", max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "inloggebeurtenis"
        verbose_name_plural = "inloggebeurtenissen"
        indexes = [models.Index(fields=["user", "-at"], name="sign_in_event_user")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.username} ({self.at:%d-%m-%Y %H:%M})"

    @property
    def kind_enum(self) -> SignInKind:
        return SignInKind(self.kind)


class SignInProvider(models.Model):
    """An OpenID Connect provider people sign in through (issue #21, ADR 0011): a DigiD
    broker for inwoners (the BSN claim finds their file), or an organisation's own provider
    for its staff (the e-mail claim finds or makes their account; roles are granted here,
    never by the provider). Configured in beheer by the region's functioneel beheerder."""

    class Kind(models.TextChoices):
        DIGID = "digid", "DigiD voor inwoners (via een makelaar)"
        STAFF = "staff", "Medewerkers van een organisatie"

    region = models.ForeignKey(
        Region, verbose_name="regio", on_delete=models.PROTECT, related_name="sign_in_providers"
    )
    kind = models.CharField("soort", max_length=10, choices=Kind.choices)
    name = models.CharField(
        "naam op de knop",
        max_length=100,
        help_text="Bijvoorbeeld 'DigiD' of 'Gemeente Almere'. De knop heet 'Inloggen met …'.",
    )
    slug = models.SlugField("korte naam", max_length=50, unique=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name="gemeente",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Bij medewerkers: de gemeente van wie dit de inlogdienst is.",
    )
    provider = models.ForeignKey(
        Provider,
        verbose_name="aanbieder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Bij medewerkers: de aanbieder van wie dit de inlogdienst is.",
    )
    issuer = models.URLField(
        "issuer",
        help_text="Het adres van de inlogdienst zoals die zichzelf noemt (de 'iss' in de "
        "tokens); de rest wordt daar opgehaald (/.well-known/openid-configuration).",
    )
    client_id = models.CharField("client-id", max_length=200)
    client_secret = models.CharField(
        "client-secret",
        max_length=200,
        help_text="Staat in de database omdat het bij elke aanmelding wordt meegestuurd; "
        "alleen de superuser kan het teruglezen.",
    )
    scopes = models.CharField(
        "scopes", max_length=200, default="openid", help_text="Bijvoorbeeld 'openid email'."
    )
    claim = models.CharField(
        "claim",
        max_length=50,
        help_text="DigiD: de claim met het BSN (vaak 'bsn'). Medewerkers: de claim met het "
        "e-mailadres (vaak 'email').",
    )
    authorization_endpoint = models.URLField("authorization endpoint", blank=True)
    token_endpoint = models.URLField("token endpoint", blank=True)
    userinfo_endpoint = models.URLField("userinfo endpoint", blank=True)
    jwks_uri = models.URLField("JWKS-adres", blank=True)
    is_active = models.BooleanField("in gebruik", default=True)

    class Meta:
        ordering = ["region", "kind", "name"]
        verbose_name = "inlogdienst (OpenID Connect)"
        verbose_name_plural = "inlogdiensten (OpenID Connect)"
        constraints = [
            models.CheckConstraint(
                name="sign_in_provider_one_organisation",
                condition=Q(municipality__isnull=True) | Q(provider__isnull=True),
                violation_error_message="Kies een gemeente of een aanbieder, niet allebei.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class ExternalIdentity(models.Model):
    """Who a person is at a sign-in provider ('sub', stable per provider) and which account
    that is here: made at their first sign-in through that provider."""

    sign_in_provider = models.ForeignKey(
        SignInProvider,
        verbose_name="inlogdienst",
        on_delete=models.CASCADE,
        related_name="identities",
    )
    subject = models.CharField("kenmerk bij de inlogdienst (sub)", max_length=255)
    user = models.ForeignKey(
        User, verbose_name="account", on_delete=models.CASCADE, related_name="identities"
    )
    created_at = models.DateTimeField("eerste keer", auto_now_add=True)

    class Meta:
        verbose_name = "externe identiteit"
        verbose_name_plural = "externe identiteiten"
        constraints = [
            models.UniqueConstraint(
                fields=["sign_in_provider", "subject"], name="external_identity_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} via {self.sign_in_provider}"
