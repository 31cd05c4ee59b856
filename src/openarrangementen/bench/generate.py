"""A realistic data set of a given size for `scripts/bench.sh` (issue #14).

The templates come from the real services (`seed_demo`: regions, catalogs, providers,
contracts, users); the volume is bulk-inserted: inwoners, trajects in every phase with
consistent event dates, their stored deadlines (computed by `cases.domain`, as the services
would), the POP deel I of each decided traject, toewijzingen as sent in a WMO301, their
approved starts (305) and stops (307) with the messages on both sides, and an access-log
history. Declaration lines are made by the billing
step of the benchmark (`bench.billing`).

Deterministic for a given size (seeded random), bounded in memory (batches).
"""

import hashlib
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import Municipality, Provider, User
from openarrangementen.cases.deadlines import Inputs
from openarrangementen.cases.domain import CLOSED, Event, TrajectStatus, pending_deadlines
from openarrangementen.cases.models import PendingDeadline, Traject
from openarrangementen.catalog.domain import PriceKind
from openarrangementen.catalog.models import Level
from openarrangementen.clients.models import Client
from openarrangementen.contracting.models import Contract
from openarrangementen.core.models import AccessLog
from openarrangementen.iwmo.models import Assignment, DeliveryReport, Message, Side
from openarrangementen.plans.domain import SHAREABLE_FIELDS
from openarrangementen.plans.models import Consent, PartOne

S = TrajectStatus
BATCH = 5_000
# Phase mix of a region's trajects at one moment (most are in delivery or done).
PHASES: list[tuple[TrajectStatus, int]] = [
    (S.MELDING, 3),
    (S.INTAKE, 4),
    (S.ASSESSMENT, 4),
    (S.PROVIDER_CHOICE, 2),
    (S.WITH_PROVIDER, 4),
    (S.PLAN_REVIEW, 2),
    (S.DECISION_DRAFT, 1),
    (S.DECISION_REVIEW, 1),
    (S.DECIDED, 3),
    (S.ACTIVE, 46),
    (S.ENDED, 22),
    (S.CLOSED_WITH_ADVICE, 6),
    (S.WITHDRAWN, 2),
]
# The phases in the order a traject goes through them (the enum's order, without the two
# ways out before a decision).
ORDER = [s for s in TrajectStatus if s not in {S.CLOSED_WITH_ADVICE, S.WITHDRAWN}]
XML_PADDING = "x" * 1800  # a WMO301 is about 2 kB
SHARED = list(SHAREABLE_FIELDS)


def valid_bsns(start: int) -> Iterator[str]:
    """Fictitious BSNs from 97... that pass the 11-proef."""
    n = start
    while True:
        digits = f"{n:08d}"
        total = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10:
            yield f"{digits}{last}"
        n += 1


def _events(status: TrajectStatus, melding: date, rng: random.Random) -> dict[str, date | None]:
    """Event dates that fit the phase: every step before it happened, in order."""
    reached = ORDER.index(status) if status in ORDER else 2
    dates: dict[str, date | None] = {e.value: None for e in Event}
    dates[Event.MELDING.value] = melding
    day = melding

    def step(field: str, after_phase: TrajectStatus, lo: int, hi: int) -> None:
        nonlocal day
        if reached > ORDER.index(after_phase):
            day = day + timedelta(days=rng.randint(lo, hi))
            dates[field] = day

    step(Event.INTAKE_PLANNED.value, S.MELDING, 1, 6)
    step(Event.INVESTIGATION_COMPLETED.value, S.ASSESSMENT, 5, 20)
    step(Event.APPLICATION.value, S.ASSESSMENT, 0, 2)
    step(Event.HANDED_TO_PROVIDER.value, S.PROVIDER_CHOICE, 2, 10)
    step(Event.PART_TWO_SUBMITTED.value, S.WITH_PROVIDER, 5, 15)
    step(Event.DECIDED.value, S.DECISION_REVIEW, 2, 9)
    step(Event.STARTED.value, S.DECIDED, 1, 8)
    return dates


def _xml(code: str, number: int) -> str:
    return f"<wmo{code}:Bericht><!-- bench {number} {XML_PADDING} --></wmo{code}:Bericht>"


def generate(n_trajects: int, *, seed: int = 14, today: date | None = None, out=None) -> dict:
    """Insert `n_trajects` trajects (and what goes with them); returns counts."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    municipalities = list(Municipality.objects.select_related("region").order_by("pk"))
    by_region: dict[int, list[Provider]] = {}
    for contract in Contract.objects.select_related("provider", "lot__catalog_version"):
        region_id = contract.lot.catalog_version.region_id
        providers = by_region.setdefault(region_id, [])
        if contract.provider not in providers:
            providers.append(contract.provider)
    professionals: dict[int, list[int]] = {}
    for user_id, provider_id in User.objects.filter(
        role_assignments__role=Role.BEGELEIDER.value
    ).values_list("pk", "role_assignments__provider_id"):
        professionals.setdefault(provider_id, []).append(user_id)
    actor = User.objects.filter(role_assignments__role=Role.PROCESREGISSEUR.value).first()
    # Toewijzingen are for the region's own products: output levels (a tariff per period).
    products: dict[int, list[tuple[str, str, int, int]]] = {}
    for region_id, category, code, level_id, arrangement_id in (
        Level.objects.filter(iwmo_unit="82", prices__kind=PriceKind.TARIFF.value)
        .values_list(
            "arrangement__catalog_version__region_id",
            "product_category",
            "product_code",
            "pk",
            "arrangement_id",
        )
        .distinct()
        .order_by("arrangement__catalog_version__region_id", "product_category", "product_code")
    ):
        products.setdefault(region_id, []).append((category, code, level_id, arrangement_id))
    # The providers with staff accounts are the larger ones in the demo: more of the work.
    staffed = set(professionals)
    phases = [p for p, _ in PHASES]
    weights = [w for _, w in PHASES]
    inputs = Inputs()
    bsns = valid_bsns(70_000_000 + (seed % 100) * 100_000)  # 8 digits + the check digit
    counts = {"trajects": 0, "messages": 0, "assignments": 0, "access_log": 0}
    next_number = (
        Assignment.objects.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    for start in range(0, n_trajects, BATCH):
        size = min(BATCH, n_trajects - start)
        with transaction.atomic():
            clients, plans = [], []
            for i in range(size):
                municipality = rng.choice(municipalities)
                status = rng.choices(phases, weights)[0]
                melding = today - timedelta(days=rng.randint(0, 900 if status in CLOSED else 120))
                if status in {S.ACTIVE, S.DECIDED}:
                    melding = today - timedelta(days=rng.randint(20, 700))
                clients.append(
                    Client(
                        bsn=next(bsns),
                        initials=rng.choice("ABCDEFGHJKLMNPRSTW") + ".",
                        family_name=rng.choice(SURNAMES)
                        + ("" if rng.random() < 0.7 else "-" + rng.choice(SURNAMES)),
                        birth_date=date(1930, 1, 1) + timedelta(days=rng.randint(0, 30000)),
                        municipality=municipality,
                        postcode=f"{rng.randint(1000, 9999)} {rng.choice('ABCDEFGH')}"
                        f"{rng.choice('KLMNPRST')}",
                    )
                )
                plans.append((municipality, status, melding, start + i))
            Client.objects.bulk_create(clients, batch_size=BATCH)
            trajects = []
            for client, (municipality, status, melding, index) in zip(clients, plans, strict=True):
                events = _events(status, melding, rng)
                handed = events[Event.HANDED_TO_PROVIDER.value] is not None
                providers = by_region[municipality.region_id]
                provider = (
                    rng.choices(providers, [5 if p.pk in staffed else 1 for p in providers])[0]
                    if handed
                    else None
                )
                pros = professionals.get(provider.pk, []) if provider else []
                ended_on = (
                    today - timedelta(days=rng.randint(1, 200)) if status is S.ENDED else None
                )
                traject = Traject(
                    number=f"B{municipality.cbs_code}-{index:08d}",
                    client=client,
                    municipality=municipality,
                    status=status.value,
                    channel="telefoon",
                    question="Ondersteuning thuis (benchmark).",
                    reported_by="inwoner",
                    provider=provider,
                    professional_id=rng.choice(pros) if pros and rng.random() < 0.8 else None,
                    ended_on=ended_on,
                    closed_on=(ended_on or melding + timedelta(days=10))
                    if status in CLOSED
                    else None,
                    **events,
                )
                pending = pending_deadlines(
                    inputs.rules(municipality.region_id),
                    events={e: getattr(traject, e.value) for e in Event},
                    extra_holidays=inputs.extra_holidays,
                    closed=status in CLOSED,
                )
                traject.next_deadline_on = pending[0].due_on if pending else None
                traject.next_deadline_kind = pending[0].kind.value if pending else ""
                traject._pending = pending
                trajects.append(traject)
            Traject.objects.bulk_create(trajects, batch_size=BATCH)
            PendingDeadline.objects.bulk_create(
                (
                    PendingDeadline(
                        traject=t,
                        kind=d.kind.value,
                        starts_on=d.starts_on,
                        due_on=d.due_on,
                        municipality_id=t.municipality_id,
                        provider_id=t.provider_id,
                    )
                    for t in trajects
                    for d in t._pending
                ),
                batch_size=BATCH,
            )
            # The client's consent to share with the provider: what lets the provider see
            # the traject at all (`traject_list_visible_to`).
            Consent.objects.bulk_create(
                (
                    Consent(
                        traject=t,
                        provider=t.provider,
                        is_given=True,
                        shared_fields=SHARED,
                        given_on=t.handed_to_provider_on,
                        recorded_by=actor,
                    )
                    for t in trajects
                    if t.provider_id is not None
                ),
                batch_size=BATCH,
            )
            assignments, messages, logs, parts = [], [], [], []
            sent_301, received = {}, {}
            for traject in trajects:
                if traject.decided_on is None or traject.provider_id is None:
                    continue
                number = next_number
                next_number += 1
                category, product_code, level_id, arrangement_id = rng.choice(
                    products[traject.municipality.region_id]
                )
                # POP deel I, what the beschikking was decided on (its period and level).
                parts.append(
                    PartOne(
                        traject=traject,
                        arrangement_id=arrangement_id,
                        level_id=level_id,
                        own_strength="Netwerk helpt waar het kan.",
                        prior_facilities="Geen.",
                        general_facilities="Buurthuis.",
                        customised_support="Begeleiding thuis (benchmark).",
                        suffers_from="Overzicht kwijt.",
                        cannot_do="Post en geldzaken zelf regelen.",
                        level_argumentation="Past bij de situatie.",
                        start_on=traject.decided_on,
                        end_on=traject.decided_on + timedelta(days=365),
                        goals="Zelf de post bijhouden.",
                        completed_by=actor,
                    )
                )
                assignments.append(
                    Assignment(
                        municipality=traject.municipality,
                        provider=traject.provider,
                        client=traject.client,
                        traject=traject,
                        number=number,
                        product_category=category,
                        product_code=product_code,
                        assigned_at=timezone.make_aware(
                            datetime.combine(traject.decided_on, time(9))
                        ),
                        start_on=traject.decided_on,
                        end_on=traject.decided_on + timedelta(days=365),
                        changed_since_sent=False,
                    )
                )
                codes = ["301", "302"] + (["305", "306"] if traject.started_on else [])
                if traject.started_on and traject.ended_on:
                    codes += ["307", "308"]
                for code in codes:
                    from_municipality = code in {"301", "306"}
                    for side in (Side.MUNICIPALITY, Side.PROVIDER):
                        outgoing = (side == Side.MUNICIPALITY) == from_municipality
                        xml = _xml(code, number)
                        message = Message(
                            side=side,
                            direction=Message.Direction.OUTGOING
                            if outgoing
                            else Message.Direction.INCOMING,
                            code=code,
                            status=Message.Status.SENT if outgoing else Message.Status.ANSWERED,
                            sender_code=traject.municipality.cbs_code
                            if from_municipality
                            else traject.provider.agb_code,
                            receiver_code=traject.provider.agb_code
                            if from_municipality
                            else traject.municipality.cbs_code,
                            identification=f"G{number:08d}{code}",  # never a retour's number
                            dated_on=traject.decided_on,
                            xml=xml,
                            digest=hashlib.sha256(xml.encode()).hexdigest(),
                            municipality=traject.municipality,
                            provider=traject.provider,
                            client=traject.client,
                            traject=traject,
                            transport="portaal",
                            accepted=True,
                        )
                        messages.append(message)
                        if side == Side.MUNICIPALITY and code == "301":
                            sent_301[number] = message
                        if side == Side.MUNICIPALITY and code in {"305", "307"}:
                            received[(code, number)] = message
                if rng.random() < 0.3:
                    logs.append(
                        AccessLog(
                            actor=actor,
                            actor_roles="procesregisseur",
                            action="view",
                            object_type="cases.Traject",
                            object_id=str(traject.pk),
                            client_id=str(traject.client_id),
                            purpose="traject ingezien",
                            path=f"/trajecten/{traject.pk}/",
                        )
                    )
            # The toewijzing as sent in its 301 and, once started, its approved start (305):
            # what a billing run declares from.
            PartOne.objects.bulk_create(parts, batch_size=BATCH)
            Message.objects.bulk_create(messages, batch_size=BATCH)
            for a in assignments:
                a.last_message = sent_301[a.number]
            Assignment.objects.bulk_create(assignments, batch_size=BATCH)
            reports = []
            for a in assignments:
                for code, kind in (("305", "start"), ("307", "stop")):
                    message = received.get((code, a.number))
                    if message is None:
                        continue
                    begin = max(a.start_on, a.traject.started_on)
                    reports.append(
                        DeliveryReport.of_assignment(
                            a,
                            kind=kind,
                            message=message,
                            begin_on=begin,
                            end_on=max(begin, a.traject.ended_on) if kind == "stop" else None,
                            reason="02" if kind == "stop" else "",
                        )
                    )
            DeliveryReport.objects.bulk_create(reports, batch_size=BATCH)
            AccessLog.objects.bulk_create(logs, batch_size=BATCH)
        counts["trajects"] += size
        counts["assignments"] += len(assignments)
        counts["messages"] += len(messages)
        counts["access_log"] += len(logs)
        if out is not None and (start // BATCH) % 20 == 0:
            out.write(f"  {counts['trajects']:,} trajecten...\n")
            out.flush()
    if connection.vendor == "postgresql":
        # What autovacuum does in steady state: statistics, and the visibility map that
        # lets index-only scans skip the table.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return counts


SURNAMES = [
    "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
    "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
    "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden",
    "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek",
    "de Bruijn", "de Jong", "van Dijk", "Verbeek", "Thao", "El Amrani", "Yilmaz", "Nguyen",
    "Kaya", "Boukhari", "Çelik", "Öztürk", "Pinas", "Wong", "Kowalski", "Nowak",
]  # fmt: skip
