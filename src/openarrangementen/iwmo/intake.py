"""Start reports received set-based (issue #14, ADR 0015).

A provider's own software sends its starts by the hundred: a folder of WMO305s after a
weekend, a national provider's morning run. `receive_many` receives a run of them exactly as
`exchange.receive` receives one — every rule of the standard, the retour, a duplicate that
changes nothing, the start recorded on the traject — in a fixed number of queries for the
whole run instead of about fifty per message:

- the messages already received (duplicates) are found in one query, and the new ones
  stored in one;
- what the rules and the recording read — the toewijzingen with the numbers in the run (with
  client and traject), the reports received before, the inwoners — is read once
  (`context.Preloaded`); the links, roles and region settings once per batch (`core.memo`);
- the start reports, the starts on the trajects (`decisions.traject_starts_record`), the
  retours (`exchange.send_many`) and the processed messages are written in bulk.

Order still counts as it does one by one: a start received earlier in the run is seen by
the rules of the messages after it (TR074, TR326) and a traject started by one message is
not started again by the next. A single message (`exchange.receive`) takes the same path.
"""

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils import timezone

from openarrangementen.cases.services import TrajectError, notify_municipality
from openarrangementen.clients.models import Client
from openarrangementen.core import bulk
from openarrangementen.core.memo import batch

from . import codec, exchange
from .context import Preloaded, StoreContext
from .handlers import delivery_report
from .models import Assignment, DeliveryReport, Message

SET_BASED = frozenset({"305"})
IN_CHUNKS = 5_000  # numbers per IN list


def receive_many(items: list["exchange.Incoming"]) -> list["exchange.Received"]:
    """Receive a run of start reports (WMO305), in order; one `Received` per item."""
    with batch():
        try:
            with transaction.atomic():
                return _receive(items)
        except IntegrityError:
            # One of them arrived at the same moment through another path: each on its own.
            if len(items) > 1:
                return [result for item in items for result in receive_many([item])]
            (item,) = items
            existing = _stored(items)[item.key]
            return [exchange._duplicate(existing, item.obj, item.xml)]


def _receive(items: list) -> list:
    stored = _stored(items)
    first: dict[tuple, int] = {}
    for i, item in enumerate(items):
        if item.key not in stored and item.key not in first:
            first[item.key] = i
    fresh = sorted(first.values())
    rows = dict(
        zip(
            fresh,
            Message.objects.bulk_create(Message(**exchange.incoming_row(items[i])) for i in fresh),
            strict=True,
        )
    )
    loaded = _load([items[i] for i in fresh])
    today = exchange.today()
    reports: list[DeliveryReport] = []
    starts: list[tuple] = []
    answers: list[exchange.Outgoing] = []
    from .rules import check

    for i in fresh:
        item, row = items[i], rows[i]
        ctx = StoreContext(today=today, message=row, preloaded=loaded)
        header_codes, class_codes = exchange.judge(row, item.obj, check(item.obj, ctx))
        _link(row, item.obj, loaded)
        if row.accepted:
            _record(row, item.obj, loaded, reports, starts)
        answers.append(exchange.retour_of(row, item.obj, header_codes, class_codes))
        row.status = Message.Status.ANSWERED if row.accepted else Message.Status.REJECTED
    DeliveryReport.objects.bulk_create(reports)
    _start(starts)
    sent = dict(zip(fresh, exchange.send_many(answers), strict=True)) if answers else {}
    bulk.update(list(rows.values()), exchange.PROCESSED_FIELDS)
    results = []
    for i, item in enumerate(items):
        if i in rows:
            results.append(exchange.Received(message=rows[i], retour=sent[i]))
        else:
            earlier = stored.get(item.key) or rows[first[item.key]]
            results.append(exchange._duplicate(earlier, item.obj, item.xml))
    return results


def _stored(items: list) -> dict[tuple, Message]:
    """The messages of the run received before, by `Incoming.key`, in one query."""
    found: dict[tuple, Message] = {}
    wanted = {item.key for item in items}
    by_sender: dict[tuple, set[str]] = defaultdict(set)
    for side, sender, code, identification in wanted:
        by_sender[(side, sender, code)].add(identification)
    for (side, sender, code), identifications in by_sender.items():
        for row in Message.objects.filter(
            side=side,
            direction=Message.Direction.INCOMING,
            sender_code=sender,
            code=code,
            identification__in=sorted(identifications),
        ):
            found[(row.side, row.sender_code, row.code, row.identification)] = row
    return found


def _numbers(obj) -> list[int]:
    """Every ToewijzingNummer in the message (as `handlers.link` reads them)."""
    return [
        item.toewijzing_nummer
        for _, item in codec.walk(obj)
        if getattr(item, "toewijzing_nummer", None) is not None
    ]


def _chunks(values):
    values = sorted(values)
    for start in range(0, len(values), IN_CHUNKS):
        yield values[start : start + IN_CHUNKS]


def _load(items: list) -> Preloaded:
    """What the rules, the links and the recording of these messages read."""
    loaded = Preloaded()
    numbers: dict[int, set[int]] = defaultdict(set)
    pairs: dict[tuple[int, int], set[int]] = defaultdict(set)
    bsns: dict[int, set[str]] = defaultdict(set)
    for item in items:
        found = _numbers(item.obj)
        numbers[item.municipality.pk].update(found)
        pairs[(item.municipality.pk, item.provider.pk)].update(found)
        bsns[item.municipality.pk].add(item.obj.client.bsn)
    trajects: dict[int, object] = {}  # one object per traject: a start seen by the next
    for municipality_id, wanted in numbers.items():
        for part in _chunks(wanted):
            for a in Assignment.objects.filter(
                municipality_id=municipality_id, number__in=part
            ).select_related("client", "traject"):
                if a.traject_id is not None:
                    a.traject = trajects.setdefault(a.traject_id, a.traject)
                loaded.assignments[(municipality_id, a.number)] = a
    for (municipality_id, provider_id), wanted in pairs.items():
        for number in wanted:
            loaded.reports[(municipality_id, provider_id, number)] = []
        for part in _chunks(wanted):
            for report in DeliveryReport.objects.filter(
                message__municipality_id=municipality_id,
                message__provider_id=provider_id,
                assignment_number__in=part,
            ).order_by("created_at", "pk"):
                key = (municipality_id, provider_id, report.assignment_number)
                loaded.reports[key].append(report)
    for municipality_id, wanted in bsns.items():
        for part in _chunks(wanted):
            for client in Client.objects.filter(municipality_id=municipality_id, bsn__in=part):
                loaded.clients[(municipality_id, client.bsn)] = client
    return loaded


def _link(row: Message, obj, loaded: Preloaded) -> None:
    """`handlers.link` from what is loaded: the client by BSN, the traject of the
    toewijzing with the lowest number that has one."""
    from openarrangementen.cases.models import Traject

    municipality_id = row.municipality.pk
    row.client = loaded.clients.get((municipality_id, obj.client.bsn))
    with_traject = sorted(
        (a.number, a)
        for n in set(_numbers(obj))
        if (a := loaded.assignments.get((municipality_id, n))) is not None
        and a.traject_id is not None
    )
    if with_traject:
        row.traject = with_traject[0][1].traject
    if row.traject_id is None and row.client_id and row.provider_id:
        row.traject = (
            Traject.objects.filter(client_id=row.client_id, provider_id=row.provider_id)
            .order_by("-created_at")
            .first()
        )


def _record(row: Message, obj, loaded: Preloaded, reports: list, starts: list) -> None:
    """An approved 305: a report per StartProduct (seen by the messages after it), and the
    start of each traject not started yet, by the link's service user."""
    from openarrangementen.decisions.services import start_refusal

    user = None
    for line in obj.client.start_producten:
        assignment = loaded.assignments.get((row.municipality.pk, line.toewijzing_nummer))
        report = delivery_report(row, obj, line, DeliveryReport.Kind.START, assignment)
        report.created_at = timezone.now()  # the order the messages after it see
        reports.append(report)
        key = (row.municipality.pk, row.provider.pk, line.toewijzing_nummer)
        loaded.reports.setdefault(key, []).append(report)
        traject = assignment.traject if assignment else None
        if traject is None or line.status_aanlevering != "1" or traject.started_on:
            continue
        user = user or _service_user(row)
        refusal = (
            start_refusal(traject, user, line.begindatum)
            if user
            else "geen systeemgebruiker voor deze koppeling"
        )
        starts.append((row, traject, line.begindatum, user, refusal))
        if not refusal:
            traject.started_on = line.begindatum  # the next message finds it started


def _service_user(row: Message):
    from .links import endpoint_for

    endpoint = endpoint_for(provider_id=row.provider.pk, region_id=row.municipality.region_id)
    return endpoint.service_user if endpoint else None


def _start(starts: list) -> None:
    """Record the starts on the trajects, per service user in the order received; a start
    the traject refuses is told to the municipality, as one by one."""
    from openarrangementen.decisions.services import traject_starts_record

    by_user: dict[int, list] = defaultdict(list)
    refused = []
    for row, traject, started_on, user, refusal in starts:
        if refusal:
            refused.append((row, traject, started_on, refusal))
        else:
            by_user[user.pk].append((row, traject, started_on, user))
    for group in by_user.values():
        user = group[0][3]
        outcomes = traject_starts_record([(t, on) for _, t, on, _ in group], actor=user)
        for (row, traject, started_on, _), outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, TrajectError):
                traject.started_on = None
                refused.append((row, traject, started_on, str(outcome)))
    for row, traject, started_on, refusal in refused:
        _tell_municipality(row, traject, started_on, refusal)


def _tell_municipality(row, traject, started_on, refusal: str) -> None:
    import logging

    logging.getLogger(__name__).info(
        "Start from WMO305 %s not applied to the traject: %s", row.pk, refusal
    )
    notify_municipality(
        traject,
        subject=f"Start ontvangen voor traject {traject.number}",
        text=(
            f"De aanbieder meldde de start op {started_on:%d-%m-%Y} (WMO305). "
            f"Leg de start vast op het traject: {refusal}."
        ),
    )
