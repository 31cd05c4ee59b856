"""The message exchange: store, validate and send outgoing messages; receive, check, answer
and process incoming ones. Both sides run here: the municipality's, and the provider's for
providers who work in the portal.

Sending: `send(obj, ...)` builds the XML, validates it against the XSD (an invalid message
is refused and nothing is stored), stores it in the outbox and hands it to the provider's
transport. Receiving: `receive(data, transport=...)` follows the standard's control levels
(IV028/IV032): unreadable or XSD-invalid → refused without a retour; already received →
nothing changes; level 2 errors → header-only retour 0001; level 3/4 errors → retour codes
per class; no errors → header-only retour and the message is processed.
"""

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from lxml import etree

from openarrangementen.accounts.models import Municipality, Provider
from openarrangementen.core import bulk
from openarrangementen.core.memo import batch, once
from openarrangementen.core.selectors import add_working_days

from . import codec, retour, schemas
from .links import endpoint_for
from .models import Endpoint, Message, Side
from .xmlsafe import XmlRefused, max_bytes, parse_xml

logger = logging.getLogger(__name__)

RETOUR_WORKING_DAYS = 3  # a retour within 3 working days
DECLARATION_ANSWER_WORKING_DAYS = 10  # a 325 within 10 working days of the 323
MAX_ATTEMPTS = 5


class ExchangeError(Exception):
    """A message cannot be made or sent; the message is for the user (Dutch)."""


class MessageTooLarge(ExchangeError):
    """The message is larger than a receiver takes (`IWMO_MAX_MESSAGE_BYTES`)."""


@dataclass
class Received:
    message: Message | None = None
    retour: Message | None = None
    errors: list[str] = field(default_factory=list)
    duplicate: bool = False

    @property
    def refused(self) -> bool:
        return bool(self.errors)


def side_receiving(code: str) -> str:
    return Side.MUNICIPALITY if code in schemas.PROVIDER_SENDS else Side.PROVIDER


def digest(xml: str) -> str:
    return hashlib.sha256(xml.encode("utf-8")).hexdigest()


def today():
    return timezone.localdate()


# --- sending ---------------------------------------------------------------------------------


# What processing a received message may change (not its XML: rewriting it costs).
PROCESSED_FIELDS = (
    "status", "violations", "accepted", "processed_at", "client", "traject", "in_reply_to",
    "retour_codes",
)  # fmt: skip
# What `send` sets once the outbox row exists.
SENT_FIELDS = (
    "identification", "dated_on", "retour_codes", "accepted", "xml", "digest", "status",
    "answer_due_on", "transport", "next_attempt_at",
)  # fmt: skip


def new_identification(message: Message) -> str:
    return f"{message.pk:012d}"[-12:]


@dataclass
class Outgoing:
    """A message to send: `build(identification, dated_on)` returns the typed message object;
    it is called once the outbox row exists, so the identification is unique."""

    build: object
    code: str
    side: str
    municipality: Municipality
    provider: Provider
    client: object = None
    traject: object = None
    in_reply_to: Message | None = None


@transaction.atomic
def send(
    build,
    *,
    code: str,
    side: str,
    municipality: Municipality,
    provider: Provider,
    client=None,
    traject=None,
    in_reply_to: Message | None = None,
) -> Message:
    """Store and send a message. `build(identification, dated_on)` returns the typed message
    object; it is called once the outbox row exists, so the identification is unique."""
    return send_many(
        [Outgoing(build, code, side, municipality, provider, client, traject, in_reply_to)]
    )[0]


@transaction.atomic
def send_many(messages: list[Outgoing]) -> list[Message]:
    """Store and send messages, each as `send` does, in a fixed number of queries (issue #14:
    the retours of a batch of received messages). Nothing is stored when one of them is
    refused (XSD, the standard's own rules, size)."""
    schemas.schemas()  # SchemasMissing (Dutch) before anything is stored
    rows = Message.objects.bulk_create(
        Message(
            side=m.side,
            direction=Message.Direction.OUTGOING,
            code=m.code,
            status=Message.Status.DRAFT,
            sender_code=m.municipality.cbs_code
            if m.side == Side.MUNICIPALITY
            else m.provider.agb_code,
            receiver_code=m.provider.agb_code
            if m.side == Side.MUNICIPALITY
            else m.municipality.cbs_code,
            identification=uuid.uuid4().hex[:12],  # replaced by the row's own number below
            municipality=m.municipality,
            provider=m.provider,
            client=m.client,
            traject=m.traject,
            in_reply_to=m.in_reply_to,
        )
        for m in messages
    )
    for row, message in zip(rows, messages, strict=True):
        _seal(row, message)
    bulk.update(rows, SENT_FIELDS)
    queued = [row for row in rows if row.transport != Endpoint.Transport.IN_PROCESS]
    for row in rows:
        if row.transport == Endpoint.Transport.IN_PROCESS:
            deliver(row)
    if queued:
        # Sent by the worker, never inside the request that made it (issue #23): a provider
        # that accepts and never answers would hold the request for the whole timeout.
        from openarrangementen.core.jobs import enqueue

        if len(queued) == 1:
            enqueue("openarrangementen.iwmo.exchange.dispatch_pending", pk=queued[0].pk)
        else:
            enqueue("openarrangementen.iwmo.exchange.dispatch_pending")
    return rows


def _seal(row: Message, message: Outgoing) -> None:
    """Give the outbox row its identification and XML, checked as its receiver will check
    it; refuse (`ExchangeError`) what the receiver would refuse."""
    code = message.code
    row.identification = new_identification(row)
    row.dated_on = today()
    obj = message.build(row.identification, row.dated_on)
    if code in schemas.ORIGINAL_OF:
        row.retour_codes = retour.retour_codes_of(obj)
        row.accepted = retour.accepted(obj)
    element = codec.to_element(obj)
    errors = schemas.validate(code, element)
    if errors:
        # Nothing leaves the house that the receiver's XSD would refuse.
        raise ExchangeError(
            f"Het WMO{code}-bericht voldoet niet aan het XSD: " + "; ".join(errors[:3])
        )
    from .rules import check
    from .rules.base import Level, RuleContext

    own = check(obj, RuleContext(today=today()), level=Level.CONTENT)
    if own:
        # The receiver would refuse it with 0001; say which rule instead of sending it.
        raise ExchangeError(
            f"Het WMO{code}-bericht breekt regel "
            + "; ".join(f"{v.code}: {v.text}" for v in own[:3])
        )
    row.xml = etree.tostring(element, encoding="unicode", pretty_print=True)
    size, limit = len(row.xml.encode("utf-8")), max_bytes()
    if size > limit:
        # The receiver (this product's too) refuses it unread; split it instead.
        raise MessageTooLarge(
            f"Het WMO{code}-bericht is {size:,} bytes; een ontvanger neemt er ten hoogste "
            f"{limit:,}.".replace(",", ".")
        )
    row.digest = digest(row.xml)
    row.status = Message.Status.VALIDATED
    if code in schemas.RETOUR_OF:
        working_days = DECLARATION_ANSWER_WORKING_DAYS if code == "323" else RETOUR_WORKING_DAYS
        row.answer_due_on = add_working_days(row.dated_on, working_days)
    row.transport = transport_name(message.provider, message.municipality)
    row.next_attempt_at = timezone.now()


def transport_name(provider: Provider, municipality: Municipality) -> str:
    """The transport of the provider's link in the municipality's region."""
    return transport_of(provider_id=provider.pk, region_id=municipality.region_id)


def transport_of(*, provider_id: int | None, region_id: int | None) -> str:
    """`transport_name` by ids: the portal (in process) when the provider has no link."""
    endpoint = endpoint_for(provider_id=provider_id, region_id=region_id)
    return endpoint.transport if endpoint else Endpoint.Transport.IN_PROCESS


def deliver(row: Message) -> None:
    """One attempt to hand the message to its transport; on failure, retry with backoff,
    then flag it for the administrator."""
    from .transports import TransportError, transport_for

    try:
        with transaction.atomic():
            transport_for(row).deliver(row)
    except TransportError as exc:
        row.attempts += 1
        row.last_error = str(exc)[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = Message.Status.FAILED
            row.needs_attention = True
            row.next_attempt_at = None
            _tell_administrators(row)
        else:
            row.next_attempt_at = timezone.now() + backoff(row.attempts)
        row.save(
            update_fields=["attempts", "last_error", "status", "needs_attention", "next_attempt_at"]
        )
        logger.warning("iWmo message %s not delivered: %s", row.pk, exc)
        return
    row.refresh_from_db(fields=["status", "accepted", "retour_codes"])
    row.attempts += 1
    row.sent_at = timezone.now()
    row.next_attempt_at = None
    row.last_error = ""
    row.needs_attention = False
    if row.status in {Message.Status.VALIDATED, Message.Status.FAILED}:
        row.status = Message.Status.SENT
    row.save(
        update_fields=[
            "attempts", "sent_at", "next_attempt_at", "last_error", "needs_attention", "status"
        ]
    )  # fmt: skip


def backoff(attempts: int) -> timedelta:
    """1, 5, 25, 125 minutes."""
    return timedelta(minutes=5 ** (attempts - 1))


def dispatch_pending(*, pk: int | None = None) -> int:
    """Send what is due (all, or one message); returns how many were attempted.

    Each message is claimed with a row lock that others skip (`skip_locked`), held while it
    is handed over: two workers, or the scheduled sender and the one just queued for this
    message, never deliver it twice. After the attempt the message is sent, or due later
    (backoff), or failed: either way no longer due, so the loop moves on."""
    due = Message.objects.filter(
        direction=Message.Direction.OUTGOING,
        status=Message.Status.VALIDATED,
        next_attempt_at__lte=timezone.now(),
    ).order_by("next_attempt_at", "pk")
    if pk is not None:
        due = due.filter(pk=pk)
    count = 0
    while True:
        with transaction.atomic():
            row = due.select_for_update(skip_locked=True).first()
            if row is None:
                return count
            deliver(row)
            count += 1


@transaction.atomic
def resend(row: Message) -> Message:
    """By hand, after the administrator fixed the link: one more series of attempts."""
    schemas.schemas()  # SchemasMissing (Dutch) instead of a wasted attempt
    row = Message.objects.select_for_update().get(pk=row.pk)
    if row.direction != Message.Direction.OUTGOING or row.status not in {
        Message.Status.FAILED,
        Message.Status.VALIDATED,
    }:
        raise ExchangeError("Alleen een bericht dat niet verzonden kon worden, kan opnieuw.")
    row.status = Message.Status.VALIDATED
    row.attempts = 0
    row.needs_attention = False
    row.next_attempt_at = timezone.now()
    row.save(update_fields=["status", "attempts", "needs_attention", "next_attempt_at"])
    deliver(row)
    row.refresh_from_db()
    return row


def _tell_administrators(row: Message) -> None:
    from django.urls import reverse

    from openarrangementen.accounts.domain import Role
    from openarrangementen.accounts.models import User
    from openarrangementen.core.notifications import notify

    recipients = User.objects.filter(
        is_active=True, role_assignments__role=Role.FUNCTIONEEL_BEHEERDER.value
    ).distinct()
    notify(
        recipients=recipients,
        subject=f"WMO{row.code}-bericht {row.identification} niet verzonden",
        text=(
            f"Na {row.attempts} pogingen kon het bericht niet worden afgeleverd: "
            f"{row.last_error[:300]} Controleer de koppeling en verstuur het opnieuw."
        ),
        url=reverse("portal:iwmo-message", args=[row.pk]),
    )


# --- receiving -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parties:
    municipality_code: str
    provider_code: str
    sender_code: str  # who actually sent this message
    receiver_code: str
    identification: str  # this message's own identification
    dated_on: object


def header_parties(obj) -> Parties:
    """A retour copies the Header of the message it answers (IV028): its Afzender is the
    party that receives the retour, and its own identification is IdentificatieRetour."""
    code = codec.code_of(obj)
    head = obj.header
    is_retour = code in schemas.ORIGINAL_OF and code != "325"
    sent_by_municipality = code in schemas.MUNICIPALITY_SENDS
    if sent_by_municipality != is_retour:
        municipality_code, provider_code = head.afzender, head.ontvanger
    else:
        municipality_code, provider_code = head.ontvanger, head.afzender
    sender, receiver = (
        (municipality_code, provider_code)
        if sent_by_municipality
        else (provider_code, municipality_code)
    )
    if is_retour:
        identification, dated_on = head.identificatie_retour, head.dagtekening_retour
    else:
        identification = head.bericht_identificatie.identificatie
        dated_on = head.bericht_identificatie.dagtekening
    return Parties(municipality_code, provider_code, sender, receiver, identification, dated_on)


@dataclass
class Incoming:
    """A message read, XSD-valid and from known parties: what is stored and processed."""

    obj: object
    code: str
    side: str
    xml: str
    transport: str
    municipality: Municipality
    provider: Provider
    parties: "Parties"

    @property
    def key(self) -> tuple:
        """What makes a received message the same message (TR056)."""
        return (self.side, self.parties.sender_code, self.code, self.parties.identification)


def receive(
    data: bytes | str, *, transport: str, provider: Provider | None = None, region=None
) -> Received:
    """Receive one message. `provider` and `region` are set when the transport authenticated
    the sender (HTTP token, folder of that provider's link in that region): a message
    claiming another sender, or a municipality outside the link's region, is refused."""
    incoming = read(data, transport=transport, provider=provider, region=region)
    if isinstance(incoming, Received):
        return incoming
    return _store_and_process([incoming])[0]


def read(
    data: bytes | str, *, transport: str, provider: Provider | None = None, region=None
) -> Incoming | Received:
    """The message read and its header checked (`receive`), or the refusal without a
    retour (unreadable, XSD-invalid, unknown or wrong parties). Nothing is stored."""
    try:
        root = parse_xml(data)
        code = codec.detect_code(root)
        schemas.schemas()
    except (XmlRefused, codec.MessageError, schemas.SchemasMissing) as exc:
        return Received(errors=[str(exc)])
    errors = schemas.validate(code, root)
    if errors:
        return Received(errors=["Het bericht voldoet niet aan het XSD (geen retour):", *errors])
    obj = codec.from_element(root)
    parties = header_parties(obj)
    municipality = once(
        ("municipality", parties.municipality_code),
        lambda: Municipality.objects.filter(cbs_code=parties.municipality_code).first(),
    )
    sender_provider = once(
        ("provider", parties.provider_code),
        lambda: Provider.objects.filter(agb_code=parties.provider_code).first(),
    )
    municipality_code, provider_code = parties.municipality_code, parties.provider_code
    if municipality is None or sender_provider is None:
        return Received(
            errors=[
                f"Onbekende {'gemeente' if municipality is None else 'aanbieder'} in de header "
                f"({municipality_code if municipality is None else provider_code})."
            ]
        )
    if provider is not None and provider.pk != sender_provider.pk:
        return Received(errors=["De afzender of ontvanger hoort niet bij deze koppeling."])
    if region is not None and municipality.region_id != region.pk:
        return Received(errors=["De gemeente in de header hoort niet bij deze koppeling."])
    return Incoming(
        obj=obj,
        code=code,
        side=side_receiving(code),
        xml=etree.tostring(root, encoding="unicode", pretty_print=True),
        transport=transport,
        municipality=municipality,
        provider=sender_provider,
        parties=parties,
    )


BATCH_SIZE = 500  # a transaction of a second or two: short locks, little to redo


def receive_batch(
    items, *, transport: str, provider: Provider | None = None, region=None
) -> list[Received]:
    """Receive many messages (a folder's files) exactly as `receive` receives each, in
    order: every rule, every retour, a duplicate changes nothing. Faster in three ways
    (issue #14): what does not change between them (the parties in the headers, the link,
    the region's product codes, the PAs to notify) is read once (`core.memo.batch`); each
    chunk of `BATCH_SIZE` is one transaction, written whole or not at all; and start
    reports are received set-based (`iwmo.intake`)."""
    items = list(items)
    results: list[Received] = []
    with batch():
        for start in range(0, len(items), BATCH_SIZE):
            with transaction.atomic():
                reads = [
                    read(data, transport=transport, provider=provider, region=region)
                    for data in items[start : start + BATCH_SIZE]
                ]
                results.extend(_received_in_order(reads))
    return results


def _received_in_order(reads: list) -> list[Received]:
    """Store and process the messages read, in order: a run of messages of the same
    set-based type together, any other one by one."""
    from .intake import SET_BASED

    results: list[Received] = []
    run: list[Incoming] = []
    for item in [*reads, None]:
        if (
            isinstance(item, Incoming)
            and item.code in SET_BASED
            and (not run or run[0].code == item.code)
        ):
            run.append(item)
            continue
        if run:
            results.extend(_store_and_process(run))
            run = []
        if isinstance(item, Incoming) and item.code in SET_BASED:
            run.append(item)
        elif isinstance(item, Incoming):
            results.extend(_store_and_process([item]))
        elif item is not None:
            results.append(item)
    return results


def _store_and_process(items: list[Incoming]) -> list[Received]:
    """Store and process messages of one type: set-based for the types `iwmo.intake`
    takes, one by one for the others."""
    from . import intake

    if items[0].code in intake.SET_BASED:
        return intake.receive_many(items)
    return [_store_and_process_one(item) for item in items]


def _store_and_process_one(item: Incoming) -> Received:
    parties = item.parties
    existing = Message.objects.filter(
        side=item.side,
        direction=Message.Direction.INCOMING,
        sender_code=parties.sender_code,
        code=item.code,
        identification=parties.identification,
    ).first()
    if existing is not None:
        return _duplicate(existing, item.obj, item.xml)
    try:
        with transaction.atomic():
            row = Message.objects.create(**incoming_row(item))
            return _process(row, item.obj)
    except IntegrityError:
        # The same message arrived at the same moment through another path.
        existing = Message.objects.get(
            side=item.side,
            direction=Message.Direction.INCOMING,
            sender_code=parties.sender_code,
            code=item.code,
            identification=parties.identification,
        )
        return _duplicate(existing, item.obj, item.xml)


def incoming_row(item: Incoming) -> dict:
    """The fields of the stored row of a received message, before it is processed."""
    return {
        "side": item.side,
        "direction": Message.Direction.INCOMING,
        "code": item.code,
        "status": Message.Status.VALIDATED,
        "sender_code": item.parties.sender_code,
        "receiver_code": item.parties.receiver_code,
        "identification": item.parties.identification,
        "dated_on": item.parties.dated_on,
        "xml": item.xml,
        "digest": digest(item.xml),
        "municipality": item.municipality,
        "provider": item.provider,
        "transport": item.transport,
    }


def _duplicate(existing: Message, obj, xml: str) -> Received:
    if existing.digest == digest(xml):
        # The same message twice: nothing changes; the first answer stands.
        return Received(message=existing, retour=existing.answers.first(), duplicate=True)
    # Another message under an identification already used (TR056): refused in the header.
    # It cannot be stored under the same key, so only the retour is kept and sent.
    from .rules.base import retour_code_of

    code = codec.code_of(obj)
    retour = None
    if code in schemas.RETOUR_OF:
        retour = _send_retour(existing, obj, header_codes=[retour_code_of("TR056")], link=False)
    return Received(
        message=None,
        retour=retour,
        duplicate=True,
        errors=[
            "TR056: deze berichtidentificatie is al gebruikt voor een ander "
            f"WMO{code}-bericht van deze afzender."
        ],
    )


def judge(row: Message, obj, violations) -> tuple[list[str] | None, dict[int, list[str]] | None]:
    """Record the violations found in a received message on its row and say how the retour
    answers them (IV028/IV032): (header codes, codes per class object by `id()`), at most
    one of them set. A level-2 violation refuses the whole message with 0001."""
    from .rules.base import Level, rule_level

    row.violations = [
        {
            "code": v.code,
            "retour_code": v.retour_code,
            "class": codec.class_name(v.obj) if v.obj is not None else "Header",
            "text": v.text,
        }
        for v in violations
    ]
    header_codes, class_codes = None, None
    level_two = [v for v in violations if rule_level(v.code) <= Level.CONTENT]
    in_header = [v for v in violations if v.obj is None or v.obj is obj.header or v.obj is obj]
    if level_two:
        header_codes = [retour.TECHNICAL]
    elif in_header:
        header_codes = sorted({v.retour_code for v in in_header})
    elif violations:
        class_codes = {}
        for v in violations:
            class_codes.setdefault(id(v.obj), [])
            if v.retour_code not in class_codes[id(v.obj)]:
                class_codes[id(v.obj)].append(v.retour_code)
    row.accepted = not violations
    row.processed_at = timezone.now()
    return header_codes, class_codes


def _process(row: Message, obj) -> Received:
    from . import handlers
    from .context import StoreContext
    from .rules import check

    ctx = StoreContext(today=today(), message=row)
    if row.code == "323" and getattr(obj, "declaratie", None) is not None:
        ctx.preload_assignments(
            p.toewijzing_nummer for c in obj.declaratie.clienten for p in c.prestaties
        )
    violations = check(obj, ctx)
    header_codes, class_codes = judge(row, obj, violations)
    handlers.link(row, obj)
    if row.code in schemas.ORIGINAL_OF:
        # A retour or a 325: it answers one of our messages. Its own retour codes say how
        # our message fared; the violations found in it say whether we accept the answer.
        handlers.answer_received(row, obj)
        row.accepted = bool(row.accepted) and not violations
        row.status = Message.Status.ANSWERED if row.accepted else Message.Status.REJECTED
    elif not violations:
        handlers.process(row, obj)
    if row.code == "323" and row.side == Side.MUNICIPALITY and header_codes is None:
        # The billing check judges every Prestatie the standard's rules did not refuse against
        # what is owed; the 325 lists every refused one (billing.services).
        from openarrangementen.billing.services import check_declaration

        refused = {**(class_codes or {}), **check_declaration(row, obj, skip=class_codes or {})}
        answer = _send_retour(row, obj, class_codes=refused or None)
        row.accepted = not refused
        row.status = Message.Status.ANSWERED if not violations else Message.Status.REJECTED
    elif row.code in schemas.RETOUR_OF:
        answer = _send_retour(row, obj, header_codes=header_codes, class_codes=class_codes)
        row.status = Message.Status.ANSWERED if not violations else Message.Status.REJECTED
    else:
        answer = None  # a retour or a 325 is not answered
    row.save(update_fields=PROCESSED_FIELDS)
    return Received(message=row, retour=answer)


def _send_retour(row: Message, obj, *, header_codes=None, class_codes=None, link=True) -> Message:
    return send_many([retour_of(row, obj, header_codes, class_codes, link=link)])[0]


def retour_of(row: Message, obj, header_codes=None, class_codes=None, *, link=True) -> Outgoing:
    """The retour of a received message (`judge` gives the codes), to send."""

    def build(identification, dated_on):
        return retour.retour_for(
            obj,
            identification=identification,
            dated_on=dated_on,
            header_codes=header_codes,
            class_codes=class_codes,
        )

    return Outgoing(
        build=build,
        code=schemas.RETOUR_OF[codec.code_of(obj)],
        side=row.side,
        municipality=row.municipality,
        provider=row.provider,
        client=row.client,
        traject=row.traject,
        in_reply_to=row if link else None,
    )
