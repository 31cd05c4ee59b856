"""The steps that send messages: a final beschikking assigns (301); the provider reports
start (305) and stop (307) and asks (315, 317); the PA answers a request (319 or 301)."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from openarrangementen.accounts.models import User
from openarrangementen.accounts.selectors import region_of
from openarrangementen.cases.models import Traject
from openarrangementen.cases.services import TrajectError, require_pa

from . import exchange, messages
from .models import Assignment, DeliveryReport, Message, Request, Side
from .schemas import SchemasMissing


def _next_number(municipality) -> int:
    """TR332: unique per municipality. Locks the municipality's highest row."""
    highest = Assignment.objects.filter(municipality=municipality).aggregate(n=Max("number"))["n"]
    return (highest or 300000) + 1


def send_assignments(*, municipality, provider, client, traject=None) -> Message:
    """One 301 to this provider for this client with every assignment OP087 asks for."""
    on = timezone.localdate()
    rows = messages.assignments_for_301(
        municipality=municipality, provider=provider, client=client, on=on
    )
    if not rows:
        raise TrajectError("Er is geen toewijzing om te versturen.")

    def build(identification, dated_on):
        return messages.toewijzing(
            municipality=municipality,
            provider=provider,
            client=client,
            assignments=rows,
            identification=identification,
            dated_on=dated_on,
        )

    row = exchange.send(
        build,
        code="301",
        side=Side.MUNICIPALITY,
        municipality=municipality,
        provider=provider,
        client=client,
        traject=traject,
    )
    Assignment.objects.filter(pk__in=[a.pk for a in rows]).update(
        changed_since_sent=False, last_message=row
    )
    return row


@transaction.atomic
def _periods_per_month(municipality) -> int:
    """Volume per month of an output toewijzing: 1, or 2 where the region pays 4-week
    periods (two of them can start in one calendar month, billing.domain.claims)."""
    from openarrangementen.billing.domain import Calendar
    from openarrangementen.billing.selectors import settings_for

    return 2 if settings_for(municipality.region).calendar == Calendar.FOUR_WEEKS else 1


def assign_for_beschikking(beschikking) -> Message | None:
    """A final beschikking orders the provider to deliver: the assignment and its 301. A
    replaced beschikking's assignment ends the day before the new one starts, with
    RedenWijziging 09 (change of provider) or 05 (re-assessment: shortened), and its
    provider hears of it in a 301 of its own (OP087)."""
    from openarrangementen.cases.models import LinkKind

    traject = beschikking.traject
    level = beschikking.level
    replaced = []
    if beschikking.replaces_id:
        for old in Assignment.objects.select_for_update().filter(
            beschikking_id=beschikking.replaces_id
        ):
            new_end = max(old.start_on, beschikking.start_on - timedelta(days=1))
            if old.end_on is None or old.end_on > new_end:
                old.end_on = new_end
                old.change_reason = (
                    REASON_OTHER_PROVIDER
                    if traject.link_kind == LinkKind.CHANGE_PROVIDER
                    else REASON_SHORTENED
                )
                old.changed_since_sent = True
                old.save(update_fields=["end_on", "change_reason", "changed_since_sent"])
                replaced.append(old)
    Assignment.objects.create(
        municipality=traject.municipality,
        provider=beschikking.provider,
        client=traject.client,
        traject=traject,
        beschikking=beschikking,
        number=_next_number(traject.municipality),
        product_category=level.product_category,
        product_code=level.product_code,
        assigned_at=timezone.now(),
        start_on=beschikking.start_on,
        end_on=beschikking.end_on,
        volume=level.volume_per_period or _periods_per_month(traject.municipality),
        unit=level.iwmo_unit,
        frequency=level.iwmo_frequency,
        commentary=f"Beschikking {beschikking.number}"[:200],
    )
    # The assignment stands even when its 301 cannot go out now (schemas missing): it stays
    # marked as changed since the last 301 and goes with the next one, or by hand.
    row = after_step(
        send_assignments,
        municipality=traject.municipality,
        provider=beschikking.provider,
        client=traject.client,
        traject=traject,
    )
    for provider_id in {a.provider_id for a in replaced} - {beschikking.provider_id}:
        old = next(a for a in replaced if a.provider_id == provider_id)
        after_step(
            send_assignments,
            municipality=old.municipality,
            provider=old.provider,
            client=old.client,
            traject=old.traject,
        )
    return row


# WMO002 Reden wijziging toewijzing (labels in the installed code list).
REASON_SHORTENED = "05"  # Herbeoordeling: verkorting toewijzing
REASON_OTHER_PROVIDER = "09"  # Overstap naar andere aanbieder
REASON_PROVIDER_INITIATED = "12"  # Geïnitieerd door de aanbieder (a granted VOW)


def current_assignment(traject: Traject) -> Assignment | None:
    for assignment in Assignment.objects.filter(traject=traject).order_by("-number"):
        if assignment.is_current:
            return assignment
    return None


def _provider_sends(code: str, build, traject: Traject) -> Message:
    """A message the portal provider sends about one of its trajects."""
    return exchange.send(
        build,
        code=code,
        side=Side.PROVIDER,
        municipality=traject.municipality,
        provider=traject.provider,
        client=traject.client,
        traject=traject,
    )


def sends_in_portal(traject: Traject) -> bool:
    """Whether the traject's provider works in the portal in its municipality's region (no
    link of its own): then the product sends its messages (`report_start`), else the
    provider's own software does. The link is read once per batch (`links.endpoint_for`)."""
    from .models import Endpoint

    transport = exchange.transport_of(
        provider_id=traject.provider_id, region_id=region_of(traject.municipality_id)
    )
    return transport == Endpoint.Transport.IN_PROCESS


def _in_portal(assignment) -> bool:
    from .models import Endpoint

    return (
        exchange.transport_name(assignment.provider, assignment.municipality)
        == Endpoint.Transport.IN_PROCESS
    )


def report_start(*, traject: Traject, started_on: date) -> Message | None:
    """The provider's start in the portal, as a 305 (when the traject has an assignment).
    A provider with its own software sends its own 305; nothing is sent for it here."""
    assignment = current_assignment(traject)
    if assignment is None or not _in_portal(assignment):
        return None
    if DeliveryReport.objects.filter(
        assignment=assignment, kind=DeliveryReport.Kind.START, status_code="1"
    ).exists():
        return None  # TR326: one current start per assignment

    def build(identification, dated_on):
        return messages.start(
            assignment=assignment,
            begin_on=started_on,
            identification=identification,
            dated_on=dated_on,
        )

    return _provider_sends("305", build, traject)


def report_stop(*, traject: Traject, stopped_on: date, reason_code: str) -> Message | None:
    """The provider's stop in the portal, as a 307 with the start's key (TR382)."""
    assignment = current_assignment(traject)
    if assignment is None or not _in_portal(assignment):
        return None
    start_report = (
        DeliveryReport.objects.filter(
            assignment=assignment, kind=DeliveryReport.Kind.START, status_code="1"
        )
        .order_by("-created_at")
        .first()
    )
    if start_report is None:
        return None  # no start was reported by message, so there is nothing to stop

    def build(identification, dated_on):
        return messages.stop(
            assignment=assignment,
            start_report=start_report,
            end_on=stopped_on,
            reason=reason_code,
            identification=identification,
            dated_on=dated_on,
        )

    return _provider_sends("307", build, traject)


# --- requests --------------------------------------------------------------------------------


@transaction.atomic
def request_answer(*, request: Request, actor: User, grant: bool, reason: str = "",
                   investigate: bool = False) -> Message:  # fmt: skip
    """The PA answers a VOT/VOW: grant (a new 301 with the provider's reference, TR379),
    reject with a WJ759 reason (319 answer 1), or put under investigation (319 answer 2)."""
    from openarrangementen.accounts.domain import Role
    from openarrangementen.accounts.selectors import municipalities_for

    require_pa(actor)
    request = Request.objects.select_for_update().get(pk=request.pk)
    if (
        not municipalities_for(actor, {Role.PROCESREGISSEUR})
        .filter(pk=request.municipality_id)
        .exists()
    ):
        raise TrajectError("Dit verzoek is voor een andere gemeente.")
    if request.state not in {Request.State.OPEN, Request.State.INVESTIGATING}:
        raise TrajectError("Dit verzoek is al beantwoord.")
    if investigate and request.state == Request.State.INVESTIGATING:
        raise TrajectError("Dit verzoek is al in onderzoek (TR360).")
    if grant:
        if request.client is None:
            raise TrajectError("De cliënt van dit verzoek is niet bekend; wijs het af.")
        _grant(request)
        answer = send_assignments(
            municipality=request.municipality,
            provider=request.provider,
            client=request.client,
            traject=request.traject,
        )
        request.state = Request.State.GRANTED
    else:
        if not investigate and not reason:
            raise TrajectError("Kies een reden van afwijzing.")

        def build(identification, dated_on):
            return messages.answer(
                municipality=request.municipality,
                provider=request.provider,
                reference=request.provider_reference,
                answer_code="2" if investigate else "1",
                reason="" if investigate else reason,
                identification=identification,
                dated_on=dated_on,
            )

        answer = exchange.send(
            build,
            code="319",
            side=Side.MUNICIPALITY,
            municipality=request.municipality,
            provider=request.provider,
            client=request.client,
            traject=request.traject,
        )
        request.state = Request.State.INVESTIGATING if investigate else Request.State.REJECTED
        request.rejection_reason = "" if investigate else reason
    request.answer = answer
    request.decided_by = actor
    request.save()
    return answer


def _grant(request: Request) -> None:
    today = timezone.localdate()
    for product in request.products:
        change = product.get("change", "nieuw")
        if change == "ongewijzigd":
            continue
        start = date.fromisoformat(product["start_on"]) if product.get("start_on") else today
        end = date.fromisoformat(product["end_on"]) if product.get("end_on") else None
        if change == "wijzigen":
            old = Assignment.objects.select_for_update().get(
                municipality=request.municipality, number=product["assignment_number"]
            )
            old.end_on = end
            if product.get("volume") is not None:
                old.volume, old.unit, old.frequency = (
                    product["volume"], product["unit"], product["frequency"]
                )  # fmt: skip
            old.change_reason = REASON_PROVIDER_INITIATED
            old.provider_reference = request.provider_reference
            old.changed_since_sent = True
            old.save()
            continue
        Assignment.objects.create(
            municipality=request.municipality,
            provider=request.provider,
            client=request.client,
            traject=request.traject,
            number=_next_number(request.municipality),
            provider_reference=request.provider_reference,
            product_category=product["category"],
            product_code=product.get("code", ""),
            assigned_at=timezone.now(),
            start_on=start,
            end_on=end,
            volume=product.get("volume"),
            unit=product.get("unit", ""),
            frequency=product.get("frequency", ""),
        )


def schemas_ready() -> str:
    """'' when the schemas are installed, else the Dutch explanation for the pages."""
    try:
        from .schemas import schemas

        schemas()
    except SchemasMissing as exc:
        return str(exc)
    return ""


def after_step(func, **kwargs) -> Message | None:
    """Send the message that belongs to a domain step without letting the exchange undo
    the step: the beschikking stays final when the schemas are missing. What did not go
    out stays visible (an assignment not sent, a message flagged) and can be sent later."""
    import logging

    try:
        with transaction.atomic():
            return func(**kwargs)
    except (SchemasMissing, exchange.ExchangeError, TrajectError) as exc:
        logging.getLogger(__name__).warning("iWmo message for %s not sent: %s", func.__name__, exc)
        return None


# --- the provider's requests (portal) ------------------------------------------------------


def _require_werkverdeler(traject: Traject, actor: User) -> None:
    from openarrangementen.accounts.domain import Role

    if not actor.role_assignments.filter(
        role__in=[Role.WERKVERDELER.value, Role.ADMINISTRATIE.value], provider=traject.provider
    ).exists():
        raise TrajectError("Alleen de werkverdeler of administratie van de aanbieder vraagt aan.")


def _reference(traject: Traject) -> str:
    """ReferentieAanbieder, unique for the provider (TR347): traject number and a count."""
    count = Request.objects.filter(provider=traject.provider).count() + 1
    return f"{traject.pk}-{count}"[:20]


def _no_open_request(traject: Traject) -> None:
    """TR374: no new request while one for this client at this provider is unanswered."""
    if Request.objects.filter(
        provider=traject.provider,
        client=traject.client,
        state__in=[Request.State.OPEN, Request.State.INVESTIGATING],
    ).exists():
        raise TrajectError(
            "Er loopt al een verzoek voor deze cliënt; wacht op het antwoord van de gemeente."
        )


@transaction.atomic
def request_assignment(*, traject: Traject, actor: User, products: list[dict]) -> Message:
    """VOT (315): the provider asks the municipality to assign products. Each product gets
    its own reference and is answered on its own."""
    _require_werkverdeler(traject, actor)
    _no_open_request(traject)
    if not products:
        raise TrajectError("Vraag minstens één product aan.")
    base = _reference(traject)
    for index, product in enumerate(products, start=1):
        product["reference"] = f"{base}-{index}"[:20]
        if product.get("end_on") and product["end_on"] < product["start_on"]:
            raise TrajectError("De einddatum ligt vóór de ingangsdatum.")

    def build(identification, dated_on):
        return messages.request_for_assignment(
            municipality=traject.municipality,
            provider=traject.provider,
            client=traject.client,
            products=products,
            identification=identification,
            dated_on=dated_on,
        )

    return _provider_sends("315", build, traject)


@transaction.atomic
def request_change(
    *, traject: Traject, actor: User, reason: str, changes: list[dict], new: list[dict]
) -> Message:
    """VOW (317): the whole desired situation; every current assignment not changed is
    listed as unchanged (TR349)."""
    _require_werkverdeler(traject, actor)
    _no_open_request(traject)
    if not changes and not new:
        raise TrajectError("Geef aan wat er moet wijzigen of wat er bij moet komen (TR353).")
    today = timezone.localdate()
    current = [
        a
        for a in Assignment.objects.filter(
            municipality=traject.municipality, provider=traject.provider, client=traject.client
        )
        if a.is_current and (a.end_on is None or a.end_on >= today)
    ]
    changed = {c["number"] for c in changes}
    unknown = changed - {a.number for a in current}
    if unknown:
        raise TrajectError(f"Toewijzing {min(unknown)} is niet actueel bij deze cliënt.")
    for item in [*changes, *new]:
        if item["start_on"] <= today and item in new:
            raise TrajectError("De gewenste ingangsdatum van een nieuw product ligt na vandaag.")
    reference = _reference(traject)

    def build(identification, dated_on):
        return messages.request_for_change(
            municipality=traject.municipality,
            provider=traject.provider,
            client=traject.client,
            reference=reference,
            reason=reason,
            unchanged=[a.number for a in current if a.number not in changed],
            changes=changes,
            new=new,
            identification=identification,
            dated_on=dated_on,
        )

    return _provider_sends("317", build, traject)


# --- signals ---------------------------------------------------------------------------------


def missing_starts_signal(*, today: date | None = None) -> int:
    """ "No start received N working days after the assignment": the region's start term
    (DeadlineRule kind start; 5 working days in Almere, 10 in Midden-Limburg) has passed
    without an approved 305. Tells the PA once per assignment; returns how many."""
    from openarrangementen.cases.services import notify_municipality
    from openarrangementen.core.selectors import add_working_days
    from openarrangementen.delivery.services import start_due_on

    today = today or timezone.localdate()
    count = 0
    candidates = Assignment.objects.filter(
        start_overdue_signalled_on=None, traject__isnull=False, traject__started_on=None
    ).select_related("traject", "traject__municipality")
    for assignment in candidates:
        if not assignment.is_current or assignment.deliveries.filter(kind="start").exists():
            continue
        traject = assignment.traject
        due = start_due_on(traject) if traject.decided_on else None
        if due is None:
            due = add_working_days(timezone.localtime(assignment.assigned_at).date(), 5)
        if today <= due:
            continue
        notify_municipality(
            traject,
            subject=f"Geen start ontvangen voor traject {traject.number}",
            text=(
                f"Voor toewijzing {assignment.number} is op {due:%d-%m-%Y} nog geen start "
                "(WMO305) ontvangen. Neem contact op met de aanbieder."
            ),
        )
        assignment.start_overdue_signalled_on = today
        assignment.save(update_fields=["start_overdue_signalled_on"])
        count += 1
    return count
