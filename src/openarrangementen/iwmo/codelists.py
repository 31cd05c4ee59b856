"""iWmo 3.2 code lists, read from the installed schemas (`IWMO_SCHEMA_DIR`), never retyped.

The XSD (basisschema.xsd) holds each list's codes and descriptions as enumerations. Where
the standard's reference folder is installed beside it, extra columns are read from there
(e.g. WMO588's "Initiatief aanbieder": which reasons of ending a provider may use).
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from lxml import etree

XS = "{http://www.w3.org/2001/XMLSchema}"


class CodeListUnavailable(Exception):
    """The iWmo schemas are not installed; the message is for the user (Dutch)."""


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    provider_initiative: bool | None = None  # None: the reference column is not available

    @property
    def display(self) -> str:
        return f"{self.code} – {self.label}"


def _schema_dir() -> Path:
    return Path(settings.IWMO_SCHEMA_DIR)


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@cache
def _enumerations(schema_dir: Path, type_name: str) -> tuple[tuple[str, str], ...]:
    path = schema_dir / "basisschema.xsd"
    if not path.is_file():
        raise CodeListUnavailable(
            "De iWmo-schema's zijn niet geïnstalleerd (basisschema.xsd ontbreekt in "
            f"{schema_dir}). Vraag de functioneel beheerder ze te installeren."
        )
    tree = etree.parse(str(path), _safe_parser())
    nodes = tree.findall(f"{XS}simpleType[@name='{type_name}']")
    if not nodes:
        raise CodeListUnavailable(f"Codelijst {type_name} staat niet in {path.name}.")
    codes = []
    for enum in nodes[0].iter(f"{XS}enumeration"):
        doc = enum.find(f"{XS}annotation/{XS}documentation")
        codes.append((enum.get("value"), (doc.text or "").strip() if doc is not None else ""))
    return tuple(codes)


@cache
def _reference_column(schema_dir: Path, list_id: str, column: str) -> dict[str, str]:
    """One column of a code list table in reference/codelijsten/<list_id>_*.md, by code."""
    matches = sorted((schema_dir / "reference" / "codelijsten").glob(f"{list_id}_*.md"))
    if not matches:
        return {}
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in matches[0].read_text(encoding="utf-8").splitlines()
        if line.startswith("|")
    ]
    header = next((r for r in rows if r and r[0] == "Code"), None)
    if header is None or column not in header:
        return {}
    index = header.index(column)
    return {
        r[0]: r[index]
        for r in rows
        if r is not header and len(r) > index and re.fullmatch(r"[0-9A-Z]+", r[0])
    }


def reasons_of_ending(*, provider_initiative_only: bool = False) -> list[Code]:
    """WMO588 Reden beëindiging (used in 307/308)."""
    schema_dir = _schema_dir()
    initiative = _reference_column(schema_dir, "WMO588", "Initiatief aanbieder")
    # The XSD type also lists codes of other lists' shared enumerations; WMO588 is two digits.
    codes = [
        Code(code, label, initiative[code] == "ja" if code in initiative else None)
        for code, label in _enumerations(schema_dir, "LDT_RedenBeeindiging")
        if re.fullmatch(r"\d\d", code)
    ]
    if provider_initiative_only:
        codes = [c for c in codes if c.provider_initiative is not False]
    return codes


def _codes(type_name: str) -> list[Code]:
    return [Code(code, label) for code, label in _enumerations(_schema_dir(), type_name)]


def retour_codes() -> dict[str, Code]:
    """WJ001 Retourcode, by code: what a retour says about each class it copies."""
    return {code.code: code for code in _codes("LDT_RetourCode")}


def retour_code_rules() -> dict[str, str]:
    """WJ001 per code the rule it enforces ("TR135"), from the reference where installed."""
    return {
        code: rule
        for code, rule in _reference_column(_schema_dir(), "WJ001", "TR-regel").items()
        if re.fullmatch(r"[A-Z]{2}\d{3}", rule)
    }


def reasons_of_rejection() -> list[Code]:
    """WJ759 Reden afwijzing verzoek (the 319's answer to a rejected VOT or VOW)."""
    return _codes("LDT_RedenAfwijzingVerzoek")


def reasons_of_request() -> list[Code]:
    """WJ758 Reden verzoek (why a provider asks for a change, 317)."""
    return _codes("LDT_RedenVerzoek")


def product_categories() -> list[Code]:
    """WMO020 Productcategorie."""
    return _codes("LDT_ProductCategorie")


def units() -> list[Code]:
    """WJ756 Eenheid (of a volume)."""
    return _codes("LDT_Eenheid")


def frequencies() -> list[Code]:
    """WMO757 Frequentie (of a volume)."""
    return _codes("LDT_Frequentie")
