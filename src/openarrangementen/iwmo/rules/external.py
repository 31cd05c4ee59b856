"""Controleniveau 4 rules against external sources that need no store: the system date
and the CBS municipality codes of the installed reference."""

import dataclasses
import logging
import re
from functools import cache
from pathlib import Path

from django.conf import settings

from openarrangementen.iwmo.rules.base import Violation, rule
from openarrangementen.iwmo.schemas import Simple

logger = logging.getLogger(__name__)

_RECEIVED = ("301", "305", "307", "315", "317", "319", "323", "325")


# TR135 ("a date that exists and is not in the future") does not name its element, and the
# CD_CS table does not list TR rules. Its retour code 8848 reads "Dagtekening moet gelijk zijn
# aan of voor de systeemdatum liggen" (WJ001), so it is checked on the Dagtekening of the
# header's BerichtIdentificatie. "Exists" is checked by the parser: a date that does not exist
# cannot be read. The system date is `ctx.today`.
@rule("TR135", messages=_RECEIVED)
def _(msg, ctx):
    dagtekening = msg.header.bericht_identificatie.dagtekening
    if dagtekening > ctx.today:
        yield Violation.at(
            msg.header,
            f"Dagtekening ({dagtekening:%d-%m-%Y}) ligt na de systeemdatum ({ctx.today:%d-%m-%Y}).",
        )


# --- TR378: CBS gemeentecodes ------------------------------------------------------------------


def cbs_list_path() -> Path:
    return Path(settings.IWMO_SCHEMA_DIR) / "reference" / "codelijsten" / "CBS_Gemeentecodes.md"


def municipality_codes() -> frozenset[str]:
    """The gemeentecodes of the installed CBS list (empty when the list is not installed)."""
    return _municipality_codes(cbs_list_path())


@cache
def _municipality_codes(path: Path) -> frozenset[str]:
    if not path.is_file():
        logger.warning(
            "CBS-gemeentecodelijst ontbreekt (%s): TR378 wordt niet gecontroleerd.", path
        )
        return frozenset()
    rows = re.findall(r"^\|\s*(\d{4})\s*\|", path.read_text(encoding="utf-8"), re.M)
    return frozenset(rows)


def reset() -> None:
    _municipality_codes.cache_clear()


def _municipality_fields(obj):
    """(class object, element name, value) of every element of type LDT_Gemeente: in iWmo 3.2
    the municipality in the header (Afzender or Ontvanger)."""
    for f in dataclasses.fields(obj):
        element = f.metadata["element"]
        value = getattr(obj, f.name)
        if isinstance(element.type, Simple):
            if element.type.type_name == "LDT_Gemeente" and value is not None:
                yield obj, element.xml_name, value
            continue
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                yield from _municipality_fields(item)


# TR378 allows, after a municipal reorganisation, an older CBS list that was current on the
# Ingangsdatum of the assignment. Only the current list is installed (reference/codelijsten/
# CBS_Gemeentecodes.md), so a code is accepted when it is on that list; a code of a
# municipality that has since merged is refused. When the list is missing the rule is not
# checked (logged).
@rule("TR378", messages=_RECEIVED)
def _(msg, ctx):
    codes = municipality_codes()
    if not codes:
        return
    for obj, name, value in _municipality_fields(msg):
        if value not in codes:
            yield Violation.at(
                obj, f"{name} {value} is geen gemeentecode uit de CBS-gemeentelijst."
            )
