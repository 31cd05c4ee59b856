"""Billing keeps a traject past its retention period (`cases.retention`, ADR 0013) while
money is open, and for the fiscal period after it was paid."""

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from dateutil.relativedelta import relativedelta

from openarrangementen.cases.retention import Scrub, also, hold, scrub_with_traject
from openarrangementen.iwmo.models import Message, Side

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


@also("declaraties")
def declarations_anonymise(today) -> int:
    """A WMO323 lists many clients and is a record of the accounts (Selectielijst 18.1): its
    XML, and that of the WMO325 that answered it, goes 7 years after its last line was
    settled, once no line of it is still open. The lines themselves (amounts, periods)
    stay; their client goes with the client's own file."""
    cutoff = today - relativedelta(years=settings.RETENTION_PAYMENT_YEARS)
    # The lines of both copies of the declaration (the provider's and the municipality's):
    # only the municipality's record a payment.
    lines = Line.objects.filter(
        message__code="323",
        message__sender_code=OuterRef("sender_code"),
        message__identification=OuterRef("identification"),
    )
    unsettled = lines.filter(
        Q(status__in=[Line.Status.CONCEPT, Line.Status.SENT])
        | Q(status=Line.Status.APPROVED, payment__isnull=True, side=Side.MUNICIPALITY)
        | Q(payment__paid_on__gt=cutoff)
    )
    declarations = (
        Message.objects.filter(code="323", dated_on__lte=cutoff)
        .exclude(xml="")
        .exclude(Exists(unsettled))
    )
    fields = {"xml": "", "violations": [], "errors": [], "last_error": ""}
    done = 0
    while ids := list(declarations.values_list("pk", flat=True)[:1000]):
        done += Message.objects.filter(code="325", in_reply_to_id__in=ids).update(**fields)
        done += Message.objects.filter(pk__in=ids).update(**fields)
    return done
