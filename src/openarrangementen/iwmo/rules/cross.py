"""Controleniveau 3 rules (berichtoverstijgend: against earlier messages) and the level 4
rules whose external source is in the store (TR381: the product code list; TR346: the
contract tariff). TR135 and TR378 (system date, CBS codes) are in `external`.

These checks ask the store (`iwmo.context.StoreContext`) what was exchanged before: the
assignments sent, the approved start and stop reports, the requests received, the answers
and declarations. Without a store (a plain `RuleContext`, as when a message is checked
before sending) they find nothing.

Each check follows the definition in `reference/regels/technische-regels`; where the text
leaves a choice, the choice is written above the check. The violation points at the class
that gets the rule's retour code (IV028): the product line (ToegewezenProduct, StartProduct,
StopProduct, TeWijzigenProduct, Prestatie, ...), the Verzoek, Antwoord or Declaratie, or the
Header of a 325. Lines with StatusAanlevering 3 get no checks but TR063 and TR071 (TR063
Toelichting: a removal is a correction, other checks are not needed).

TR056 (identification unique per sender and message type) is not registered here: exchange
finds it before a message is stored (`_duplicate`), so a check could never see it.
"""

import functools
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from openarrangementen.iwmo.codec import code_of

from .base import Violation, rule

# --- helpers -----------------------------------------------------------------------------------


def stored_rule(code: str, *, messages: tuple[str, ...]):
    """Register a check that needs the store: it runs only with a `StoreContext` that has the
    incoming message row."""

    def register(func):
        @functools.wraps(func)
        def run(msg, ctx):
            if getattr(ctx, "message", None) is None:
                return
            yield from func(msg, ctx)

        rule(code, messages=messages)(run)
        return func

    return register


def _dagtekening(msg) -> date:
    return msg.header.bericht_identificatie.dagtekening


def _category(product) -> str:
    return (product.categorie or "") if product is not None else ""


def _code(product) -> str:
    return (product.code or "") if product is not None else ""


def _date(day: date | None) -> str:
    return f"{day:%d-%m-%Y}" if day else "leeg"


def _end_of_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _month(day: date) -> tuple[int, int]:
    return day.year, day.month


def _prestaties(msg) -> Iterator[tuple[Any, Any]]:
    """(Client, Prestatie) of a 323 or 325."""
    holder = msg.declaratie if code_of(msg) == "323" else msg.declaratie_antwoord
    if holder is None:
        return
    for client in holder.clienten:
        for prestatie in client.prestaties:
            yield client, prestatie


def _credit(prestatie) -> bool:
    return prestatie.ingediend_bedrag.debet_credit == "C"


def _reference(prestatie) -> str:
    return prestatie.product_referentie.referentie_nummer


def _previous(prestatie) -> str | None:
    return prestatie.product_referentie.vorig_referentie_nummer


# --- 305 / 307: start and stop ----------------------------------------------------------------

_START_STOP = ("305", "307")


def _lines(msg) -> list:
    if code_of(msg) == "305":
        return list(msg.client.start_producten)
    return list(msg.client.stop_producten)


def _kind(msg) -> str:
    return "start" if code_of(msg) == "305" else "stop"


def _start_key(bsn: str, line) -> tuple:
    """The logical key of a StartProduct, and the start part of a StopProduct's key: the
    Sleutelelementen of the CD_CS table (Bsn, ToewijzingNummer, Product, Begindatum)."""
    return (
        bsn,
        line.toewijzing_nummer,
        _category(line.product),
        _code(line.product),
        line.begindatum,
    )


def _key(msg, line) -> tuple:
    key = _start_key(msg.client.bsn, line)
    if code_of(msg) == "307":
        key = (*key, line.einddatum, line.reden_beeindiging)
    return key


def _standing(msg, ctx, line) -> list:
    kind = _kind(msg)
    if kind == "start":
        return ctx.starts(number=line.toewijzing_nummer, bsn=msg.client.bsn)
    return ctx.stops(number=line.toewijzing_nummer, bsn=msg.client.bsn)


def _report_key(msg, ctx, report) -> tuple:
    return ctx.start_key(report) if _kind(msg) == "start" else ctx.stop_key(report)


def _what(msg) -> str:
    return "StartProduct" if code_of(msg) == "305" else "StopProduct"


# TR019 lists "WMO305" and "W<P307" in the reference (a typo for WMO307; WJ001 gives 9019 for
# both messages). "Gerelateerd aan een toewijzing op basis van het ToewijzingNummer": an
# assignment with that number that this municipality sent to this provider (OP095) for the
# client in the message, and not removed (RedenWijziging 13/01 with Einddatum = Ingangsdatum:
# it counts as not sent, OP033x1). Without a ToewijzingNummer (taakgericht, the FAQ) the rule
# does not apply.
@stored_rule("TR019", messages=_START_STOP)
def _(msg, ctx):
    for line in _lines(msg):
        number = line.toewijzing_nummer
        if number is None or line.status_aanlevering == "3":
            continue
        assignment = ctx.assignment(number)
        if assignment is None or not assignment.is_current:
            yield Violation.at(
                line, f"ToewijzingNummer {number} hoort niet bij een toewijzing aan deze aanbieder."
            )
        elif assignment.client.bsn != msg.client.bsn:
            yield Violation.at(line, f"Toewijzing {number} hoort bij een andere cliënt.")


# TR063: "een eerdere aanlevering met dezelfde logische sleutel": an approved earlier line of
# the same class (StartProduct or StopProduct) with the same key that is still standing (not
# itself removed by an earlier StatusAanlevering 3).
@stored_rule("TR063", messages=_START_STOP)
def _(msg, ctx):
    for line in _lines(msg):
        if line.status_aanlevering != "3":
            continue
        keys = {_report_key(msg, ctx, r) for r in _standing(msg, ctx, line)}
        if _key(msg, line) not in keys:
            yield Violation.at(
                line,
                f"Er is geen eerder {_what(msg)} met dezelfde sleutel ontvangen om te verwijderen.",
            )


# TR071: the start to remove has a stop when a standing StopProduct carries its key (Bsn,
# ToewijzingNummer, Product, Begindatum).
@stored_rule("TR071", messages=("305",))
def _(msg, ctx):
    for line in _lines(msg):
        if line.status_aanlevering != "3":
            continue
        key = _start_key(msg.client.bsn, line)
        stops = ctx.stops(number=line.toewijzing_nummer, bsn=msg.client.bsn)
        if any(ctx.start_key(stop) == key for stop in stops):
            yield Violation.at(
                line, "Deze start kan niet verwijderd worden: er is al een stop voor verstuurd."
            )


# TR074: the key must be unique within the message and against every standing line received
# before (a removed line counts as not sent, OP033).
@stored_rule("TR074", messages=_START_STOP)
def _(msg, ctx):
    seen: set[tuple] = set()
    for line in _lines(msg):
        if line.status_aanlevering != "1":
            continue
        key = _key(msg, line)
        earlier = {_report_key(msg, ctx, r) for r in _standing(msg, ctx, line)}
        if key in earlier or key in seen:
            yield Violation.at(line, f"Er is al een {_what(msg)} met dezelfde sleutel ontvangen.")
        seen.add(key)


# TR326: a start is current while no standing stop carries its key (Toelichting, IV008); the
# starts are those with the same ToewijzingNummer.
@stored_rule("TR326", messages=("305",))
def _(msg, ctx):
    for line in _lines(msg):
        number = line.toewijzing_nummer
        if number is None or line.status_aanlevering == "3":
            continue
        stopped = {ctx.start_key(stop) for stop in ctx.stops(number=number)}
        current = [s for s in ctx.starts(number=number) if ctx.start_key(s) not in stopped]
        if current:
            yield Violation.at(
                line,
                f"Toewijzing {number} heeft al een actuele start (begindatum "
                f"{_date(current[-1].begin_on)}) zonder stop.",
            )


# TR382 (retour code 9069: "geen actueel startbericht met dezelfde sleutel"): the start part
# of the StopProduct's key (Bsn, ToewijzingNummer, Product, Begindatum) must be that of a
# standing start. A temporary stop (20) leaves the start standing, so a definitive stop after
# it refers to the same start (IV096).
@stored_rule("TR382", messages=("307",))
def _(msg, ctx):
    for line in _lines(msg):
        if line.status_aanlevering == "3":
            continue
        key = _start_key(msg.client.bsn, line)
        starts = ctx.starts(number=line.toewijzing_nummer, bsn=msg.client.bsn)
        if not any(ctx.start_key(s) == key for s in starts):
            yield Violation.at(
                line,
                "Er is geen actuele start met dezelfde ToewijzingNummer, Product en Begindatum "
                f"({_date(line.begindatum)}).",
            )


def _same_start(msg, ctx, line) -> list:
    """The standing stops with the line's Bsn, ToewijzingNummer and Begindatum, oldest
    first."""
    stops = ctx.stops(number=line.toewijzing_nummer, bsn=msg.client.bsn)
    return [s for s in stops if s.begin_on == line.begindatum]


# TR413: the earlier StopProducts are the standing ones received before and the lines before
# this one in the same message.
@stored_rule("TR413", messages=("307",))
def _(msg, ctx):
    lines = _lines(msg)
    for index, line in enumerate(lines):
        if line.status_aanlevering not in ("1", "2") or line.reden_beeindiging != "20":
            continue
        earlier = any(s.reason == "20" for s in _same_start(msg, ctx, line)) or any(
            other.reden_beeindiging == "20"
            and other.status_aanlevering in ("1", "2")
            and (other.toewijzing_nummer, other.begindatum)
            == (line.toewijzing_nummer, line.begindatum)
            for other in lines[:index]
        )
        if earlier:
            yield Violation.at(
                line,
                "Er is al een tijdelijke stop (reden 20) voor deze start: de volgende stop moet "
                "een andere reden hebben.",
            )


# TR414: the current StopProduct is the most recent standing one for the same Bsn,
# ToewijzingNummer and Begindatum.
@stored_rule("TR414", messages=("307",))
def _(msg, ctx):
    for line in _lines(msg):
        if line.status_aanlevering == "3":
            continue
        same = _same_start(msg, ctx, line)
        if same and same[-1].end_on and line.einddatum < same[-1].end_on:
            yield Violation.at(
                line,
                f"Einddatum {_date(line.einddatum)} ligt voor de einddatum van de actuele stop "
                f"({_date(same[-1].end_on)}).",
            )


@stored_rule("TR415", messages=("307",))
def _(msg, ctx):
    for line in _lines(msg):
        if line.status_aanlevering not in ("1", "2"):
            continue
        if any(s.reason != "20" for s in _same_start(msg, ctx, line)):
            yield Violation.at(
                line, "Deze start is al definitief gestopt (een stop met een andere reden dan 20)."
            )


# --- TR381: the product code list ---------------------------------------------------------------


def _coded(msg) -> Iterator[tuple[Any, str, str]]:
    """(class object, ProductCategorie, ProductCode) of every product with a code."""
    message = code_of(msg)
    if message == "301":
        items = [(p, p.product) for p in msg.client.toegewezen_producten]
    elif message in _START_STOP:
        items = [(p, p.product) for p in _lines(msg) if p.status_aanlevering != "3"]
    elif message == "315":
        items = [(p, p.product) for p in msg.client.aangevraagde_producten]
    elif message == "317":
        items = [(p, p.product) for p in msg.client.verzoek.nieuwe_producten]
    else:
        for _client, prestatie in _prestaties(msg):
            if prestatie.product_code:
                yield prestatie, prestatie.product_categorie or "", prestatie.product_code
        return
    for obj, product in items:
        if _code(product):
            yield obj, _category(product), _code(product)


# TR381: the municipality's product code list is its region's catalog (the levels' iWmo
# product category and code, every catalog version). A region without a catalog has no list
# to check against: nothing is refused then.
@stored_rule("TR381", messages=("301", "305", "307", "315", "317", "323"))
def _(msg, ctx):
    codes = ctx.product_codes()
    if not codes:
        return
    for obj, category, code in _coded(msg):
        if (category, code) not in codes:
            yield Violation.at(
                obj,
                f"ProductCode {code} staat niet bij ProductCategorie {category or 'leeg'} in de "
                "productcodelijst van de gemeente.",
            )


# --- 301 (checked by the provider) ------------------------------------------------------------


# TR332: the number belongs to one toegewezen product within the municipality. The
# municipality's register of numbers (every 301 is made from it) tells which: a number
# already given to another provider, client, product or Ingangsdatum is not unique. Product
# and Ingangsdatum cannot change under the same number (OP033x1; the FAQ: an earlier start
# needs an extra assignment). Duplicates within the message are TR101's.
@stored_rule("TR332", messages=("301",))
def _(msg, ctx):
    bsn = msg.client.bsn
    for product in msg.client.toegewezen_producten:
        known = ctx.assignment_in_municipality(product.toewijzing_nummer)
        if known is None:
            continue
        same = (
            known.provider_id == ctx.provider.pk
            and known.client.bsn == bsn
            and known.product_category == _category(product.product)
            and (known.product_code or "") == _code(product.product)
            and known.start_on == product.ingangsdatum
        )
        if not same:
            yield Violation.at(
                product,
                f"ToewijzingNummer {product.toewijzing_nummer} is al gebruikt voor een ander "
                "toegewezen product van de gemeente.",
            )


# TR379 (retour code 9379: the reference "refereert niet naar een verzoek om toewijzing of
# verzoek om wijziging"): a filled ReferentieAanbieder must be that of a VOT or VOW this
# provider sent for this client. Whether a product honours a request cannot be seen from the
# message, so an empty reference is not refused.
@stored_rule("TR379", messages=("301",))
def _(msg, ctx):
    for product in msg.client.toegewezen_producten:
        reference = product.referentie_aanbieder
        if reference and not ctx.requests_with_reference(reference, bsn=msg.client.bsn):
            yield Violation.at(
                product,
                f"ReferentieAanbieder {reference} hoort niet bij een verzoek om toewijzing of "
                "wijziging van deze aanbieder voor deze cliënt.",
            )


def _uncredited_debets(declared: list) -> list:
    """The approved debet prestaties without an approved credit prestatie that refers to
    them (VorigReferentieNummer)."""
    approved = [d for d in declared if not d.refused]
    credited = {d.previous_reference for d in approved if d.credit}
    return [d for d in approved if not d.credit and d.reference not in credited]


# TR385: "goedgekeurde (niet gecrediteerde) prestatieregels" are the debet prestaties with the
# ToewijzingNummer that were not refused (also while the declaratie-antwoord is awaited) and
# have no approved credit prestatie.
@stored_rule("TR385", messages=("301",))
def _(msg, ctx):
    for product in msg.client.toegewezen_producten:
        if product.reden_wijziging != "13":
            continue
        debets = _uncredited_debets(ctx.earlier_prestaties(product.toewijzing_nummer))
        if debets:
            yield Violation.at(
                product,
                f"Toewijzing {product.toewijzing_nummer} heeft goedgekeurde declaratieregels "
                f"({', '.join(sorted({d.reference for d in debets}))}) en kan niet verwijderd "
                "worden.",
            )


# --- 315 / 317 (checked by the municipality) ---------------------------------------------------


# TR347: the references of the VOTs and VOWs this municipality received from this provider
# (a request refused in its retour was not received and may be sent again with its reference).
# Duplicates within a 315 are TR383's.
@stored_rule("TR347", messages=("315", "317"))
def _(msg, ctx):
    if code_of(msg) == "315":
        items = [(p, p.referentie_aanbieder) for p in msg.client.aangevraagde_producten]
    else:
        items = [(msg.client.verzoek, msg.client.verzoek.referentie_aanbieder)]
    for obj, reference in items:
        if ctx.requests_with_reference(reference):
            yield Violation.at(obj, f"ReferentieAanbieder {reference} is al eerder gebruikt.")


# TR374: on the Client of a 315 (the request is the message as a whole) and on the Verzoek
# of a 317.
@stored_rule("TR374", messages=("315", "317"))
def _(msg, ctx):
    open_requests = ctx.open_requests(msg.client.bsn)
    if open_requests:
        target = msg.client if code_of(msg) == "315" else msg.client.verzoek
        references = ", ".join(sorted({r.provider_reference for r in open_requests}))
        yield Violation.at(
            target,
            f"Er is al een verzoek voor deze cliënt in behandeling (ReferentieAanbieder "
            f"{references}).",
        )


def _numbered(verzoek) -> list:
    return [*verzoek.ongewijzigde_producten, *verzoek.te_wijzigen_producten]


# TR304 (retour code 8187: "hoort niet bij deze cliënt"): in a 317, the toewijzing an
# OngewijzigdProduct or TeWijzigenProduct names must be one of the client with this Bsn.
# In a 323, the toewijzing of each Prestatie; in a 325, the client the Prestatie was declared
# for in the declaration it answers.
@stored_rule("TR304", messages=("317", "323", "325"))
def _(msg, ctx):
    message = code_of(msg)
    if message == "317":
        for product in _numbered(msg.client.verzoek):
            assignment = ctx.assignment(product.toewijzing_nummer)
            if assignment is not None and assignment.client.bsn != msg.client.bsn:
                yield Violation.at(
                    product,
                    f"Toewijzing {product.toewijzing_nummer} hoort niet bij de cliënt met dit Bsn.",
                )
    elif message == "323":
        for client, prestatie in _prestaties(msg):
            assignment = ctx.assignment(prestatie.toewijzing_nummer)
            if assignment is not None and assignment.client.bsn != client.bsn:
                yield Violation.at(
                    prestatie,
                    f"Toewijzing {prestatie.toewijzing_nummer} hoort niet bij de cliënt met dit "
                    "Bsn.",
                )
    else:
        declared = _declared_for_answer(msg, ctx)
        for client, prestatie in _prestaties(msg):
            found = declared.get(_reference(prestatie))
            if found is not None and found[0] != client.bsn:
                yield Violation.at(
                    prestatie,
                    f"Prestatie {_reference(prestatie)} is gedeclareerd voor een andere cliënt.",
                )


# TR349/TR350/TR351: "actueel" per the Toelichting of TR349 — valid on or after the current
# date, not removed or void. The current date is the Dagtekening of the request: what the
# provider saw when it made it. Only assignments sent to the provider count (OP095).
@stored_rule("TR349", messages=("317",))
def _(msg, ctx):
    verzoek = msg.client.verzoek
    listed = {p.toewijzing_nummer for p in _numbered(verzoek)}
    missing = [
        a.number
        for a in ctx.current_assignments(msg.client.bsn, _dagtekening(msg))
        if a.number not in listed
    ]
    if missing:
        yield Violation.at(
            verzoek,
            "Het verzoek bevat niet alle actuele toewijzingen van de cliënt: ontbreekt "
            f"{', '.join(str(n) for n in missing)}.",
        )


def _not_current(msg, ctx, products, what: str) -> Iterator[Violation]:
    for product in products:
        assignment = ctx.assignment(product.toewijzing_nummer)
        if assignment is None or not ctx.is_current(assignment, _dagtekening(msg)):
            yield Violation.at(
                product,
                f"{what} {product.toewijzing_nummer} is geen actuele toewijzing aan deze "
                "aanbieder.",
            )


@stored_rule("TR350", messages=("317",))
def _(msg, ctx):
    yield from _not_current(
        msg, ctx, msg.client.verzoek.ongewijzigde_producten, "OngewijzigdProduct"
    )


@stored_rule("TR351", messages=("317",))
def _(msg, ctx):
    yield from _not_current(msg, ctx, msg.client.verzoek.te_wijzigen_producten, "TeWijzigenProduct")


@stored_rule("TR357", messages=("317",))
def _(msg, ctx):
    for product in msg.client.verzoek.te_wijzigen_producten:
        assignment = ctx.assignment(product.toewijzing_nummer)
        wanted = product.gewenste_ingangsdatum
        if assignment is None or wanted > _dagtekening(msg) or wanted == assignment.start_on:
            continue
        yield Violation.at(
            product,
            f"GewensteIngangsdatum {_date(wanted)} ligt niet na de dagtekening en is niet gelijk "
            f"aan de ingangsdatum van toewijzing {assignment.number} "
            f"({_date(assignment.start_on)}).",
        )


_STACKABLE = ("11", "12", "13", "14")


def _clash(a: tuple, b: tuple) -> bool:
    """TR361 Toelichting: the same product code; without a code the same category; without a
    category anything but categories 11-14. Categories 11-14 may always overlap."""
    (category_a, code_a), (category_b, code_b) = a, b
    if category_a in _STACKABLE or category_b in _STACKABLE:
        return False
    if not category_a or not category_b:
        return True
    if category_a != category_b:
        return False
    if not code_a or not code_b:
        return True
    return code_a == code_b


def _describe(product: tuple) -> str:
    category, code = product
    if not category:
        return "zonder product"
    return f"product {category}/{code}" if code else f"productcategorie {category}"


def _overlap(a: tuple, b: tuple) -> bool:
    (start_a, end_a), (start_b, end_b) = a, b
    return (end_b is None or start_a <= end_b) and (end_a is None or start_b <= end_a)


# TR361: the products of the desired situation with their care periods: an OngewijzigdProduct
# is its assignment as it is; a TeWijzigenProduct is its assignment from its Ingangsdatum (the
# part before GewensteIngangsdatum stays) to the desired Einddatum (empty: open); a
# NieuwProduct is what it asks for. Two NieuwProducten are TR410's (level 2); here every pair
# with an OngewijzigdProduct or TeWijzigenProduct. The later product of a clashing pair gets
# the code.
@stored_rule("TR361", messages=("317",))
def _(msg, ctx):
    verzoek = msg.client.verzoek
    items: list[tuple[Any, tuple, tuple, bool]] = []
    for product in verzoek.ongewijzigde_producten:
        a = ctx.assignment(product.toewijzing_nummer)
        if a is not None:
            items.append(
                (product, (a.product_category, a.product_code), (a.start_on, a.end_on), False)
            )
    for product in verzoek.te_wijzigen_producten:
        a = ctx.assignment(product.toewijzing_nummer)
        if a is not None:
            items.append(
                (
                    product,
                    (a.product_category, a.product_code),
                    (a.start_on, product.einddatum),
                    False,
                )
            )
    for product in verzoek.nieuwe_producten:
        items.append(
            (
                product,
                (_category(product.product), _code(product.product)),
                (product.gewenste_ingangsdatum, product.einddatum),
                True,
            )
        )
    for index, (later, product_b, period_b, new_b) in enumerate(items):
        for _earlier, product_a, period_a, new_a in items[:index]:
            if new_a and new_b:
                continue
            if _overlap(period_a, period_b) and _clash(product_a, product_b):
                yield Violation.at(
                    later,
                    "Dit product overlapt in periode met een ander product in het verzoek "
                    f"({_describe(product_a)}).",
                )
                break


# TR373: the budget changes when the TeWijzigenProduct's Budget differs from the assignment's;
# the total over the assignment period changes when its Omvang differs from the assignment's
# and either has Frequentie 6 (totaal binnen geldigheidsduur toewijzing).
@stored_rule("TR373", messages=("317",))
def _(msg, ctx):
    for product in msg.client.verzoek.te_wijzigen_producten:
        a = ctx.assignment(product.toewijzing_nummer)
        if a is None:
            continue
        budget = product.budget is not None and product.budget != a.budget
        omvang = product.omvang
        total = (
            omvang is not None
            and "6" in (a.frequency, omvang.frequentie)
            and (omvang.volume, omvang.eenheid, omvang.frequentie)
            != (a.volume, a.unit, a.frequency)
        )
        if (budget or total) and product.gewenste_ingangsdatum != a.start_on:
            yield Violation.at(
                product,
                f"{'Budget' if budget else 'Totaal over de toewijzingsperiode'} wijzigt: "
                f"GewensteIngangsdatum moet gelijk zijn aan de ingangsdatum van toewijzing "
                f"{a.number} ({_date(a.start_on)}).",
            )


_GENERIC_SINCE = date(2020, 12, 31)


def _after_2020(assignment) -> bool:
    return assignment.end_on is None or assignment.end_on > _GENERIC_SINCE


# TR375, TR411 and TR412 apply to the TeWijzigenProduct (the class of the 317 with a
# ToewijzingNummer and an Omvang). "Einddatum" is the Einddatum of the toewijzing with that
# number, and "leeg laten" concerns the Omvang (retour codes 9375 and 9412).
@stored_rule("TR375", messages=("317",))
def _(msg, ctx):
    for product in msg.client.verzoek.te_wijzigen_producten:
        a = ctx.assignment(product.toewijzing_nummer)
        if a is not None and not a.product_category and _after_2020(a) and product.omvang:
            yield Violation.at(
                product,
                f"Toewijzing {a.number} heeft geen product: Omvang moet leeg blijven.",
            )


@stored_rule("TR411", messages=("317",))
def _(msg, ctx):
    for product in msg.client.verzoek.te_wijzigen_producten:
        a = ctx.assignment(product.toewijzing_nummer)
        if a is not None and a.product_code and product.omvang is None:
            yield Violation.at(
                product,
                f"Toewijzing {a.number} heeft een productcode: Omvang is verplicht.",
            )


@stored_rule("TR412", messages=("317",))
def _(msg, ctx):
    for product in msg.client.verzoek.te_wijzigen_producten:
        a = ctx.assignment(product.toewijzing_nummer)
        if a is not None and not a.product_code and _after_2020(a) and product.omvang:
            yield Violation.at(
                product,
                f"Toewijzing {a.number} heeft geen productcode: Omvang moet leeg blijven.",
            )


# --- 319 (checked by the provider) ----------------------------------------------------------


# TR355: an earlier VOT or VOW of this provider to this municipality with the reference.
@stored_rule("TR355", messages=("319",))
def _(msg, ctx):
    reference = msg.antwoord.referentie_aanbieder
    if not ctx.requests_with_reference(reference):
        yield Violation.at(
            msg.antwoord,
            f"ReferentieAanbieder {reference} komt niet voor in een eerder verzoek.",
        )


# TR359/TR360/TR365: the earlier 301s and 319s are those the municipality sent to this
# provider that were not refused in their retour.
@stored_rule("TR359", messages=("319",))
def _(msg, ctx):
    reference = msg.antwoord.referentie_aanbieder
    if ctx.assigned_with_reference(reference):
        yield Violation.at(
            msg.antwoord,
            f"Er is al een toewijzing gestuurd met ReferentieAanbieder {reference}.",
        )


@stored_rule("TR360", messages=("319",))
def _(msg, ctx):
    reference = msg.antwoord.referentie_aanbieder
    if msg.antwoord.verzoek_antwoord == "2" and ctx.answers_with_reference(reference):
        yield Violation.at(
            msg.antwoord,
            f"Er is al een antwoord op verzoek {reference}: het kan niet opnieuw in onderzoek.",
        )


@stored_rule("TR365", messages=("319",))
def _(msg, ctx):
    reference = msg.antwoord.referentie_aanbieder
    earlier = ctx.answers_with_reference(reference)
    if any(answer.verzoek_antwoord != "2" for answer in earlier):
        yield Violation.at(
            msg.antwoord,
            f"Verzoek {reference} is al beantwoord met een ander antwoord dan 'in onderzoek'.",
        )


# --- 325 (checked by the provider) ------------------------------------------------------------


def _answered_declaration(msg, ctx):
    """(row, parsed) of the 323 the 325 answers (by DeclaratieIdentificatie), or None."""
    return ctx.declaration_with_identification(msg.header.declaratie_identificatie.identificatie)


def _declared_for_answer(msg, ctx) -> dict[str, tuple[str, Any]]:
    """ReferentieNummer -> (Bsn, Prestatie) of the declaration the 325 answers; when that is
    not found, of every declaration of this provider to this municipality."""
    found = _answered_declaration(msg, ctx)
    declarations = [found] if found is not None else ctx.all_declarations_sent()
    return {
        _reference(prestatie): (client.bsn, prestatie)
        for _row, bericht in declarations
        for client, prestatie in _prestaties(bericht)
    }


# TR337: the BerichtIdentificatie is Identificatie and Dagtekening.
@stored_rule("TR337", messages=("325",))
def _(msg, ctx):
    wanted = msg.header.declaratie_identificatie
    found = _answered_declaration(msg, ctx)
    if found is None or found[1].header.bericht_identificatie.dagtekening != wanted.dagtekening:
        yield Violation.at(
            msg.header,
            f"DeclaratieIdentificatie {wanted.identificatie} ({_date(wanted.dagtekening)}) is "
            "niet die van een eerder ontvangen declaratiebericht.",
        )


def _versions(xsd) -> tuple:
    return (xsd.basisschema_xsd_versie, xsd.bericht_xsd_versie) if xsd else (None, None)


@stored_rule("TR371", messages=("325",))
def _(msg, ctx):
    found = _answered_declaration(msg, ctx)
    if found is None:
        return  # TR337
    if _versions(msg.header.xsd_versie_declaratie) != _versions(found[1].header.xsd_versie):
        yield Violation.at(
            msg.header,
            "XsdVersieDeclaratie is niet gelijk aan de XsdVersie van het declaratiebericht.",
        )


# TR376: the DeclaratieNummer of the declaration the 325 answers; when that is not found, of
# any declaration of this provider to this municipality.
@stored_rule("TR376", messages=("325",))
def _(msg, ctx):
    antwoord = msg.declaratie_antwoord
    if antwoord is None:
        return
    found = _answered_declaration(msg, ctx)
    declarations = [found] if found is not None else ctx.all_declarations_sent()
    numbers = {bericht.declaratie.declaratie_nummer for _row, bericht in declarations}
    if antwoord.declaratie_nummer not in numbers:
        yield Violation.at(
            antwoord,
            f"DeclaratieNummer {antwoord.declaratie_nummer} is niet dat van een eerder "
            "ontvangen declaratie.",
        )


@stored_rule("TR366", messages=("325",))
def _(msg, ctx):
    declared = _declared_for_answer(msg, ctx)
    for _client, prestatie in _prestaties(msg):
        if _reference(prestatie) not in declared:
            yield Violation.at(
                prestatie,
                f"ProductReferentie {_reference(prestatie)} komt niet voor in het "
                "declaratiebericht.",
            )


_COPIED = (
    ("product_referentie", "ProductReferentie"),
    ("toewijzing_nummer", "ToewijzingNummer"),
    ("product_categorie", "ProductCategorie"),
    ("product_code", "ProductCode"),
    ("product_periode", "ProductPeriode"),
    ("geleverd_volume", "GeleverdVolume"),
    ("eenheid", "Eenheid"),
    ("product_tarief", "ProductTarief"),
    ("ingediend_bedrag", "IngediendBedrag"),
)


def _value(obj, name: str):
    value = getattr(obj, name)
    if hasattr(value, "__dataclass_fields__"):
        return tuple(getattr(value, f) for f in value.__dataclass_fields__)
    return value


# TR367 ("Waarde"): every element of the Prestatie copied from the declaration (all but the
# RetourCodes) must equal the declared Prestatie with the same ReferentieNummer.
@stored_rule("TR367", messages=("325",))
def _(msg, ctx):
    declared = _declared_for_answer(msg, ctx)
    for _client, prestatie in _prestaties(msg):
        found = declared.get(_reference(prestatie))
        if found is None:
            continue  # TR366
        differ = [
            label for name, label in _COPIED if _value(prestatie, name) != _value(found[1], name)
        ]
        if differ:
            yield Violation.at(
                prestatie,
                f"{', '.join(differ)} wijkt af van de gedeclareerde prestatie "
                f"{_reference(prestatie)}.",
            )


# --- 323 (checked by the municipality) -----------------------------------------------------


def _assigned(ctx, prestatie):
    return ctx.assignment(prestatie.toewijzing_nummer)


# TR314: every Prestatie of an earlier declaration counts, refused or not, unless the whole
# declaration was refused (IV087: it counts as not sent); and every earlier Prestatie of this
# message.
@stored_rule("TR314", messages=("323",))
def _(msg, ctx):
    used = {d.reference for d in ctx.earlier_prestaties()}
    for _client, prestatie in _prestaties(msg):
        reference = _reference(prestatie)
        if reference in used:
            yield Violation.at(prestatie, f"ReferentieNummer {reference} is al eerder aangeleverd.")
        used.add(reference)


# TR333: against the earlier declarations not refused as a whole (IV087: a refused
# declaration counts as not sent).
@stored_rule("TR333", messages=("323",))
def _(msg, ctx):
    number = msg.declaratie.declaratie_nummer
    if any(not d.refused and d.declaratie.declaratie_nummer == number for d in ctx.declarations()):
        yield Violation.at(msg.declaratie, f"DeclaratieNummer {number} is al eerder gebruikt.")


# TR318: whether care was delivered in every period cannot be known here. What holds in every
# case (Toelichting: after months without care the next period is the month care resumed) is
# that the DeclaratiePeriode does not go back: not before the latest DeclaratiePeriode of the
# earlier declarations of this provider to this municipality not refused as a whole. The same
# period again is allowed: a declaration too large for one file is split over several
# (OP179, IB003 "verdeel de berichten over meerdere bestanden"), each with that period.
@stored_rule("TR318", messages=("323",))
def _(msg, ctx):
    periods = [
        d.declaratie.declaratie_periode.begindatum for d in ctx.declarations() if not d.refused
    ]
    begin = msg.declaratie.declaratie_periode.begindatum
    if periods and begin < max(periods):
        yield Violation.at(
            msg.declaratie,
            f"DeclaratiePeriode {begin:%m-%Y} ligt voor de voorgaande declaratieperiode "
            f"({max(periods):%m-%Y}).",
        )


# TR319: a declaration period is a calendar month (IV089); the ProductPeriode lies within one
# calendar month, not after the DeclaratiePeriode.
@stored_rule("TR319", messages=("323",))
def _(msg, ctx):
    until = _month(msg.declaratie.declaratie_periode.einddatum)
    for _client, prestatie in _prestaties(msg):
        periode = prestatie.product_periode
        one_month = _month(periode.begindatum) == _month(periode.einddatum)
        if not one_month or _month(periode.einddatum) > until:
            yield Violation.at(
                prestatie,
                "De ProductPeriode valt niet binnen de huidige of een voorgaande "
                "declaratieperiode.",
            )


# TR338: a toewijzing with the ToewijzingNummer sent by this municipality to this provider
# (removed ones too: declaring on those is TR384's).
@stored_rule("TR338", messages=("323",))
def _(msg, ctx):
    for _client, prestatie in _prestaties(msg):
        if _assigned(ctx, prestatie) is None:
            yield Violation.at(
                prestatie,
                f"ToewijzingNummer {prestatie.toewijzing_nummer} hoort niet bij een toewijzing "
                "aan deze aanbieder.",
            )


# The dates of a credit are those of the debit it reverses (TR323's key fields), checked when
# that debit came in. TR307/TR308/TR387/TR388 and TR384 judge debits only: a toewijzing
# shortened or removed later is exactly why a paid debit is credited.
@stored_rule("TR307", messages=("323",))
def _(msg, ctx):
    for _client, prestatie in _prestaties(msg):
        if _credit(prestatie):
            continue  # a credit reverses its debit as sent (see above TR307)
        a = _assigned(ctx, prestatie)
        begin = prestatie.product_periode.begindatum
        if a is not None and begin < a.start_on:
            yield Violation.at(
                prestatie,
                f"Begindatum ProductPeriode {_date(begin)} ligt voor de ingangsdatum van de "
                f"toewijzing ({_date(a.start_on)}).",
            )


@stored_rule("TR308", messages=("323",))
def _(msg, ctx):
    for _client, prestatie in _prestaties(msg):
        if _credit(prestatie):
            continue  # a credit reverses its debit as sent (see above TR307)
        a = _assigned(ctx, prestatie)
        end = prestatie.product_periode.einddatum
        if a is not None and a.end_on is not None and end > a.end_on:
            yield Violation.at(
                prestatie,
                f"Einddatum ProductPeriode {_date(end)} ligt na de einddatum van de toewijzing "
                f"({_date(a.end_on)}).",
            )


@stored_rule("TR339", messages=("323",))
def _(msg, ctx):
    for _client, prestatie in _prestaties(msg):
        a = _assigned(ctx, prestatie)
        if (
            a is not None
            and a.product_category
            and prestatie.product_categorie != a.product_category
        ):
            yield Violation.at(
                prestatie,
                f"ProductCategorie {prestatie.product_categorie} is niet die van de toewijzing "
                f"({a.product_category}).",
            )


@stored_rule("TR340", messages=("323",))
def _(msg, ctx):
    for _client, prestatie in _prestaties(msg):
        a = _assigned(ctx, prestatie)
        if a is not None and a.product_code and (prestatie.product_code or "") != a.product_code:
            yield Violation.at(
                prestatie,
                f"ProductCode {prestatie.product_code or 'leeg'} is niet die van de toewijzing "
                f"({a.product_code}).",
            )


def _fits(assigned: str, declared: str) -> bool:
    """TR341/IV081: the same unit, or minutes for an assignment in hours."""
    return declared == assigned or (assigned == "04" and declared == "01")


# TR341: the Eenheid of the toewijzing; for an aspecific or generic toewijzing (no Omvang) the
# unit of the contract (Toelichting): the catalog level of the declared ProductCode.
@stored_rule("TR341", messages=("323",))
def _(msg, ctx):
    for _client, prestatie in _prestaties(msg):
        a = _assigned(ctx, prestatie)
        if a is None:
            continue
        unit = a.unit
        if not unit:
            level = ctx.contract_level(
                prestatie.product_code,
                prestatie.product_categorie,
                prestatie.product_periode.begindatum,
            )
            unit = level.iwmo_unit if level is not None else ""
        if unit and not _fits(unit, prestatie.eenheid):
            yield Violation.at(
                prestatie,
                f"Eenheid {prestatie.eenheid} past niet bij de eenheid van de toewijzing ({unit}).",
            )


@stored_rule("TR384", messages=("323",))
def _(msg, ctx):
    for _client, prestatie in _prestaties(msg):
        if _credit(prestatie):
            continue  # a credit reverses its debit as sent (see above TR307)
        a = _assigned(ctx, prestatie)
        if a is not None and a.change_reason == "13":
            yield Violation.at(
                prestatie, f"Toewijzing {a.number} is verwijderd (RedenWijziging 13)."
            )


@stored_rule("TR387", messages=("323",))
def _(msg, ctx):
    for _client, prestatie in _prestaties(msg):
        if _credit(prestatie):
            continue  # a credit reverses its debit as sent (see above TR307)
        a = _assigned(ctx, prestatie)
        if a is None:
            continue
        begin = prestatie.product_periode.begindatum
        first = begin.replace(day=1)
        expected = a.start_on if first < a.start_on <= _end_of_month(begin) else first
        if begin != expected:
            yield Violation.at(
                prestatie,
                f"Begindatum ProductPeriode moet {_date(expected)} zijn (eerste dag van de maand, "
                "of de latere ingangsdatum van de toewijzing).",
            )


@stored_rule("TR388", messages=("323",))
def _(msg, ctx):
    for _client, prestatie in _prestaties(msg):
        if _credit(prestatie):
            continue  # a credit reverses its debit as sent (see above TR307)
        a = _assigned(ctx, prestatie)
        if a is None:
            continue
        end = prestatie.product_periode.einddatum
        last = _end_of_month(end)
        early = a.end_on is not None and end.replace(day=1) <= a.end_on < last
        expected = a.end_on if early else last
        if end != expected:
            yield Violation.at(
                prestatie,
                f"Einddatum ProductPeriode moet {_date(expected)} zijn (laatste dag van de maand, "
                "of de eerdere einddatum van de toewijzing).",
            )


# --- volumes and budget (TR321, TR322, TR369; IV077) -----------------------------------------

_OUTPUT_UNITS = ("82", "83")  # outputgericht: stuks (output), euro's


def _factor(assigned: str, declared: str) -> Fraction | None:
    """Declared volume to the assignment's unit: minutes to hours (IV081), else the same."""
    if declared == assigned:
        return Fraction(1)
    if assigned == "04" and declared == "01":
        return Fraction(1, 60)
    return None


def _days(begin: date, end: date) -> Iterator[date]:
    day = begin
    while day <= end:
        yield day
        day += timedelta(days=1)


def _weeks(begin: date, end: date) -> int:
    """The calendar weeks (week numbers) the period touches (IV077)."""
    return len({day.isocalendar()[:2] for day in _days(begin, end)})


def _sundays(begin: date, end: date) -> int:
    return sum(1 for day in _days(begin, end) if day.weekday() == 6)


def _months(begin: date, end: date) -> int:
    return (end.year - begin.year) * 12 + end.month - begin.month + 1


def _last_sunday(assignment) -> date:
    """IV077 (outputgericht): the last Sunday of the toewijzing; without any Sunday, its end."""
    end = assignment.end_on
    sunday = end - timedelta(days=(end.weekday() + 1) % 7)
    return sunday if sunday >= assignment.start_on else end


def _period_maximum(a, begin: date, end: date) -> Fraction | None:
    """The most that may be declared for the ProductPeriode, in the assignment's unit (TR321,
    IV077), or None when the assignment has no Omvang."""
    if a.volume is None or not a.unit or not a.frequency:
        return None
    volume = Fraction(a.volume)
    if a.frequency == "1":
        return volume * ((end - begin).days + 1)
    if a.frequency == "2":
        if a.product_category == "01":
            return 6 * volume  # huishoudelijke hulp per week: at most 6 x (TR321, IV077)
        if a.unit in _OUTPUT_UNITS:
            extra = (
                a.end_on is not None and a.end_on.weekday() != 6 and begin <= _last_sunday(a) <= end
            )
            return volume * (_sundays(begin, end) + int(extra))
        return volume * _weeks(begin, end)
    return volume  # 4 per maand (the ProductPeriode is within one month), 6 total


def _total_maximum(a) -> Fraction | None:
    """The most that may be declared over the whole toewijzing (TR322, IV077), or None when
    it has no Omvang or no end."""
    if a.volume is None or not a.unit or not a.frequency:
        return None
    volume = Fraction(a.volume)
    if a.frequency == "6":
        return volume
    if a.end_on is None:
        return None
    if a.frequency == "1":
        return volume * ((a.end_on - a.start_on).days + 1)
    if a.frequency == "2":
        if a.unit in _OUTPUT_UNITS:
            return volume * (_sundays(a.start_on, a.end_on) + int(a.end_on.weekday() != 6))
        return volume * _weeks(a.start_on, a.end_on)
    return volume * _months(a.start_on, a.end_on)


def _signed(prestatie, value) -> Fraction:
    return -Fraction(value) if _credit(prestatie) else Fraction(value)


@stored_rule("TR321", messages=("323",))
def _(msg, ctx):
    for _client, prestatie in _prestaties(msg):
        a = _assigned(ctx, prestatie)
        if a is None or _credit(prestatie):
            continue
        factor = _factor(a.unit, prestatie.eenheid)
        periode = prestatie.product_periode
        maximum = _period_maximum(a, periode.begindatum, periode.einddatum)
        if factor is None or maximum is None:
            continue
        if prestatie.geleverd_volume * factor > maximum:
            yield Violation.at(
                prestatie,
                f"GeleverdVolume {prestatie.geleverd_volume} past niet binnen het toegewezen "
                f"volume voor deze ProductPeriode ({float(maximum):g} in eenheid {a.unit}).",
            )


def _over_limit(msg, ctx, limit_of, amount_of) -> Iterator[tuple[Any, Any, Fraction]]:
    """(Prestatie, assignment, limit) for each debet Prestatie of the message with which the
    sum over the toewijzing (earlier approved prestaties, then the credits and the debets of
    this message in order) exceeds `limit_of(assignment)`. `amount_of(assignment, prestatie)`
    is a Prestatie's unsigned amount, or None when it cannot be compared."""
    by_number: dict[int, list] = {}
    for _client, prestatie in _prestaties(msg):
        by_number.setdefault(prestatie.toewijzing_nummer, []).append(prestatie)
    for number, prestaties in by_number.items():
        a = ctx.assignment(number)
        limit = limit_of(a) if a is not None else None
        if limit is None:
            continue
        total = Fraction(0)
        for declared in ctx.earlier_prestaties(number):
            amount = amount_of(a, declared.prestatie)
            if not declared.refused and amount is not None:
                total += _signed(declared.prestatie, amount)
        for prestatie in sorted(prestaties, key=lambda p: not _credit(p)):
            amount = amount_of(a, prestatie)
            if amount is None:
                continue
            total += _signed(prestatie, amount)
            if not _credit(prestatie) and total > limit:
                yield prestatie, a, limit


def _volume(a, prestatie) -> Fraction | None:
    factor = _factor(a.unit, prestatie.eenheid)
    return None if factor is None else prestatie.geleverd_volume * factor


# TR322: the earlier prestaties are those not refused (a refused one is not counted; credits
# subtract).
@stored_rule("TR322", messages=("323",))
def _(msg, ctx):
    for prestatie, a, limit in _over_limit(msg, ctx, _total_maximum, _volume):
        yield Violation.at(
            prestatie,
            f"De som van de gedeclareerde volumes op toewijzing {a.number} overschrijdt het "
            f"toegewezen volume ({float(limit):g} in eenheid {a.unit}).",
        )


def _money(_a, prestatie) -> int:
    """The money value of the delivered volume: the volume itself in euro's (eurocents), else
    the IngediendBedrag (GeleverdVolume x ProductTarief, TR346)."""
    if prestatie.eenheid == "83":
        return prestatie.geleverd_volume
    return prestatie.ingediend_bedrag.bedrag


# TR369 sums GeleverdVolume against a Budget in eurocents. A volume is money only in euro's
# (83); for other units the value of the delivered volume is its IngediendBedrag (TR346:
# GeleverdVolume x ProductTarief). That sum (debet +, credit -, refused prestaties not
# counted) must fit the Budget.
@stored_rule("TR369", messages=("323",))
def _(msg, ctx):
    for prestatie, a, limit in _over_limit(msg, ctx, lambda a: a.budget, _money):
        yield Violation.at(
            prestatie,
            f"De som van de gedeclareerde bedragen op toewijzing {a.number} overschrijdt het "
            f"toegewezen budget ({_euro(int(limit))}).",
        )


def _euro(cents: int) -> str:
    return f"€ {cents / 100:.2f}".replace(".", ",")


# --- credit and debet (TR323, TR389, TR390) ---------------------------------------------------


# TR323: VorigReferentieNummer is the ReferentieNummer of a debet prestatie of an earlier
# declaration that was not refused (also while its 325 is awaited).
@stored_rule("TR323", messages=("323",))
def _(msg, ctx):
    debets = {d.reference for d in ctx.earlier_prestaties() if not d.refused and not d.credit}
    for _client, prestatie in _prestaties(msg):
        if _credit(prestatie) and _previous(prestatie) not in debets:
            yield Violation.at(
                prestatie,
                f"Er is geen eerder goedgekeurde debetprestatie {_previous(prestatie)} om te "
                "crediteren.",
            )


def _product_key(prestatie) -> tuple:
    periode = prestatie.product_periode
    return (
        prestatie.toewijzing_nummer,
        prestatie.product_categorie or "",
        prestatie.product_code or "",
        periode.begindatum,
        periode.einddatum,
    )


# TR389: the earlier debet prestaties with the same ToewijzingNummer, product and
# ProductPeriode that were not refused; one has its credit when a credit prestatie (earlier
# and not refused, or in this message) for the same ProductPeriode refers to it.
@stored_rule("TR389", messages=("323",))
def _(msg, ctx):
    earlier = [d for d in ctx.earlier_prestaties() if not d.refused]
    credits = [d.prestatie for d in earlier if d.credit]
    credits += [p for _c, p in _prestaties(msg) if _credit(p)]
    # Indexed once: a declaration of thousands of prestaties against a long history.
    debets: dict[tuple, list] = {}
    for debet in earlier:
        if not debet.credit:
            debets.setdefault(_product_key(debet.prestatie), []).append(debet)
    credited_as = {
        (_previous(c), c.product_periode.begindatum, c.product_periode.einddatum) for c in credits
    }
    for _client, prestatie in _prestaties(msg):
        if _credit(prestatie):
            continue
        for debet in debets.get(_product_key(prestatie), []):
            periode = debet.prestatie.product_periode
            credited = (debet.reference, periode.begindatum, periode.einddatum) in credited_as
            if not credited:
                yield Violation.at(
                    prestatie,
                    f"Er is al een debetprestatie ({debet.reference}) voor deze toewijzing, dit "
                    "product en deze ProductPeriode zonder creditprestatie.",
                )
                break


# TR390: "Prestatie met gelijk ProductReferentie" is the debet prestatie this credit refers to
# (VorigReferentieNummer): it may be credited once. Two credits of one debet within the
# message are TR315's.
@stored_rule("TR390", messages=("323",))
def _(msg, ctx):
    credited = {
        d.previous_reference for d in ctx.earlier_prestaties() if not d.refused and d.credit
    }
    for _client, prestatie in _prestaties(msg):
        if _credit(prestatie) and _previous(prestatie) in credited:
            yield Violation.at(
                prestatie,
                f"Prestatie {_previous(prestatie)} is al eerder gecrediteerd.",
            )


# --- tariffs (TR346, TR418) --------------------------------------------------------------------


def _round(value: Fraction) -> int:
    """To a whole number, halves up (eurocents)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return int(exact.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _hour_tariff(ctx, prestatie) -> int | None:
    """The contract tariff per hour (eurocents) of the Prestatie's product, when its catalog
    level is in hours."""
    begin = prestatie.product_periode.begindatum
    level = ctx.contract_level(prestatie.product_code, prestatie.product_categorie, begin)
    if level is None or level.iwmo_unit != "04":
        return None
    return ctx.contract_tariff(level, begin)


# TR346 (externe bron: the contract tariff). IngediendBedrag = GeleverdVolume x ProductTarief.
# Minutes on an hourly tariff (Toelichting, IV081): the contract's hourly tariff x
# GeleverdVolume / 60, rounded to whole eurocents, is accepted too.
@stored_rule("TR346", messages=("323",))
def _(msg, ctx):
    for _client, prestatie in _prestaties(msg):
        tariff = prestatie.product_tarief
        if prestatie.eenheid == "83" or tariff is None:
            continue
        amount = prestatie.ingediend_bedrag.bedrag
        volume = prestatie.geleverd_volume
        if amount == volume * tariff:
            continue
        if prestatie.eenheid == "01":
            hourly = _hour_tariff(ctx, prestatie)
            if hourly is not None and amount == _round(Fraction(hourly * volume, 60)):
                continue
        yield Violation.at(
            prestatie,
            f"IngediendBedrag {_euro(amount)} is niet GeleverdVolume {volume} x ProductTarief "
            f"{_euro(tariff)}.",
        )


# TR418: the contract tariff is the tariff (PriceKind.TARIFF) of the catalog level with the
# ProductCode in the municipality's region, valid on the Begindatum of the ProductPeriode. A
# product without a level or tariff on that day has nothing to compare with (an unknown code is
# TR381's). Minutes declared on an hourly tariff: the tariff per minute, rounded to a whole
# eurocent either way (IV081). The amount is compared as the catalog holds it: the catalog's
# price period (4 weeks or month) is not converted.
@stored_rule("TR418", messages=("323",))
def _(msg, ctx):
    for _client, prestatie in _prestaties(msg):
        tariff = prestatie.product_tarief
        if tariff is None or prestatie.eenheid == "83":
            continue
        begin = prestatie.product_periode.begindatum
        level = ctx.contract_level(prestatie.product_code, prestatie.product_categorie, begin)
        contract = ctx.contract_tariff(level, begin)
        if contract is None or tariff == contract:
            continue
        if (
            level.iwmo_unit == "04"
            and prestatie.eenheid == "01"
            and abs(tariff * 60 - contract) < 60
        ):
            continue
        yield Violation.at(
            prestatie,
            f"ProductTarief {_euro(tariff)} is niet het contractuele tarief van "
            f"{prestatie.product_code} ({_euro(contract)}).",
        )
