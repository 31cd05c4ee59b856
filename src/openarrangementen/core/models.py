from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet

from .periods import Validity, validity_error


class TimestampedModel(models.Model):
    created_at = models.DateTimeField("aangemaakt op", auto_now_add=True)
    updated_at = models.DateTimeField("gewijzigd op", auto_now=True)

    class Meta:
        abstract = True


class ValidityPeriod(models.Model):
    """A row valid from a date up to and including an optional end date."""

    valid_from = models.DateField("geldig vanaf")
    valid_to = models.DateField("geldig tot en met", null=True, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_valid_period",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                violation_error_message="De einddatum ligt vóór de begindatum.",
            )
        ]

    @property
    def validity(self) -> Validity:
        return Validity(self.valid_from, self.valid_to)

    def clean(self) -> None:
        if message := validity_error(self.valid_from, self.valid_to):
            raise ValidationError({"valid_to": message})

    def first_overlapping(self, others: QuerySet) -> "ValidityPeriod | None":
        """The first of `others` (this row excluded) whose period overlaps this one."""
        if self.valid_from is None:
            return None
        for other in others.exclude(pk=self.pk):
            if self.validity.overlaps(other.validity):
                return other
        return None


class EquatedHoliday(models.Model):
    """A day equated to a general holiday by Royal Decree (Algemene termijnenwet art. 3 lid 3).

    The legal holidays of art. 3 lid 1 are computed in `core.dates`; only these extra days are
    data, entered by the functioneel beheerder when a decree appears.
    """

    day = models.DateField("datum", unique=True)
    description = models.CharField("omschrijving", max_length=200)
    source = models.CharField(
        "bron", max_length=300, help_text="Het koninklijk besluit, bijvoorbeeld met Stb.-nummer."
    )

    class Meta:
        ordering = ["day"]
        verbose_name = "gelijkgestelde feestdag"
        verbose_name_plural = "gelijkgestelde feestdagen"

    def __str__(self) -> str:
        return f"{self.day:%d-%m-%Y} {self.description}"


class AccessLog(models.Model):
    """Who read or exported which personal data, when and why (NEN 7513).

    Changes are logged by django-auditlog; this table records reads. Append-only: nothing in
    the product updates or deletes a row.
    """

    class Action(models.TextChoices):
        VIEW = "view", "ingezien"
        LIST = "list", "in lijst getoond"
        EXPORT = "export", "geëxporteerd"
        LOOKUP = "lookup", "opgezocht"
        REFUSED = "refused", "geweigerd"

    at = models.DateTimeField("tijdstip", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="gebruiker",
        on_delete=models.PROTECT,
        related_name="access_logs",
    )
    actor_roles = models.CharField("rollen van de gebruiker", max_length=300, blank=True)
    action = models.CharField("handeling", max_length=10, choices=Action.choices)
    object_type = models.CharField("soort gegevens", max_length=100)
    object_id = models.CharField("gegevens-id", max_length=64)
    client_id = models.CharField("cliënt-id", max_length=64, blank=True, db_index=True)
    # A list page: one row per page view naming every client shown (issue #14).
    client_ids = models.JSONField("cliënt-ids in de lijst", default=list, blank=True)
    purpose = models.CharField("doel", max_length=200)
    path = models.CharField("pagina", max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "inzage-logregel"
        verbose_name_plural = "inzagelog (NEN 7513)"

    def __str__(self) -> str:
        return (
            f"{self.at:%d-%m-%Y %H:%M} {self.actor} {self.get_action_display()} {self.object_type}"
        )


class Notification(models.Model):
    """A message to one user in the app; the same text may also go out by e-mail.

    Texts never carry a client's name or BSN: an e-mail leaves the system, so it names only
    the traject number and links back to the portal, where access is checked again.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ontvanger",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    subject = models.CharField("onderwerp", max_length=200)
    text = models.TextField("bericht")
    url = models.CharField("link", max_length=300, blank=True)
    created_at = models.DateTimeField("aangemaakt op", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("gelezen op", null=True, blank=True)
    emailed = models.BooleanField("ook per e-mail verstuurd", default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "melding in de app"
        verbose_name_plural = "meldingen in de app"

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"
