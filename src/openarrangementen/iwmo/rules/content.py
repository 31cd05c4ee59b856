"""Controleniveau 2 rules: checkable within one message (the standard's XSLT rules and
the conditions and constraints CD/CS).

Each check follows the definition in `reference/regels` word for word. The rule files do not
say to which elements a generic rule ("Vullen met een datum die ...") applies; where that had
to be decided, the choice and the evidence for it are written above the check. The messages a
check is registered for are the ones the reference lists (a test compares them).
"""

import heapq
import re
from collections.abc import Iterator
from datetime import date, timedelta
from operator import itemgetter
from typing import Any

from dateutil.relativedelta import relativedelta

from openarrangementen.iwmo.codec import class_name, code_of, fields_of
from openarrangementen.iwmo.rules.base import CHECK_SCRATCH, Violation, rule

# --- helpers -----------------------------------------------------------------------------------


def _dagtekening(msg) -> date:
    return msg.header.bericht_identificatie.dagtekening


def _objects(obj: Any) -> Iterator[Any]:
    """Every class object of the message (message classes and basisschema types), in
    document order."""
    yield obj
    for name, _element, complex_ in fields_of(type(obj)):
        if not complex_:
            continue  # text, numbers, dates: no class objects below
        value = getattr(obj, name)
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                yield from _objects(item)


def _classes(msg, *names: str) -> Iterator[Any]:
    """The message class objects with one of these class names (e.g. every `Contact`, both
    in the client's Contactgegevens and in each Relatie), in document order. Within one
    `check` the message is walked once (a 323 of 10,000 Prestaties has 300,000 objects)."""
    scratch = CHECK_SCRATCH.get()
    if scratch is None:
        yield from (obj for obj in _objects(msg) if class_name(obj) in names)
        return
    walked = scratch.get("classes")
    if walked is None or walked[0] is not msg:
        by_name: dict[str, list[tuple[int, Any]]] = {}
        for position, obj in enumerate(_objects(msg)):
            by_name.setdefault(class_name(obj), []).append((position, obj))
        walked = scratch["classes"] = (msg, by_name)
    found = [walked[1].get(name, []) for name in dict.fromkeys(names)]
    yield from (obj for _position, obj in heapq.merge(*found, key=itemgetter(0)))


def _filled(value) -> bool:
    return value is not None and value != "" and value != []


def _product_category(product) -> str | None:
    return product.categorie if product is not None else None


def _product_code(product) -> str | None:
    return product.code if product is not None else None


def _signed(amount) -> int:
    """A CDT_BedragMetDC / CDT_TotaalBedragMetDC as a signed number: debet +, credit -."""
    value = amount.bedrag if hasattr(amount, "bedrag") else amount.totaal_bedrag
    return -value if amount.debet_credit == "C" else value


def _cents(value: int) -> str:
    return f"{value / 100:.2f}".replace(".", ",")


def _prestaties(msg) -> Iterator[tuple[Any, Any]]:
    """(Client, Prestatie) of a 323 or 325."""
    holder = msg.declaratie if code_of(msg) == "323" else msg.declaratie_antwoord
    if holder is None:
        return
    for client in holder.clienten:
        for prestatie in client.prestaties:
            yield client, prestatie


def _end_of_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


# The period of each kind of product, as (start, end or None) — used by CS003, CD075/CD076,
# CD080/CD095/CD096, CS338/CS343 and the overlap rules.
def _period(product) -> tuple[date, date | None]:
    name = class_name(product)
    if name == "ToegewezenProduct":
        return product.ingangsdatum, product.einddatum
    if name == "AangevraagdProduct":
        return product.toewijzing_ingangsdatum, product.toewijzing_einddatum
    if name in ("NieuwProduct", "TeWijzigenProduct"):
        return product.gewenste_ingangsdatum, product.einddatum
    raise ValueError(name)


_END_NAME = {
    "ToegewezenProduct": "Einddatum",
    "AangevraagdProduct": "ToewijzingEinddatum",
    "NieuwProduct": "Einddatum",
    "TeWijzigenProduct": "Einddatum",
}
_START_NAME = {
    "ToegewezenProduct": "Ingangsdatum",
    "AangevraagdProduct": "ToewijzingIngangsdatum",
    "NieuwProduct": "GewensteIngangsdatum",
    "TeWijzigenProduct": "GewensteIngangsdatum",
}

# The product classes each CD/CS rule on products names in the CD_CS table, per message.
_PRODUCTS_301 = ("ToegewezenProduct",)
_PRODUCTS_315 = ("AangevraagdProduct",)
_PRODUCTS_317 = ("NieuwProduct", "TeWijzigenProduct")

# --- header ------------------------------------------------------------------------------------

_RECEIVED = ("301", "305", "307", "315", "317", "319", "323", "325")


@rule("CS015", messages=_RECEIVED)
def _(msg, ctx):
    if msg.header.bericht_subversie != 2:
        yield Violation.at(msg.header, "BerichtSubversie moet de waarde 2 hebben.")


@rule("CS025", messages=_RECEIVED)
def _(msg, ctx):
    if msg.header.bericht_versie != 3:
        yield Violation.at(msg.header, "BerichtVersie moet de waarde 3 hebben.")


# --- client --------------------------------------------------------------------------------------


def _bsn_valid(bsn: str) -> bool:
    if not re.fullmatch(r"\d{9}", bsn or ""):
        return False
    total = sum(int(d) * (9 - i) for i, d in enumerate(bsn[:8])) - int(bsn[8])
    return total % 11 == 0


@rule("CS002", messages=("301", "305", "307", "315", "317", "323", "325"))
def _(msg, ctx):
    for client in _classes(msg, "Client"):
        if not _bsn_valid(client.bsn):
            yield Violation.at(client, f"Bsn {client.bsn} voldoet niet aan de 11-proef.")


def _geboortedatum_owners(msg) -> Iterator[Any]:
    """Client and (in 301) Relatie objects that carry a Geboortedatum."""
    for obj in _classes(msg, "Client", "Relatie"):
        if getattr(obj, "geboortedatum", None) is not None:
            yield obj


# TR002 names "Geboortedatum" without a class: it is checked on every Geboortedatum of the
# message, the client's and (301) each Relatie's.
@rule("TR002", messages=("301", "305", "307", "315"))
def _(msg, ctx):
    limit = _dagtekening(msg) - relativedelta(years=120)
    for owner in _geboortedatum_owners(msg):
        geboortedatum = owner.geboortedatum
        unknown = geboortedatum.datum_gebruik == "3" and geboortedatum.datum == date(1900, 1, 1)
        if not unknown and geboortedatum.datum < limit:
            yield Violation.at(
                owner,
                f"Geboortedatum {geboortedatum.datum:%d-%m-%Y} ligt meer dan 120 jaar voor "
                "de dagtekening van het bericht.",
            )


# CS139: IV009 says which parts of the date are used for each DatumGebruik: the unknown parts
# are filled with 01 (day and month) or 1900 (year). So DatumGebruik 1 needs day 01,
# 2 needs 01-01 and 3 needs 01-01-1900. Without DatumGebruik the whole date is known: any date.
@rule("CS139", messages=("301", "305", "307", "315"))
def _(msg, ctx):
    for owner in _geboortedatum_owners(msg):
        datum, gebruik = owner.geboortedatum.datum, owner.geboortedatum.datum_gebruik
        fits = {
            None: True,
            "1": datum.day == 1,
            "2": (datum.day, datum.month) == (1, 1),
            "3": datum == date(1900, 1, 1),
        }.get(gebruik, True)
        if not fits:
            yield Violation.at(
                owner,
                f"Geboortedatum {datum:%d-%m-%Y} past niet bij DatumGebruik {gebruik}: "
                "onbekende delen worden gevuld met 01 (dag en maand) of 1900 (jaar).",
            )


@rule("CS050", messages=("301",))
def _(msg, ctx):
    for owner in _classes(msg, "Client", "Relatie"):
        naam = owner.naam
        allowed = ("1", "2", "3", "4") if naam.partnernaam is not None else ("1", "6")
        if naam.naam_gebruik not in allowed:
            yield Violation.at(
                owner,
                f"NaamGebruik {naam.naam_gebruik} is niet toegestaan: "
                + (
                    "met Partnernaam is dat 1, 2, 3 of 4."
                    if naam.partnernaam is not None
                    else "zonder Partnernaam is dat 1 of 6."
                ),
            )


# CS318 is listed on the Naam of the Client only (not Relatie): a client is a natural person.
@rule("CS318", messages=("301",))
def _(msg, ctx):
    if msg.client.naam.naam_gebruik == "6":
        yield Violation.at(
            msg.client, "NaamGebruik 6 (niet-natuurlijk persoon) mag niet voor de cliënt."
        )


@rule("CD007", messages=("301",))
def _(msg, ctx):
    communicatie = msg.client.communicatie
    if communicatie is None:
        return
    if communicatie.vorm == "1" and not _filled(communicatie.taal):
        yield Violation.at(msg.client, "Communicatie Vorm 1 (tolk taal): Taal is verplicht.")
    if communicatie.vorm != "1" and _filled(communicatie.taal):
        yield Violation.at(
            msg.client, "Taal mag alleen gevuld zijn als Communicatie Vorm 1 (tolk taal) is."
        )


# TR061 dates from iWmo 2, where the class Contact was called Adres and its Soort was the kind
# of address. "Adres waarvan Soort ..." is therefore read as: a Contact (in the client's
# Contactgegevens) whose Soort is 01, 02 or 03.
@rule("TR061", messages=("301",))
def _(msg, ctx):
    if not any(c.soort in ("01", "02", "03") for c in msg.client.contactgegevens):
        yield Violation.at(
            msg.client,
            "De cliënt heeft geen adres met Soort 01 (BRP-adres), 02 (correspondentieadres) "
            "of 03 (verblijfadres).",
        )


# --- contact (301: the client's Contactgegevens and each Relatie's Contact) ----------------------


@rule("TR006", messages=("301",))
def _(msg, ctx):
    for contact in _classes(msg, "Contact"):
        adres = contact.adres
        has_address = adres is not None and adres.huis is not None and _filled(adres.postcode)
        if contact.telefoon is None and not has_address:
            yield Violation.at(
                contact, "Contact moet een Telefoon en/of een Huis met Postcode bevatten."
            )


@rule("CD005", messages=("301",))
def _(msg, ctx):
    for contact in _classes(msg, "Contact"):
        adres = contact.adres
        if adres is None:
            continue
        if _filled(adres.postcode) and not _filled(adres.land_code):
            yield Violation.at(contact, "Postcode is gevuld: LandCode is verplicht.")
        if not _filled(adres.postcode) and _filled(adres.land_code):
            yield Violation.at(contact, "LandCode mag alleen gevuld zijn als Postcode gevuld is.")


@rule("CD009", messages=("301",))
def _(msg, ctx):
    for contact in _classes(msg, "Contact"):
        if contact.periode is not None and contact.soort != "04":
            yield Violation.at(
                contact, "Periode mag alleen gevuld zijn bij Soort adres 04 (tijdelijk adres)."
            )


@rule("CD025", messages=("301",))
def _(msg, ctx):
    for contact in _classes(msg, "Contact"):
        adres = contact.adres
        if adres is not None and adres.land_code == "NL" and adres.huis is None:
            yield Violation.at(contact, "LandCode is NL (Nederland): Huis is verplicht.")


@rule("CD034", messages=("301",))
def _(msg, ctx):
    for contact in _classes(msg, "Contact"):
        if contact.soort in ("01", "03"):
            adres = contact.adres
            if adres is None or not _filled(adres.postcode):
                yield Violation.at(
                    contact,
                    f"Soort adres {contact.soort} (BRP-adres of verblijfadres): Postcode is "
                    "verplicht.",
                )


# A Dutch postcode: four digits, the first not 0, then two capital letters, no space.
_POSTCODE_NL = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")


@rule("CS089", messages=("301",))
def _(msg, ctx):
    for contact in _classes(msg, "Contact"):
        adres = contact.adres
        if adres is None or adres.land_code != "NL" or not _filled(adres.postcode):
            continue
        if not _POSTCODE_NL.fullmatch(adres.postcode):
            yield Violation.at(
                contact,
                f"Postcode {adres.postcode} is geen Nederlandse postcode (4 cijfers en "
                "2 hoofdletters, zonder spatie).",
            )


# --- dates against other dates -----------------------------------------------------------------


@rule("CS003", messages=("301", "315", "317"))
def _(msg, ctx):
    for contact in _classes(msg, "Contact"):
        periode = contact.periode
        if (
            periode is not None
            and periode.begindatum
            and periode.einddatum
            and periode.einddatum < periode.begindatum
        ):
            yield Violation.at(contact, "Einddatum van de Periode ligt voor de Begindatum.")
    for product in _classes(msg, *_PRODUCTS_301, *_PRODUCTS_315, *_PRODUCTS_317):
        start, end = _period(product)
        if end is not None and end < start:
            name = class_name(product)
            yield Violation.at(
                product, f"{_END_NAME[name]} ligt voor {_START_NAME[name]} van het product."
            )


@rule("TR018", messages=("307",))
def _(msg, ctx):
    for product in msg.client.stop_producten:
        if product.einddatum < product.begindatum:
            yield Violation.at(product, "Einddatum ligt voor de Begindatum.")


# TR134 ("a date that exists and is not after the Dagtekening") does not say which elements it
# applies to. Its messages are exactly those with a Geboortedatum (301, 305, 307, 315) plus the
# declaration messages. Chosen, per message, the dates that describe something that has
# already happened when the message is made:
#   301 Geboortedatum (Client, Relatie), ToegewezenProduct/Toewijzingsdatum;
#   305 Geboortedatum, StartProduct/Begindatum (a start is reported after care started, OP011);
#   307 Geboortedatum, StopProduct/Begindatum and Einddatum (a stop is reported after care
#       ended, OP272);
#   315 Geboortedatum;
#   323 DeclaratieDagtekening, Begindatum of DeclaratiePeriode and of each ProductPeriode
#       (their Einddatum is TR137);
#   325 Dagtekening of DeclaratieIdentificatie (the declaration answered), Begindatum of each
#       ProductPeriode.
# "Exists" is checked by the parser: a date that does not exist cannot be read.
def _tr134_dates(msg) -> Iterator[tuple[Any, str, date]]:
    message = code_of(msg)
    for owner in _geboortedatum_owners(msg):
        yield owner, "Geboortedatum", owner.geboortedatum.datum
    if message == "301":
        for product in msg.client.toegewezen_producten:
            yield product, "Toewijzingsdatum", product.toewijzingsdatum
    elif message == "305":
        for product in msg.client.start_producten:
            yield product, "Begindatum", product.begindatum
    elif message == "307":
        for product in msg.client.stop_producten:
            yield product, "Begindatum", product.begindatum
            yield product, "Einddatum", product.einddatum
    elif message == "323":
        declaratie = msg.declaratie
        yield declaratie, "DeclaratieDagtekening", declaratie.declaratie_dagtekening
        yield declaratie, "Begindatum DeclaratiePeriode", declaratie.declaratie_periode.begindatum
    elif message == "325":
        yield (
            msg.header,
            "Dagtekening DeclaratieIdentificatie",
            msg.header.declaratie_identificatie.dagtekening,
        )
    if message in ("323", "325"):
        for _client, prestatie in _prestaties(msg):
            yield prestatie, "Begindatum ProductPeriode", prestatie.product_periode.begindatum


@rule("TR134", messages=("301", "305", "307", "315", "323", "325"))
def _(msg, ctx):
    dagtekening = _dagtekening(msg)
    for owner, name, value in _tr134_dates(msg):
        if value > dagtekening:
            yield Violation.at(
                owner, f"{name} ({value:%d-%m-%Y}) ligt na de dagtekening van het bericht."
            )


# TR137 ("not before the Begindatum of the period meant, and not after the Dagtekening"):
# the Einddatum of each period of a declaration: 323 DeclaratiePeriode and ProductPeriode,
# 325 ProductPeriode (the only period in a 325).
@rule("TR137", messages=("323", "325"))
def _(msg, ctx):
    dagtekening = _dagtekening(msg)
    periods = [(p, "ProductPeriode", p.product_periode) for _c, p in _prestaties(msg)]
    if code_of(msg) == "323":
        periods.insert(0, (msg.declaratie, "DeclaratiePeriode", msg.declaratie.declaratie_periode))
    for owner, name, periode in periods:
        if periode.einddatum < periode.begindatum:
            yield Violation.at(owner, f"Einddatum van de {name} ligt voor de Begindatum.")
        if periode.einddatum > dagtekening:
            yield Violation.at(
                owner, f"Einddatum van de {name} ligt na de dagtekening van het bericht."
            )


# TR380 does not name its element either. It is the GewensteIngangsdatum of NieuwProduct:
# a new product is always wanted from a later date, while a TeWijzigenProduct may take effect
# on the original Ingangsdatum of the assignment (IV092, TR357; FAQ "Is het technisch verplicht
# om bij de ingangsdatum van een VOW een datum in de toekomst te vullen?"). The standard's
# XSLT, run on examples/WMO317.xml, flags the NieuwProduct only (SOURCE.md).
@rule("TR380", messages=("317",))
def _(msg, ctx):
    dagtekening = _dagtekening(msg)
    for product in msg.client.verzoek.nieuwe_producten:
        if product.gewenste_ingangsdatum <= dagtekening:
            yield Violation.at(
                product,
                f"GewensteIngangsdatum ({product.gewenste_ingangsdatum:%d-%m-%Y}) ligt niet "
                "na de dagtekening van het bericht.",
            )


# --- products: 301 ToegewezenProduct, 315 AangevraagdProduct, 317 NieuwProduct/TeWijzigenProduct


def _products(msg, by_message: dict[str, tuple[str, ...]]) -> Iterator[Any]:
    names = by_message.get(code_of(msg), ())
    return _classes(msg, *names) if names else iter(())


_WITH_PRODUCT = {"301": _PRODUCTS_301, "315": _PRODUCTS_315, "317": ("NieuwProduct",)}
_WITH_BUDGET = {"301": _PRODUCTS_301, "315": _PRODUCTS_315, "317": _PRODUCTS_317}


@rule("CD041", messages=("301", "315", "317"))
def _(msg, ctx):
    for product in _products(msg, _WITH_PRODUCT):
        if _filled(_product_code(product.product)) and product.omvang is None:
            yield Violation.at(product, "Productcode is gevuld: Omvang is verplicht.")


@rule("CD075", messages=("301", "315", "317"))
def _(msg, ctx):
    for product in _products(msg, _WITH_BUDGET):
        if product.budget is not None and _period(product)[1] is None:
            yield Violation.at(
                product, f"Budget is gevuld: {_END_NAME[class_name(product)]} is verplicht."
            )


@rule("CD076", messages=("301", "315", "317"))
def _(msg, ctx):
    for product in _products(msg, _WITH_BUDGET):
        omvang = product.omvang
        if omvang is not None and omvang.frequentie == "2" and _period(product)[1] is None:
            yield Violation.at(
                product,
                f"Frequentie is 2 (per week): {_END_NAME[class_name(product)]} is verplicht.",
            )


@rule("CD077", messages=("301", "315", "317"))
def _(msg, ctx):
    for product in _products(msg, _WITH_BUDGET):
        if product.budget is not None and product.omvang is not None:
            yield Violation.at(product, "Budget is gevuld: Omvang moet leeg blijven.")


@rule("CD078", messages=("301", "315", "317"))
def _(msg, ctx):
    for product in _products(msg, _WITH_BUDGET):
        if product.omvang is not None and product.budget is not None:
            yield Violation.at(product, "Omvang is gevuld: Budget moet leeg blijven.")


@rule("CD079", messages=("301", "315", "317"))
def _(msg, ctx):
    for product in _products(msg, _WITH_PRODUCT):
        if product.budget is None and product.product is None:
            yield Violation.at(product, "Budget is leeg: Product is verplicht.")


_CUTOFF = date(2020, 12, 31)


def _ends_after_cutoff(product) -> bool:
    end = _period(product)[1]
    return end is None or end > _CUTOFF


def _omvang_without_code(msg, names: tuple[str, ...]) -> Iterator[Violation]:
    for product in _classes(msg, *names):
        if (
            not _filled(_product_code(product.product))
            and _ends_after_cutoff(product)
            and product.omvang is not None
        ):
            yield Violation.at(
                product,
                f"Productcode is leeg en {_END_NAME[class_name(product)]} ligt na 31-12-2020 "
                "of is leeg: Omvang moet leeg blijven.",
            )


@rule("CD080", messages=("301",))
def _(msg, ctx):
    yield from _omvang_without_code(msg, _PRODUCTS_301)


@rule("CD095", messages=("315",))
def _(msg, ctx):
    yield from _omvang_without_code(msg, _PRODUCTS_315)


@rule("CD096", messages=("317",))
def _(msg, ctx):
    yield from _omvang_without_code(msg, ("NieuwProduct",))


def _frequency_for_unit(msg, names: tuple[str, ...]) -> Iterator[Violation]:
    for product in _classes(msg, *names):
        omvang = product.omvang
        if (
            omvang is not None
            and omvang.eenheid in ("14", "16", "83", "84")
            and _ends_after_cutoff(product)
            and omvang.frequentie not in ("2", "4", "6")
        ):
            yield Violation.at(
                product,
                f"Eenheid {omvang.eenheid} na 31-12-2020: Frequentie moet 2, 4 of 6 zijn, "
                f"niet {omvang.frequentie}.",
            )


@rule("CS338", messages=("301", "317"))
def _(msg, ctx):
    yield from _frequency_for_unit(msg, (*_PRODUCTS_301, *_PRODUCTS_317))


@rule("CS343", messages=("315",))
def _(msg, ctx):
    yield from _frequency_for_unit(msg, _PRODUCTS_315)


@rule("CS335", messages=("301",))
def _(msg, ctx):
    for product in msg.client.toegewezen_producten:
        if product.reden_wijziging == "13" and product.einddatum != product.ingangsdatum:
            yield Violation.at(
                product,
                "RedenWijziging 13 (verwijderd) mag alleen als Einddatum gelijk is aan "
                "Ingangsdatum.",
            )


@rule("CS336", messages=("301",))
def _(msg, ctx):
    for product in msg.client.toegewezen_producten:
        if product.reden_wijziging == "01":
            yield Violation.at(
                product, "RedenWijziging 01 (administratieve correctie, vervallen) niet gebruiken."
            )


@rule("CD043", messages=("315",))
def _(msg, ctx):
    for product in msg.client.aangevraagde_producten:
        if product.beschikking_nummer is not None and product.beschikking_ingangsdatum is None:
            yield Violation.at(
                product, "BeschikkingNummer is gevuld: BeschikkingIngangsdatum is verplicht."
            )
        if product.beschikking_nummer is None and product.beschikking_ingangsdatum is not None:
            yield Violation.at(
                product,
                "BeschikkingIngangsdatum mag alleen gevuld zijn als BeschikkingNummer gevuld is.",
            )


_REFERRERS_WITH_CODE = ("02", "03", "04", "05")


@rule("CD066", messages=("315",))
def _(msg, ctx):
    for product in msg.client.aangevraagde_producten:
        verwijzer = product.verwijzer
        if (
            verwijzer.type in _REFERRERS_WITH_CODE
            and _filled(verwijzer.zorgverlener_code)
            and _filled(verwijzer.naam)
        ):
            yield Violation.at(
                product,
                f"Verwijzer type {verwijzer.type} met ZorgverlenerCode: Naam moet leeg blijven.",
            )


@rule("CD067", messages=("315",))
def _(msg, ctx):
    for product in msg.client.aangevraagde_producten:
        verwijzer = product.verwijzer
        if (
            verwijzer.type in _REFERRERS_WITH_CODE
            and not _filled(verwijzer.zorgverlener_code)
            and not _filled(verwijzer.naam)
        ):
            yield Violation.at(
                product,
                f"Verwijzer type {verwijzer.type} zonder ZorgverlenerCode: Naam is verplicht.",
            )


@rule("CD068", messages=("315",))
def _(msg, ctx):
    for product in msg.client.aangevraagde_producten:
        verwijzer = product.verwijzer
        if verwijzer.type not in _REFERRERS_WITH_CODE and _filled(verwijzer.zorgverlener_code):
            yield Violation.at(
                product,
                f"Verwijzer type {verwijzer.type}: ZorgverlenerCode moet leeg blijven.",
            )


@rule("TR383", messages=("315",))
def _(msg, ctx):
    seen: set[str] = set()
    for product in msg.client.aangevraagde_producten:
        if product.referentie_aanbieder in seen:
            yield Violation.at(
                product,
                f"ReferentieAanbieder {product.referentie_aanbieder} komt vaker voor in het "
                "bericht.",
            )
        seen.add(product.referentie_aanbieder)


# --- overlapping products (TR302, TR386, TR410) -----------------------------------------------

# Products of these categories may overlap, also at the level of the category.
_STACKABLE = ("11", "12", "13", "14")


def _clash(a, b) -> bool:
    """Whether two products may not overlap: the same product, or (without product code) the
    same category, or one without category against anything but categories 11-14."""
    category_a, category_b = _product_category(a.product), _product_category(b.product)
    if category_a in _STACKABLE or category_b in _STACKABLE:
        return False
    if category_a is None or category_b is None:
        return True
    if category_a != category_b:
        return False
    code_a, code_b = _product_code(a.product), _product_code(b.product)
    if not _filled(code_a) or not _filled(code_b):
        return True
    return code_a == code_b


def _overlaps(a, b) -> bool:
    (start_a, end_a), (start_b, end_b) = _period(a), _period(b)
    return (end_b is None or start_a <= end_b) and (end_a is None or start_b <= end_a)


def _describe(product) -> str:
    if product.product is None:
        return "zonder product"
    if _filled(product.product.code):
        return f"product {product.product.categorie}/{product.product.code}"
    return f"productcategorie {product.product.categorie}"


def _stacking(products: list, what: str) -> Iterator[Violation]:
    for index, later in enumerate(products):
        for earlier in products[:index]:
            if _overlaps(earlier, later) and _clash(earlier, later):
                yield Violation.at(
                    later,
                    f"{what} ({_describe(later)}) overlapt in periode met een ander "
                    f"{what} ({_describe(earlier)}).",
                )
                break


# TR302: removed assignments (Einddatum = Ingangsdatum with RedenWijziging 13 or 01) are not
# current and take no part (Toelichting).
@rule("TR302", messages=("301",))
def _(msg, ctx):
    current = [
        p
        for p in msg.client.toegewezen_producten
        if not (p.einddatum == p.ingangsdatum and p.reden_wijziging in ("01", "13"))
    ]
    yield from _stacking(current, "ToegewezenProduct")


@rule("TR386", messages=("315",))
def _(msg, ctx):
    yield from _stacking(list(msg.client.aangevraagde_producten), "AangevraagdProduct")


@rule("TR410", messages=("317",))
def _(msg, ctx):
    yield from _stacking(list(msg.client.verzoek.nieuwe_producten), "NieuwProduct")


# --- 305 / 307 ---------------------------------------------------------------------------------


@rule("CS058", messages=("305", "307"))
def _(msg, ctx):
    for product in _classes(msg, "StartProduct", "StopProduct"):
        if product.status_aanlevering not in ("1", "3"):
            yield Violation.at(
                product,
                f"StatusAanlevering {product.status_aanlevering} is niet toegestaan: vul 1 "
                "(eerste aanlevering) of 3 (verwijderen aanlevering).",
            )


# --- 317 -------------------------------------------------------------------------------------


@rule("TR352", messages=("317",))
def _(msg, ctx):
    verzoek = msg.client.verzoek
    if not verzoek.ongewijzigde_producten and not verzoek.te_wijzigen_producten:
        yield Violation.at(
            verzoek, "Het verzoek bevat geen OngewijzigdProduct en geen TeWijzigenProduct."
        )


@rule("TR353", messages=("317",))
def _(msg, ctx):
    verzoek = msg.client.verzoek
    if not verzoek.te_wijzigen_producten and not verzoek.nieuwe_producten:
        yield Violation.at(
            verzoek, "Het verzoek bevat geen TeWijzigenProduct en geen NieuwProduct."
        )


# --- 319 -------------------------------------------------------------------------------------


@rule("CD085", messages=("319",))
def _(msg, ctx):
    antwoord = msg.antwoord
    if antwoord.verzoek_antwoord == "1" and not _filled(antwoord.reden_afwijzing_verzoek):
        yield Violation.at(
            antwoord, "VerzoekAntwoord 1 (verzoek afgewezen): RedenAfwijzingVerzoek is verplicht."
        )


@rule("CD086", messages=("319",))
def _(msg, ctx):
    antwoord = msg.antwoord
    if antwoord.verzoek_antwoord == "2" and _filled(antwoord.reden_afwijzing_verzoek):
        yield Violation.at(
            antwoord,
            "VerzoekAntwoord 2 (aanvraag in onderzoek): RedenAfwijzingVerzoek moet leeg blijven.",
        )


# --- 323 / 325 declaration ---------------------------------------------------------------------


@rule("CS319", messages=("323",))
def _(msg, ctx):
    nummer = msg.declaratie.declaratie_nummer
    if not re.fullmatch(r"[A-Za-z0-9]+", nummer or ""):
        yield Violation.at(
            msg.declaratie,
            f"DeclaratieNummer '{nummer}' mag alleen aaneengesloten cijfers en letters bevatten.",
        )


_FIRST_DAY = date(2021, 1, 1)


# CS100 is listed on DeclaratiePeriode and ProductPeriode: both their dates are checked.
@rule("CS100", messages=("323",))
def _(msg, ctx):
    periods = [(msg.declaratie, "DeclaratiePeriode", msg.declaratie.declaratie_periode)]
    periods += [(p, "ProductPeriode", p.product_periode) for _c, p in _prestaties(msg)]
    for owner, name, periode in periods:
        if periode.begindatum < _FIRST_DAY or periode.einddatum < _FIRST_DAY:
            yield Violation.at(owner, f"{name} ligt (deels) voor 01-01-2021.")


@rule("CS340", messages=("323",))
def _(msg, ctx):
    periode = msg.declaratie.declaratie_periode
    if periode.begindatum.day != 1 or periode.einddatum != _end_of_month(periode.begindatum):
        yield Violation.at(
            msg.declaratie,
            f"DeclaratiePeriode {periode.begindatum:%d-%m-%Y} t/m {periode.einddatum:%d-%m-%Y} "
            "is niet precies één kalendermaand.",
        )


@rule("CS337", messages=("323",))
def _(msg, ctx):
    for _client, prestatie in _prestaties(msg):
        periode = prestatie.product_periode
        begin, end = periode.begindatum, periode.einddatum
        if (end.year, end.month) != (begin.year, begin.month):
            yield Violation.at(
                prestatie,
                "Einddatum van de ProductPeriode valt niet in dezelfde kalendermaand als de "
                "Begindatum.",
            )


@rule("CD087", messages=("323",))
def _(msg, ctx):
    for _client, prestatie in _prestaties(msg):
        if prestatie.eenheid != "83" and prestatie.product_tarief is None:
            yield Violation.at(
                prestatie, f"Eenheid {prestatie.eenheid}: ProductTarief is verplicht."
            )
        if prestatie.eenheid == "83" and prestatie.product_tarief is not None:
            yield Violation.at(prestatie, "Eenheid 83 (euro's): ProductTarief moet leeg blijven.")


@rule("CS339", messages=("323",))
def _(msg, ctx):
    for _client, prestatie in _prestaties(msg):
        if (
            prestatie.eenheid == "83"
            and prestatie.ingediend_bedrag.bedrag != prestatie.geleverd_volume
        ):
            yield Violation.at(
                prestatie,
                "Eenheid 83 (euro's): IngediendBedrag moet gelijk zijn aan GeleverdVolume.",
            )


@rule("CD060", messages=("323", "325"))
def _(msg, ctx):
    for _client, prestatie in _prestaties(msg):
        credit = prestatie.ingediend_bedrag.debet_credit == "C"
        vorig = prestatie.product_referentie.vorig_referentie_nummer
        if credit and not _filled(vorig):
            yield Violation.at(prestatie, "Creditprestatie: VorigReferentieNummer is verplicht.")
        if not credit and _filled(vorig):
            yield Violation.at(
                prestatie, "VorigReferentieNummer mag alleen gevuld zijn bij een creditprestatie."
            )


@rule("CS325", messages=("323", "325"))
def _(msg, ctx):
    amounts: list[tuple[Any, str, Any]] = []
    if code_of(msg) == "323":
        amounts.append(
            (msg.declaratie, "TotaalIngediendBedrag", msg.declaratie.totaal_ingediend_bedrag)
        )
    elif msg.declaratie_antwoord is not None:
        antwoord = msg.declaratie_antwoord
        amounts.append((antwoord, "TotaalIngediendBedrag", antwoord.totaal_ingediend_bedrag))
        amounts.append((antwoord, "TotaalToegekendBedrag", antwoord.totaal_toegekend_bedrag))
    amounts += [(p, "IngediendBedrag", p.ingediend_bedrag) for _c, p in _prestaties(msg)]
    for owner, name, amount in amounts:
        if _signed(amount) == 0 and amount.debet_credit != "D":
            yield Violation.at(owner, f"{name} is 0: DebetCredit moet D (debet) zijn.")


@rule("TR315", messages=("323",))
def _(msg, ctx):
    seen: set[str] = set()
    for _client, prestatie in _prestaties(msg):
        vorig = prestatie.product_referentie.vorig_referentie_nummer
        if not _filled(vorig):
            continue
        if vorig in seen:
            yield Violation.at(
                prestatie, f"VorigReferentieNummer {vorig} komt vaker voor in het bericht."
            )
        seen.add(vorig)


@rule("TR316", messages=("323",))
def _(msg, ctx):
    references = {p.product_referentie.referentie_nummer for _c, p in _prestaties(msg)}
    for _client, prestatie in _prestaties(msg):
        vorig = prestatie.product_referentie.vorig_referentie_nummer
        if _filled(vorig) and vorig in references:
            yield Violation.at(
                prestatie,
                f"VorigReferentieNummer {vorig} crediteert een prestatie uit hetzelfde bericht.",
            )


# TR335 names "Einddatum": checked on every period of the 323, DeclaratiePeriode and each
# ProductPeriode. "Not more than 5 years before" allows exactly 5 years.
@rule("TR335", messages=("323",))
def _(msg, ctx):
    limit = msg.declaratie.declaratie_dagtekening - relativedelta(years=5)
    periods = [(msg.declaratie, "DeclaratiePeriode", msg.declaratie.declaratie_periode)]
    periods += [(p, "ProductPeriode", p.product_periode) for _c, p in _prestaties(msg)]
    for owner, name, periode in periods:
        if periode.einddatum < limit:
            yield Violation.at(
                owner,
                f"Einddatum van de {name} ligt meer dan 5 jaar voor de DeclaratieDagtekening.",
            )


@rule("TR358", messages=("323",))
def _(msg, ctx):
    total = _signed(msg.declaratie.totaal_ingediend_bedrag)
    summed = sum(_signed(p.ingediend_bedrag) for _c, p in _prestaties(msg))
    if total != summed:
        yield Violation.at(
            msg.declaratie,
            f"TotaalIngediendBedrag ({_cents(total)}) is niet gelijk aan de som van de "
            f"ingediende bedragen van de prestaties ({_cents(summed)}).",
        )


# TR416: within the message, one debet Prestatie per ToewijzingNummer, ProductCategorie,
# ProductCode and ProductPeriode (the same Begindatum and Einddatum). The key is the
# definition's; the client is not part of it (a ToewijzingNummer belongs to one client).
@rule("TR416", messages=("323",))
def _(msg, ctx):
    seen: set[tuple] = set()
    for _client, prestatie in _prestaties(msg):
        if prestatie.ingediend_bedrag.debet_credit != "D":
            continue
        key = (
            prestatie.toewijzing_nummer,
            prestatie.product_categorie,
            prestatie.product_code,
            prestatie.product_periode.begindatum,
            prestatie.product_periode.einddatum,
        )
        if key in seen:
            yield Violation.at(
                prestatie,
                "Er is al een debetprestatie voor dezelfde ToewijzingNummer, ProductCategorie, "
                "ProductCode en ProductPeriode in dit bericht.",
            )
        seen.add(key)


# TR342 (325). A Prestatie or DeclaratieAntwoord counts as refused when it carries a retour
# code other than 0200 (geen opmerking) and 8001 (declaratie volledig toegewezen), the two
# codes of WJ001 that approve. Per the Toelichting:
# - DeclaratieAntwoord refused: no prestaties are assessed or sent, TotaalToegekendBedrag is 0;
# - otherwise every Prestatie sent is a refused one, and the sum of their IngediendBedrag
#   equals TotaalIngediendBedrag minus TotaalToegekendBedrag (debet +, credit -).
_APPROVING = ("0200", "8001")


def _refused(obj) -> bool:
    return any(code not in _APPROVING for code in obj.retour_codes)


@rule("TR342", messages=("325",))
def _(msg, ctx):
    antwoord = msg.declaratie_antwoord
    if antwoord is None:
        return
    prestaties = [p for _c, p in _prestaties(msg)]
    if _refused(antwoord):
        if antwoord.totaal_toegekend_bedrag.totaal_bedrag != 0:
            yield Violation.at(
                antwoord, "De declaratie is afgewezen: TotaalToegekendBedrag moet 0 zijn."
            )
        if prestaties:
            yield Violation.at(
                antwoord, "De declaratie is afgewezen: er worden geen prestaties meegestuurd."
            )
        return
    for prestatie in prestaties:
        if not _refused(prestatie):
            yield Violation.at(
                prestatie, "Alleen afgewezen prestaties worden in het declaratie-antwoord gestuurd."
            )
    expected = _signed(antwoord.totaal_ingediend_bedrag) - _signed(antwoord.totaal_toegekend_bedrag)
    summed = sum(_signed(p.ingediend_bedrag) for p in prestaties)
    if summed != expected:
        yield Violation.at(
            antwoord,
            f"De som van de afgewezen prestaties ({_cents(summed)}) is niet gelijk aan "
            f"TotaalIngediendBedrag min TotaalToegekendBedrag ({_cents(expected)}).",
        )


# --- duplicates (TR101) --------------------------------------------------------------------------

# The logical key of each repeated class: the elements marked "Sleutelelement" in the
# CD_CS table (reference/regels/condities-constraints). Classes that occur once need none.


def _product_key(product) -> tuple:
    return (_product_category(product), _product_code(product))


_LOGICAL_KEYS = {
    "Client": lambda o: (o.bsn,),
    "Relatie": lambda o: (o.nummer,),
    "Contact": lambda o: (o.soort,),
    "ToegewezenProduct": lambda o: (o.toewijzing_nummer,),
    "StartProduct": lambda o: (o.toewijzing_nummer, _product_key(o.product), o.begindatum),
    "StopProduct": lambda o: (
        o.toewijzing_nummer,
        _product_key(o.product),
        o.begindatum,
        o.einddatum,
        o.reden_beeindiging,
    ),
    "AangevraagdProduct": lambda o: (o.referentie_aanbieder,),
    "OngewijzigdProduct": lambda o: (o.toewijzing_nummer,),
    "TeWijzigenProduct": lambda o: (o.toewijzing_nummer,),
    "NieuwProduct": lambda o: (_product_key(o.product), o.gewenste_ingangsdatum),
    "Prestatie": lambda o: (
        o.product_referentie.referentie_nummer,
        o.product_referentie.vorig_referentie_nummer,
    ),
}


def _keyed(obj, parent_key: tuple) -> Iterator[tuple[Any, tuple]]:
    """Each keyed class object below `obj` with its key combined with its parents' keys."""
    for field_name, _element, complex_ in fields_of(type(obj)):
        if not complex_:
            continue
        value = getattr(obj, field_name)
        for item in value if isinstance(value, list) else [value]:
            if item is None or class_name(item).startswith("CDT_"):
                continue
            name = class_name(item)
            key = parent_key
            if name in _LOGICAL_KEYS:
                key = (*parent_key, (name, _LOGICAL_KEYS[name](item)))
                yield item, key
            yield from _keyed(item, key)


@rule("TR101", messages=("301", "305", "307", "315", "317", "323", "325"))
def _(msg, ctx):
    seen: set[tuple] = set()
    for obj, key in _keyed(msg, ()):
        if key in seen:
            yield Violation.at(
                obj,
                f"Dubbele regel: {class_name(obj)} met dezelfde sleutel komt vaker voor in het "
                "bericht.",
            )
        seen.add(key)
