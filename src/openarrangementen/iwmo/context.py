"""What the level 3 and 4 checks may ask of the store: earlier messages, assignments, start
and stop reports and requests, from the receiving side's point of view.

Every question is scoped to the municipality and provider of the message being checked
(`message`, the incoming row: stored, not yet committed) and leaves that row out, together
with its twin on the other side of an in-process exchange (the same message type, sender and
identification). The municipality's side of the exchange always runs in this product, so its
records (assignments, sent messages, received requests, start/stop reports, declarations) are
complete; the checks of messages a portal provider receives (301, 319, 325) read those too.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from openarrangementen.core.memo import once

from .models import Assignment, DeliveryReport, Message, Request, Side
from .rules.base import RuleContext

# Outgoing rows that count as sent: validated (queued), sent or answered with approval. A row
# the receiver refused in its retour (REJECTED), one that could not be delivered (FAILED) or
# a draft never reached the other party.
SENT = (Message.Status.VALIDATED, Message.Status.SENT, Message.Status.ANSWERED)
APPROVING = ("0200", "8001")  # WJ001 codes that approve a class (8001: declaratie toegewezen)


def _refusing(codes) -> bool:
    return any(code not in APPROVING for code in codes or ())


def start_key(report: DeliveryReport) -> tuple:
    """The logical key of a StartProduct (the CD_CS table's Sleutelelementen)."""
    return (
        report.bsn,
        report.assignment_number,
        report.product_category or "",
        report.product_code or "",
        report.begin_on,
    )


def stop_key(report: DeliveryReport) -> tuple:
    return (*start_key(report), report.end_on, report.reason)


def standing_reports(kind: str, reports) -> list[DeliveryReport]:
    """Of `reports` (one kind, in the order they arrived) the ones still standing: a line
    with StatusAanlevering 3 removes the earlier line with the same key (OP033: it counts as
    not sent)."""
    key_of = start_key if kind == DeliveryReport.Kind.START else stop_key
    standing: dict[tuple, list[DeliveryReport]] = {}
    for report in reports:
        key = key_of(report)
        if report.status_code == "3":
            if standing.get(key):
                standing[key].pop()
        else:
            standing.setdefault(key, []).append(report)
    return [r for found in standing.values() for r in found]


@dataclass(frozen=True)
class Declaration:
    """An earlier 323 of the provider to the municipality, parsed, with its outcome."""

    message: Message
    bericht: Any  # the parsed WMO323
    refused: bool  # refused as a whole (level 1/2, Header or Declaratie): "niet verzonden"
    refused_prestaties: frozenset  # (bsn, ReferentieNummer) refused in the 325
    all_prestaties_refused: bool = False  # refused on a Client or Prestatie, detail unknown

    @property
    def declaratie(self):
        return self.bericht.declaratie


@dataclass(frozen=True)
class Declared:
    """One Prestatie of an earlier declaration that was not refused as a whole."""

    declaration: Declaration
    bsn: str
    prestatie: Any
    refused: bool  # refused in the declaratie-antwoord; False while the 325 is awaited

    @property
    def reference(self) -> str:
        return self.prestatie.product_referentie.referentie_nummer

    @property
    def previous_reference(self) -> str | None:
        return self.prestatie.product_referentie.vorig_referentie_nummer

    @property
    def credit(self) -> bool:
        return self.prestatie.ingediend_bedrag.debet_credit == "C"


@dataclass
class Preloaded:
    """What the rules of a run of start or stop reports read, loaded for the whole run at
    once (`iwmo.intake`): the municipalities' toewijzingen with the numbers in the run (with
    their client and traject), and the reports received before with those numbers, per
    municipality, provider and number, in the order they arrived. A report received in the
    run is added to its list, so the messages after it see it as they would one by one."""

    assignments: dict[tuple[int, int], Assignment] = field(default_factory=dict)
    reports: dict[tuple[int, int, int], list[DeliveryReport]] = field(default_factory=dict)
    clients: dict[tuple[int, str], object] = field(default_factory=dict)  # by BSN


@dataclass
class StoreContext(RuleContext):
    message: Message | None = None  # the incoming row being checked (not yet committed)
    preloaded: Preloaded | None = None  # what a run of messages read at once
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def municipality(self):
        return self.message.municipality if self.message else None

    @property
    def provider(self):
        return self.message.provider if self.message else None

    def _cached(self, key, compute):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def _others(self, rows):
        """`rows` without the message being checked and its twin on the other side."""
        row = self.message
        return rows.exclude(pk=row.pk).exclude(
            code=row.code, sender_code=row.sender_code, identification=row.identification
        )

    # --- assignments -------------------------------------------------------------------------

    def _sent_assignments(self):
        # OP095: only what the provider could know, assignments sent to it in a 301.
        return Assignment.objects.filter(
            municipality=self.municipality, provider=self.provider, last_message__isnull=False
        ).select_related("client")

    def assignment(self, number: int | None) -> Assignment | None:
        """The toegewezen product with this ToewijzingNummer, sent by this municipality to
        this provider (also when withdrawn or removed), or None."""
        if number is None:
            return None
        if self.preloaded is not None:
            found = self.preloaded.assignments.get((self.municipality.pk, number))
            sent = found is not None and found.last_message_id is not None
            return found if sent and found.provider_id == self.provider.pk else None
        return self._cached(
            ("assignment", number), lambda: self._sent_assignments().filter(number=number).first()
        )

    def preload_assignments(self, numbers) -> None:
        """Read the toewijzingen with these numbers in a few queries instead of one per
        number (a 323 names thousands; issue #14). `assignment()` then answers from memory."""
        wanted = sorted({n for n in numbers if n is not None})
        for start in range(0, len(wanted), 5_000):
            part = wanted[start : start + 5_000]
            found = {a.number: a for a in self._sent_assignments().filter(number__in=part)}
            for number in part:
                self._cache[("assignment", number)] = found.get(number)

    def assignment_in_municipality(self, number: int) -> Assignment | None:
        """The municipality's assignment with this number, for any provider (TR332)."""
        return (
            Assignment.objects.filter(municipality=self.municipality, number=number)
            .select_related("client", "provider")
            .first()
        )

    @staticmethod
    def is_current(assignment: Assignment, on: date) -> bool:
        """TR349: valid on or after `on` (or starting later), and not removed or void
        (Einddatum = Ingangsdatum with RedenWijziging 13 or 01)."""
        return assignment.is_current and (assignment.end_on is None or assignment.end_on >= on)

    def current_assignments(self, bsn: str, on: date) -> list[Assignment]:
        """The client's current assignments at this provider on `on` (TR349)."""
        return [
            a
            for a in self._sent_assignments().filter(client__bsn=bsn).order_by("number")
            if self.is_current(a, on)
        ]

    # --- start and stop reports (305 / 307) ---------------------------------------------------

    def deliveries(self, kind: str, *, number: int | None, bsn: str | None = None):
        """The approved StartProduct (kind "start") or StopProduct ("stop") lines received
        from this provider with this ToewijzingNummer, in the order they arrived."""
        reports = self._cached(("reports", number), lambda: self._reports(number))
        return [r for r in reports if r.kind == kind and (bsn is None or r.bsn == bsn)]

    def _reports(self, number: int | None) -> list[DeliveryReport]:
        """Every approved start and stop with this number, read once per message."""
        if self.preloaded is not None:
            key = (self.municipality.pk, self.provider.pk, number)
            if key in self.preloaded.reports:
                mine = self.message.pk
                return [r for r in self.preloaded.reports[key] if r.message_id != mine]
        rows = DeliveryReport.objects.filter(
            message__municipality=self.municipality,
            message__provider=self.provider,
            assignment_number=number,
        ).exclude(message=self.message)
        return list(rows.order_by("created_at", "pk"))

    start_key = staticmethod(start_key)
    stop_key = staticmethod(stop_key)

    def _standing(self, kind: str, number, bsn) -> list[DeliveryReport]:
        """The reports still standing: a line with StatusAanlevering 3 removes the earlier
        line with the same key (OP033: it counts as not sent)."""
        return standing_reports(kind, self.deliveries(kind, number=number, bsn=bsn))

    def starts(self, *, number: int | None, bsn: str | None = None) -> list[DeliveryReport]:
        """The standing (not removed) starts with this ToewijzingNummer."""
        return self._cached(
            ("starts", number, bsn),
            lambda: self._standing(DeliveryReport.Kind.START, number, bsn),
        )

    def stops(self, *, number: int | None, bsn: str | None = None) -> list[DeliveryReport]:
        """The standing (not removed) stops with this ToewijzingNummer, oldest first."""
        return self._cached(
            ("stops", number, bsn),
            lambda: sorted(
                self._standing(DeliveryReport.Kind.STOP, number, bsn),
                key=lambda r: (r.created_at, r.pk),
            ),
        )

    # --- requests (315 / 317) and answers (319) --------------------------------------------

    def _requests(self):
        return Request.objects.filter(municipality=self.municipality, provider=self.provider)

    def requests_with_reference(self, reference: str, *, bsn: str | None = None) -> list[Request]:
        """The VOT/VOW received from this provider with this ReferentieAanbieder."""
        rows = self._requests().filter(provider_reference=reference)
        if bsn is not None:
            rows = rows.filter(bsn=bsn)
        return list(rows.exclude(message=self.message))

    def open_requests(self, bsn: str) -> list[Request]:
        """TR374: the client's requests at this provider still in hand: not yet answered with
        a 301 carrying the reference nor with a 319 'verzoek afgewezen' (the request's state
        records exactly those answers)."""
        return list(
            self._requests()
            .filter(bsn=bsn, state__in=[Request.State.OPEN, Request.State.INVESTIGATING])
            .exclude(message=self.message)
        )

    def sent_messages(self, code: str, *, containing: str | None = None) -> list[tuple]:
        """(row, parsed) of the messages of type `code` the municipality sent to this
        provider and the provider did not refuse. `containing` narrows them to rows whose
        XML has that text (a cheap filter before parsing)."""
        from . import codec

        rows = Message.objects.filter(
            side=Side.MUNICIPALITY,
            direction=Message.Direction.OUTGOING,
            code=code,
            municipality=self.municipality,
            provider=self.provider,
            status__in=SENT,
        ).exclude(xml="")  # a message anonymised after its retention period (ADR 0013)
        if containing:
            rows = rows.filter(xml__contains=containing)
        rows = self._others(rows).order_by("created_at", "pk")
        return [(row, codec.parse(row.xml)) for row in rows]

    def answers_with_reference(self, reference: str) -> list:
        """The Antwoord of every 319 sent earlier with this ReferentieAanbieder."""
        return [
            bericht.antwoord
            for _row, bericht in self.sent_messages("319", containing=f">{reference}<")
            if bericht.antwoord.referentie_aanbieder == reference
        ]

    def assigned_with_reference(self, reference: str) -> list:
        """The ToegewezenProducten of the 301s sent earlier with this ReferentieAanbieder."""
        return [
            product
            for _row, bericht in self.sent_messages("301", containing=f">{reference}<")
            for product in bericht.client.toegewezen_producten
            if product.referentie_aanbieder == reference
        ]

    # --- declarations (323) ------------------------------------------------------------------

    def declarations(self) -> list[Declaration]:
        """The 323s received earlier from this provider, oldest first, with their outcome."""
        return self._cached("declarations", self._load_declarations)

    def _load_declarations(self) -> list[Declaration]:
        from . import codec

        rows = self._others(
            Message.objects.filter(
                side=Side.MUNICIPALITY,
                direction=Message.Direction.INCOMING,
                code="323",
                municipality=self.municipality,
                provider=self.provider,
            ).exclude(xml="")  # anonymised after the retention period (ADR 0013)
        ).order_by("created_at", "pk")
        return [self._outcome(row, codec.parse(row.xml)) for row in rows]

    def _outcome(self, row: Message, bericht) -> Declaration:
        """IV087: a declaration refused on level 1/2, in the Header or in the Declaratie class
        counts as not sent; otherwise the refused Clients and Prestaties are the ones the
        declaratie-antwoord (325) lists with a refusing retour code."""
        from . import codec
        from .rules.base import Level, rule_level

        whole = any(
            (v.get("code") and rule_level(v["code"]) <= Level.CONTENT)
            or v.get("class") in ("Header", "Declaratie")
            for v in row.violations or []
        )
        refused: set[tuple] = set()
        answer = row.answers.filter(code="325").order_by("-created_at", "-pk").first()
        detail = False
        if answer is not None and not whole:
            antwoord_bericht = codec.parse(answer.xml)
            antwoord = antwoord_bericht.declaratie_antwoord
            if _refusing(antwoord_bericht.header.retour_codes) or (
                antwoord is not None and _refusing(antwoord.retour_codes)
            ):
                whole = True
            elif antwoord is not None:
                detail = True
                for client in antwoord.clienten:
                    for prestatie in client.prestaties:
                        if _refusing(client.retour_codes) or _refusing(prestatie.retour_codes):
                            refused.add(
                                (client.bsn, prestatie.product_referentie.referentie_nummer)
                            )
        # Refused on a Client or Prestatie while the 325 does not say which: none of its
        # prestaties can be shown to be approved.
        unknown = bool(row.violations) and not whole and not detail
        return Declaration(
            message=row,
            bericht=bericht,
            refused=whole,
            refused_prestaties=frozenset(refused),
            all_prestaties_refused=unknown,
        )

    def earlier_prestaties(self, number: int | None = None) -> list[Declared]:
        """Every Prestatie of the earlier declarations not refused as a whole (optionally
        only those with this ToewijzingNummer), oldest first."""
        found = self._cached("prestaties", self._load_prestaties)
        if number is None:
            return found

        def by_number():
            index: dict = {}
            for declared in found:
                index.setdefault(declared.prestatie.toewijzing_nummer, []).append(declared)
            return index

        return self._cached("prestaties_by_number", by_number).get(number, [])

    def _load_prestaties(self) -> list[Declared]:
        found = []
        for declaration in self.declarations():
            if declaration.refused:
                continue
            for client in declaration.declaratie.clienten:
                for prestatie in client.prestaties:
                    key = (client.bsn, prestatie.product_referentie.referentie_nummer)
                    found.append(
                        Declared(
                            declaration=declaration,
                            bsn=client.bsn,
                            prestatie=prestatie,
                            refused=declaration.all_prestaties_refused
                            or key in declaration.refused_prestaties,
                        )
                    )
        return found

    def declaration_with_identification(self, identification: str) -> tuple | None:
        """(row, parsed) of the 323 of this provider to this municipality with this
        BerichtIdentificatie, as received (or, for a portal provider, as sent)."""
        from . import codec

        def load():
            rows = (
                Message.objects.filter(
                    code="323",
                    municipality=self.municipality,
                    provider=self.provider,
                    identification=identification,
                )
                .exclude(pk=self.message.pk)
                .exclude(xml="")
            )
            row = (
                rows.filter(side=Side.MUNICIPALITY, direction=Message.Direction.INCOMING).first()
                or rows.order_by("pk").first()
            )
            return (row, codec.parse(row.xml)) if row is not None else None

        return self._cached(("declaration", identification), load)

    def all_declarations_sent(self) -> list[tuple]:
        """(row, parsed) of every 323 of this provider to this municipality (either side)."""
        from . import codec

        rows = (
            Message.objects.filter(
                code="323", municipality=self.municipality, provider=self.provider
            )
            .exclude(xml="")
            .order_by("created_at", "pk")
        )
        seen, found = set(), []
        for row in rows:
            if row.identification in seen:
                continue
            seen.add(row.identification)
            found.append((row, codec.parse(row.xml)))
        return found

    # --- the catalog (product codes and contract tariffs) --------------------------------------

    def product_codes(self) -> frozenset[tuple[str, str]]:
        """(ProductCategorie, ProductCode) of the municipality's product code list: the levels
        of its region's catalog (every version)."""

        def load():
            from openarrangementen.catalog.models import Level

            return frozenset(
                Level.objects.filter(
                    arrangement__catalog_version__region_id=self.municipality.region_id
                ).values_list("product_category", "product_code")
            )

        region = self.municipality.region_id
        return self._cached("product_codes", lambda: once(("product_codes", region), load))

    def _region_levels(self) -> list:
        """The levels of the municipality's region (every catalog version) with their
        version's dates, read once per message."""

        def load():
            from openarrangementen.catalog.models import Level

            return list(
                Level.objects.filter(
                    arrangement__catalog_version__region_id=self.municipality.region_id
                )
                .select_related("arrangement__catalog_version")
                .order_by("arrangement_id", "rank", "code")
            )

        return self._cached("region_levels", load)

    def contract_level(self, code: str | None, category: str | None, day: date):
        """The catalog level with this product code (and category) in the municipality's
        region, preferring the catalog version in force on `day`, else the latest version."""
        if not code:
            return None

        def load():
            levels = [
                level
                for level in self._region_levels()
                if level.product_code == code
                and (not category or level.product_category == category)
            ]
            in_force = [
                level
                for level in levels
                if level.arrangement.catalog_version.validity.contains(day)
            ]
            if in_force:
                return in_force[0]
            return max(
                levels,
                key=lambda level: level.arrangement.catalog_version.valid_from,
                default=None,
            )

        return self._cached(("level", code, category, day), load)

    def contract_tariff(self, level, day: date) -> int | None:
        """The level's contract tariff (PriceKind.TARIFF) on `day` per billing period of the
        region (a 4-week tariff converted to a month, billing.domain), in eurocents."""
        if level is None:
            return None
        from openarrangementen.billing.domain import Calendar
        from openarrangementen.billing.selectors import settings_for, tariff_on, tariffs_of

        calendar = self._cached(
            "calendar", lambda: Calendar(settings_for(self.municipality.region).calendar)
        )
        prices = self._cached(("prices", level.pk), lambda: tariffs_of(level))
        amount = self._cached(
            ("tariff", level.pk, day), lambda: tariff_on(level, prices, day, calendar)
        )
        if amount is None:
            return None
        return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
