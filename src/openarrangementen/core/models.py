from django.conf import settings
from django.db import models


class TimestampedModel(models.Model):
    created_at = models.DateTimeField("aangemaakt op", auto_now_add=True)
    updated_at = models.DateTimeField("gewijzigd op", auto_now=True)

    class Meta:
        abstract = True


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
