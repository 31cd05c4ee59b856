"""Billing runs (provider side), the check and answer of a declaration (municipality side),
and payments. docs/adr/0008-billing.md.

A billing run is a reconciliation: it computes what is owed up to the end of a month, compares
it with the standing lines and writes the difference as concept lines (credits first), each
step in its own transaction and guarded by the one-standing-debit constraint; then it sends
the concept lines in one 323. Interrupted anywhere, the next run finds the concept lines and
the standing debits and neither repeats nor loses one.
"""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Sum, Value
from django.db.models.functions import Cast, Concat, LPad

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import Municipality, Provider, User
from openarrangementen.accounts.selectors import municipalities_for
from openarrangementen.clients.models import Client
from openarrangementen.core.bulk import insert
from openarrangementen.core.money import from_cents, to_cents
from openarrangementen.iwmo import codec
from openarrangementen.iwmo.exchange import MessageTooLarge, send, today
from openarrangementen.iwmo.messages import _header
from openarrangementen.iwmo.models import Assignment, Message, Side
from openarrangementen.iwmo.xmlsafe import max_bytes

from .domain import Claim, LineKey, month_of
from .models import Line, Payment
from .selectors import (
    Lines,
    LineState,
    billed_client_ids,
    provider_billing,
    provider_declarations,
    provider_lines,
    settings_for,
)

PAYMENT_ROLES = frozenset({Role.FUNCTIONEEL_BEHEERDER, Role.CONTRACTMANAGER})


class BillingError(Exception):
    """A billing step that cannot be done; the message is Dutch, for the user."""


WRITE_CHUNK = 1_000  # lines written per transaction in a run
CLIENT_BATCH = 5_000  # clients computed together in a run
MAX_PRESTATIES = 20_000  # per 323: about 14 MB, under the 25 MB of OP179 (IB003)


def _new_lines(rows: list[dict]) -> list[Line]:
    """Write lines in one statement and give each its reference OA + its number (TR314: a
    ReferentieNummer is used once by the provider). On PostgreSQL the numbers are taken
    from the table's sequence first, so each line is written once, reference included."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Line._meta.db_table, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        lines = [
            Line(pk=pk, reference=f"OA{pk:010d}", **fields)
            for pk, fields in zip(ids, rows, strict=True)
        ]
        insert(lines)
        return lines
    lines = Line.objects.bulk_create(
        [Line(reference=f"t{uuid.uuid4().hex[:19]}", **fields) for fields in rows]
    )
    Line.objects.filter(pk__in=[line.pk for line in lines]).update(
        reference=Concat(Value("OA"), LPad(Cast("pk", CharField()), 10, Value("0")))
    )
    for line in lines:
        line.reference = f"OA{line.pk:010d}"
    return lines


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- provider: the billing run ------------------------------------------------------------------


@dataclass
class RunResult:
    credits: int
    debits: int
    message: Message | None


def prepare_lines(*, provider: Provider, municipality: Municipality, month: date) -> tuple:
    """Write the credits and debits a run needs as concept lines, in chunks of `WRITE_CHUNK`
    lines, each chunk in its own transaction (credits first). Idempotent: run twice, the
    second run finds nothing to add; interrupted, the chunks written stand and the next run
    writes the rest. Computed per batch of `CLIENT_BATCH` clients, so a run's memory does
    not grow with the provider's size (a client's lines are always in one batch)."""
    credits = debits = 0
    for batch in _chunks(billed_client_ids(provider, municipality), CLIENT_BATCH):
        plans = provider_billing(
            provider=provider, municipality=municipality, month=month, client_ids=batch
        )
        written = _write_plans(plans, provider=provider, municipality=municipality)
        credits, debits = credits + written[0], debits + written[1]
    return credits, debits


def _write_plans(plans, *, provider, municipality) -> tuple[int, int]:
    to_credit = [debit for billing in plans for debit in billing.plan_credits]
    to_debit = [(billing, claim) for billing in plans for claim in billing.plan_debits]
    credits = debits = 0
    for chunk in _chunks(to_credit, WRITE_CHUNK):
        with transaction.atomic():
            rows = list(
                Line.objects.select_for_update()
                .filter(pk__in=[debit.pk for debit in chunk], standing=True)
                .order_by("pk")
            )
            Line.objects.filter(pk__in=[row.pk for row in rows]).update(standing=False)
            _new_lines([_credit_fields(row) for row in rows])
            credits += len(rows)
    for chunk in _chunks(to_debit, WRITE_CHUNK):
        fields = [
            _debit_fields(billing, claim, provider=provider, municipality=municipality)
            for billing, claim in chunk
        ]
        try:
            with transaction.atomic():
                _new_lines(fields)
                debits += len(fields)
        except IntegrityError:
            # Another run wrote some of them first: each line stands once.
            for one in fields:
                try:
                    with transaction.atomic():
                        _new_lines([one])
                        debits += 1
                except IntegrityError:
                    continue
    return credits, debits


def _credit_fields(row: Line) -> dict:
    return {
        "side": Side.PROVIDER,
        "status": Line.Status.CONCEPT,
        "municipality_id": row.municipality_id,
        "provider_id": row.provider_id,
        "client_id": row.client_id,
        "assignment_id": row.assignment_id,
        "assignment_number": row.assignment_number,
        "previous_reference": row.reference,
        "credit": True,
        "product_category": row.product_category,
        "product_code": row.product_code,
        "period_begin": row.period_begin,
        "period_end": row.period_end,
        "periods": row.periods,
        "volume": row.volume,
        "unit": row.unit,
        "tariff": row.tariff,
        "amount": row.amount,
        "explanation": "Credit: wat eerder gedeclareerd is klopt niet meer met de "
        "toewijzing, de start of de stop.",
    }


def _debit_fields(billing, claim: Claim, *, provider, municipality) -> dict:
    assignment = billing.state.assignments[int(claim.key.assignment)]
    return {
        "side": Side.PROVIDER,
        "status": Line.Status.CONCEPT,
        "municipality": municipality,
        "provider": provider,
        "client_id": assignment.client_id,
        "assignment": assignment,
        "assignment_number": assignment.number,
        "product_category": assignment.product_category,
        "product_code": assignment.product_code,
        "period_begin": claim.key.begin,
        "period_end": claim.end,
        "periods": list(claim.periods),
        "volume": claim.volume,
        "unit": assignment.unit or "82",
        "tariff": claim.tariff,
        "amount": claim.amount,
        "explanation": _explain(billing.state, claim),
    }


def _explain(state, claim: Claim) -> str:
    owed = [o for o in state.owed if o.period.label in claim.periods]
    parts = [f"{o.period.description}: {o.reason}" for o in owed]
    return (
        f"{claim.volume} x € {claim.tariff} (tarief per periode van het niveau op "
        f"{claim.key.begin:%d-%m-%Y}) = € {claim.amount}. " + " ".join(parts)
    )


def send_declaration(
    *, provider: Provider, municipality: Municipality, month: date
) -> Message | None:
    """Send the concept lines in 323s with DeclaratiePeriode `month`, credits first: one
    message, or several of at most `MAX_PRESTATIES` Prestaties when one would pass the 25 MB
    of OP179 (IB003: "verdeel de berichten over meerdere bestanden"). Each message is all or
    nothing: when it cannot be built or sent, its lines stay concept for the next run.
    Returns the last message sent."""
    period = month_of(month)
    pending = provider_lines(provider, municipality).filter(
        status=Line.Status.CONCEPT, message__isnull=True
    )
    if pending.filter(period_begin__gt=period.end).exists():
        raise BillingError("Er staan regels klaar voor een latere maand dan deze declaratie.")
    order = ("-credit", "client_id", "period_begin", "pk")
    ids = list(pending.order_by(*order).values_list("pk", flat=True))
    row = None
    for part in _chunks(ids, _prestaties_per_file()):
        row = _send_parts(provider=provider, municipality=municipality, period=period, ids=part)
    return row


# What one Prestatie adds to a 323, at most (about 700 bytes measured, with its client).
PRESTATIE_BYTES = 800


def _prestaties_per_file() -> int:
    """As many Prestaties as fit the receiver's limit (`IWMO_MAX_MESSAGE_BYTES`, 10 MB by
    default; this product receives its own 323s with it), at most `MAX_PRESTATIES`."""
    return max(1, min(MAX_PRESTATIES, (max_bytes() - 4_096) // PRESTATIE_BYTES))


def _send_parts(*, provider, municipality, period, ids) -> Message | None:
    """Send `ids` in one 323, or, when that is still too large, in two halves."""
    try:
        return _send_part(provider=provider, municipality=municipality, period=period, ids=ids)
    except MessageTooLarge:
        if len(ids) == 1:
            raise
    half = len(ids) // 2
    _send_parts(provider=provider, municipality=municipality, period=period, ids=ids[:half])
    return _send_parts(provider=provider, municipality=municipality, period=period, ids=ids[half:])


def _send_part(*, provider, municipality, period, ids) -> Message | None:
    with transaction.atomic():
        lines = list(
            provider_lines(provider, municipality)
            .filter(pk__in=ids, status=Line.Status.CONCEPT, message__isnull=True)
            .select_for_update(of=("self",))
            .select_related("client")
            .order_by("-credit", "client_id", "period_begin", "pk")
        )
        if not lines:
            return None

        def build(identification, dated_on):
            return declaration(
                provider=provider,
                municipality=municipality,
                lines=lines,
                period=period,
                identification=identification,
                dated_on=dated_on,
            )

        row = send(
            build,
            code="323",
            side=Side.PROVIDER,
            municipality=municipality,
            provider=provider,
            client=None,
            traject=None,
        )
        Line.objects.filter(pk__in=[line.pk for line in lines]).filter(
            status=Line.Status.CONCEPT
        ).update(message=row, status=Line.Status.SENT)
        _apply_answer_if_any(row)
    return row


def billing_run(*, user: User, provider: Provider, municipality: Municipality, month: date):
    """The provider's monthly run: prepare the lines for `month`, then send them. A run for
    the month last declared only sends what an interrupted run left unsent."""
    period = month_of(month)
    if period.end >= today():
        raise BillingError("Een maand kan pas gedeclareerd worden als die voorbij is.")
    last = last_declared_month(provider, municipality)
    if last is not None and period.begin <= last:
        unsent = provider_lines(provider, municipality).filter(
            status=Line.Status.CONCEPT, message__isnull=True, period_begin__lte=period.end
        )
        if period.begin == last and unsent.exists():
            message = send_declaration(provider=provider, municipality=municipality, month=month)
            return RunResult(credits=0, debits=0, message=message)
        raise BillingError(
            f"Er is al gedeclareerd over {month_of(last).description}. Een correctie gaat mee "
            "in de declaratie van een volgende maand (TR318)."
        )
    credits, debits = prepare_lines(provider=provider, municipality=municipality, month=month)
    message = send_declaration(provider=provider, municipality=municipality, month=month)
    return RunResult(credits=credits, debits=debits, message=message)


def last_declared_month(provider: Provider, municipality: Municipality) -> date | None:
    """The DeclaratiePeriode (its first day) of the provider's latest 323 to the municipality
    that was not refused as a whole."""
    row = (
        provider_declarations(provider, municipality)
        .exclude(status__in=[Message.Status.REJECTED, Message.Status.FAILED])
        .exclude(xml="")
        .filter(billing_lines__isnull=False)
        .order_by("-pk")
        .first()
    )
    if row is None:
        return None
    return codec.parse(row.xml).declaratie.declaratie_periode.begindatum


def declaration(*, provider, municipality, lines, period, identification, dated_on):
    """The WMO323 of these lines (one Prestatie per line, amounts in eurocents)."""
    types = codec.message_types("323")
    clients: dict[str, list] = {}
    total = Decimal(0)
    for line in lines:
        total += line.signed_amount
        dc = "C" if line.credit else "D"
        clients.setdefault(line.client.bsn, []).append(
            types.Prestatie(
                product_referentie=types.CDT_Referentie(
                    referentie_nummer=line.reference,
                    vorig_referentie_nummer=line.previous_reference or None,
                ),
                toewijzing_nummer=line.assignment_number,
                product_categorie=line.product_category,
                product_code=line.product_code or None,
                product_periode=types.CDT_GeslotenPeriode(
                    begindatum=line.period_begin, einddatum=line.period_end
                ),
                geleverd_volume=line.volume,
                eenheid=line.unit,
                product_tarief=to_cents(line.tariff),
                ingediend_bedrag=types.CDT_BedragMetDC(
                    bedrag=to_cents(line.amount), debet_credit=dc
                ),
            )
        )
    return types.Bericht(
        header=_header("323", municipality, provider, identification, dated_on, from_provider=True),
        declaratie=types.Declaratie(
            declaratie_nummer=identification,
            declaratie_periode=types.CDT_GeslotenPeriode(
                begindatum=period.begin, einddatum=period.end
            ),
            declaratie_dagtekening=dated_on,
            totaal_ingediend_bedrag=types.CDT_TotaalBedragMetDC(
                totaal_bedrag=abs(to_cents(total)), debet_credit="C" if total < 0 else "D"
            ),
            clienten=[
                types.Client(bsn=bsn, prestaties=prestaties) for bsn, prestaties in clients.items()
            ],
        ),
    )


def _apply_answer_if_any(row: Message) -> None:
    """In-process the 325 (also a header-only refusal) arrives while sending, before the
    lines are linked to the message; apply it now that they are. Over another transport it
    arrives later and `iwmo.handlers.answer_received` applies it."""
    answer = Message.objects.filter(
        side=Side.PROVIDER, code="325", in_reply_to=row, direction=Message.Direction.INCOMING
    ).first()
    if answer is not None:
        apply_answer(row, codec.parse(answer.xml))


def _reject(lines, codes_of) -> None:
    """Mark refused lines. A refused debit does not stand; a refused credit did not count, so
    the debit it credited stands again (unless a newer debit for that period stands)."""
    for line in sorted(lines, key=lambda line: line.credit):
        line.status = Line.Status.REJECTED
        line.retour_codes = codes_of(line)
        line.decided_on = today()
        line.standing = False
        line.save(update_fields=["status", "retour_codes", "decided_on", "standing"])
        if line.credit:
            debit = Line.objects.filter(
                side=Side.PROVIDER, provider=line.provider, reference=line.previous_reference
            ).first()
            newer = Line.objects.filter(
                side=Side.PROVIDER,
                municipality=line.municipality,
                assignment_number=line.assignment_number,
                period_begin=line.period_begin,
                credit=False,
                standing=True,
            )
            if debit is not None and not newer.exists():
                debit.standing = True
                debit.save(update_fields=["standing"])


APPROVING = ("0200", "8001")


def apply_answer(original: Message, answer) -> None:
    """Provider side: the 325 lists only the refused prestaties (IV087); the others are
    approved. A refusing code on the Header or the DeclaratieAntwoord refuses them all."""
    lines = provider_lines(original.provider, original.municipality).filter(
        message=original, status=Line.Status.SENT
    )
    antwoord = answer.declaratie_antwoord
    whole = list(answer.header.retour_codes or []) + list(
        antwoord.retour_codes if antwoord is not None else []
    )
    if any(c not in APPROVING for c in whole):
        refusing = sorted({c for c in whole if c not in APPROVING})
        _reject(lines, codes_of=lambda line: refusing)
        return
    refused: dict[str, list[str]] = {}
    for client in antwoord.clienten if antwoord is not None else []:
        for prestatie in client.prestaties:
            codes = [c for c in prestatie.retour_codes if c not in APPROVING]
            codes = codes or [c for c in client.retour_codes if c not in APPROVING]
            refused[prestatie.product_referentie.referentie_nummer] = codes
    _reject(
        lines.filter(reference__in=refused),
        codes_of=lambda line: refused[line.reference],
    )
    lines.exclude(reference__in=refused).update(
        status=Line.Status.APPROVED, decided_on=today(), retour_codes=["8001"]
    )


# --- municipality: check a declaration and answer per line -------------------------------------

NO_START = "9063"  # no start (305) received for the toewijzing
NOT_BEFORE_START = "9307"  # a period before the reported start, or not yet to be declared
AFTER_STOP = "9308"  # a period after the reported stop
PAID_ELSEWHERE = "9389"  # the period already stands, or goes to another toewijzing
WRONG_VOLUME = "9321"  # more periods than owed in this ProductPeriode
WRONG_TARIFF = "0611"  # not the contract tariff per period (TR418)


CHECK_CHUNK = 2_000  # Prestaties judged and written together


def check_declaration(row: Message, obj, *, skip=()) -> dict[int, list[str]]:
    """Check every Prestatie of a 323 that passed the standard's rules against what is owed
    (contract tariff, assignment, reported start, billing rules, no double payment); credits
    first. Record the lines and return the refusing codes by `id()` of each refused
    Prestatie, for the 325. Set-based per chunk of Prestaties: the toewijzingen, the debits
    credited and what is owed are read once per chunk, the lines written in one statement."""
    municipality = row.municipality
    declaratie = obj.declaratie
    on = declaratie.declaratie_periode.einddatum + timedelta(days=1)
    settings = settings_for(municipality.region)
    payable_by = (row.dated_on or today()) + timedelta(days=settings.payment_term_days)
    refused: dict[int, list[str]] = {}
    if id(declaratie) in skip:
        return refused  # refused as a whole by the standard's rules
    entries = [
        (c, p)
        for c in declaratie.clienten
        for p in c.prestaties
        if id(c) not in skip and id(p) not in skip
    ]
    entries.sort(key=lambda e: e[1].ingediend_bedrag.debet_credit != "C")
    for chunk in _chunks(entries, CHECK_CHUNK):
        _check_chunk(row, chunk, on=on, payable_by=payable_by, refused=refused)
    return refused


def _check_chunk(row, entries, *, on, payable_by, refused) -> None:
    municipality, provider = row.municipality, row.provider
    numbers = {p.toewijzing_nummer for _c, p in entries}
    assignments = {
        a.number: a
        for a in Assignment.objects.filter(
            municipality=municipality, provider=provider, number__in=numbers
        )
    }
    previous = [
        p.product_referentie.vorig_referentie_nummer
        for _c, p in entries
        if p.ingediend_bedrag.debet_credit == "C"
    ]
    credited = {
        line.reference: line
        for line in Line.objects.filter(
            side=Side.MUNICIPALITY,
            provider=provider,
            reference__in=previous,
            credit=False,
            standing=True,
        )
    }
    loaded = Lines(municipality, client_ids={a.client_id for a in assignments.values()})
    # Each line is judged from its earliest declared ProductPeriode on (`Lines.state`).
    since: dict[tuple, date] = {}
    for _c, p in entries:
        a = assignments.get(p.toewijzing_nummer)
        if a is not None:
            key = (a.client_id, a.product_category)
            begin = p.product_periode.begindatum
            since[key] = min(since.get(key, begin), begin)
    states: dict[tuple, LineState] = {}
    # The approved debits standing for these toewijzingen, to refuse a second one (9389)
    # before writing rather than by the constraint.
    standing = set(
        Line.objects.filter(
            side=Side.MUNICIPALITY,
            municipality=municipality,
            assignment_number__in=numbers,
            credit=False,
            standing=True,
        ).values_list("assignment_number", "period_begin")
    )
    new: list[Line] = []
    uncredit: list[int] = []
    for client, prestatie in entries:
        assignment = assignments.get(prestatie.toewijzing_nummer)
        fields = _line_fields(row, client, prestatie, assignment)
        if prestatie.ingediend_bedrag.debet_credit == "C":
            debit = credited.pop(prestatie.product_referentie.vorig_referentie_nummer, None)
            if debit is None:
                refused[id(prestatie)] = ["8017"]
                continue
            uncredit.append(debit.pk)
            standing.discard((debit.assignment_number, debit.period_begin))
            new.append(
                Line(
                    **fields,
                    status=Line.Status.APPROVED,
                    standing=False,
                    payable_by=payable_by,
                    explanation=f"Credit van {debit.reference}.",
                )
            )
            continue
        codes, explanation = _judge(assignment, prestatie, states, on, loaded, since)
        key = (fields["assignment_number"], fields["period_begin"])
        if not codes and key in standing:
            codes = [PAID_ELSEWHERE]
            explanation = "Voor deze toewijzing en periode is al een regel goedgekeurd."
        if codes:
            refused[id(prestatie)] = codes
            new.append(
                Line(
                    **fields,
                    status=Line.Status.REJECTED,
                    standing=False,
                    retour_codes=codes,
                    explanation=explanation,
                )
            )
            continue
        standing.add(key)
        new.append(
            Line(
                **fields,
                status=Line.Status.APPROVED,
                standing=True,
                payable_by=payable_by,
                explanation=explanation,
            )
        )
    Line.objects.filter(pk__in=uncredit).update(standing=False)
    insert(new)


def _line_fields(row, client, prestatie, assignment) -> dict:
    periode = prestatie.product_periode
    volume = prestatie.geleverd_volume
    return {
        "side": Side.MUNICIPALITY,
        "municipality": row.municipality,
        "provider": row.provider,
        "client_id": assignment.client_id
        if assignment is not None
        else Client.objects.get(bsn=client.bsn, municipality=row.municipality).pk,
        "assignment": assignment,
        "assignment_number": prestatie.toewijzing_nummer,
        "reference": prestatie.product_referentie.referentie_nummer,
        "previous_reference": prestatie.product_referentie.vorig_referentie_nummer or "",
        "credit": prestatie.ingediend_bedrag.debet_credit == "C",
        "product_category": prestatie.product_categorie,
        "product_code": prestatie.product_code or "",
        "period_begin": periode.begindatum,
        "period_end": periode.einddatum,
        "volume": volume,
        "unit": prestatie.eenheid,
        "tariff": from_cents(prestatie.product_tarief or 0),
        "amount": from_cents(prestatie.ingediend_bedrag.bedrag),
        "decided_on": today(),
        "message": row,
    }


def _judge(assignment, prestatie, states, on, loaded: Lines, since) -> tuple[list[str], str]:
    """The refusing codes for a debit Prestatie and the explanation either way."""
    if assignment is None:
        return ["9338"], "Geen toewijzing met dit nummer voor deze aanbieder."
    key = (assignment.client_id, assignment.product_category)
    if key not in states:
        states[key] = loaded.state(
            assignment.client_id, assignment.product_category, on, since=since[key]
        )
    state = states[key]
    begin = prestatie.product_periode.begindatum
    claim = state.target.get(LineKey(str(assignment.number), begin))
    segment = state.segments[assignment.number]
    if segment.started_on is None:
        return [NO_START], "Er is geen start (305) ontvangen voor deze toewijzing."
    if claim is None:
        in_month = [o for o in state.owed if o.period.end >= begin and o.period.begin <= begin]
        other = [o for o in in_month if o.segment.assignment != assignment.number]
        if other:
            return [PAID_ELSEWHERE], other[0].reason
        waiting = [
            r
            for o, r in state.waiting
            if o.segment.assignment == assignment.number and o.period.contains(begin)
        ]
        if waiting:
            return [NOT_BEFORE_START], waiting[0]
        if segment.last_day is not None and begin > segment.last_day:
            return [AFTER_STOP], f"De ondersteuning stopte op {segment.last_day:%d-%m-%Y}."
        return [NOT_BEFORE_START], "Voor deze periode is niets verschuldigd op deze toewijzing."
    if from_cents(prestatie.product_tarief) != claim.tariff:
        return [WRONG_TARIFF], f"Het contracttarief per periode is € {claim.tariff}."
    if prestatie.geleverd_volume != claim.volume:
        return [WRONG_VOLUME], f"In deze productperiode zijn {claim.volume} perioden verschuldigd."
    if prestatie.product_periode.einddatum != claim.end:
        return [AFTER_STOP], f"De productperiode loopt tot en met {claim.end:%d-%m-%Y}."
    return [], f"Verschuldigd: {', '.join(claim.periods)} à € {claim.tariff}."


# --- municipality: payments -----------------------------------------------------------------------


def record_payment(
    *,
    user: User,
    municipality: Municipality,
    provider: Provider,
    lines: list[Line],
    paid_on: date,
    reference: str,
) -> Payment:
    """Record that approved, unpaid lines (debits and credits) were paid in one transfer."""
    if not municipalities_for(user, PAYMENT_ROLES).filter(pk=municipality.pk).exists():
        raise PermissionDenied
    if not lines:
        raise ValidationError("Kies de regels die betaald zijn.")
    if not reference.strip():
        raise ValidationError("Vul het betalingskenmerk in.")
    with transaction.atomic():
        rows = list(
            Line.objects.select_for_update()
            .filter(pk__in=[line.pk for line in lines])
            .filter(
                side=Side.MUNICIPALITY,
                municipality=municipality,
                provider=provider,
                status=Line.Status.APPROVED,
                payment__isnull=True,
            )
        )
        if len(rows) != len(lines):
            raise ValidationError("Een of meer regels zijn al betaald of niet goedgekeurd.")
        payment = Payment.objects.create(
            municipality=municipality,
            provider=provider,
            paid_on=paid_on,
            reference=reference.strip()[:50],
            amount=sum((line.signed_amount for line in rows), Decimal(0)),
            recorded_by=user,
        )
        Line.objects.filter(pk__in=[r.pk for r in rows]).update(payment=payment)
    return payment


def unpaid_total(municipality: Municipality, provider: Provider) -> Decimal:
    lines = Line.objects.filter(
        side=Side.MUNICIPALITY,
        municipality=municipality,
        provider=provider,
        status=Line.Status.APPROVED,
        payment__isnull=True,
    )
    debit = lines.filter(credit=False).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    credit = lines.filter(credit=True).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return debit - credit
