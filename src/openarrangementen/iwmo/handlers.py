"""What an approved incoming message changes, per message type and side. Every handler is
safe to run for a message whose effect is already there (a portal provider's start was
recorded in the portal before its 305 arrived): it then changes nothing."""

import logging

from django.utils import timezone

from openarrangementen.accounts.domain import Role
from openarrangementen.cases.models import Traject
from openarrangementen.cases.services import (
    TrajectError,
    municipality_pas,
    notify_municipality,
    notify_provider,
    provider_staff,
)
from openarrangementen.clients.models import Client
from openarrangementen.core.notifications import notify

from . import codec, retour
from .links import endpoint_for
from .models import Assignment, DeliveryReport, Message, Request, Side

logger = logging.getLogger(__name__)


def link(row: Message, obj) -> None:
    """The client and traject a message is about, for the log pages and the selector."""
    client_obj = getattr(obj, "client", None)
    bsn = getattr(client_obj, "bsn", None)
    if bsn:
        row.client = Client.objects.filter(bsn=bsn, municipality=row.municipality).first()
    numbers = [
        item.toewijzing_nummer
        for _, item in codec.walk(obj)
        if getattr(item, "toewijzing_nummer", None) is not None
    ]
    if numbers:
        assignment = (
            Assignment.objects.filter(municipality=row.municipality, number__in=numbers)
            .exclude(traject=None)
            .select_related("traject")
            .first()
        )
        if assignment is not None:
            row.traject = assignment.traject
    if row.traject_id is None and row.client_id and row.provider_id:
        row.traject = (
            Traject.objects.filter(client_id=row.client_id, provider_id=row.provider_id)
            .order_by("-created_at")
            .first()
        )


def process(row: Message, obj) -> None:
    handler = _HANDLERS.get((row.side, row.code))
    if handler is not None:
        handler(row, obj)


# --- provider side ---------------------------------------------------------------------------


def _assignment_received(row: Message, obj) -> None:
    numbers = [p.toewijzing_nummer for p in obj.client.toegewezen_producten]
    Assignment.objects.filter(
        municipality=row.municipality,
        provider=row.provider,
        number__in=numbers,
        received_by_provider_at=None,
    ).update(received_by_provider_at=timezone.now())
    if row.traject is not None:
        notify_provider(
            row.traject,
            subject=f"Toewijzing ontvangen voor traject {row.traject.number}",
            text=(
                f"Het toewijzingsbericht (WMO301) met {len(numbers)} toegewezen product(en) is "
                "ontvangen en goedgekeurd."
            ),
        )


def _answer_to_request(row: Message, obj) -> None:
    reference = obj.antwoord.referentie_aanbieder
    request = Request.objects.filter(
        provider=row.provider, municipality=row.municipality, provider_reference=reference
    ).first()
    if request is None:
        return
    if row.traject is None and request.traject_id:
        row.traject_id = request.traject_id
    if request.traject is not None:
        label = "afgewezen" if obj.antwoord.verzoek_antwoord == "1" else "in onderzoek"
        notify_provider(
            request.traject,
            subject=f"Antwoord op verzoek {reference}: {label}",
            text=f"De gemeente heeft het {request.get_kind_display().lower()} {label}.",
        )


# --- municipality side -----------------------------------------------------------------------


def _service_user(row: Message):
    endpoint = endpoint_for(provider_id=row.provider_id, region_id=row.municipality.region_id)
    return endpoint.service_user if endpoint else None


def _report(row: Message, obj, item, kind: str, **stop) -> Assignment | None:
    """Record one StartProduct or StopProduct; returns the assignment it is about."""
    assignment = (
        Assignment.objects.filter(municipality=row.municipality, number=item.toewijzing_nummer)
        .select_related("traject")
        .first()
    )
    delivery_report(row, obj, item, kind, assignment, **stop).save()
    return assignment


def delivery_report(row: Message, obj, item, kind: str, assignment, **stop) -> DeliveryReport:
    """The report of one StartProduct or StopProduct of a received message (not saved)."""
    return DeliveryReport(
        kind=kind,
        message=row,
        assignment=assignment,
        provider_code=row.provider.agb_code,
        municipality_code=row.municipality.cbs_code,
        bsn=obj.client.bsn,
        assignment_number=item.toewijzing_nummer,
        product_category=item.product.categorie if item.product else "",
        product_code=(item.product.code or "") if item.product else "",
        assignment_start_on=item.toewijzing_ingangsdatum,
        begin_on=item.begindatum,
        status_code=item.status_aanlevering,
        **stop,
    )


def _stop_received(row: Message, obj) -> None:
    from openarrangementen.delivery.services import support_stop

    for item in obj.client.stop_producten:
        assignment = _report(
            row,
            obj,
            item,
            DeliveryReport.Kind.STOP,
            end_on=item.einddatum,
            reason=item.reden_beeindiging,
        )
        traject = assignment.traject if assignment else None
        # Reason 20 is a temporary stop: the traject goes on.
        if traject is None or item.reden_beeindiging == "20" or traject.ended_on:
            continue
        user = _service_user(row)
        try:
            if user is None:
                raise TrajectError("geen systeemgebruiker voor deze koppeling")
            support_stop(
                traject=traject,
                actor=user,
                stopped_on=item.einddatum,
                reason_code=item.reden_beeindiging,
                explanation=f"Stopbericht WMO307 {row.identification} van de aanbieder.",
            )
        except TrajectError as exc:
            notify_municipality(
                traject,
                subject=f"Stop ontvangen voor traject {traject.number}",
                text=(
                    f"De aanbieder meldde de stop op {item.einddatum:%d-%m-%Y} (WMO307). "
                    f"Rond het traject af: {exc}."
                ),
            )


def _request_received(row: Message, obj) -> None:
    from django.urls import reverse

    client = row.client
    if row.code == "315":
        created = [
            Request.objects.create(
                kind=Request.Kind.VOT,
                municipality=row.municipality,
                provider=row.provider,
                client=client,
                bsn=obj.client.bsn,
                traject=row.traject,
                provider_reference=p.referentie_aanbieder,
                products=[_requested(p)],
                message=row,
            )
            for p in obj.client.aangevraagde_producten
        ]
    else:
        verzoek = obj.client.verzoek
        products = (
            [{"change": "ongewijzigd", "assignment_number": p.toewijzing_nummer}
             for p in verzoek.ongewijzigde_producten]
            + [{"change": "wijzigen", "assignment_number": p.toewijzing_nummer, **_requested(p)}
               for p in verzoek.te_wijzigen_producten]
            + [{"change": "nieuw", **_requested(p)} for p in verzoek.nieuwe_producten]
        )  # fmt: skip
        created = [
            Request.objects.create(
                kind=Request.Kind.VOW,
                municipality=row.municipality,
                provider=row.provider,
                client=client,
                bsn=obj.client.bsn,
                traject=row.traject,
                provider_reference=verzoek.referentie_aanbieder,
                reason_code=verzoek.reden_verzoek,
                products=products,
                message=row,
            )
        ]
    recipients = (
        [row.traject.procesregisseur]
        if row.traject is not None and row.traject.procesregisseur_id
        else list(municipality_pas(row.municipality))
    )
    notify(
        recipients=recipients,
        subject=f"{created[0].get_kind_display()} van {row.provider.name}",
        text=(
            f"{len(created)} verzoek(en) (WMO{row.code}) ontvangen. Beoordeel ze en antwoord "
            "met een toewijzing of een afwijzing."
        ),
        url=reverse("portal:iwmo-requests"),
    )


def _requested(p) -> dict:
    omvang = getattr(p, "omvang", None)
    product = getattr(p, "product", None)
    start = getattr(p, "toewijzing_ingangsdatum", None) or getattr(p, "gewenste_ingangsdatum", None)
    end = getattr(p, "toewijzing_einddatum", None) or getattr(p, "einddatum", None)
    return {
        "category": product.categorie if product else "",
        "code": (product.code or "") if product else "",
        "start_on": start.isoformat() if start else None,
        "end_on": end.isoformat() if end else None,
        "volume": omvang.volume if omvang else None,
        "unit": omvang.eenheid if omvang else "",
        "frequency": omvang.frequentie if omvang else "",
        "budget": getattr(p, "budget", None),
    }


# --- answers (retours and 325) ---------------------------------------------------------------


def answer_received(row: Message, obj) -> None:
    """Link a retour to the message it answers and record the outcome there."""
    from .schemas import ORIGINAL_OF

    head = obj.header
    original_id = (
        head.declaratie_identificatie.identificatie
        if row.code == "325"
        else head.bericht_identificatie.identificatie
    )
    original = Message.objects.filter(
        side=row.side,
        direction=Message.Direction.OUTGOING,
        code=ORIGINAL_OF[row.code],
        identification=original_id,
        municipality=row.municipality,
        provider=row.provider,
    ).first()
    codes = retour.retour_codes_of(obj)
    row.retour_codes = codes
    row.accepted = retour.accepted(obj)
    if original is None:
        return
    row.in_reply_to = original
    row.traject_id = row.traject_id or original.traject_id
    row.client_id = row.client_id or original.client_id
    original.status = Message.Status.ANSWERED if row.accepted else Message.Status.REJECTED
    original.accepted = row.accepted
    original.retour_codes = codes
    original.save(update_fields=["status", "accepted", "retour_codes"])
    if row.code == "302" and row.accepted:
        _mark_received(original)
    if row.code == "325" and row.side == Side.PROVIDER:
        from openarrangementen.billing.services import apply_answer

        apply_answer(original, obj)
    if not row.accepted and original.traject is not None:
        text = (
            f"Het WMO{original.code}-bericht {original.identification} is afgekeurd "
            f"(retourcodes {', '.join(sorted({c for e in codes for c in e['codes']} - {'0200'}))})."
        )
        subject = f"WMO{original.code}-bericht afgekeurd"
        if row.side == Side.MUNICIPALITY:
            notify_municipality(original.traject, subject=subject, text=text)
        else:
            notify(
                recipients=provider_staff(original.provider_id, {Role.WERKVERDELER}),
                subject=subject,
                text=text,
            )


def _mark_received(original: Message) -> None:
    obj = codec.parse(original.xml)
    numbers = [p.toewijzing_nummer for p in obj.client.toegewezen_producten]
    Assignment.objects.filter(
        municipality=original.municipality, number__in=numbers, received_by_provider_at=None
    ).update(received_by_provider_at=timezone.now())


_HANDLERS = {
    (Side.PROVIDER, "301"): _assignment_received,
    (Side.PROVIDER, "319"): _answer_to_request,
    # A 305 is received set-based, with its handling (`iwmo.intake`).
    (Side.MUNICIPALITY, "307"): _stop_received,
    (Side.MUNICIPALITY, "315"): _request_received,
    (Side.MUNICIPALITY, "317"): _request_received,
}
