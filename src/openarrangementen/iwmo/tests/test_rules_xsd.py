"""The restrictions (RS, controleniveau 1) are enforced by the XSD, not by a check: for each RS
code of the CD_CS table, the schema accepts the standard's example and refuses it once that
restriction is broken.

Two kinds of test: one readable case per code (below), and a sweep over every row of the
table whose element occurs in an example message, which breaks that element the way the
code describes. Two rows name elements that do not exist in the iWmo 3.2 XSDs
(WMO315 Client/GezagsdragerBekend, WMO319 Woonplaatsbeginsel/Gemeente); the XSD cannot
enforce them and they are left out. The "WMO Retour" rows apply to the retour messages,
of which there is no example; their codes are covered through the 8 received messages.
"""

import re
from functools import cache

from django.conf import settings

import pytest
from lxml import etree

from openarrangementen.iwmo import schemas
from openarrangementen.iwmo.rules import reference_rules
from openarrangementen.iwmo.xmlsafe import parse_xml


def example_root(message: str) -> etree._Element:
    path = settings.IWMO_SCHEMA_DIR / "examples" / f"WMO{message}.xml"
    return parse_xml(path.read_bytes())


def element(root: etree._Element, path: str) -> etree._Element:
    """The first element at a path of local names below the root ("Header/BerichtCode")."""
    found = root.find("/".join(f"{{*}}{name}" for name in path.split("/")))
    assert found is not None, path
    return found


iwmo_rule = pytest.mark.iwmo_rule


def case(mark, message: str, path: str, value: str, ident: str = ""):
    code = mark.args[0]
    return pytest.param(
        message, path, value, marks=mark, id=f"{code}-{message}-{ident or path.rsplit('/', 1)[-1]}"
    )


TP = "Client/ToegewezenProducten/ToegewezenProduct"
CONTACT = "Client/Contactgegevens/Contact"
RELATIE = "Client/Relaties/Relatie"
PRESTATIE = "Declaratie/Clienten/Client/Prestaties/Prestatie"

CASES = [
    case(iwmo_rule("RS001"), "301", f"{TP}/Omvang/Volume", "-1"),
    case(iwmo_rule("RS001"), "301", f"{CONTACT}/Adres/Huis/Huisnummer", "-1"),
    case(iwmo_rule("RS002"), "301", f"{RELATIE}/Volgorde", "100"),
    case(iwmo_rule("RS004"), "301", f"{CONTACT}/Adres/Huis/Huisnummer", "100000"),
    case(iwmo_rule("RS005"), "301", f"{TP}/Omvang/Volume", "100000000"),
    case(iwmo_rule("RS006"), "301", f"{TP}/ToewijzingNummer", "1000000000"),
    case(iwmo_rule("RS008"), "301", "Client/Geslacht", "11"),
    case(iwmo_rule("RS008"), "301", f"{CONTACT}/Adres/Huis/Huisletter", "CD"),
    case(iwmo_rule("RS009"), "301", "Client/JuridischeStatus", "021"),
    case(iwmo_rule("RS009"), "301", f"{CONTACT}/Soort", "011"),
    case(iwmo_rule("RS010"), "301", "Header/BerichtCode", "4140"),
    case(iwmo_rule("RS011"), "325", "Header/RetourCodes/RetourCode", "02000"),
    case(iwmo_rule("RS011"), "301", f"{CONTACT}/Adres/Huis/HuisnummerToevoeging", "BALKO"),
    case(iwmo_rule("RS012"), "323", f"{PRESTATIE}/ProductCode", "01A031"),
    case(iwmo_rule("RS013"), "301", "Client/Naam/Voorletters", "ABCDEFG"),
    case(iwmo_rule("RS014"), "301", f"{CONTACT}/Adres/Postcode", "9999XX123"),
    case(iwmo_rule("RS015"), "301", "Client/Bsn", "9999000060"),
    case(iwmo_rule("RS016"), "301", "Client/Naam/Geslachtsnaam/Voorvoegsel", "v" * 11),
    case(iwmo_rule("RS017"), "301", "Header/BerichtIdentificatie/Identificatie", "1234567890123"),
    case(
        iwmo_rule("RS017"), "325", "Header/DeclaratieIdentificatie/Identificatie", "1234567890123"
    ),
    case(
        iwmo_rule("RS018"), "301", f"{RELATIE}/Contact/Telefoon/Telefoon01/Telefoonnummer", "1" * 16
    ),
    case(iwmo_rule("RS019"), "323", f"{PRESTATIE}/ProductReferentie/ReferentieNummer", "R" * 21),
    case(iwmo_rule("RS019"), "301", f"{RELATIE}/Nummer", "1" * 21),
    case(iwmo_rule("RS020"), "301", f"{CONTACT}/Adres/Straatnaam", "S" * 25),
    case(iwmo_rule("RS021"), "301", "Client/Communicatie/Taal", "T" * 26),
    case(iwmo_rule("RS023"), "301", f"{CONTACT}/Organisatie", "O" * 36),
    case(iwmo_rule("RS024"), "317", "Client/Verzoek/ReferentieAanbieder", "R" * 37),
    case(
        iwmo_rule("RS025"),
        "315",
        "Client/AangevraagdeProducten/AangevraagdProduct/Verwijzer/Naam",
        "N" * 65,
    ),
    case(iwmo_rule("RS026"), "301", f"{CONTACT}/Emailadres", "e" * 75 + "@b.com"),
    case(iwmo_rule("RS026"), "301", f"{CONTACT}/Adres/Plaatsnaam", "P" * 81),
    case(iwmo_rule("RS028"), "301", "Client/Naam/Geslachtsnaam/Achternaam", "A" * 201),
    case(iwmo_rule("RS031"), "301", "Client/Commentaar", "", "empty"),
    case(iwmo_rule("RS031"), "301", "Client/Commentaar", "   ", "spaces"),
    case(iwmo_rule("RS032"), "301", "Header/BerichtIdentificatie/Dagtekening", "2023-08-13Z", "Z"),
    case(iwmo_rule("RS032"), "301", "Client/Geboortedatum/Datum", "1967-08-13+01:00", "offset"),
    case(iwmo_rule("RS033"), "301", "Client/Naam/Geslachtsnaam/Achternaam", ""),
    case(iwmo_rule("RS033"), "323", f"{PRESTATIE}/ProductReferentie/ReferentieNummer", ""),
    case(iwmo_rule("RS034"), "301", f"{TP}/Toewijzingstijd", "12:34:56Z", "Z"),
    case(iwmo_rule("RS034"), "301", f"{TP}/Toewijzingstijd", "12:34:56+01:00", "offset"),
    case(iwmo_rule("RS035"), "301", "Header/Afzender", "384", "3-digits"),
    case(iwmo_rule("RS035"), "317", "Header/Ontvanger", "03840", "5-digits"),
    case(iwmo_rule("RS035"), "323", "Header/Ontvanger", "038A", "letter"),
    case(iwmo_rule("RS036"), "301", "Header/Ontvanger", "4242000", "7-digits"),
    case(iwmo_rule("RS036"), "305", "Header/Afzender", "6565605A", "letter"),
    case(iwmo_rule("RS037"), "301", "Client/Bsn", "99990000", "8-digits"),
    case(iwmo_rule("RS037"), "323", "Declaratie/Clienten/Client/Bsn", "99990000A", "letter"),
    case(
        iwmo_rule("RS040"), "323", "Declaratie/TotaalIngediendBedrag/TotaalBedrag", "1" + "0" * 12
    ),
    case(iwmo_rule("RS045"), "301", "Client/Naam/Voorletters", "T.J", "dot"),
    case(iwmo_rule("RS045"), "305", "Client/Naam/Voorletters", "T J", "space"),
    case(
        iwmo_rule("RS046"),
        "301",
        f"{RELATIE}/Contact/Telefoon/Telefoon01/Telefoonnummer",
        "010-1234567",
    ),
    case(iwmo_rule("RS047"), "301", "Header/BerichtCode", "415", "code-of-302"),
    case(iwmo_rule("RS047"), "317", "Header/BerichtCode", "999", "unknown"),
    case(iwmo_rule("RS048"), "301", "Header/XsdVersie/BerichtXsdVersie", "1.0", "two-numbers"),
    case(iwmo_rule("RS048"), "325", "Header/XsltVersie", "v1.0.0", "prefix"),
    case(
        iwmo_rule("RS048"),
        "323",
        "Header/XsdVersie/BasisschemaXsdVersie",
        "1.0.0.1",
        "four-numbers",
    ),
]


@pytest.mark.parametrize(("message", "path", "value"), CASES)
def test_the_xsd_enforces_the_restriction(message, path, value):
    root = example_root(message)
    assert schemas.validate(message, root) == []
    target = element(root, path)
    target.text = value
    errors = schemas.validate(message, root)
    assert errors
    assert any(f"'{target.tag.split('}')[-1]}'" in error for error in errors), errors


def test_every_rs_code_has_a_case():
    rs_codes = {code for code in reference_rules() if code.startswith("RS")}
    covered = {mark.args[0] for param in CASES for mark in param.marks if mark.name == "iwmo_rule"}
    assert covered == rs_codes


# --- the sweep over the table ------------------------------------------------------------------

_MAX_VALUE = {
    "RS002": 99,
    "RS004": 99999,
    "RS005": 99999999,
    "RS006": 999999999,
    "RS040": 999999999999,
}
_FIXED = {
    "RS001": ["-1"],
    "RS031": ["", " "],
    "RS033": [""],
    "RS035": ["123", "12345", "12a4"],
    "RS036": ["1234567", "123456789", "1234567a"],
    "RS037": ["12345678", "1234567890", "12345678a"],
    "RS045": ["A.B", "A B"],
    "RS046": ["010-1234", "010 1234"],
    "RS047": ["999"],
    "RS048": ["1.0", "1.0.0.0", "v1.0.0"],
}
# Elements the table lists that are not in the iWmo 3.2 XSDs (iJw or older releases).
NOT_IN_THE_XSD = {("WMO315", "Client", "GezagsdragerBekend"), ("WMO319", "Woonplaatsbeginsel")}


@cache
def _table_rows() -> tuple[tuple[str, ...], ...]:
    path = (
        settings.IWMO_SCHEMA_DIR
        / "reference"
        / "regels"
        / "condities-constraints"
        / "CD_CS_RS_per_dataelement.md"
    )
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| WMO") and cells[7].startswith("RS"):
            rows.append(tuple(cells))
    return tuple(rows)


def breaking_values(code: str, definition: str, text: str) -> list[str]:
    length = re.search(r"(\d+) posit", definition)
    if length:
        return [("1" if text.isdigit() else "A") * (int(length.group(1)) + 1)]
    if code in _MAX_VALUE:
        return [str(_MAX_VALUE[code] + 1)]
    if code in ("RS032", "RS034"):
        return [f"{text}Z", f"{text}+01:00"]
    return _FIXED[code]


def _targets(root: etree._Element, class_name: str, names: list[str]) -> list[etree._Element]:
    found = []
    for node in root.iter():
        if isinstance(node.tag, str) and etree.QName(node).localname == class_name:
            level = [node]
            for name in names:
                level = [c for n in level for c in n if etree.QName(c).localname == name]
            found += level
    return found


def sweep_cases(code: str) -> list[tuple[str, str, list[str], int, str]]:
    """(message, class, element path, index, breaking value) for each occurrence of each row
    of this code whose element is in an example."""
    cases = []
    for row in _table_rows():
        if row[7] != code or row[0] == "WMO Retour":
            continue
        if any(row[: len(skip)] == skip for skip in NOT_IN_THE_XSD):
            continue
        message = row[0].removeprefix("WMO")
        names = [cell.split("_")[0] for cell in row[2:5] if cell]
        for index, target in enumerate(_targets(example_root(message), row[1], names)):
            for value in breaking_values(code, row[8], target.text or ""):
                cases.append((message, row[1], names, index, value))
    return cases


RS_CODES = sorted(
    {
        "RS001", "RS002", "RS004", "RS005", "RS006", "RS008", "RS009", "RS010", "RS011",
        "RS012", "RS013", "RS014", "RS015", "RS016", "RS017", "RS018", "RS019", "RS020",
        "RS021", "RS023", "RS024", "RS025", "RS026", "RS028", "RS031", "RS032", "RS033",
        "RS034", "RS035", "RS036", "RS037", "RS040", "RS045", "RS046", "RS047", "RS048",
    }
)  # fmt: skip


def test_the_sweep_knows_every_rs_code():
    assert set(RS_CODES) == {code for code in reference_rules() if code.startswith("RS")}


@pytest.mark.parametrize(
    "code", [pytest.param(code, marks=pytest.mark.iwmo_rule(code)) for code in RS_CODES]
)
def test_the_xsd_enforces_every_row_of_the_table(code):
    cases = sweep_cases(code)
    assert cases, f"no row of {code} occurs in an example"
    not_refused = []
    for message, class_name, names, index, value in cases:
        root = example_root(message)
        _targets(root, class_name, names)[index].text = value
        if not schemas.validate(message, root):
            not_refused.append((message, class_name, "/".join(names), value))
    assert not_refused == []
