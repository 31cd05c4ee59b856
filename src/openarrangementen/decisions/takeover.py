"""Taking over running beschikkingen from another system (issue #23, seed 004 §11,
ADR 0014; template in docs/import.md).

A municipality that switches systems brings its running arrangements: per row an inwoner, a
final beschikking (arrangement and level, period, provider) and its toewijzing with the
number the provider already knows, and, when support has started, that start. After the
import the traject runs in Open Arrangementen as if it had been decided here: the provider
sees it, reports its stop, declares it, and the municipality checks the declaration.

The file is validated row by row first; one error anywhere and nothing is written, with a
Dutch error per row. A row whose beschikking was taken over before is skipped, so running
the same file twice changes nothing. Everything is written in bulk (STYLE §9a).
"""

import csv
import hashlib
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from openarrangementen.accounts.domain import Role
from openarrangementen.accounts.models import Municipality, Provider, User
from openarrangementen.accounts.selectors import municipalities_for
from openarrangementen.cases import deadlines
from openarrangementen.cases.domain import Action, TrajectStatus
from openarrangementen.cases.models import StatusChange, Traject
from openarrangementen.catalog.domain import Composition
from openarrangementen.catalog.models import Level
from openarrangementen.clients.models import GENDERS, Client
from openarrangementen.contracting.models import Contract
from openarrangementen.core.identifiers import IdentifierError, clean_bsn
from openarrangementen.iwmo import codec, messages, schemas, xmlsafe
from openarrangementen.iwmo.models import Assignment, DeliveryReport, Message, Side
from openarrangementen.plans.domain import SHAREABLE_FIELDS
from openarrangementen.plans.models import Consent, PartOne, PartTwo

from .models import Beschikking

BATCH = 1000
TRANSPORT = "overname"
NOTE = "Overgenomen uit het vorige systeem; het onderzoeksverslag en het plan staan daar."

# header: (required, what it holds) — docs/import.md shows the same table.
COLUMNS: dict[str, tuple[bool, str]] = {
    "gemeente": (True, "CBS-gemeentecode, 4 cijfers"),
    "bsn": (True, "burgerservicenummer, 9 cijfers"),
    "voorletters": (False, "voorletters"),
    "voorvoegsel": (False, "voorvoegsel van de achternaam"),
    "achternaam": (True, "achternaam"),
    "geboortedatum": (True, "dd-mm-jjjj"),
    "geslacht": (False, "0 onbekend, 1 man, 2 vrouw"),
    "straat": (False, "straat"),
    "huisnummer": (False, "huisnummer"),
    "toevoeging": (False, "huisnummertoevoeging"),
    "postcode": (False, "1234 AB"),
    "woonplaats": (False, "woonplaats"),
    "telefoon": (False, "telefoonnummer"),
    "email": (False, "e-mailadres"),
    "beschikkingnummer": (True, "het nummer van de beschikking in het vorige systeem"),
    "besluitdatum": (True, "datum van het besluit, dd-mm-jjjj"),
    "arrangement": (False, "code van het arrangement in de catalogus"),
    "niveau": (False, "code van het niveau binnen dat arrangement"),
    "productcategorie": (False, "iWmo-productcategorie (in plaats van arrangement en niveau)"),
    "productcode": (False, "iWmo-productcode (in plaats van arrangement en niveau)"),
    "ingangsdatum": (True, "eerste dag van de beschikking, dd-mm-jjjj"),
    "einddatum": (True, "laatste dag van de beschikking, dd-mm-jjjj"),
    "aanbieder": (True, "AGB-code van de aanbieder, 8 cijfers"),
    "toewijzingnummer": (True, "het ToewijzingNummer dat de aanbieder kent"),
    "startdatum": (False, "eerste dag van de ondersteuning, leeg als die nog niet begon"),
}


class ImportRefused(Exception):
    """The file was not imported; `errors` says why, per row, in Dutch."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors[:3]))
        self.errors = errors


@dataclass
class Result:
    rows: int = 0
    imported: int = 0
    skipped: int = 0  # taken over before
    clients_new: int = 0
    started: int = 0
    notes: list[str] = field(default_factory=list)


# --- reading ---------------------------------------------------------------------------------


def read(name: str, data: bytes) -> tuple[list[dict[str, object]], list[str]]:
    """The rows of a CSV (`;` or `,`, UTF-8 or Windows-1252) or .xlsx file, keyed by the
    lower-cased header; or those of an archive of WMO301s (.zip or one .xml). Also returns
    notes on what an archive held that is not taken over."""
    suffix = Path(name).suffix.lower()
    if suffix in {".zip", ".xml"}:
        return _archive(name, data)
    if suffix == ".xlsx":
        rows = _xlsx(data)
    elif suffix in {".csv", ".txt"}:
        rows = _csv(data)
    else:
        raise ImportRefused([f"Kies een CSV- of Excel-bestand (.csv of .xlsx), niet '{suffix}'."])
    if not rows:
        raise ImportRefused(["Het bestand is leeg: er staat geen kopregel in."])
    header = [str(h or "").strip().lower() for h in rows[0]]
    missing = [c for c, (required, _) in COLUMNS.items() if required and c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    problems = [f"De kolom '{c}' ontbreekt." for c in missing]
    if not (
        {"arrangement", "niveau"} <= set(header)
        or {"productcategorie", "productcode"} <= set(header)
    ):
        problems.append(
            "Geef de kolommen 'arrangement' en 'niveau', of 'productcategorie' en 'productcode'."
        )
    problems += [f"De kolom '{h}' is onbekend (zie de kolommen in het sjabloon)." for h in unknown]
    if problems:
        raise ImportRefused(problems)
    body = [r for r in rows[1:] if any(v not in (None, "") for v in r)]
    if not body:
        raise ImportRefused(["Het bestand heeft een kopregel maar geen regels met gegevens."])
    return [dict(zip(header, r, strict=False)) for r in body], []


def _csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportRefused(["Het Excel-bestand kan niet worden gelezen."]) from exc
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


# --- a provider's archive of received WMO301s ---------------------------------------------


def _archive(name: str, data: bytes) -> tuple[list[dict[str, object]], list[str]]:
    """Every toewijzing in the WMO301s of the archive, in its latest state (the last 301
    that named it), as rows of the template. The WMO305s in the archive give the start.
    Toewijzingen that ended, were withdrawn or have no end date are left out, with a note."""
    errors: list[str] = []
    latest: dict[tuple, tuple] = {}
    starts: dict[tuple, date] = {}
    for filename, content in _archive_files(name, data, errors):
        try:
            root = xmlsafe.parse_xml(content)
            code = codec.detect_code(root)
        except (xmlsafe.XmlRefused, codec.MessageError) as exc:
            errors.append(f"Bestand {filename}: {exc}")
            continue
        if code not in {"301", "305"}:
            continue  # retours, declarations: not needed for the take-over
        invalid = schemas.validate(code, root)
        if invalid:
            errors.append(f"Bestand {filename}: voldoet niet aan het XSD ({invalid[0]}).")
            continue
        bericht = codec.from_element(root)
        header = bericht.header
        if code == "305":
            for item in bericht.client.start_producten:
                key = (header.ontvanger, header.afzender, item.toewijzing_nummer)
                if item.status_aanlevering != "3":  # 3: removed
                    starts[key] = min(starts.get(key, item.begindatum), item.begindatum)
            continue
        for product in bericht.client.toegewezen_producten:
            moment = (
                product.toewijzingsdatum,
                product.toewijzingstijd,
                header.bericht_identificatie.dagtekening,
            )
            key = (header.afzender, header.ontvanger, product.toewijzing_nummer)
            if key not in latest or moment >= latest[key][0]:
                latest[key] = (moment, filename, bericht.client, product)
    if errors:
        raise ImportRefused(errors)
    today = timezone.localdate()
    rows, ended, removed, open_ended = [], 0, 0, 0
    for (cbs, agb, _number), (_, filename, client, product) in sorted(latest.items()):
        if product.reden_wijziging in {"01", "13"} and product.einddatum == product.ingangsdatum:
            removed += 1
        elif product.einddatum is None:
            open_ended += 1
        elif product.einddatum < today:
            ended += 1
        else:
            rows.append(_row_of_301(cbs, agb, filename, client, product, starts))
    notes = []
    if ended:
        notes.append(f"{ended} toewijzingen waren al afgelopen en zijn niet overgenomen.")
    if removed:
        notes.append(f"{removed} toewijzingen waren ingetrokken en zijn niet overgenomen.")
    if open_ended:
        notes.append(
            f"{open_ended} toewijzingen hebben geen einddatum; neem die op in een spreadsheet "
            "met de einddatum van de beschikking."
        )
    if not rows:
        raise ImportRefused(["Het archief bevat geen lopende toewijzingen.", *notes])
    return rows, notes


def _archive_files(name: str, data: bytes, errors: list[str]) -> Iterator[tuple[str, bytes]]:
    """The XML files of the archive one by one (an archive of 100,000 messages is never
    unpacked into memory at once); a file too large goes to `errors` unread."""
    if Path(name).suffix.lower() == ".xml":
        yield Path(name).name, data
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ImportRefused(["Het zip-bestand kan niet worden gelezen."]) from exc
    limit = xmlsafe.max_bytes()
    found = False
    for info in archive.infolist():
        if info.is_dir() or not info.filename.lower().endswith(".xml"):
            continue
        found = True
        if info.file_size > limit:  # checked before unpacking: no zip bomb
            errors.append(f"Bestand {info.filename}: groter dan {limit:,} bytes.")
            continue
        yield info.filename, archive.read(info)
    if not found:
        raise ImportRefused(["Het zip-bestand bevat geen XML-bestanden."])


def _row_of_301(cbs, agb, filename, client, product, starts) -> dict[str, object]:
    name = client.naam.geslachtsnaam
    contact = next(iter(client.contactgegevens or []), None)
    address = contact.adres if contact is not None else None
    house = address.huis if address is not None else None
    phone = contact.telefoon.telefoon01.telefoonnummer if contact and contact.telefoon else ""
    number = product.toewijzing_nummer
    return {
        "_waar": f"toewijzing {number} in {filename}",
        "gemeente": cbs,
        "bsn": client.bsn,
        "voorletters": client.naam.voorletters or "",
        "voorvoegsel": name.voorvoegsel or "",
        "achternaam": name.achternaam,
        "geboortedatum": client.geboortedatum.datum,
        "geslacht": client.geslacht,
        "straat": (address.straatnaam or "") if address else "",
        "huisnummer": str(house.huisnummer) if house and house.huisnummer else "",
        "toevoeging": (house.huisnummer_toevoeging or "") if house else "",
        "postcode": (address.postcode or "") if address else "",
        "woonplaats": (address.plaatsnaam or "") if address else "",
        "telefoon": phone or "",
        "email": (contact.emailadres or "") if contact else "",
        # The 301 does not carry the beschikking's number: the toewijzing's stands in.
        "beschikkingnummer": f"{cbs}-TW{number}",
        "besluitdatum": product.toewijzingsdatum,
        "productcategorie": product.product.categorie,
        "productcode": product.product.code or "",
        "ingangsdatum": product.ingangsdatum,
        "einddatum": product.einddatum,
        "aanbieder": agb,
        "toewijzingnummer": str(number),
        "startdatum": starts.get((cbs, agb, number)),
    }


# --- checking --------------------------------------------------------------------------------


@dataclass
class Row:
    line: str  # "rij 4", or where in an archive
    municipality: Municipality
    bsn: str
    client_fields: dict
    number: str
    decided_on: date
    level: Level
    start_on: date
    end_on: date
    provider: Provider
    assignment_number: int
    started_on: date | None
    client: Client | None = None

    @property
    def where(self) -> str:
        return self.line[:1].upper() + self.line[1:]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a day, no time)
        except ValueError:
            continue
    raise ValueError(f"'{text}' is geen datum; schrijf dd-mm-jjjj")


class _Catalog:
    """Municipalities, providers, levels and contracts, loaded once for the whole file."""

    def __init__(self):
        self.municipalities = {m.cbs_code: m for m in Municipality.objects.all()}
        self.providers = {p.agb_code: p for p in Provider.objects.all()}
        self.levels: dict[tuple, list[Level]] = defaultdict(list)
        self.products: dict[tuple, list[Level]] = defaultdict(list)
        for level in Level.objects.select_related("arrangement__catalog_version").prefetch_related(
            "arrangement__lots"
        ):
            version = level.arrangement.catalog_version
            key = (version.region_id, level.arrangement.code.lower(), level.code.lower())
            self.levels[key].append(level)
            self.products[
                (version.region_id, level.product_category, level.product_code.upper())
            ].append(level)
        self.contracts: dict[tuple, list[Contract]] = defaultdict(list)
        for contract in Contract.objects.all():
            self.contracts[(contract.provider_id, contract.lot_id)].append(contract)

    def level(self, region_id: int, arrangement: str, code: str, on: date) -> Level | None:
        for level in self.levels.get((region_id, arrangement.lower(), code.lower()), []):
            if level.arrangement.catalog_version.validity.contains(on):
                return level
        return None

    def by_product(self, region_id: int, category: str, code: str, on: date) -> list[Level]:
        return [
            level
            for level in self.products.get((region_id, category.zfill(2), code.upper()), [])
            if level.arrangement.catalog_version.validity.contains(on)
        ]

    def contracted(self, provider: Provider, level: Level, on: date) -> bool:
        return any(
            c.validity.contains(on)
            for lot in level.arrangement.lots.all()
            for c in self.contracts.get((provider.pk, lot.pk), [])
        )


def _level(
    catalog: _Catalog, municipality: Municipality, on: date, value, problems
) -> Level | None:
    """The level by arrangement and level code, or by iWmo product category and code."""
    region = municipality.region
    if value("arrangement") or value("niveau"):
        level = catalog.level(region.pk, value("arrangement"), value("niveau"), on)
        if level is None:
            problems.append(
                f"arrangement '{value('arrangement')}' niveau '{value('niveau')}' staat niet in "
                f"de catalogus van {region.name} op {on:%d-%m-%Y}"
            )
        return level
    category, code = value("productcategorie"), value("productcode")
    if not (category and code):
        problems.append("geef het arrangement en het niveau, of de productcategorie en -code")
        return None
    found = catalog.by_product(region.pk, category, code, on)
    if not found:
        problems.append(
            f"product {category} {code} staat niet in de catalogus van {region.name} op "
            f"{on:%d-%m-%Y}"
        )
        return None
    if len(found) > 1:
        names = ", ".join(f"{lv.arrangement.code}/{lv.code}" for lv in found)
        problems.append(
            f"product {category} {code} hoort bij meer dan één niveau ({names}); "
            "geef het arrangement en het niveau"
        )
        return None
    return found[0]


def check(rows: list[dict[str, object]], *, user: User, today: date) -> tuple[list[Row], int]:
    """The rows to import and how many were taken over before; raises `ImportRefused` with
    every error found."""
    catalog = _Catalog()
    allowed = set(
        municipalities_for(user, {Role.FUNCTIONEEL_BEHEERDER}).values_list("pk", flat=True)
    )
    errors: list[str] = []
    good: list[Row] = []
    seen_numbers: dict[str, str] = {}  # number: where it was first
    seen_assignments: dict[tuple, str] = {}
    for index, raw in enumerate(rows, start=2):  # row 1 is the header
        problems: list[str] = []
        where = str(raw.get("_waar") or f"rij {index}")

        def value(name, raw=raw):
            return _text(raw.get(name))

        def when(name, required=True, raw=raw, problems=problems):
            text = raw.get(name)
            if text in (None, ""):
                if required:
                    problems.append(f"kolom '{name}': vul een datum in")
                return None
            try:
                return _date(text)
            except ValueError as exc:
                problems.append(f"kolom '{name}': {exc}")
                return None

        municipality = catalog.municipalities.get(value("gemeente").zfill(4))
        if municipality is None:
            problems.append(f"kolom 'gemeente': '{value('gemeente')}' is geen bekende gemeente")
        elif municipality.pk not in allowed:
            problems.append(
                f"kolom 'gemeente': u bent geen functioneel beheerder van {municipality.name}"
            )
        try:
            bsn = clean_bsn(value("bsn").zfill(9) if value("bsn").isdigit() else value("bsn"))
        except IdentifierError as exc:
            problems.append(f"kolom 'bsn': {exc}")
            bsn = ""
        if not value("achternaam"):
            problems.append("kolom 'achternaam': vul de achternaam in")
        birth = when("geboortedatum")
        gender = value("geslacht") or "0"
        if gender not in {g for g, _ in GENDERS}:
            problems.append("kolom 'geslacht': gebruik 0 (onbekend), 1 (man) of 2 (vrouw)")
        house = value("huisnummer")
        if house and not house.isdigit():
            problems.append("kolom 'huisnummer': alleen cijfers; de toevoeging in 'toevoeging'")
        postcode = value("postcode").replace(" ", "").upper()
        if postcode and not (
            len(postcode) == 6 and postcode[:4].isdigit() and postcode[4:].isalpha()
        ):
            problems.append("kolom 'postcode': schrijf 4 cijfers en 2 letters (1234 AB)")
        number = value("beschikkingnummer")
        if not number:
            problems.append("kolom 'beschikkingnummer': vul het nummer in")
        elif len(number) > 30:
            problems.append("kolom 'beschikkingnummer': hoogstens 30 tekens")
        elif number in seen_numbers:
            problems.append(f"beschikking {number} staat ook op {seen_numbers[number]}")
        decided_on, start_on, end_on = when("besluitdatum"), when("ingangsdatum"), when("einddatum")
        started_on = when("startdatum", required=False)
        provider = catalog.providers.get(value("aanbieder"))
        if provider is None:
            problems.append(f"kolom 'aanbieder': AGB-code '{value('aanbieder')}' is onbekend")
        assignment_number = value("toewijzingnummer")
        if not assignment_number.isdigit() or not 0 < int(assignment_number) < 10**9:
            problems.append("kolom 'toewijzingnummer': een geheel getal van 1 tot 9 cijfers")
            assignment_number = "0"
        level = None
        if municipality and start_on:
            level = _level(catalog, municipality, start_on, value, problems)
        if level is not None and level.arrangement.composition == Composition.MODULES:
            problems.append(
                f"{level.arrangement.name} bestaat uit modules per leefgebied; zulke "
                "arrangementen kunnen nog niet worden overgenomen"
            )
            level = None
        if start_on and end_on and end_on < start_on:
            problems.append("de einddatum ligt vóór de ingangsdatum")
        if end_on and end_on < today:
            problems.append(
                f"de beschikking liep af op {end_on:%d-%m-%Y}; "
                "neem alleen lopende beschikkingen over"
            )
        if decided_on and decided_on > today:
            problems.append("de besluitdatum ligt in de toekomst")
        if started_on and start_on and end_on and not start_on <= started_on <= end_on:
            problems.append("de startdatum ligt buiten de looptijd van de beschikking")
        if started_on and started_on > today:
            problems.append("de startdatum ligt in de toekomst; laat hem leeg tot de start")
        if provider and level and start_on and not catalog.contracted(provider, level, start_on):
            problems.append(
                f"{provider.name} heeft op {start_on:%d-%m-%Y} geen contract voor "
                f"{level.arrangement.name}"
            )
        if municipality:
            key = (municipality.pk, int(assignment_number))
            if key in seen_assignments and int(assignment_number):
                problems.append(
                    f"toewijzing {assignment_number} staat ook op {seen_assignments[key]}"
                )
            seen_assignments.setdefault(key, where)
        if number:
            seen_numbers.setdefault(number, where)
        if problems:
            errors += [f"{where[:1].upper()}{where[1:]}: {p}." for p in problems]
            continue
        good.append(
            Row(
                line=where,
                municipality=municipality,
                bsn=bsn,
                client_fields={
                    "initials": value("voorletters")[:20],
                    "family_name_prefix": value("voorvoegsel")[:20],
                    "family_name": value("achternaam")[:200],
                    "birth_date": birth,
                    "gender": gender,
                    "street": value("straat")[:200],
                    "house_number": int(house) if house else None,
                    "house_number_addition": value("toevoeging")[:10],
                    "postcode": f"{postcode[:4]} {postcode[4:]}" if postcode else "",
                    "city": value("woonplaats")[:100],
                    "phone": value("telefoon")[:30],
                    "email": value("email")[:254],
                },
                number=number,
                decided_on=decided_on,
                level=level,
                start_on=start_on,
                end_on=end_on,
                provider=provider,
                assignment_number=int(assignment_number),
                started_on=started_on,
            )
        )
    good, skipped, more = _against_the_database(good)
    errors += more
    if errors:
        raise ImportRefused(errors)
    return good, skipped


def _against_the_database(rows: list[Row]) -> tuple[list[Row], int, list[str]]:
    """Rows taken over before are skipped (same beschikking, same toewijzing); a number used
    for something else is an error."""
    taken, used = {}, set()
    for chunk in _chunks(rows):
        taken.update(
            (b["number"], b)
            for b in Beschikking.objects.filter(number__in=[r.number for r in chunk]).values(
                "number", "traject__channel", "assignments__number"
            )
        )
        used.update(
            Assignment.objects.filter(number__in=[r.assignment_number for r in chunk]).values_list(
                "municipality_id", "number"
            )
        )
    errors, todo, skipped = [], [], 0
    for row in rows:
        before = taken.get(row.number)
        if before is not None:
            if (
                before["traject__channel"] == Traject.Channel.TAKEOVER
                and before["assignments__number"] == row.assignment_number
            ):
                skipped += 1
                continue
            errors.append(f"{row.where}: beschikking {row.number} bestaat al.")
        elif (row.municipality.pk, row.assignment_number) in used:
            errors.append(
                f"{row.where}: toewijzing {row.assignment_number} is in "
                f"{row.municipality.name} al in gebruik."
            )
        else:
            todo.append(row)
    return todo, skipped, errors


# --- writing ---------------------------------------------------------------------------------


def run(name: str, data: bytes, *, user: User, dry_run: bool = False) -> Result:
    """Check the whole file, then import it in one transaction (or nothing)."""
    today = timezone.localdate()
    raw, notes = read(name, data)
    rows, skipped = check(raw, user=user, today=today)
    result = Result(rows=len(raw), skipped=skipped, imported=len(rows), notes=notes)
    result.started = sum(1 for r in rows if r.started_on)
    if dry_run or not rows:
        result.clients_new = _clients_missing(rows)
        return result
    with transaction.atomic():
        # The dossier numbers are taken per municipality, as a melding takes them.
        list(
            Municipality.objects.select_for_update()
            .filter(pk__in={r.municipality.pk for r in rows})
            .order_by("pk")
        )
        result.clients_new = _clients(rows, user=user, name=name)
        for start in range(0, len(rows), BATCH):
            _write(rows[start : start + BATCH], user=user, name=name)
    return result


def _chunks(rows: list) -> list[list]:
    """Look-ups in pieces: a list of 100,000 values is too long for one SQL statement."""
    return [rows[i : i + BATCH] for i in range(0, len(rows), BATCH)]


def _known_clients(rows: list[Row]) -> dict[tuple, Client]:
    known = {}
    for chunk in _chunks(rows):
        for c in Client.objects.filter(
            bsn__in={r.bsn for r in chunk},
            municipality__in={r.municipality.pk for r in chunk},
            practice_provider=None,
        ):
            known[(c.municipality_id, c.bsn)] = c
    return known


def _clients_missing(rows: list[Row]) -> int:
    return len({(r.municipality.pk, r.bsn) for r in rows} - set(_known_clients(rows)))


def _clients(rows: list[Row], *, user: User, name: str) -> int:
    """Existing inwoners are used as they are; new ones are made from the row."""
    known = _known_clients(rows)
    new = {}
    for r in rows:
        key = (r.municipality.pk, r.bsn)
        if key not in known and key not in new:
            new[key] = Client(municipality=r.municipality, bsn=r.bsn, **r.client_fields)
    Client.objects.bulk_create(new.values(), batch_size=BATCH)
    _logged(list(new.values()), user=user, name=name)
    known.update(new)
    for r in rows:
        r.client = known[(r.municipality.pk, r.bsn)]
    return len(new)


def _numbers(rows: list[Row]) -> list[str]:
    """Dossier numbers as the product gives them (CBS code, year, sequence)."""
    prefixes = {f"{r.municipality.cbs_code}-{r.decided_on.year}-" for r in rows}
    last = {}
    for prefix in prefixes:
        top = (
            Traject.objects.filter(number__startswith=prefix)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
        last[prefix] = int(top.removeprefix(prefix)) if top else 0
    numbers = []
    for r in rows:
        prefix = f"{r.municipality.cbs_code}-{r.decided_on.year}-"
        last[prefix] += 1
        numbers.append(f"{prefix}{last[prefix]:05d}")
    return numbers


def _write(rows: list[Row], *, user: User, name: str) -> None:
    trajects = [
        Traject(
            number=number,
            client=r.client,
            municipality=r.municipality,
            status=(TrajectStatus.ACTIVE if r.started_on else TrajectStatus.DECIDED).value,
            channel=Traject.Channel.TAKEOVER,
            melding_received_on=r.decided_on,
            question=f"Lopende beschikking {r.number}. {NOTE}",
            reported_by=Traject.Reporter.CLIENT,
            provider=r.provider,
            handed_to_provider_on=r.decided_on,
            part_two_submitted_on=r.decided_on,
            investigation_completed_on=r.decided_on,
            application_received_on=r.decided_on,
            decided_on=r.decided_on,
            started_on=r.started_on,
        )
        for number, r in zip(_numbers(rows), rows, strict=True)
    ]
    Traject.objects.bulk_create(trajects, batch_size=BATCH)
    _logged(trajects, user=user, name=name)
    reason = f"Overgenomen uit het vorige systeem (bestand {Path(name).name})."
    StatusChange.objects.bulk_create(
        StatusChange(
            traject=t,
            action=Action.REGISTER.value,
            from_status="",
            to_status=t.status,
            actor=user,
            reason=reason,
        )
        for t in trajects
    )
    Consent.objects.bulk_create(
        Consent(
            traject=t,
            provider=t.provider,
            is_given=True,
            shared_fields=list(SHAREABLE_FIELDS),
            given_on=t.decided_on,
            recorded_by=user,
        )
        for t in trajects
    )
    PartOne.objects.bulk_create(
        PartOne(
            traject=t,
            arrangement=r.level.arrangement,
            level=r.level,
            customised_support=NOTE,
            start_on=r.start_on,
            end_on=r.end_on,
            goals=NOTE,
            completed_by=user,
        )
        for t, r in zip(trajects, rows, strict=True)
    )
    now = timezone.now()
    parts = [
        PartTwo(
            traject=t,
            version=1,
            results=[],
            submitted_by=user,
            review=PartTwo.Review.ACCEPTED,
            reviewed_by=user,
            reviewed_at=now,
        )
        for t in trajects
    ]
    PartTwo.objects.bulk_create(parts)
    beschikkingen = [
        Beschikking(
            traject=t,
            number=r.number,
            status=Beschikking.Status.FINAL,
            arrangement=r.level.arrangement,
            level=r.level,
            provider=r.provider,
            part_two=part,
            start_on=r.start_on,
            end_on=r.end_on,
            considerations=NOTE,
            content={"overgenomen": True},
            drafted_by=user,
            decided_on=r.decided_on,
        )
        for t, r, part in zip(trajects, rows, parts, strict=True)
    ]
    Beschikking.objects.bulk_create(beschikkingen)
    assignments = []
    for t, r, b in zip(trajects, rows, beschikkingen, strict=True):
        level = r.level
        assignments.append(
            Assignment(
                municipality=r.municipality,
                provider=r.provider,
                client=r.client,
                traject=t,
                beschikking=b,
                number=r.assignment_number,
                product_category=level.product_category,
                product_code=level.product_code,
                assigned_at=timezone.make_aware(datetime.combine(r.decided_on, time(9))),
                start_on=r.start_on,
                end_on=r.end_on,
                volume=level.volume_per_period or 1,
                unit=level.iwmo_unit,
                frequency=level.iwmo_frequency,
                commentary=f"Beschikking {r.number}"[:200],
                changed_since_sent=False,
            )
        )
    # The 301 the provider received from the previous system, as this product would have
    # sent it: what the cross-message rules and the provider's start and stop refer to.
    sent = [
        _message(
            "301",
            messages.toewijzing(
                municipality=a.municipality,
                provider=a.provider,
                client=a.client,
                assignments=[a],
                identification=_identification(a),
                dated_on=t.decided_on,
            ),
            a,
            t,
            outgoing=True,
            dated_on=t.decided_on,
        )
        for a, t in zip(assignments, trajects, strict=True)
    ]
    Message.objects.bulk_create(sent)
    for a, m in zip(assignments, sent, strict=True):
        a.last_message = m
    Assignment.objects.bulk_create(assignments)
    _starts([(a, t) for a, t in zip(assignments, trajects, strict=True) if t.started_on])
    deadlines.refresh(Traject.objects.filter(pk__in=[t.pk for t in trajects]))


def _logged(objects: list, *, user: User, name: str) -> None:
    """Bulk inserts skip django-auditlog's signals: the change log gets one "created" entry
    per inwoner and traject, saying by whom and from which file (SPEC §7)."""
    from django.contrib.contenttypes.models import ContentType

    from auditlog.models import LogEntry

    if not objects:
        return
    kind = ContentType.objects.get_for_model(type(objects[0]))
    source = f"overgenomen uit {Path(name).name}"
    LogEntry.objects.bulk_create(
        (
            LogEntry(
                content_type=kind,
                object_pk=str(o.pk),
                object_id=o.pk,
                object_repr=str(o)[:200],
                action=LogEntry.Action.CREATE,
                changes={"bron": ["", source]},
                changes_text=source,
                actor=user,
            )
            for o in objects
        ),
        batch_size=BATCH,
    )


def _identification(a: Assignment) -> str:
    # Never one of this product's own (all digits): the letter keeps them apart.
    return f"O{a.number:011d}"


def _message(code, obj, a: Assignment, t: Traject, *, outgoing: bool, dated_on: date) -> Message:
    xml = codec.build(obj).decode()
    from_municipality = code == "301"
    return Message(
        side=Side.MUNICIPALITY,
        direction=Message.Direction.OUTGOING if outgoing else Message.Direction.INCOMING,
        code=code,
        status=Message.Status.SENT if outgoing else Message.Status.ANSWERED,
        sender_code=a.municipality.cbs_code if from_municipality else a.provider.agb_code,
        receiver_code=a.provider.agb_code if from_municipality else a.municipality.cbs_code,
        identification=_identification(a),
        dated_on=dated_on,
        xml=xml,
        digest=hashlib.sha256(xml.encode()).hexdigest(),
        municipality=a.municipality,
        provider=a.provider,
        client=a.client,
        traject=t,
        transport=TRANSPORT,
        accepted=True,
    )


def _starts(started: list[tuple[Assignment, Traject]]) -> None:
    """The start the provider reported to the previous system, as an approved 305."""
    received = [
        _message(
            "305",
            messages.start(
                assignment=a,
                begin_on=t.started_on,
                identification=_identification(a),
                dated_on=t.started_on,
            ),
            a,
            t,
            outgoing=False,
            dated_on=t.started_on,
        )
        for a, t in started
    ]
    Message.objects.bulk_create(received)
    DeliveryReport.objects.bulk_create(
        DeliveryReport.of_assignment(
            a, kind=DeliveryReport.Kind.START, message=m, begin_on=t.started_on
        )
        for (a, t), m in zip(started, received, strict=True)
    )
