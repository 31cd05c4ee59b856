"""Billing keeps a traject past its retention period (`cases.retention`, ADR 0013) while
money is open, and for the fiscal period after it was paid."""

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from dateutil.relativedelta import relativedelta

from openarrangementen.cases.retention import Scrub, hold, scrub_with_traject
from openarrangementen.iwmo.models import Side

from .models import Line

scrub_with_traject(Scrub(Line, "assignment__traject_id", ("explanation",)))


def _lines(traject_ref):
    return Line.objects.filter(assignment__traject=traject_ref)


# Declared but not yet judged, or approved and not yet paid: the provider is still owed.
hold(
    "declaratie niet afgehandeld",
    lambda today: Exists(
        _lines(OuterRef("pk")).filter(
            Q(status__in=[Line.Status.CONCEPT, Line.Status.SENT])
            | Q(side=Side.MUNICIPALITY, status=Line.Status.APPROVED, payment__isnull=True)
        )
    ),
)
# Selectielijst gemeenten 18.1 (betaald): vernietigen 7 jaar na betaling.
hold(
    "betaald binnen de fiscale bewaartermijn",
    lambda today: Exists(
        _lines(OuterRef("pk")).filter(
            payment__paid_on__gt=today - relativedelta(years=settings.RETENTION_PAYMENT_YEARS)
        )
    ),
)
